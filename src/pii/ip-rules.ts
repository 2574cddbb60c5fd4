import { isNonPersonalIpv4, isPersonalIpv6 } from "./ip-address.js";
import { PLACEHOLDER } from "./placeholders.js";

export const IPV4_CANDIDATE =
  /(?<![\w.-])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w-]|\.\d)/g;

// A four-part version string and an address look alike; the word in front tells them apart.
const VERSION_CONTEXT = /(?:version|ver|release|build|v)[ \t]*[:=]?[ \t]*$/i;

/** Replacer for {@link IPV4_CANDIDATE}. A trailing `:port` is kept, ports are not personal. */
export function replaceIpv4(match: string, offset: number, input: string): string {
  if (isNonPersonalIpv4(match)) return match;
  if (offset > 0 && VERSION_CONTEXT.test(input.slice(Math.max(0, offset - 12), offset))) return match;
  return PLACEHOLDER.IP;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isV6Char(c: number): boolean {
  return isHex(c) || c === 58 || c === 46;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

const MAX_ADDRESS = 45;

/**
 * Replaces IPv6 addresses. Starts from each `:` and widens to the surrounding run of hex digits,
 * colons and dots, so each character is looked at a bounded number of times and text without
 * colons costs one `indexOf`. A run glued to other word characters (`Foo::bar`, `0x1:2`) is not an
 * address; a sentence-ending dot is not part of one; a `%zone` is.
 */
export function redactIpv6(input: string): string {
  let out = "";
  let from = 0;
  let colon = input.indexOf(":");
  while (colon >= 0) {
    let start = colon;
    while (start > from && isV6Char(input.charCodeAt(start - 1))) start--;
    let end = colon;
    let colons = 0;
    let double = false;
    for (; end < input.length; end++) {
      const c = input.charCodeAt(end);
      if (c === 58) {
        colons++;
        if (input.charCodeAt(end - 1) === 58) double = true;
      } else if (!isV6Char(c)) {
        break;
      }
    }
    // Times (`12:30:45`), `"key":` pairs and MACs have neither a `::` nor seven colons.
    if (!double && colons < 7) {
      colon = input.indexOf(":", end);
      continue;
    }
    while (input.charCodeAt(start) === 46) start++;
    let addressEnd = end;
    while (addressEnd > start && input.charCodeAt(addressEnd - 1) === 46) addressEnd--;
    let stop = addressEnd;
    if (addressEnd === end && input.charCodeAt(end) === 37 /* % */) {
      stop = end + 1;
      while (stop < input.length && stop - end <= 16 && isWordChar(input.charCodeAt(stop))) stop++;
    }
    const glued = (start > 0 && isWordChar(input.charCodeAt(start - 1))) || (stop === end && isWordChar(input.charCodeAt(end)));
    if (!glued && addressEnd - start <= MAX_ADDRESS && isPersonalIpv6(input.slice(start, stop))) {
      out += input.slice(from, start) + PLACEHOLDER.IP;
      from = stop;
    }
    colon = input.indexOf(":", Math.max(end, colon + 1));
  }
  return from === 0 ? input : out + input.slice(from);
}
