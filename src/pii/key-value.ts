import { isPlaceholder, PLACEHOLDER } from "./placeholders.js";
import { keyWords } from "./sensitive-keys.js";
import type { KeyClassifier } from "./sensitive-keys.js";

/**
 * `key=value`, `key: value`, `"key": "value"` in free text. An auth scheme word (`Basic …`) is
 * taken together with its credential.
 */
/** The value, read only after a secret key: sticky, so it is tried at one position only. */
const VALUE =
  /"([^"\r\n]{1,2048})"|'([^'\r\n]{1,2048})'|((?:(?:Basic|Bearer|Digest|Token|Bot|Negotiate)[ ]+)?[^\s"'&,;<>(){}\[\]=][^\s"'&,;<>(){}\[\]]{0,2047})/y;

// `${TOKEN}`, `<your-token>`, `****`: references and masks, not secrets.
const NOT_A_VALUE = /^(?:[$<{*]|\[|x+$|\*+$)/;
// A scheme word alone: its credential was already replaced by the `Bearer` pass.
const AUTH_SCHEME = /^(?:Basic|Bearer|Digest|Token|Bot|Negotiate)$/i;

/**
 * Redacts values of secret keys in free text. The key is classified with the same whole-name rules
 * as object keys, so `DB_PASSWORD=…` and `"apiKey": "…"` are caught while `max_tokens=4096` is
 * not. Only the words in front of `:` and `=` are looked at; a value is read only after a secret key, so text
 * such as `https://host/x?token=…` is itself scanned for pairs and colon storms stay linear.
 */
export function createKeyValueRedactor(keys: KeyClassifier): (input: string) => string {
  const valueRegex = new RegExp(VALUE.source, "y");
  return (input) => {
    let out = "";
    let from = 0;
    let eq = input.indexOf("=");
    let colon = input.indexOf(":");
    while (eq >= 0 || colon >= 0) {
      const sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (sep === eq) eq = input.indexOf("=", sep + 1);
      else colon = input.indexOf(":", sep + 1);
      if (sep < from) continue;
      const key = keyBefore(input, sep, from);
      if (key === undefined || keys.kind(input.slice(key.start, key.end)) !== "secret") continue;
      let valueStart = sep + 1;
      while (valueStart < input.length && valueStart - sep <= 3 && isBlank(input.charCodeAt(valueStart))) valueStart++;
      valueRegex.lastIndex = valueStart;
      const v = valueRegex.exec(input);
      if (v === null) continue;
      const [whole, dq, sq, bare] = v;
      if (!isSecretValue(input.slice(key.start, key.end), dq ?? sq ?? bare ?? "")) continue;
      const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
      out += `${input.slice(from, valueStart)}${quote}${PLACEHOLDER.SECRET}${quote}`;
      from = valueStart + whole.length;
    }
    return from === 0 ? input : out + input.slice(from);
  };
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/**
 * The key in front of a separator: `key`, `key =`, `"key":`. Walking back from each `:`/`=` costs
 * less than trying a key at every word, and no more than 70 characters per separator.
 */
function keyBefore(input: string, sep: number, floor: number): { start: number; end: number } | undefined {
  let i = sep;
  while (i > floor && sep - i < 3 && isBlank(input.charCodeAt(i - 1))) i--;
  const q = input.charCodeAt(i - 1);
  if (i > floor && (q === 34 || q === 39)) i--;
  const end = i;
  while (i > floor && end - i < 64 && isKeyChar(input.charCodeAt(i - 1))) i--;
  if (i === end || (i > 0 && isKeyChar(input.charCodeAt(i - 1)))) return undefined;
  const first = input.charCodeAt(i);
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90))) return undefined;
  return { start: i, end };
}

// Words that make a token-ish key a count or a limit (`max_token=512`, `num_tokens: 12`).
const COUNT_WORDS = new Set(["max", "min", "num", "n", "count", "total", "limit", "size", "len", "length", "ttl"]);
// Words that make a key a credential whatever else it says: `max_password=123456` is still a PIN.
const CREDENTIAL_WORDS = /pass|pwd|secret|key|pin|otp|cvv|cvc|credential|auth/;

function isSecretValue(key: string, value: string): boolean {
  if (value === "" || isPlaceholder(value) || NOT_A_VALUE.test(value) || AUTH_SCHEME.test(value)) return false;
  // `PWD=/home/jane/app` in an environment dump is the shell's working directory.
  if (/^(?:\/|~|[A-Za-z]:\\)/.test(value) && keyWords(key).join("") === "pwd") return false;
  // A small number is a credential (`DB_PASSWORD=123456`, `api_key=654321`) unless the key says it
  // counts something and names no credential.
  if (!/^\d{1,6}$/.test(value)) return true;
  const words = keyWords(key);
  return !(words.some((w) => COUNT_WORDS.has(w)) && !words.some((w) => CREDENTIAL_WORDS.test(w)));
}
