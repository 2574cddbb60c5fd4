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

/** Hex groups and colons (and an IPv4 tail, and a zone); validated by {@link replaceIpv6}. */
export const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4})?:[0-9A-Fa-f:.]{1,44}(?:%[0-9A-Za-z]{1,16})?/g;

/** Replacer for {@link IPV6_CANDIDATE}: a sentence-ending dot is not part of the address. */
export function replaceIpv6(match: string, offset: number, input: string): string {
  const after = input.charCodeAt(offset + match.length);
  // Cut off inside a longer run of hex and colons: not an address we can vouch for.
  if (after === 58 || (after >= 48 && after <= 57) || (after >= 65 && after <= 70) || (after >= 97 && after <= 102)) return match;
  let address = match;
  let tail = "";
  while (address.endsWith(".")) {
    address = address.slice(0, -1);
    tail += ".";
  }
  return isPersonalIpv6(address) ? PLACEHOLDER.IP + tail : match;
}
