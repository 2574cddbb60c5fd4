import { PLACEHOLDER } from "./placeholders.js";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

/**
 * Letters of internationalised addresses (`jöhn@bücher.de`, `иван@почта.рф`): Latin with accents,
 * Greek, Cyrillic and combining marks. Scripts written without spaces (CJK, Thai) are left out, so
 * the words glued around an address are not taken for part of it.
 */
function isIntlLetter(c: number): boolean {
  return (c >= 0xc0 && c <= 0x52f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff);
}

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 46 /* . */ || c === 95 /* _ */ || c === 37 /* % */ || c === 43 /* + */ || c === 45 /* - */ ||
    (c >= 0xc0 && isIntlLetter(c))
  );
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || (c >= 0xc0 && isIntlLetter(c));
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && isIntlLetter(c));
}

/**
 * The end (exclusive) of a valid domain starting at `start`, or -1. Two or more labels, none
 * starting or ending with `-`, and an alphabetic TLD of 2-24 letters (or an `xn--` IDN TLD), so
 * `pkg@1.2.3` and `user@localhost` are not addresses.
 */
function domainEnd(input: string, start: number): number {
  const limit = Math.min(input.length, start + MAX_DOMAIN);
  let i = start;
  let labels = 0;
  let end = -1;
  for (;;) {
    const labelStart = i;
    while (i < limit && isLabelChar(input.charCodeAt(i))) i++;
    const len = i - labelStart;
    if (len === 0 || len > 63 || input.charCodeAt(labelStart) === 45 || input.charCodeAt(i - 1) === 45) break;
    labels++;
    if (labels >= 2 && isTld(input, labelStart, i)) end = i;
    if (i < limit - 1 && input.charCodeAt(i) === 46 && isLabelChar(input.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    break;
  }
  return end;
}

function isTld(input: string, start: number, end: number): boolean {
  const len = end - start;
  if (len >= 4 && input.startsWith("xn--", start)) return true;
  if (len < 2 || len > 24) return false;
  for (let i = start; i < end; i++) if (!isAlpha(input.charCodeAt(i))) return false;
  return true;
}

// Retina asset names: `icon@2x.png`, `logo@1.5x.webp`.
const SCALED_IMAGE = /^\d(?:\.\d)?x\.(?:png|jpe?g|gif|webp|svg|avif|bmp|ico)$/i;

/** Start of the local part ending right before `at`, or -1 when there is none. */
function localStart(input: string, at: number): number {
  const floor = Math.max(0, at - MAX_LOCAL);
  let i = at;
  while (i > floor && isLocalChar(input.charCodeAt(i - 1))) i--;
  // A local part longer than 64 characters is not an address: a token glued to an `@`.
  if (i === floor && floor > 0 && isLocalChar(input.charCodeAt(floor - 1))) return -1;
  while (i < at && input.charCodeAt(i) === 46) i++;
  return i < at && input.charCodeAt(at - 1) !== 46 ? i : -1;
}

/**
 * Replaces e-mail addresses. Scans from each `@` outwards instead of running a regex from every
 * position: each character is looked at a bounded number of times, so `@` storms and long tokens
 * stay linear.
 */
export function redactEmails(input: string): string {
  const nextAt = atFinder(input);
  let at = nextAt(0);
  if (at < 0) return input;
  let out = "";
  let from = 0;
  while (at >= 0) {
    // `jane%40example.org` in a URL or query string: the `@` percent-encoded.
    const width = input.charCodeAt(at) === 64 ? 1 : 3;
    let start = localStart(input, at);
    if (start >= 0) start = afterEncodedDelimiter(input, start, at);
    let next = at + width;
    if (start >= from && start < at) {
      const end = domainEnd(input, at + width);
      // `git@github.com:org/repo` is an SSH remote, not a person's address; `logo@2x.png` an image.
      const isGitRemote = end > 0 && input.charCodeAt(end) === 58 && input.slice(start, at) === "git";
      if (end > 0 && !isGitRemote && !SCALED_IMAGE.test(input.slice(at + width, end))) {
        out += input.slice(from, start) + PLACEHOLDER.EMAIL;
        from = end;
        next = end;
      }
    }
    at = nextAt(next);
  }
  return from === 0 ? input : out + input.slice(from);
}

/**
 * Finds the next `@` or `%40`. Each kind's next position is remembered and searched again only
 * once passed, so a string without `%40` is scanned for it once, not once per `@`.
 */
function atFinder(input: string): (from: number) => number {
  let plain = -2;
  let encoded = -2;
  return (from) => {
    if (plain !== -1 && plain < from) plain = input.indexOf("@", from);
    if (encoded !== -1 && encoded < from) encoded = input.indexOf("%40", from);
    if (encoded < 0) return plain;
    return plain < 0 ? encoded : Math.min(plain, encoded);
  };
}

// Percent-encoded delimiters that end whatever came before an address: `mailto%3Aanna%40…`, `%3D`, `%2F`, `%20`…
const ENCODED_DELIMITER = /%(?:3[abdfABDF]|2[0260cfCF]|22|3C|3c|3E|3e)/g;

/** The local part starts after the last percent-encoded delimiter in it. */
function afterEncodedDelimiter(input: string, start: number, at: number): number {
  const local = input.slice(start, at);
  if (!local.includes("%")) return start;
  let last = -1;
  ENCODED_DELIMITER.lastIndex = 0;
  for (let m = ENCODED_DELIMITER.exec(local); m !== null; m = ENCODED_DELIMITER.exec(local)) last = m.index + 3;
  return last < 0 ? start : start + last;
}

/** Whether the whole (trimmed) string is one e-mail address. */
export function isEmailAddress(value: string): boolean {
  const text = value.trim();
  const at = text.lastIndexOf("@");
  return at > 0 && localStart(text, at) === 0 && domainEnd(text, at + 1) === text.length;
}
