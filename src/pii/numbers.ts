import { isCardNumber } from "./card-number.js";
import { ibanLength, isValidIban } from "./iban.js";
import { PLACEHOLDER } from "./placeholders.js";

/**
 * Runs of digits, spaces and dashes of 13 to 62 characters. Not preceded by a word character, a
 * dot, `+` or `/` (decimals, phone numbers, paths), nor by `<digit>-`, which is how UUID groups and
 * dates continue, nor followed by a decimal part. `,` and `:` are allowed on both sides: CSV cells
 * (`jane,4111…,12/27`) and `card:4111…` are where cards sit, and thousands or times never form a
 * 13-digit run. The class run is cheap to scan; the replacer looks for the card inside it.
 */
export const CARD_CANDIDATE = /(?<![\w.+\/]|\d-)\d[\d -]{11,60}\d(?![\w]|\.\d)/g;

/**
 * Replacer for {@link CARD_CANDIDATE}: finds the longest window of whole groups holding a valid card
 * number (13-19 digits, issuer, Luhn), so `qty 2 4111 1111 1111 1111` loses only the card.
 */
export function replaceCard(match: string): string {
  if (match.length < 13) return match;
  const groups = match.split(/[ -]/);
  if (groups.length === 1) return isCardNumber(match) ? PLACEHOLDER.CREDIT_CARD : match;
  // seps[i] is the separator in front of groups[i].
  const seps: string[] = [""];
  for (let i = 0, at = 0; i < groups.length - 1; i++) {
    at += (groups[i]?.length ?? 0);
    seps.push(match[at] ?? "");
    at += 1;
  }
  let out = "";
  let copied = 0; // characters of `match` already in `out`
  let offset = 0; // where groups[start] begins in `match`
  for (let start = 0; start < groups.length; start++) {
    const best = bestCardWindow(groups, seps, start);
    if (best >= 0) {
      let stop = offset - 1;
      for (let g = start; g <= best; g++) stop += (groups[g]?.length ?? 0) + 1;
      out += match.slice(copied, offset) + PLACEHOLDER.CREDIT_CARD;
      copied = stop;
      offset = stop + 1;
      start = best;
    } else {
      offset += (groups[start]?.length ?? 0) + 1;
    }
  }
  return copied === 0 ? match : out + match.slice(copied);
}

/** The last group of the longest valid card window starting at `start`, or -1. */
function bestCardWindow(groups: readonly string[], seps: readonly string[], start: number): number {
  let digits = "";
  let best = -1;
  let sep = "";
  for (let end = start; end < groups.length; end++) {
    // A card is written with one kind of single separator: `12  34` or `1-2 3` end the window.
    if (groups[end] === "") break;
    if (end > start) {
      if (sep === "") sep = seps[end] ?? "";
      else if (seps[end] !== sep) break;
    }
    digits += groups[end];
    if (digits.length > 19) break;
    // Not a piece of a dash-joined token (`666-12-3456 000-12`) unless the card itself uses dashes.
    const gluedBefore = seps[start] === "-" && sep !== "-";
    const gluedAfter = seps[end + 1] === "-" && sep !== "-";
    if (digits.length >= 13 && !gluedBefore && !gluedAfter && cardGrouping(groups, start, end) && isCardNumber(digits)) {
      best = end;
    }
  }
  return best;
}

/**
 * How cards are printed: 4-4-4-4(-3), 4-6-5 / 4-6-4 (Amex, Diners), or a 13-19 digit block. Any
 * other split (`60601 94107 12345`, a zip next to an epoch) is a list of numbers, not a card.
 */
function cardGrouping(groups: readonly string[], start: number, end: number): boolean {
  if (start === end) return true;
  if (groups[start]?.length !== 4) return false;
  const last = groups[end]?.length ?? 0;
  if (last < 1 || last > 5) return false;
  if (end - start === 2 && groups[start + 1]?.length === 6) return true;
  for (let g = start + 1; g < end; g++) if (groups[g]?.length !== 4) return false;
  return true;
}

/** `ddd-dd-dddd` or `ddd dd dddd`, same separator twice. */
export const SSN_CANDIDATE = /(?<![\w.\/+-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|[-.]\d)/g;

/** Replacer for {@link SSN_CANDIDATE}: area 000, 666 and 9xx, group 00 and serial 0000 are never issued. */
export function replaceSsn(match: string, area: string, _sep: string, group: string, serial: string): string {
  return isSsnParts(area, group, serial) ? PLACEHOLDER.US_SSN : match;
}

/** Area 000, 666 and 9xx, group 00 and serial 0000 are never issued. */
export function isSsnParts(area: string, group: string, serial: string): boolean {
  return !(area === "000" || area === "666" || area[0] === "9" || group === "00" || serial === "0000");
}

/**
 * Country code, check digits, then groups of four (compact or space-separated) and a short tail.
 * Any case: IBANs typed into forms and chats are often lower-case.
 */
export const IBAN_CANDIDATE =
  /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

/**
 * Replacer for {@link IBAN_CANDIDATE}: takes exactly the country's length of characters and needs
 * the mod-97 checksum, so `DE89 3704 0044 0532 0130 00 EUR` keeps its `EUR` and a checksum typo
 * keeps everything.
 */
export function replaceIban(match: string): string {
  const length = ibanLength(match.slice(0, 2).toUpperCase());
  if (length === undefined) return match;
  let compact = "";
  let i = 0;
  for (; i < match.length && compact.length < length; i++) {
    const ch = match[i] ?? "";
    if (ch !== " ") compact += ch;
  }
  if (compact.length !== length || (i < match.length && match[i] !== " ")) return match;
  if (!isValidIban(compact.toUpperCase())) return match;
  // A compact lower-case hex word (`be12abcd00ff1234`, a span id) passes mod 97 one time in 97:
  // lower case counts only when grouped, or with letters hex has not, or a digits-only account part.
  if (compact !== compact.toUpperCase() && !match.slice(0, i).includes(" ") && /^[0-9a-f]+$/i.test(compact) && !/^\d+$/.test(compact.slice(4))) {
    return match;
  }
  // The rest of the candidate may start a second IBAN (`DE89… DE44…`): scan it too.
  const rest = match.slice(i);
  return PLACEHOLDER.IBAN + (rest.length >= 15 ? rest.replace(new RegExp(IBAN_CANDIDATE.source, "g"), replaceIban) : rest);
}
