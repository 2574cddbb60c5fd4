import { isSsnParts } from "./numbers.js";
import { isPlaceholder, PLACEHOLDER } from "./placeholders.js";
import { isExpression, isReferenceOrMask } from "./values.js";

/**
 * Secrets and numbers that only their context identifies: the value after "the password is",
 * after `--password`, after `curl -u user:`, a 40-character AWS secret after the words that name it,
 * nine digits after an SSN label. Each regex starts with fixed words and reads a bounded value, so
 * every pass stays linear.
 */

// `the password is X`, `my wifi password for the portal is now X`, `mot de passe : X`.
const PASSWORD_PROSE =
  /(?<![\w-])(?:password|passwort|passwd|passphrase|passcode|kennwort|pw|pwd|mot de passe|contraseña|contrasena|senha|wachtwoord)(?:[ \t]+(?:for|für|pour|para|of)[ \t]+(?:the[ \t]+|my[ \t]+|our[ \t]+|your[ \t]+)?[\w.-]{1,30})?(?:[ \t]+(is|was|ist|est|es|era|é)(?:[ \t]+now)?[ \t]*:?|[ \t]*(:)|[ \t]+(?=[^\s]{0,127}\d))[ \t]*(?:"([^"\r\n]{1,128})"|'([^'\r\n]{1,128})'|([^\s"'`]{1,128}))/gi;

// Sentence punctuation after an unquoted value is not part of it.
const TRAILING_PUNCTUATION = /[.,;)]+$/;

function replacePasswordProse(match: string, verb?: string, colon?: string, dq?: string, sq?: string, bare?: string): string {
  const quoted = dq ?? sq;
  let value = quoted ?? bare ?? "";
  if (quoted === undefined) value = value.replace(TRAILING_PUNCTUATION, "");
  if (value.length < (colon !== undefined ? 3 : 4) || isReferenceOrMask(value) || /^[-([{<$]/.test(value)) return match;
  // `password: hashPassword(input)`, `(password: str)`: code, not a value.
  const head = /^[\w$.]+/.exec(value)?.[0] ?? "";
  if (head !== "" && isExpression("password", head, value.charAt(head.length))) return match;
  // "the password is stored in…", "password reset": after a verb or directly, an unquoted value
  // needs a digit or a symbol; after a colon any shape is a value.
  if (quoted === undefined && colon === undefined && !/[^A-Za-z\u00C0-\u024F]/.test(value)) return match;
  if (quoted === undefined && colon === undefined && verb === undefined && !(/\d/.test(value) && /[A-Za-z]/.test(value))) return match;
  const at = match.lastIndexOf(value);
  return `${match.slice(0, at)}${PLACEHOLDER.SECRET}${match.slice(at + value.length)}`;
}

// `--password 'x'`, `--db-pass=x`, `--pw x`: the value of a password flag, whatever its shape.
const PASSWORD_FLAG =
  /(?<![\w-])--?(?:[A-Za-z]+-){0,3}(?:password|passwd|pass|pwd|pw)(?:([ \t]+)|=)(?:"([^"\r\n]{1,256})"|'([^'\r\n]{1,256})'|([^\s"'`]{1,256}))/gi;

function replacePasswordFlag(match: string, space?: string, dq?: string, sq?: string, bare?: string): string {
  const value = dq ?? sq ?? bare ?? "";
  if (isReferenceOrMask(value) || /^[-$<{[(]/.test(value)) return match;
  // `--password to read it from a prompt`: after a space, a bare word without digits or symbols is prose.
  if (space !== undefined && bare !== undefined && /^[A-Za-z]+$/.test(value)) return match;
  const at = match.lastIndexOf(value);
  return `${match.slice(0, at)}${PLACEHOLDER.SECRET}${match.slice(at + value.length)}`;
}

// `curl -u user:password`, `--user user:password`.
const USER_PASSWORD_FLAG = /(?<![\w-])(-u|--user)([ \t]+["']?[^\s:"'@\/]{1,64}:)([^\s"'@]{1,128})/g;

function replaceUserPasswordFlag(match: string, flag: string, user: string, password: string): string {
  if (isPlaceholder(password) || isReferenceOrMask(password) || password.startsWith("$")) return match;
  return `${flag}${user}${PLACEHOLDER.SECRET}`;
}

// A 40-character AWS secret access key after the words that name it.
const AWS_SECRET =
  /(?:aws|amazon)[ _-]?secret(?:[ _-]?access)?[ _-]?key|secret[ _-]?access[ _-]?key(?:[ _-]?id)?/gi;
const AWS_SECRET_VALUE = /["']?[ \t]*(?:[:=]|=>|is)?[ \t]*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/y;

function redactAwsSecrets(input: string): string {
  const context = AWS_SECRET;
  const value = AWS_SECRET_VALUE;
  context.lastIndex = 0;
  let out = "";
  let from = 0;
  for (let m = context.exec(input); m !== null; m = context.exec(input)) {
    if (/id$/i.test(m[0])) continue;
    value.lastIndex = m.index + m[0].length;
    const v = value.exec(input);
    const key = v?.[1];
    if (v === null || key === undefined || !/[A-Z]/.test(key) || !/[a-z]/.test(key)) continue;
    const start = value.lastIndex - key.length;
    out += input.slice(from, start) + PLACEHOLDER.SECRET;
    from = value.lastIndex;
    context.lastIndex = from;
  }
  return from === 0 ? input : out + input.slice(from);
}

// Nine digits right after an SSN label: `SSN# 536901234`, `Social Security No. 219099999`.
const SSN_LABELLED =
  /(?<![A-Za-z])(?:ssn|ss#|social[ _-]?security(?:[ _-]?(?:number|num|nr|no\.?))?)(["']?[ \t]*(?:#|no\.?|number|is)?[ \t]*[:=#]?[ \t]*["']?)(\d{3})(\d{2})(\d{4})(?![\d-])/gi;

function replaceSsnLabelled(match: string, filler: string, area: string, group: string, serial: string): string {
  if (!isSsnParts(area, group, serial)) return match;
  return match.slice(0, match.length - 9) + PLACEHOLDER.US_SSN;
}

type Replacer = (substring: string, ...args: unknown[]) => string;

// Where a password word can start: one cheap scan, then the full patterns run only at the hits.
const PASSWORD_HIT = /pass|pw|contrase|senha|wachtw|kennw|mot de/gi;
const PROSE_AT = new RegExp(PASSWORD_PROSE.source, "iy");
const FLAG_AT = new RegExp(PASSWORD_FLAG.source, "iy");

function isFlagChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45;
}

export function redactPasswordsByContext(input: string): string {
  let out = "";
  let from = 0;
  PASSWORD_HIT.lastIndex = 0;
  for (let hit = PASSWORD_HIT.exec(input); hit !== null; hit = PASSWORD_HIT.exec(input)) {
    // Back to the start of the word or flag (`--db-password`), at most 40 characters.
    let start = hit.index;
    while (start > from && hit.index - start < 40 && isFlagChar(input.charCodeAt(start - 1))) start--;
    if (start < from) continue;
    const flag = input.charCodeAt(start) === 45;
    const regex = flag ? FLAG_AT : PROSE_AT;
    regex.lastIndex = start;
    const m = regex.exec(input);
    if (m === null) continue;
    const replaced = flag
      ? replacePasswordFlag(m[0], m[1], m[2], m[3], m[4])
      : replacePasswordProse(m[0], m[1], m[2], m[3], m[4], m[5]);
    const end = start + m[0].length;
    PASSWORD_HIT.lastIndex = end;
    if (replaced === m[0]) continue;
    out += input.slice(from, start) + replaced;
    from = end;
  }
  out = from === 0 ? input : out + input.slice(from);
  if (out.includes("-u") || out.includes("--user")) out = out.replace(USER_PASSWORD_FLAG, replaceUserPasswordFlag as Replacer);
  return out;
}

export { redactAwsSecrets };

export function redactLabelledSsns(input: string): string {
  return input.replace(SSN_LABELLED, replaceSsnLabelled as Replacer);
}
