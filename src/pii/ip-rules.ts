import { isNonPersonalIpv4, isPersonalIpv6 } from "./ip-address.js";
import { PLACEHOLDER } from "./placeholders.js";

export const IPV4_CANDIDATE =
  /(?<![\w.-])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w-]|\.\d)/g;

// A four-part version string and an address look alike; the word in front tells them apart.
const VERSION_WORDS = new Set(
  [
    "version", "ver", "release", "build", "v", "rev", "firmware", "fw", "sdk", "kernel", "patch",
    "upgrade", "upgrades", "upgraded", "upgrading", "downgrade", "downgrades", "downgraded", "downgrading",
    "install", "installed", "installing",
    // Runtimes and tools whose versions are printed as `name 1.2.3.4`. Not the names of servers
    // (`node 10.0.0.7 joined`, `redis 10.0.0.5`), which are followed by their address.
    "python", "python2", "python3", "nodejs", "java", "jdk", "jre", "ruby", "php", "perl", "golang", "rustc", "cargo",
    "gcc", "clang", "dotnet", ".net", "npm", "pip", "pip3", "yarn", "pnpm", "gradle", "maven", "openssl", "openssh",
    "chrome", "chromium", "firefox", "safari", "electron", "macos", "ios", "android", "terraform", "kubectl",
  ],
);
// Verbs that name a version only with `to`: `update to 4.2.1.3`, not `update 10.0.0.7`.
const TO_WORDS = new Set(["upgrade", "upgraded", "downgrade", "downgraded", "update", "updated", "updating", "bump", "bumped", "pin", "pinned", "move", "moved"]);
// Login names in front of `@`: `root@1.2.3.4` is a host, `left-pad@1.2.3.4` a package version.
const ACCOUNT_NAMES = new Set(
  "root admin administrator user ubuntu ec2-user centos debian pi git deploy deployer opc core azureuser ansible jenkins www-data postgres oracle vagrant".split(" "),
);
const REMOTE_LOGIN = /\b(?:ssh|scp|sftp|rsync|mosh|telnet|ssh-copy-id)\b/;

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c);
}

function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 46 || c === 45;
}

/** The lower-case word ending at `end` (past blanks and one `:`/`=`), and where it starts. */
function wordBefore(input: string, end: number): { word: string; start: number } {
  let i = end;
  while (i > 0 && end - i < 3 && (input.charCodeAt(i - 1) === 32 || input.charCodeAt(i - 1) === 9)) i--;
  if (i > 0 && (input.charCodeAt(i - 1) === 58 || input.charCodeAt(i - 1) === 61)) {
    const sep = i - 1;
    i = sep;
    while (i > 0 && sep - i < 3 && (input.charCodeAt(i - 1) === 32 || input.charCodeAt(i - 1) === 9)) i--;
  }
  const wordEnd = i;
  while (i > 0 && wordEnd - i < 16 && isAlnum(input.charCodeAt(i - 1))) i--;
  if (i > 0 && input.charCodeAt(i - 1) === 46 && input.slice(i, wordEnd).toLowerCase() === "net") i--;
  if (i > 0 && isAlnum(input.charCodeAt(i - 1))) return { word: "", start: i };
  return { word: input.slice(i, wordEnd).toLowerCase(), start: i };
}

function isVersionContext(input: string, offset: number): boolean {
  if (offset === 0 || !/[ \t:=]/.test(input[offset - 1] ?? "")) return false;
  const { word, start } = wordBefore(input, offset);
  if (VERSION_WORDS.has(word)) return true;
  return word === "to" && start > 0 && TO_WORDS.has(wordBefore(input, start).word);
}

/** `name@1.2.3.4` or `@scope/name@1.2.3.4` that does not read as a login (`ssh deploy@…`, `root@…`). */
function isPackageVersion(input: string, offset: number): boolean {
  const at = offset - 1;
  let i = at;
  while (i > 0 && at - i < 214 && isNameChar(input.charCodeAt(i - 1))) i--;
  const name = input.slice(i, at);
  if (name === "" || !isAlnum(name.charCodeAt(0)) || ACCOUNT_NAMES.has(name.toLowerCase())) return false;
  let start = i;
  if (input.charCodeAt(i - 1) === 47 /* / */) {
    let j = i - 1;
    while (j > 0 && i - 1 - j < 100 && isNameChar(input.charCodeAt(j - 1))) j--;
    if (j === i - 1 || input.charCodeAt(j - 1) !== 64 /* @ */) return false;
    start = j - 1;
  }
  const c = input.charCodeAt(start - 1);
  if (start > 0 && (isNameChar(c) || c === 64 || c === 47 || c === 58)) return false;
  // Only the same line counts, and only its last 80 characters: a bounded look per candidate.
  const window = input.slice(Math.max(0, start - 80), start);
  return !REMOTE_LOGIN.test(window.slice(window.lastIndexOf("\n") + 1));
}

/**
 * Replacer for {@link IPV4_CANDIDATE}. A trailing `:port` is kept, ports are not personal. Kept as
 * not an address: `a.b.c.0` (a network, not a host: `upgrade to 4.2.1.0`, `10.0.0.0/8`), a dotted
 * number after a version word or a runtime name (`python 3.11.4.1`, `updated to 2.4.1.3`), and
 * `pkg@1.2.3.4` unless it reads as a login (`ssh jane@…`, an account name such as `root@`). Never
 * when a `:` follows (`:port`, `host:/path`).
 */
export function replaceIpv4(match: string, offset: number, input: string): string {
  if (isNonPersonalIpv4(match) || match.endsWith(".0")) return match;
  if (offset > 0 && input.charCodeAt(offset + match.length) !== 58 /* : */) {
    if (isVersionContext(input, offset)) return match;
    if (input.charCodeAt(offset - 1) === 64 /* @ */ && isPackageVersion(input, offset)) return match;
  }
  return PLACEHOLDER.IP;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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
