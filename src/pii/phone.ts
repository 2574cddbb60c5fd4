import { PLACEHOLDER } from "./placeholders.js";

// Assigned calling codes: 1 and 7, the listed two-digit codes, and three-digit codes under the
// listed two-digit zones (a few unassigned ones slip through, which costs nothing).
const CC2 = new Set("20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(" "));
const CC3_ZONES = new Set("21 22 23 24 25 26 29 35 37 38 42 50 59 67 68 69 85 87 88 96 97 99".split(" "));

function hasCallingCode(digits: string): boolean {
  const d1 = digits[0];
  if (d1 === "1" || d1 === "7") return true;
  const d2 = digits.slice(0, 2);
  return CC2.has(d2) || (CC3_ZONES.has(d2) && digits.length >= 3);
}

/** North American number without the country code: NXX-NXX-XXXX. */
export function isNanpNational(digits: string): boolean {
  return digits.length === 10 && digits.charCodeAt(0) >= 50 && digits.charCodeAt(3) >= 50;
}

/** An international number as digits after `+`: E.164 length, real calling code, NANP rules for +1. */
export function isInternationalDigits(digits: string): boolean {
  if (digits.length < 8 || digits.length > 15 || !hasCallingCode(digits)) return false;
  if (digits[0] === "1") return digits.length === 11 && isNanpNational(digits.slice(1));
  return true;
}

/**
 * `+CC` followed by digit groups. The compact form is tried first; grouped forms allow one
 * parenthesised group (`+44 (0)20 …`) and single separators, each group bounded, so nothing can
 * backtrack more than a few dozen steps.
 */
export const INTERNATIONAL_PHONE =
  /(?<![\w+])\+(?:\d{8,15}|\d{1,4}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d{1,8}(?:[ .-]\d{1,8}){0,6})(?![\w])/g;

/**
 * `(415) 555-2671`, `415-555-2671`, `415.555.2671`, `1 415 555 2671`: separators required. A `:`
 * in front is fine (`tel:415-555-2671`, `Phone:…`); a dot, slash or dash means a longer token.
 */
export const NORTH_AMERICAN_PHONE =
  /(?<![\w+.\/-])(?:1[ .-]?)?(?:\([2-9]\d\d\)[ .-]?[2-9]\d\d[ .-]?|\(555\)[ .-]?[01]\d\d[ .-]?|[2-9]\d\d([ .-])[2-9]\d\d\1|555([ .-])[01]\d\d\2)\d{4}(?![\w]|[.-]\d)/g;

/**
 * Replacer for {@link INTERNATIONAL_PHONE}: the digit count is checked on the longest run of
 * leading groups that forms a valid number, so `+44 20 7946 0958 12 units` loses only the phone.
 */
export function replaceInternational(match: string): string {
  // Group boundaries are where a separator follows a digit; a "(0)" trunk prefix is not dialled.
  const cuts: number[] = [];
  let digits = "";
  const counts: number[] = [];
  let inTrunk = false;
  for (let i = 1; i < match.length; i++) {
    const c = match.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      const trunk = inTrunk && digits.length > 0 && match[i - 1] === "(" && match[i + 1] === ")" && c === 48;
      if (!trunk) digits += match[i];
      const n = match.charCodeAt(i + 1);
      if (!(n >= 48 && n <= 57)) {
        cuts.push(i + 1);
        counts.push(digits.length);
      }
    } else if (c === 40) {
      inTrunk = true;
    } else if (c === 41) {
      inTrunk = false;
    }
  }
  for (let k = cuts.length - 1; k >= 0; k--) {
    const count = counts[k] ?? 0;
    if (count < 8) break;
    if (isInternationalDigits(digits.slice(0, count))) return PLACEHOLDER.PHONE + match.slice(cuts[k]);
  }
  return match;
}

/** Whether a whole string reads as a phone number (for the user_id check). */
export function isPhoneNumber(value: string): boolean {
  const text = value.trim();
  if (!/^\+?[\d\s().-]{7,24}$/.test(text)) return false;
  const digits = text.replace(/\D/g, "");
  if (text.startsWith("+")) return isInternationalDigits(digits);
  if (digits.length === 11 && digits[0] === "1") return isNanpNational(digits.slice(1));
  return isNanpNational(digits);
}

/** A national number (trunk `0` or none): 8 to 13 digits, not one digit repeated. */
export function isNationalDigits(digits: string): boolean {
  return digits.length >= 8 && digits.length <= 13 && !/^(\d)\1+$/.test(digits);
}

/**
 * Words that say a phone number follows, in the languages people write to support desks: the nouns
 * (`Tel.`, `Telefon`, `telefoon`, `Handy`, `mobiel`, `komórka`, `portable`, `móvil`, `Festnetz`,
 * `Durchwahl`, `hotline`, `denwa`, `keitai`, `電話`…, with a `number` suffix: `Handynummer`,
 * `phone_number`, `mobile no`) and the verbs that ask for a call (`call me`, `bel me`, `ring mig`,
 * `appelez-moi`, `joindre`, `chiamami`, `llámame`, `ligue`, `zadzwoń`, `rufen`). Letters on either
 * side make another word (`hotel`, `telemetry`).
 */
const PHONE_CONTEXT =
  /(?:tel(?:e(?:f(?:on(?:o|e|u|ie|a|nummer)?|oon(?:nummer)?)|phone|m[óo]vel))?|t[ée]l[ée]phone|tél|tel[ée]fono|phones?|mobile|mobil(?:e|nummer)?|mobiel|m[óo]vil|handy|cell(?:phone|ulare)?|celular|kom[óo]rk[a-z]{0,3}|portable|fax|msisdn|whats ?app|sms|rufnummer|festnetz|zentrale|durchwahl|hotline|landline|switchboard|denwa|keitai|(?:call|ring|text|reach|contact) (?:me|us)|bel (?:me|ons)|ring (?:mig|oss|meg|os)|appel(?:ez|le|er)(?:-(?:moi|nous))?|joindre|chiam(?:ami|aci|are)|ll[áa]m(?:ame|anos|ar)|ligue|zadzwo[ńn]|dzwo[ńn]|rufen|anrufen|erreichbar|bereikbaar|pod numer(?:em|u)?)(?:[ _-]?(?:nummer|number|num|no|nr))?(?![A-Za-z0-9\u00C0-\u024F])|電話|携帯|手机|电话/gi;

/**
 * A number as people write it: optional `+` or `00`, digit groups with single separators, one
 * parenthesised area code (`(02) 9374 4000`, `+49 (0)30 …`). Sticky and without a failing tail,
 * so it matches greedily in one pass and never backtracks.
 */
const PHONE_BODY = /(?:\+|00)?(?:\(\d{1,5}\)[ .\/-]{0,2})?\d{1,8}(?:(?:[ .\/-]{1,2}|[ .\/-]?\(\d{1,5}\)[ .\/-]{0,2})\d{1,8}){0,7}/y;

// Dates with separators, and compact ones (`20241105`): a build or a day, never a phone.
const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$/;

function isContextFiller(c: number): boolean {
  // blank, " # ' ( ) - . : = and the full-width colon, en dash. Not `_`: `phone_count=…` is another key.
  return c === 32 || c === 9 || c === 34 || c === 35 || c === 39 || c === 40 || c === 41 || c === 45 || c === 46 || c === 58 || c === 61 || c === 0xff1a || c === 0x2013;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x24f);
}

/** Where the number after a phone word starts: past at most `maxWords` short words and label punctuation. */
function numberStart(input: string, from: number, maxWords = 4): number {
  let words = 0;
  let wordLength = 0;
  for (let i = from; i < input.length && i - from <= 48; i++) {
    const c = input.charCodeAt(i);
    const next = input.charCodeAt(i + 1);
    if ((c >= 48 && c <= 57) || c === 43 || (c === 40 && next >= 48 && next <= 57)) return i;
    if (isLetter(c)) {
      if (wordLength === 0 && ++words > maxWords) return -1;
      if (++wordLength > 12) return -1;
      continue;
    }
    wordLength = 0;
    if (!isContextFiller(c)) return -1;
  }
  return -1;
}

/** Whether a number found after a phone word is one: international rules after `+`/`00`, else national length. */
export function isPhoneCandidate(candidate: string): boolean {
  if (DATE_LIKE.test(candidate)) return false;
  const international = candidate.startsWith("+") || candidate.startsWith("00");
  // A `(0)` after the country code is the trunk prefix, not dialled.
  const digits = (international ? candidate.replace("(0)", "") : candidate).replace(/\D/g, "");
  if (candidate.startsWith("+")) return isInternationalDigits(digits);
  if (candidate.startsWith("00") && digits.length >= 10) return isInternationalDigits(digits.slice(2));
  return isNationalDigits(digits);
}

/** The longest leading run of groups of `body` that passes `validate`, or 0. */
function phoneLength(body: string, validate: (candidate: string) => boolean): number {
  for (let end = body.length; end > 0; ) {
    if (validate(body.slice(0, end))) return end;
    // Drop the last group and the separators in front of it.
    let i = end - 1;
    while (i > 0 && isDigit(body.charCodeAt(i))) i--;
    while (i > 0 && !isDigit(body.charCodeAt(i))) i--;
    if (i <= 0) return 0;
    end = i + 1;
  }
  return 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const PHONE_CONTEXT_AT = new RegExp(PHONE_CONTEXT.source, "iy");

/**
 * The phone number after a phone word that may start at `at` (`Tel.`, `Handy`, `call me on`…), as
 * `[start, end]`, or undefined. One bounded attempt: the word, at most three short filler words,
 * at most eight digit groups. Numbers written without `+` in national formats (`020 7946 0958`,
 * `0151 23456789`, `06 12 34 56 78`) count only here, where the text says they are phones.
 */
export function phoneAfterWord(
  input: string,
  at: number,
  validate: (candidate: string) => boolean = isPhoneCandidate,
): [number, number] | undefined {
  // A letter or digit in front makes another word (`hotel`, `microphone`).
  if (at > 0 && (isLetter(input.charCodeAt(at - 1)) || isDigit(input.charCodeAt(at - 1)))) return undefined;
  PHONE_CONTEXT_AT.lastIndex = at;
  const word = PHONE_CONTEXT_AT.exec(input);
  if (word === null) return undefined;
  const start = numberStart(input, at + word[0].length);
  if (start < 0) return undefined;
  PHONE_BODY.lastIndex = start;
  const body = PHONE_BODY.exec(input)?.[0];
  if (body === undefined) return undefined;
  const end = start + body.length;
  const after = input.charCodeAt(end);
  // Glued to a word, or a longer dotted or dashed token (`4.12.0-rc1`): not a number on its own.
  if (isLetter(after) || after === 95 || ((after === 46 || after === 45) && isDigit(input.charCodeAt(end + 1)))) return undefined;
  const length = phoneLength(body, validate);
  return length === 0 ? undefined : [start, start + length];
}

/**
 * A second number soon after a phone (`Tel. 030 1234567 oder 030 7654321`, `… or the office on
 * 020 7946 0958`): past at most five short words, a number that is dialled like a phone, with a
 * trunk `0`, `00` or `+` in front and 9 to 13 digits, is one too.
 */
export function phoneAfterPhone(input: string, from: number): [number, number] | undefined {
  const start = numberStart(input, from, 5);
  if (start < 0) return undefined;
  PHONE_BODY.lastIndex = start;
  const body = PHONE_BODY.exec(input)?.[0];
  if (body === undefined) return undefined;
  const end = start + body.length;
  const after = input.charCodeAt(end);
  if (isLetter(after) || after === 95 || ((after === 46 || after === 45) && isDigit(input.charCodeAt(end + 1)))) return undefined;
  const length = phoneLength(body, isDialledPhone);
  return length === 0 ? undefined : [start, start + length];
}

function isDialledPhone(candidate: string): boolean {
  if (candidate.startsWith("+") || candidate.startsWith("00")) return isPhoneCandidate(candidate);
  const digits = candidate.replace(/\D/g, "");
  return /^0[1-9]/.test(digits) && digits.length >= 9 && digits.length <= 13 && isPhoneCandidate(candidate);
}
