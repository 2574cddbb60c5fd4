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
  /(?<![\w+.\/-])(?:1[ .-]?)?(?:\([2-9]\d\d\)[ .-]?[2-9]\d\d[ .-]?|[2-9]\d\d([ .-])[2-9]\d\d\1)\d{4}(?![\w]|[.-]\d)/g;

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
