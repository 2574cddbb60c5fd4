import { isSsnParts } from "./numbers.js";
import { phoneAfterWord } from "./phone.js";
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
  /(?<![\w./-])(?:password|passwort|passwd|passphrase|passcode|kennwort|pw|pwd|mot de passe|contraseña|contrasena|senha|wachtwoord)(?:[ \t]+(?:for|für|pour|para|of)[ \t]+(?:the[ \t]+|my[ \t]+|our[ \t]+|your[ \t]+)?[\w.-]{1,30})?(?:[ \t]+(is|was|ist|est|es|era|é)(?:[ \t]+now)?[ \t]*:?|[ \t]*(:)|[ \t]+(?=[^\s]{0,127}\d))[ \t]*(?:"([^"\r\n]{1,128})"|'([^'\r\n]{1,128})'|([^\s"'`]{1,128}))/gi;

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

// Nine digits right after an SSN label: `SSN# 536901234`, `Social Security No. 219099999`.
const SSN_LABELLED =
  /(?<![A-Za-z])(?:ssn|ss#|social[ _-]?security(?:[ _-]?(?:number|num|nr|no\.?))?)(["']?[ \t]*(?:#|no\.?|number|is)?[ \t]*[:=#]?[ \t]*["']?)(\d{3})(\d{2})(\d{4})(?![\d-])/gi;


type Replacer = (substring: string, ...args: unknown[]) => string;

function isFlagChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

const PROSE_AT = new RegExp(PASSWORD_PROSE.source, "iy");
const FLAG_AT = new RegExp(PASSWORD_FLAG.source, "iy");
const AWS_AT = new RegExp(`(?:${AWS_SECRET.source})${AWS_SECRET_VALUE.source.slice(0)}`, "iy");
const SSN_AT = new RegExp(SSN_LABELLED.source, "iy");

/**
 * Every word that can start a context, in one scan: case-insensitive word lists cost a full pass
 * each, so one list serves phones, passwords, SSN labels and AWS secrets, and each hit tries its own
 * sticky pattern once. Hits are word starts or inside words (`PGPASSWORD`), never more than one
 * bounded attempt each, so the pass stays linear.
 */
const CONTEXT_HIT =
  /t(?:[eé]l|ext )|phone|m(?:obil|[óo]vil|sisdn|ot de)|handy|c(?:el(?:l|ular)|all |ontrase)|p(?:ortable|ass|w)|fax|whats|wachtw|s(?:ms|enha|s[n#]|ocial|ecret)|r(?:ufnummer|ing |each )|kennw|電話|携帯|手机|电话/gi;

// Written as a trie: irregexp scans a shared-prefix alternation about a third faster than a flat list.
const PASSWORD_WORDS = new Set(["pass", "pw", "contrase", "senha", "wachtw", "kennw", "mot de"]);

export interface ContextKinds {
  readonly phone: boolean;
  readonly ssn: boolean;
  readonly secret: boolean;
}

type Found = [start: number, end: number, replacement: string] | undefined;

function passwordAt(input: string, hit: number, floor: number): Found {
  // Back to the start of the word or flag (`--db-password`), at most 40 characters.
  let start = hit;
  while (start > floor && hit - start < 40 && isFlagChar(input.charCodeAt(start - 1))) start--;
  const flag = input.charCodeAt(start) === 45;
  const regex = flag ? FLAG_AT : PROSE_AT;
  regex.lastIndex = start;
  const m = regex.exec(input);
  if (m === null) return undefined;
  const replaced = flag ? replacePasswordFlag(m[0], m[1], m[2], m[3], m[4]) : replacePasswordProse(m[0], m[1], m[2], m[3], m[4], m[5]);
  return replaced === m[0] ? undefined : [start, start + m[0].length, replaced];
}

function awsAt(input: string, hit: number): Found {
  // `aws_secret_access_key`, `AWS secret key`: start at the vendor word when there is one.
  let start = hit;
  for (const prefix of ["aws", "amazon"]) {
    for (const gap of [0, 1]) {
      const s = hit - prefix.length - gap;
      if (s >= 0 && input.slice(s, s + prefix.length).toLowerCase() === prefix && (s === 0 || !isAsciiLetter(input.charCodeAt(s - 1)))) start = s;
    }
  }
  AWS_AT.lastIndex = start;
  const m = AWS_AT.exec(input);
  const key = m?.[1];
  if (m === null || key === undefined || !/[A-Z]/.test(key) || !/[a-z]/.test(key) || /id["' \t:=]*$/i.test(m[0].slice(0, -key.length))) return undefined;
  const end = start + m[0].length;
  return [end - key.length, end, PLACEHOLDER.SECRET];
}

function ssnAt(input: string, hit: number): Found {
  if (hit > 0 && isAsciiLetter(input.charCodeAt(hit - 1))) return undefined;
  SSN_AT.lastIndex = hit;
  const m = SSN_AT.exec(input);
  if (m === null || !isSsnParts(m[2] ?? "", m[3] ?? "", m[4] ?? "")) return undefined;
  const end = hit + m[0].length;
  return [end - 9, end, PLACEHOLDER.US_SSN];
}

/** Phones, passwords, labelled SSNs and AWS secrets found by the words in front of them, in one scan. */
export function createContextRedactor(kinds: ContextKinds): (input: string) => string {
  return (input) => {
    let out = "";
    let from = 0;
    CONTEXT_HIT.lastIndex = 0;
    for (let hit = CONTEXT_HIT.exec(input); hit !== null; hit = CONTEXT_HIT.exec(input)) {
      const at = hit.index;
      if (at < from) continue;
      const word = hit[0].toLowerCase();
      let found: Found;
      if (PASSWORD_WORDS.has(word)) {
        if (kinds.secret) found = passwordAt(input, at, from);
      } else if (word === "secret") {
        if (kinds.secret) found = awsAt(input, at);
      } else if (word === "ssn" || word === "ss#" || word === "social") {
        if (kinds.ssn) found = ssnAt(input, at);
      } else if (kinds.phone) {
        const span = phoneAfterWord(input, at);
        if (span !== undefined) found = [span[0], span[1], PLACEHOLDER.PHONE];
      }
      if (found === undefined || found[0] < from) continue;
      out += input.slice(from, found[0]) + found[2];
      from = found[1];
      if (CONTEXT_HIT.lastIndex < from) CONTEXT_HIT.lastIndex = from;
    }
    out = from === 0 ? input : out + input.slice(from);
    if (kinds.secret && (out.includes("-u") || out.includes("--user"))) out = out.replace(USER_PASSWORD_FLAG, replaceUserPasswordFlag as Replacer);
    return out;
  };
}
