import { isSsnParts } from "./numbers.js";
import { isSentenceAfter } from "./sentences.js";
import { phoneAfterPhone, phoneAfterWord } from "./phone.js";
import { isPlaceholder, PLACEHOLDER } from "./placeholders.js";
import { isExpression, isReferenceOrMask } from "./values.js";

/**
 * Secrets and numbers that only their context identifies: the value after "the password is",
 * after `--password`, after `curl -u user:`, a 40-character AWS secret after the words that name it,
 * nine digits after an SSN label. Each regex starts with fixed words and reads a bounded value, so
 * every pass stays linear.
 */

// `the password is X`, `my wifi password for the portal is now X`, `mot de passe : X`.
const PASSWORD_PROSE = new RegExp(
  `(?<![\\w./])(?:${[
    "password|passwort|passwd|passphrase|passcode|kennwort|pw|pwd|mot de passe|contraseña|contrasena|senha|wachtwoord",
    // Polish, Czech, Swedish, Norwegian, Danish, Finnish, Hungarian, Japanese (romanised and kana), Chinese, Russian.
    "has[lł][oa]|heslo|l[öo]senord(?:et)?|passord(?:et)?|adgangskode(?:n)?|salasana|jelsz[óo]|pasuw[aā]{1,2}do|パスワード|密码|пароль",
  ].join("|")})` +
    // `for the portal`, `für das WLAN`, `do serwera`, `voor de router`, `per il wifi`: what it opens.
    `(?:[ \\t]+(?:for|für|pour|para|of|to|do|voor|per|för|til|till|dla|zu|zum|zur|de|del|du|van)[ \\t]+(?:(?:the|my|our|your|mein|meine|das|die|der|den|de|het|il|la|le|el|mon|ma|mijn)[ \\t]+)?[\\w\\u00C0-\\u024F.-]{1,30})?` +
    // `is`, `ist jetzt`, `lautet`, `est`, `é`, `è`, `to`/`jest`, `är`, `er`, `wa`: the value follows.
    `(?:[ \\t]+(is|was|ist|est|es|era|é|è|lautet|lautete|to|jest|är|er|wa|je)(?![\\w\\u00C0-\\u024F])(?:[ \\t]+(?:now|jetzt|maintenant|ahora|agora|nu|teraz|ora)(?![\\w\\u00C0-\\u024F]))?[ \\t]*:?|[ \\t]*(:|：)|[ \\t]+(?=[^\\s]{0,127}\\d))` +
    `[ \\t]*(?:"([^"\\r\\n]{1,128})"|'([^'\\r\\n]{1,128})'|([^\\s"'\`]{1,128}))`,
  "gi",
);

// Sentence punctuation after an unquoted value is not part of it.
const TRAILING_PUNCTUATION = /[.,;)]+$/;

function replacePasswordProse(match: string, verb?: string, colon?: string, dq?: string, sq?: string, bare?: string): string {
  const quoted = dq ?? sq;
  let value = quoted ?? bare ?? "";
  if (quoted === undefined) value = value.replace(TRAILING_PUNCTUATION, "");
  // `&str`, `&'a [u8]`: a Rust reference type in a signature.
  if (value.length < (colon !== undefined ? 3 : 4) || isReferenceOrMask(value) || /^[-([{<$&]/.test(value)) return match;
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

// An SSN label: `SSN`, `SS#`, `Social Security No.`; nine digits follow past a short note.
const SSN_LABEL = /(?:ssn|ss#|social[ _-]?security(?:[ _-]?(?:number|num|nr|no\.?))?)/iy;
const SSN_DIGITS = /(\d{3})(\d{2})(\d{4})(?![\d-])/y;

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

/**
 * Every word that can start a context, in one scan (at a word start, `\b`, which irregexp checks
 * before the alternation, so most letters cost one test; `pass`, `secret` and the SSN labels also inside a word
 * or after digits: `--db-password`, `aws_secret_access_key`, `ssn=…ssn=…`): case-insensitive word lists cost a full pass
 * each, so one list serves phones, passwords, SSN labels and AWS secrets, and each hit tries its own
 * sticky pattern once. Hits are word starts or inside words (`PGPASSWORD`), never more than one
 * bounded attempt each, so the pass stays linear.
 */
const CONTEXT_HIT =
  /\b(?:t(?:[eé]l|ext |oken)|p(?:hone|ortable|w|asuw|od numer)|m(?:obi[le]|[óo]vil|sisdn|ot de)|h(?:andy|otline|as[lł]|eslo)|c(?:el(?:l|ular)|all |ontrase|ontact |hiam)|f(?:ax|estnetz)|w(?:hats|achtw)|s(?:ms|enha|witchboard|alasana)|r(?:ufnummer|ufen|ing |each )|k(?:ennw|om[óo]rk|eitai)|z(?:entrale|adzwo)|d(?:urchwahl|enwa|zwo)|l(?:andline|[öo]senord|l[áa]m|igue)|b(?:el |ereikbaar)|a(?:nrufen|ppel|dgangskod|pi[ _-]?key)|j(?:oindre|elsz)|erreichbar)|pass|secret|ss[n#]|social|\[phone_redacted\]|電話|携帯|手机|电话|パスワード|密码|пароль/gi;

// Written as a trie: irregexp scans a shared-prefix alternation about a third faster than a flat list.
const PASSWORD_WORDS = new Set(["pass", "pw", "contrase", "senha", "wachtw", "kennw", "mot de", "pasuw", "hasl", "hasł", "heslo", "lösenord", "losenord", "adgangskod", "salasana", "jelsz", "パスワード", "密码", "пароль"]);

// The password words added for issue 15 count only where a value is likely to follow them: on a
// line with a digit, a colon or a quote, so short prose does not pay for them.
const NEW_PASSWORD_WORDS = new Set(["pasuw", "hasl", "hasł", "heslo", "lösenord", "losenord", "adgangskod", "salasana", "jelsz", "パスワード", "密码", "пароль"]);
const VALUE_LIKELY = /[\d:"']/;

export interface ContextKinds {
  readonly phone: boolean;
  readonly ssn: boolean;
  readonly secret: boolean;
}

type Found = [start: number, end: number, replacement: string] | undefined;

function passwordAt(input: string, hit: number, floor: number): Found {
  // Back to the start of the word, then of the flag (`--db-password`) if the word is part of one.
  let word = hit;
  while (word > floor && hit - word < 40 && isAsciiLetter(input.charCodeAt(word - 1))) word--;
  let start = word;
  while (start > floor && hit - start < 40 && isFlagChar(input.charCodeAt(start - 1))) start--;
  const flag = input.charCodeAt(start) === 45;
  if (!flag) start = word;
  const regex = flag ? FLAG_AT : PROSE_AT;
  regex.lastIndex = start;
  const m = regex.exec(input);
  if (m === null) return undefined;
  const end = start + m[0].length;
  // `Password: not required for guests`, `passwd: all authentication tokens updated`: a sentence.
  const bare = flag ? m[4] : m[5];
  if (bare !== undefined && isSentenceAfter(input, end, bare)) return undefined;
  const replaced = flag ? replacePasswordFlag(m[0], m[1], m[2], m[3], m[4]) : replacePasswordProse(m[0], m[1], m[2], m[3], m[4], m[5]);
  return replaced === m[0] ? undefined : [start, end, replaced];
}

/**
 * A secret named in prose, then a generated value: `TOTP secret for the ops account: GUIA…`,
 * `client secret (staging): Zx81…`, `API key for the tenant is 7c1e…`. Unlike `secret: x` (the
 * key-value pass), the words between make it prose, so only a token-shaped value counts: 16 or more
 * characters of a key alphabet with letters and digits.
 */
const SECRET_PROSE =
  /(?:secret|token|api[ _-]?key)(?:[ \t]+(?:for|of|to|für|pour|para|do|voor|per)[ \t]+[^\s:()]{1,30}(?:[ \t]+[^\s:()]{1,30}){0,3})?(?:[ \t]*\([^()\r\n]{1,30}\))?(?:[ \t]*[:=]|[ \t]+(?:is|was))[ \t]*["']?([A-Za-z0-9+\/=_~.-]{16,512})(?![A-Za-z0-9+\/=_~-])/iy;

function secretProseAt(input: string, hit: number): Found {
  const before = hit > 0 ? input.charCodeAt(hit - 1) : 32;
  // A word of its own, not `[SECRET_REDACTED]`, `client_secret`, `mySecret` (the key-value pass reads those).
  if (isAsciiLetter(before) || before === 95 || before === 91 || (before >= 48 && before <= 57)) return undefined;
  SECRET_PROSE.lastIndex = hit;
  const m = SECRET_PROSE.exec(input);
  const value = m?.[1];
  if (m === null || value === undefined) return undefined;
  const token = value.replace(/[.]+$/, "");
  if (token.length < 16 || !/\d/.test(token) || !/[A-Za-z]/.test(token) || /^\d{4}-\d\d-\d\d/.test(token) || isReferenceOrMask(token)) return undefined;
  const start = hit + m[0].length - value.length;
  return [start, start + token.length, PLACEHOLDER.SECRET];
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
  SSN_LABEL.lastIndex = hit;
  const label = SSN_LABEL.exec(input);
  if (label === null) return undefined;
  const start = ssnStart(input, hit + label[0].length);
  if (start < 0) return undefined;
  SSN_DIGITS.lastIndex = start;
  const m = SSN_DIGITS.exec(input);
  if (m === null || !isSsnParts(m[1] ?? "", m[2] ?? "", m[3] ?? "")) return undefined;
  return [start, start + 9, PLACEHOLDER.US_SSN];
}

/**
 * Where the nine digits after an SSN label start: past label punctuation (`#`, `:`, `=`, quotes,
 * `,`), one short note in brackets (`(no dashes)`, `(9 digits)`) and at most four short words
 * (`without dashes`, `as given`, `on file is`), within 48 characters.
 */
function ssnStart(input: string, from: number): number {
  let words = 0;
  let wordLength = 0;
  let notes = 0;
  for (let i = from; i < input.length && i - from <= 48; i++) {
    const c = input.charCodeAt(i);
    if (c >= 48 && c <= 57) return wordLength > 0 ? -1 : i;
    if (isAsciiLetter(c) || c === 46) {
      if (wordLength === 0 && ++words > 4) return -1;
      if (++wordLength > 12) return -1;
      continue;
    }
    wordLength = 0;
    if (c === 40) {
      let close = i + 1;
      while (close < input.length && close - i <= 24 && input.charCodeAt(close) !== 41) close++;
      if (++notes > 1 || close - i > 24 || close >= input.length) return -1;
      i = close;
      continue;
    }
    if (!(c === 32 || c === 9 || c === 35 || c === 58 || c === 61 || c === 34 || c === 39 || c === 44 || c === 45)) return -1;
  }
  return -1;
}

/** Phones, passwords, labelled SSNs and AWS secrets found by the words in front of them, in one scan. */
export function createContextRedactor(kinds: ContextKinds): (input: string) => string {
  return (input) => {
    // Nothing shorter holds a word and a value (`pw: x1`), and the shortest number is 8 digits.
    if (input.length < 8) return input;
    let valueLikely: boolean | undefined;
    let out = "";
    let from = 0;
    CONTEXT_HIT.lastIndex = 0;
    for (let hit = CONTEXT_HIT.exec(input); hit !== null; hit = CONTEXT_HIT.exec(input)) {
      const at = hit.index;
      if (at < from) continue;
      const word = hit[0].toLowerCase();
      let found: Found;
      let phone = false;
      if (PASSWORD_WORDS.has(word)) {
        if (NEW_PASSWORD_WORDS.has(word) && !(valueLikely ??= VALUE_LIKELY.test(input))) continue;
        if (kinds.secret) found = passwordAt(input, at, from);
      } else if (word === "secret" || word === "token" || word.startsWith("api")) {
        if (kinds.secret) found = secretProseAt(input, at) ?? (word === "secret" ? awsAt(input, at) : undefined);
      } else if (word === "ssn" || word === "ss#" || word === "social") {
        if (kinds.ssn) found = ssnAt(input, at);
      } else if (kinds.phone) {
        const span = word === "[phone_redacted]" ? phoneAfterPhone(input, at + word.length) : phoneAfterWord(input, at);
        if (span !== undefined) found = [span[0], span[1], PLACEHOLDER.PHONE];
        phone = true;
      }
      if (found === undefined || found[0] < from) continue;
      out += input.slice(from, found[0]) + found[2];
      from = found[1];
      // A second number right after a phone is one too (`Tel. 030 1234567 oder 030 7654321`).
      for (let more = phone ? phoneAfterPhone(input, from) : undefined; more !== undefined; more = phoneAfterPhone(input, from)) {
        out += input.slice(from, more[0]) + PLACEHOLDER.PHONE;
        from = more[1];
      }
      if (CONTEXT_HIT.lastIndex < from) CONTEXT_HIT.lastIndex = from;
    }
    out = from === 0 ? input : out + input.slice(from);
    if (kinds.secret && (out.includes("-u") || out.includes("--user"))) out = out.replace(USER_PASSWORD_FLAG, replaceUserPasswordFlag as Replacer);
    return out;
  };
}
