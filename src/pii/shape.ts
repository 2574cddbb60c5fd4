/**
 * One scan of a piece of text that says which detectors can match in it at all. Each flag is a
 * necessary condition of its detector: when a flag is off, that detector leaves the text as it is
 * (test/pii/shape.test.ts checks this for every detector on generated near-misses). The scan reads
 * each character once and looks at most a few characters around a few of them, so it costs far
 * less than one regex pass, and most log lines, sentences, ids and timestamps end with no flag set.
 */

/** `://`: webhook URLs and `user:password@host`. */
export const URL = 1;
/** `@` or `%40`: e-mail addresses, URL passwords. */
export const AT = 2;
/** A vendor-token prefix: `_`, a word before a dash (`sk-`, `xoxb-`, `glpat-`, `pypi-`, `CFPAT-`…), `SG.`, `hvs.`, `eyJ`, `AKIA`… `AIza`. */
export const VENDOR = 4;
/** `bearer`, any case. */
export const BEARER = 8;
/** `:` or `=`: `key=value` pairs. */
export const PAIR = 16;
/** Two letters then two digits, not after a letter or digit: the head of an IBAN. */
export const IBAN = 32;
/** A run of digits and separators holding 13 digits: card numbers. */
export const CARD = 64;
/** A run holding 9 digits: SSNs. */
export const SSN = 128;
/** `+` before a digit, in a run holding 8 digits: international phone numbers. */
export const INTERNATIONAL = 256;
/** A run holding 10 digits: North American phone numbers. */
export const NANP = 512;
/** `::` or seven `:`: IPv6 addresses. */
export const IPV6 = 1024;
/** A run with three dots between digits: IPv4 addresses. */
export const IPV4 = 2048;
/**
 * What the context pass needs: 8 digits in a run that is not a date, a password word, `secret`,
 * `-u`/`--user`; `token` or `api key` on a line with a digit; a password word of the issue-15
 * languages on a line with a digit, a `:`/`=` or a quote.
 */
export const CONTEXT = 4096;
/** What a command-line tool's password needs: a dash after a blank, `net use`, `rabbitmqctl` (cli-passwords.ts). */
export const CLI = 8192;
/** `` ` `` or `${`: a template value may reach into the next lines (see the key-value pass). */
export const TEMPLATE = 16384;

/** Every flag that lets some detector run. */
export const ANY_DETECTOR = TEMPLATE - 1;

// Bits of the scan that are no detector's flag on their own: they make CONTEXT together (see finish).
const DIGIT_SEEN = 1 << 15;
const QUOTE_SEEN = 1 << 16;
/** `token`, `api key`: the context pass reads them only before a value with a digit. */
const TOKEN_WORD = 1 << 17;
/** `hasło`, `lösenord`, `パスワード`…: the context pass reads them only on a line with a digit, `:` or a quote. */
const VALUE_WORD = 1 << 18;
/** A character outside ASCII: the words of other scripts are looked for. */
const OTHER_SCRIPT = 1 << 19;
/** The bits a replacement cannot bring back and a scan of the new text cannot see again. */
const WORD_BITS = CONTEXT | BEARER | CLI | TOKEN_WORD | VALUE_WORD;

/** The detector flags of the bits of a scan and its words. */
function finish(flags: number): number {
  if (flags & TOKEN_WORD && flags & DIGIT_SEEN) flags |= CONTEXT;
  if (flags & VALUE_WORD && flags & (DIGIT_SEEN | QUOTE_SEEN | PAIR)) flags |= CONTEXT;
  return flags;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isWordChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95;
}

/**
 * Flags for a run of digits and separators from `start` (its first digit) to `end`, holding
 * `digits` digits, `first` of them before its first separator and `last` after its last one. The
 * regex detectors (cards, SSNs, both phone formats, IPv4) neither start right after a word
 * character nor end right before one, so a group glued to a letter (`…-3924963771ab`, an id)
 * cannot hold the start or the end of their match: its digits do not count for them.
 */
function runFlags(s: string, start: number, end: number, digits: number, first: number, last: number, dots: number, plus: boolean): number {
  let flags = 0;
  let free = digits;
  const gluedBefore = start > 0 && isWordChar(s.charCodeAt(start - 1));
  const gluedAfter = last > 0 && end < s.length && isWordChar(s.charCodeAt(end));
  if (first === digits) {
    if (gluedBefore || gluedAfter) free = 0;
  } else {
    if (gluedBefore) free -= first;
    if (gluedAfter) free -= last;
  }
  if (free >= 13) flags |= CARD;
  if (free >= 10) flags |= NANP;
  if (free >= 9) flags |= SSN;
  if (plus && free >= 8) flags |= INTERNATIONAL;
  if (dots >= 3 && free >= 4) flags |= IPV4;
  // The context pass reads numbers after words, glued or not (`ssn123456789`, `tel 0151…ab`).
  if (digits >= 9 || (digits === 8 && !isDate(s, start, end))) flags |= CONTEXT;
  return flags;
}

/**
 * A run of eight digits that is a date once blanks and `.`/`/`/`-` after it are taken off
 * (`2024-01-31`, `31.01.2024`): a phone number after a phone word starts at the run's first digit
 * and needs 8 digits, and all 8 make the date, which is never a phone number (phone.ts, DATE_LIKE).
 */
function isDate(s: string, start: number, end: number): boolean {
  // `+` or `(` in front: an international prefix or an area code, where the number may start.
  const before = start > 0 ? s.charCodeAt(start - 1) : 32;
  if (before === 43 || before === 40) return false;
  // Three groups of digits with one `-`, `.` or `/` between: 4-2-2 or 2-2-4 (each side 1 or 2 wide).
  let a = 0;
  let b = 0;
  let c = 0;
  let g = 0;
  let i = start;
  for (; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (isDigit(ch)) {
      if (g === 0) a++;
      else if (g === 1) b++;
      else c++;
    } else if (ch === 45 || ch === 46 || ch === 47) {
      if ((g === 0 ? a : g === 1 ? b : c) === 0) return false;
      if (++g > 2) break;
    } else {
      break;
    }
  }
  // Only blanks and separators may follow the last group.
  for (; i < end; i++) {
    if (isDigit(s.charCodeAt(i))) return false;
  }
  if (g < 2 || c === 0) return false;
  return (a === 4 && b <= 2 && c <= 2) || (a <= 2 && b <= 2 && c >= 2 && c <= 4);
}

// What the scan does at each character; 0 (most letters, everything else) is nothing.
const DIGIT = 1;
const SEPARATOR = 2; // blank, `/`, `(`, `)`: continue a run of digits
const DOT = 3;
const PLUS = 4;
const DASH = 5;
const COLON = 6;
const EQUALS = 7;
const AT_SIGN = 8;
const PERCENT = 9;
const UNDERSCORE = 10;
const BACKTICK = 11;
const DOLLAR = 12;
const UPPER_A = 13; // `AKIA`, `AIza`…
const UPPER_J = 14; // `eyJ`
const QUOTE = 15;
const NON_ASCII = 16;

// Indexed by character code: everything outside ASCII only says that the text has such characters.
const ACTION = new Uint8Array(65536).fill(NON_ASCII, 128);
for (let c = 48; c <= 57; c++) ACTION[c] = DIGIT;
for (const c of " /()") ACTION[c.charCodeAt(0)] = SEPARATOR;
const MARKS: [string, number][] = [
  [".", DOT], ["+", PLUS], ["-", DASH], [":", COLON], ["=", EQUALS], ["@", AT_SIGN], ["%", PERCENT], ["_", UNDERSCORE],
  ["`", BACKTICK], ["$", DOLLAR], ["A", UPPER_A], ["J", UPPER_J], ['"', QUOTE], ["'", QUOTE],
];
for (const [ch, action] of MARKS) ACTION[ch.charCodeAt(0)] = action;
// Between runs of digits, blanks, `/`, `(`, `)` and `+` do nothing: the scan passes them as quickly as letters.
const BETWEEN_RUNS = ACTION.slice();
for (const c of " /()+") BETWEEN_RUNS[c.charCodeAt(0)] = 0;

/**
 * The words in front of a value that only context identifies (`pass`, `pw`, `secret`, `contrase`,
 * `senha`, `wachtw`, `kennw`, `token`, `api key`, the password words of more languages: the context
 * pass), `bearer`, any case, and `et use`/`ET USE`/`mqctl` (`net use`, `rabbitmqctl`: their
 * passwords are positional). One native scan finds them faster than checking letters one by one.
 * It looks for as few first letters as it can, since every position with one of them costs a try:
 * `token`, `api key` and `adgangskode` are found by `ken`, `key` and `kod`, `hasło`, `heslo` and
 * `jelszó` by `sło`, `slo` and `sz`, `lösenord` by `senord`, `rabbitmqctl` by `qctl`, and
 * {@link wordFlag} checks what comes before. The words in other scripts are looked for only in text
 * with a character outside ASCII ({@link hasOtherScriptWord}).
 */
// Spelled out in both cases: irregexp scans character classes faster than a case-insensitive flag.
const WORDS = new RegExp(
  [
    "[pP](?:[aA][sS](?:[sS]|[uU][wW])|[wW])",
    "[eE](?:[cC][rR][eE][tT]|[aA][rR][eE][rR])|et use|ET USE",
    "[cC][oO][nN][tT][rR][aA][sS][eE]",
    "[sS](?:[eE][nN](?:[hH][aA]|[oO][rR][dD])|[aA][lL][aA][sS][aA][nN][aA]|[lLłŁ][oOaA]|[zZ])",
    "[wW][aA][cC][hH][tT][wW]",
    "[kK](?:[eE](?:[nN](?:[nN][wW])?|[yY])|[oO][dD])",
    "[qQ][cC][tT][lL]",
  ].join("|"),
  "g",
);

/** Whether the `word.length` characters before `at` spell `word` (lower case), ignoring the case of ASCII letters. */
function endsWith(s: string, at: number, word: string): boolean {
  const from = at - word.length;
  if (from < 0) return false;
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(from + k) | 32) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** `token` or `api key` from `start`, a word of its own: not `[SECRET_REDACTED]`, `x_token`, `myToken`, `2token` (context.ts, secretProseAt). */
function tokenWord(s: string, start: number): number {
  const before = start > 0 ? s.charCodeAt(start - 1) : 32;
  return isWordChar(before) || before === 91 ? 0 : TOKEN_WORD;
}

/** The flag of a word `WORDS` found at `at` in `s`: 0 when what stands before it makes it no word of the context pass. */
function wordFlag(s: string, at: number, word: string): number {
  const b = word.charCodeAt(1) | 32;
  switch (word.charCodeAt(0) | 32) {
    case 112: // pass, pw; pasuw
      return word.length === 5 ? VALUE_WORD : CONTEXT;
    case 101: // secret (`ecret`), bearer (`earer`), `et use`
      return b === 99 ? CONTEXT : b === 97 ? BEARER : CLI;
    case 113: // rabbitmqctl
      return CLI;
    case 115: // senha; lösenord (`senord`), salasana, jelszó (`sz`), hasło, haslo, heslo (`sło`, `slo`)
      if (b === 101) return word.length === 5 ? CONTEXT : VALUE_WORD;
      if (b === 97) return VALUE_WORD;
      if (b === 122) return endsWith(s, at, "jel") ? VALUE_WORD : 0;
      return endsWith(s, at, "ha") || endsWith(s, at, "he") ? VALUE_WORD : 0;
    case 107: // kennw; adgangskode (`kod`), token (`ken`), api key (`key`)
      if (word.length === 5) return CONTEXT;
      if (b === 111) return endsWith(s, at, "adgangs") ? VALUE_WORD : 0;
      if ((word.charCodeAt(2) | 32) === 110) return endsWith(s, at, "to") ? tokenWord(s, at - 2) : 0;
      {
        const c = s.charCodeAt(at - 1);
        const api = c === 32 || c === 95 || c === 45 ? at - 1 : at;
        return endsWith(s, api, "api") ? tokenWord(s, api - 3) : 0;
      }
    default: // contrase, wachtw
      return CONTEXT;
  }
}

/** The flags of the words in `s` (in other scripts too when `otherScript`). */
function wordFlags(s: string, otherScript: boolean): number {
  let flags = 0;
  WORDS.lastIndex = 0;
  for (let m = WORDS.exec(s); m !== null; m = WORDS.exec(s)) flags |= wordFlag(s, m.index, m[0]);
  if (otherScript && hasOtherScriptWord(s)) flags |= VALUE_WORD;
  return flags;
}

/** Which detectors can match in `s` (a bit set of the flags above). */
export function shapeOf(s: string): number {
  const scan = scanShape(s, 0, s.length);
  return finish(scan | wordFlags(s, (scan & OTHER_SCRIPT) !== 0));
}

/**
 * The flags of `s` after a detector replaced part of `before` (whose flags were `flags`) with a
 * placeholder. Placeholders hold no digits and no separators, so only the scan can change; the
 * words of `before` are kept (a replaced one only costs a pass that finds nothing) and the one
 * word a placeholder brings (`SECRET`) starts no match.
 */
export function shapeAfterReplace(s: string, flags: number): number {
  return finish(scanShape(s, 0, s.length) | (flags & WORD_BITS));
}

/**
 * Scans the lines of one text, whose words are found once. The function it
 * gives back must be asked about lines in order (each `start` at or after the previous `end`).
 */
export function lineShapes(text: string): (start: number, end: number) => number {
  const at: number[] = [];
  const flag: number[] = [];
  WORDS.lastIndex = 0;
  for (let m = WORDS.exec(text); m !== null; m = WORDS.exec(text)) {
    const f = wordFlag(text, m.index, m[0]);
    if (f === 0) continue;
    at.push(m.index);
    flag.push(f);
  }
  let next = 0;
  return (start, end) => {
    let flags = scanShape(text, start, end);
    while (next < at.length && (at[next] as number) < end) {
      if ((at[next] as number) >= start) flags |= flag[next] as number;
      next++;
    }
    if (flags & OTHER_SCRIPT && hasOtherScriptWord(text.slice(start, end))) flags |= VALUE_WORD;
    return finish(flags);
  };
}

/** `パスワード`, `密码`, `пароль` in any case: password words the context pass reads in text outside ASCII. */
function hasOtherScriptWord(s: string): boolean {
  return s.includes("パスワード") || s.includes("密码") || s.toLowerCase().includes("пароль");
}

/** Which detectors can match in `s` from `start` to `end`. */
function scanShape(s: string, start: number, end: number): number {
  let flags = 0;
  let colons = 0;
  let i = start;
  while (i < end) {
    const action = BETWEEN_RUNS[s.charCodeAt(i)] as number;
    if (action === 0) {
      i++;
      continue;
    }
    if (action === DIGIT) {
      flags |= DIGIT_SEEN;
      // A run of digits and separators, read to its end here: its digits, those before its first
      // separator and after its last one, its dots and whether a `+` stands before a digit in it.
      const runStart = i;
      let plus = i > start && s.charCodeAt(i - 1) === 43;
      if (i > start + 1 && i + 1 < end && isDigit(s.charCodeAt(i + 1)) && isLetter(s.charCodeAt(i - 1))) flags |= runOpening(s, i);
      let digits = 0;
      let first = -1;
      let last = 0;
      let dots = 0;
      for (; i < end; i++) {
        const a = ACTION[s.charCodeAt(i)] as number;
        if (a === DIGIT) {
          digits++;
          last++;
          continue;
        }
        if (a < DIGIT || a > DASH) break;
        if (first < 0) first = digits;
        last = 0;
        if (a === DOT) dots++;
        else if (a === PLUS) plus ||= i + 1 < end && isDigit(s.charCodeAt(i + 1));
        else if (a === DASH && mayFlagDash(s, i, start, end)) flags |= dashFlags(s, i, start, end);
      }
      // Calls only where something can follow: most runs are short.
      if (digits >= 8 || dots >= 3) flags |= runFlags(s, runStart, i, digits, first < 0 ? digits : first, last, dots, plus);
      continue;
    }
    if (action === COLON) {
      colons++;
      const next = i + 1 < end ? s.charCodeAt(i + 1) : 0;
      flags |= next === 58 ? PAIR | IPV6 : next === 47 && i + 2 < end && s.charCodeAt(i + 2) === 47 ? PAIR | URL : PAIR;
    } else if (action === EQUALS) {
      flags |= PAIR;
    } else if (action === DASH) {
      if (mayFlagDash(s, i, start, end)) flags |= dashFlags(s, i, start, end);
    } else if (action === DOT) {
      if (i >= start + 2) flags |= dotFlags(s, i, start);
    } else if (action > DASH) {
      flags |= markFlags(s, i, start, end, action);
    }
    i++;
  }
  if (colons >= 7) flags |= IPV6;
  return flags;
}

/** Whether `s` holds at `at` the characters of `word` (lower case), ignoring the case of ASCII letters. */
function wordAt(s: string, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(at + k) | 32) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** The flags of a character other than a digit, a separator or `:`. */
function markFlags(s: string, i: number, start: number, end: number, action: number): number {
  const next = i + 1 < end ? s.charCodeAt(i + 1) | 32 : 0;
  switch (action) {
    case EQUALS:
      return PAIR;
    case AT_SIGN:
      return AT;
    case PERCENT: // %40
      return next === 52 && i + 2 < end && s.charCodeAt(i + 2) === 48 ? AT : 0;
    case UNDERSCORE:
      return VENDOR;
    case BACKTICK:
      return TEMPLATE;
    case QUOTE:
      return QUOTE_SEEN;
    case NON_ASCII:
      return OTHER_SCRIPT;
    case DOLLAR:
      return next === 123 ? TEMPLATE : 0;
    case UPPER_A: // `AKIA`, `ASIA`, `ABIA`, `ACCA` (AWS), `AIza` (Google)
      return i + 3 < end && ((s.charCodeAt(i + 2) === 73 && s.charCodeAt(i + 3) === 65 && (s.charCodeAt(i + 1) === 75 || s.charCodeAt(i + 1) === 83 || s.charCodeAt(i + 1) === 66)) || (s.charCodeAt(i + 1) === 67 && s.charCodeAt(i + 2) === 67 && s.charCodeAt(i + 3) === 65) || (s.charCodeAt(i + 1) === 73 && s.charCodeAt(i + 2) === 122 && s.charCodeAt(i + 3) === 97)) ? VENDOR : 0;
    case UPPER_J: // `eyJ`
      return i >= start + 2 && s.charCodeAt(i - 1) === 121 && s.charCodeAt(i - 2) === 101 ? VENDOR : 0;
    default:
      return 0;
  }
}

/** At the first digit of a run: `DE89`, two letters and two digits after no letter or digit, opens an IBAN. */
function runOpening(s: string, i: number): number {
  if (i < 2 || i + 1 >= s.length || !isDigit(s.charCodeAt(i + 1)) || !isLetter(s.charCodeAt(i - 1)) || !isLetter(s.charCodeAt(i - 2))) return 0;
  const before = i >= 3 ? s.charCodeAt(i - 3) : 32;
  if (isLetter(before) || isDigit(before)) return 0;
  // Two groups of four letters or digits follow, each maybe after one blank.
  let j = i + 2;
  for (let group = 0; group < 2; group++) {
    if (s.charCodeAt(j) === 32) j++;
    for (let k = 0; k < 4; k++, j++) {
      const c = s.charCodeAt(j);
      if (!isLetter(c) && !isDigit(c)) return 0;
    }
  }
  return IBAN;
}

/** `SG.` (SendGrid), `hvs.`, `hvb.`, `hvr.` (Vault): the dot of a vendor prefix. */
function dotFlags(s: string, i: number, start: number): number {
  const p1 = s.charCodeAt(i - 1);
  const p2 = s.charCodeAt(i - 2);
  if (p1 === 71 && p2 === 83) return VENDOR;
  return p2 === 118 && (p1 === 115 || p1 === 98 || p1 === 114) && i >= start + 3 && s.charCodeAt(i - 3) === 104 ? VENDOR : 0;
}

/**
 * The words that open a vendor token with a dash (secrets.ts, the formats anchored on "no token
 * character before"): `sk-`, `xoxb-`, `glpat-`, `pypi-`, `CFPAT-`…
 */
const DASH_PREFIXES = new Set([
  "sk", "xoxa", "xoxb", "xoxe", "xoxo", "xoxp", "xoxr", "xoxs", "xapp", "glpat", "glptt", "gldt", "glrt", "glcbt", "glimt", "gloas",
  "glft", "glsoat", "glagent", "pypi", "xkeysib", "tskey", "pplx", "xai", "sq0atp", "sq0csp", "CFPAT",
]);
const LONGEST_DASH_PREFIX = 7;

/** Whether {@link dashFlags} can find anything: a blank or a letter before the dash, `u` or `-` after it. */
function mayFlagDash(s: string, i: number, start: number, end: number): boolean {
  const p1 = i > start ? s.charCodeAt(i - 1) : 0;
  const n1 = i + 1 < end ? s.charCodeAt(i + 1) : 0;
  return p1 === 32 || p1 === 9 || n1 === 117 || n1 === 45 || isLetter(p1);
}

/**
 * A dash after a blank may start a command-line flag (cli-passwords.ts), a dash after a word of
 * {@link DASH_PREFIXES} a vendor token; `-u ` and `--user` name a user and password.
 */
function dashFlags(s: string, i: number, start: number, end: number): number {
  let flags = 0;
  const p1 = i > start ? s.charCodeAt(i - 1) : 0;
  if (p1 === 32 || p1 === 9) flags |= CLI;
  else if (isLetter(p1)) {
    // Back to the start of the word: a prefix follows no letter, digit, `_` or `-`.
    let w = i - 1;
    while (w > start && i - w <= LONGEST_DASH_PREFIX && isWordChar(s.charCodeAt(w - 1))) w--;
    const before = w > start ? s.charCodeAt(w - 1) : 0;
    if (i - w <= LONGEST_DASH_PREFIX && !isWordChar(before) && before !== 45 && DASH_PREFIXES.has(s.slice(w, i))) flags |= VENDOR;
  }
  const n1 = i + 1 < end ? s.charCodeAt(i + 1) : 0;
  if (n1 === 117 || n1 === 45) {
    const n2 = i + 2 < end ? s.charCodeAt(i + 2) : 0;
    if ((n1 === 117 && (n2 === 32 || n2 === 9)) || (n1 === 45 && wordAt(s, i + 2, end, "user"))) flags |= CONTEXT;
  }
  return flags;
}
