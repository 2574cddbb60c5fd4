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
/** A vendor-token prefix: `_`, `sk-`, `xox?-`, `xapp-`, `glpat-`, `SG.`, `eyJ`, `AKIA`… `AIza`. */
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
/** What the context pass needs: 8 digits in a run that is not a date, a password word, `secret`, `-u`/`--user`. */
export const CONTEXT = 4096;
/** `` ` `` or `${`: a template value may reach into the next lines (see the key-value pass). */
export const TEMPLATE = 8192;

/** Every flag that lets some detector run. */
export const ANY_DETECTOR = TEMPLATE - 1;

// `2024-01-31`, `31/01/2024`: eight digits that are a date, never a phone number (see phone.ts).
const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Flags for a run of digits and separators from `start` to `end` holding `digits` digits. */
function runFlags(s: string, start: number, end: number, digits: number, dots: number, plus: boolean): number {
  let flags = 0;
  if (digits >= 8) {
    if (digits >= 13) flags |= CARD;
    if (digits >= 10) flags |= NANP;
    if (digits >= 9) flags |= SSN | CONTEXT;
    else if (!isDate(s, start, end)) flags |= CONTEXT;
    if (plus) flags |= INTERNATIONAL;
  }
  if (dots >= 3 && digits >= 4) flags |= IPV4;
  return flags;
}

/**
 * A run of eight digits that is a date once blanks and `.`/`/`/`-` around it are taken off: a
 * phone number after a phone word starts at the run's first digit and needs 8 digits, and all 8
 * make the date, which is never a phone number.
 */
function isDate(s: string, start: number, end: number): boolean {
  // `+` or `(` in front: an international prefix or an area code, where the number may start.
  const before = start > 0 ? s.charCodeAt(start - 1) : 32;
  if (before === 43 || before === 40) return false;
  let b = end;
  while (b > start && !isDigit(s.charCodeAt(b - 1))) b--;
  return DATE_LIKE.test(s.slice(start, b));
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
const LETTER_B = 15; // `bearer`
const LETTER_C = 16; // `secret`, `contrase`
const LETTER_K = 17; // `kennw`
const LETTER_P = 18; // `pass`, `pw`
const LETTER_S = 19; // `senha`
const LETTER_W = 20; // `wachtw`

// Indexed by the low byte of a character code: the scan reads a Latin-1 copy of the text, where a
// character above U+00FF becomes its low byte. That only ever turns on more flags (every action
// is confirmed on the real text, or counts toward a run the real text would end there anyway).
const ACTION = new Uint8Array(256);
for (let c = 48; c <= 57; c++) ACTION[c] = DIGIT;
for (const c of " /()") ACTION[c.charCodeAt(0)] = SEPARATOR;
const MARKS: [string, number][] = [
  [".", DOT], ["+", PLUS], ["-", DASH], [":", COLON], ["=", EQUALS], ["@", AT_SIGN], ["%", PERCENT], ["_", UNDERSCORE],
  ["`", BACKTICK], ["$", DOLLAR], ["A", UPPER_A], ["J", UPPER_J],
  ["b", LETTER_B], ["c", LETTER_C], ["k", LETTER_K], ["p", LETTER_P], ["s", LETTER_S], ["w", LETTER_W],
  ["B", LETTER_B], ["C", LETTER_C], ["K", LETTER_K], ["P", LETTER_P], ["S", LETTER_S], ["W", LETTER_W],
];
for (const [ch, action] of MARKS) ACTION[ch.charCodeAt(0)] = action;

let scratch = Buffer.allocUnsafe(1024);

/** The Latin-1 bytes of `s`, in a buffer reused between calls: good until the next call. */
function bytesOf(s: string): Uint8Array {
  if (s.length <= 64) {
    for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
    return scratch;
  }
  if (s.length > 65536) return Buffer.from(s, "latin1");
  if (s.length > scratch.length) scratch = Buffer.allocUnsafe(65536);
  scratch.write(s, 0, "latin1");
  return scratch;
}

/** Which detectors can match in `s` (a bit set of the flags above). */
export function shapeOf(s: string): number {
  return scanShape(s, bytesOf(s), 0, s.length);
}

/** Scans lines of one text: its Latin-1 copy is made once. */
export function lineShapes(text: string): (start: number, end: number) => number {
  const bytes = Buffer.from(text, "latin1");
  return (start, end) => scanShape(text, bytes, start, end);
}

/** Which detectors can match in `s` from `start` to `end`; `bytes` is its Latin-1 copy. */
function scanShape(s: string, bytes: Uint8Array, start: number, end: number): number {
  let flags = 0;
  let colons = 0;
  // The current run of digits and separators: where its first digit is, its digits, dots and `+digit`.
  let runStart = -1;
  let digits = 0;
  let dots = 0;
  let plus = false;
  // One step past the end, read as a plain letter, closes the last run at the same call site:
  // a second call after the loop would meet optimised code without type feedback (a deopt per line).
  for (let i = start; i <= end; i++) {
    const action = i < end ? (ACTION[bytes[i] as number] as number) : 0;
    if (action === 0) {
      if (runStart >= 0) {
        flags |= runFlags(s, runStart, i, digits, dots, plus);
        runStart = -1;
      }
      continue;
    }
    if (action === DIGIT) {
      if (runStart < 0) {
        runStart = i;
        digits = 0;
        dots = 0;
        plus = i > start && bytes[i - 1] === 43;
        flags |= runOpening(s, i);
      }
      digits++;
      continue;
    }
    if (action <= DASH) {
      if (action === DASH) flags |= dashFlags(bytes, i, start, end);
      else if (action === DOT) {
        if (runStart >= 0) dots++;
        else if (i >= start + 2 && bytes[i - 1] === 71 && bytes[i - 2] === 83) flags |= VENDOR; // `SG.` (SendGrid)
      } else if (action === PLUS && runStart >= 0 && i + 1 < end && isDigit(bytes[i + 1] as number)) plus = true;
      continue;
    }
    if (runStart >= 0) {
      flags |= runFlags(s, runStart, i, digits, dots, plus);
      runStart = -1;
    }
    if (action === COLON) {
      colons++;
      const next = i + 1 < end ? bytes[i + 1] : 0;
      flags |= next === 58 ? PAIR | IPV6 : next === 47 && i + 2 < end && bytes[i + 2] === 47 ? PAIR | URL : PAIR;
    } else {
      flags |= markFlags(bytes, i, start, end, action);
    }
  }
  if (colons >= 7) flags |= IPV6;
  return flags;
}

/** Whether the bytes from `at` hold `word` (lower case), ignoring the case of ASCII letters. */
function wordAt(bytes: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) {
    if (((bytes[at + k] as number) | 32) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** The flags of a character other than a digit, a separator or `:`. */
function markFlags(bytes: Uint8Array, i: number, start: number, end: number, action: number): number {
  const next = i + 1 < end ? (bytes[i + 1] as number) | 32 : 0;
  switch (action) {
    case EQUALS:
      return PAIR;
    case AT_SIGN:
      return AT;
    case PERCENT: // %40
      return next === 52 && i + 2 < end && bytes[i + 2] === 48 ? AT : 0;
    case UNDERSCORE:
      return VENDOR;
    case BACKTICK:
      return TEMPLATE;
    case DOLLAR:
      return next === 123 ? TEMPLATE : 0;
    case UPPER_A: // `AKIA`, `ASIA`, `ABIA`, `ACCA` (AWS), `AIza` (Google)
      return i + 3 < end && ((bytes[i + 2] === 73 && bytes[i + 3] === 65 && (bytes[i + 1] === 75 || bytes[i + 1] === 83 || bytes[i + 1] === 66)) || (bytes[i + 1] === 67 && bytes[i + 2] === 67 && bytes[i + 3] === 65) || (bytes[i + 1] === 73 && bytes[i + 2] === 122 && bytes[i + 3] === 97)) ? VENDOR : 0;
    case UPPER_J: // `eyJ`
      return i >= start + 2 && bytes[i - 1] === 121 && bytes[i - 2] === 101 ? VENDOR : 0;
    case LETTER_B:
      return next === 101 && wordAt(bytes, i + 1, end, "earer") ? BEARER : 0;
    case LETTER_C: // `secret`, `contrase`
      if (next === 111) return wordAt(bytes, i + 1, end, "ontrase") ? CONTEXT : 0;
      return next === 114 && i > start && ((bytes[i - 1] as number) | 32) === 101 && wordAt(bytes, i + 1, end, "ret") ? CONTEXT : 0;
    case LETTER_K:
      return next === 101 && wordAt(bytes, i + 1, end, "ennw") ? CONTEXT : 0;
    case LETTER_P: // `pass`, `pw`
      return next === 119 || (next === 97 && wordAt(bytes, i + 1, end, "ass")) ? CONTEXT : 0;
    case LETTER_S:
      return next === 101 && wordAt(bytes, i + 1, end, "enha") ? CONTEXT : 0;
    case LETTER_W:
      return next === 97 && wordAt(bytes, i + 1, end, "achtw") ? CONTEXT : 0;
    default:
      return 0;
  }
}

/** At the first digit of a run: `DE89`, two letters and two digits after no letter or digit, opens an IBAN. */
function runOpening(s: string, i: number): number {
  if (i < 2 || i + 1 >= s.length || !isDigit(s.charCodeAt(i + 1)) || !isLetter(s.charCodeAt(i - 1)) || !isLetter(s.charCodeAt(i - 2))) return 0;
  const before = i >= 3 ? s.charCodeAt(i - 3) : 32;
  return isLetter(before) || isDigit(before) ? 0 : IBAN;
}

/** `sk-`, `xoxb-`, `xapp-`, `glpat-` end in a dash; `-u ` and `--user` name a user and password. */
function dashFlags(bytes: Uint8Array, i: number, start: number, end: number): number {
  let flags = 0;
  if (i >= start + 2) {
    const p1 = bytes[i - 1] as number;
    const p2 = bytes[i - 2] as number;
    if ((p2 === 115 && p1 === 107) || (p2 === 112 && p1 === 112) || (p2 === 97 && p1 === 116)) flags |= VENDOR;
    else if (p2 === 120 && (p1 === 97 || p1 === 98 || p1 === 101 || p1 === 111 || p1 === 112 || p1 === 114 || p1 === 115)) flags |= VENDOR;
  }
  const n1 = i + 1 < end ? bytes[i + 1] : 0;
  const n2 = i + 2 < end ? bytes[i + 2] : 0;
  if ((n1 === 117 && (n2 === 32 || n2 === 9)) || (n1 === 45 && wordAt(bytes, i + 2, end, "user"))) flags |= CONTEXT;
  return flags;
}
