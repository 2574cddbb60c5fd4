import { isCookieKey, scrubCookieHeader } from "./cookies.js";
import { isSsnParts } from "./numbers.js";
import { PLACEHOLDER } from "./placeholders.js";
import { isInternationalDigits, isNationalDigits } from "./phone.js";
import { isTokenShaped, keyWords } from "./sensitive-keys.js";
import { isSentenceAfter } from "./sentences.js";
import type { KeyClassifier } from "./sensitive-keys.js";
import { isExpression, isReferenceOrMask, isWorkingDirectory } from "./values.js";

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
    // Separators inside a value that was read and left alone (`${PASSWORD:-}`) are not pairs.
    let skip = 0;
    while (eq >= 0 || colon >= 0) {
      const sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (sep === eq) eq = input.indexOf("=", sep + 1);
      else colon = input.indexOf(":", sep + 1);
      if (sep < from || sep < skip) continue;
      const key = keyBefore(input, sep, from);
      if (key === undefined) continue;
      const keyText = input.slice(key.start, key.end);
      const kind = keys.kind(keyText);
      if (kind === undefined) continue;
      let valueStart = sep + 1;
      while (valueStart < input.length && valueStart - sep <= 3 && isBlank(input.charCodeAt(valueStart))) valueStart++;
      if (kind === "secret" && isCookieKey(keyText)) {
        // A cookie header: each pair judged on its own, to the end of the line or the closing quote.
        const q = input.charCodeAt(valueStart);
        const quoted = q === 34 || q === 39;
        const bodyStart = quoted ? valueStart + 1 : valueStart;
        let end = bodyStart;
        while (end < input.length && end - bodyStart < 4096 && input.charCodeAt(end) !== 10 && input.charCodeAt(end) !== 13 && !(quoted && input.charCodeAt(end) === q)) end++;
        const body = input.slice(bodyStart, end);
        const scrubbed = scrubCookieHeader(body, keys, PLACEHOLDER.SECRET);
        skip = end;
        if (scrubbed === body) continue;
        out += input.slice(from, bodyStart) + scrubbed;
        from = end;
        continue;
      }
      valueRegex.lastIndex = valueStart;
      const v = valueRegex.exec(input);
      if (v === null) continue;
      const [whole, dq, sq, bare] = v;
      const value = dq ?? sq ?? bare ?? "";
      if (kind === "personal") {
        const typed = personalPlaceholder(keyText, value);
        if (typed === undefined) continue;
        const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
        out += `${input.slice(from, valueStart)}${quote}${typed}${quote}`;
        from = valueStart + whole.length;
        continue;
      }
      // `${PASSWORD:-}` and `` `Bearer ${token}` ``: a template, read to its end and left alone.
      const opener = input.startsWith("${", valueStart) ? "}" : input.charCodeAt(valueStart) === 96 ? "`" : "";
      if (opener !== "") {
        // Looked for within 2 KB only: an unclosed `${` must not send every pair to the end of the input.
        const close = input.slice(valueStart + 1, valueStart + 2048).indexOf(opener);
        skip = close < 0 ? valueStart + whole.length : valueStart + 2 + close;
        if (opener === "}" || input.slice(valueStart, skip).includes("${")) continue;
      }
      const next = input[valueStart + whole.length] ?? "";
      // `postgres://app:[SECRET_REDACTED]@db`: an earlier pass already took the secret out of it.
      if (next === "[" && PLACEHOLDER_AHEAD.test(input.slice(valueStart + whole.length, valueStart + whole.length + 24))) continue;
      if (!isSecretValue(keyText, value, bare !== undefined ? next : "")) continue;
      // `sig=…`, `signature: Kind regards`: these keys hold a secret only when it is token-shaped.
      if (keys.tokenShapedOnly(keyText) && !isTokenShaped(value)) continue;
      // `passwd: all authentication tokens updated`, `Password: not required for guests`: a sentence.
      if (bare !== undefined && isSentenceAfter(input, valueStart + whole.length, value)) continue;
      const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
      out += `${input.slice(from, valueStart)}${quote}${PLACEHOLDER.SECRET}${quote}`;
      from = valueStart + whole.length;
    }
    return from === 0 ? input : out + input.slice(from);
  };
}

const PLACEHOLDER_AHEAD = /^\[[A-Z_]{2,12}REDACTED\]/;

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
  // `--password=…`, `-Dpassword=…`: a command-line flag names its key after the dashes.
  while (i < end && input.charCodeAt(i) === 45) i++;
  const first = input.charCodeAt(i);
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90))) return undefined;
  return { start: i, end };
}

// Words that make a token-ish key a count or a limit (`max_token=512`, `num_tokens: 12`).
const COUNT_WORDS = new Set(["max", "min", "num", "n", "count", "total", "limit", "size", "len", "length", "ttl"]);
// Words that make a key a credential whatever else it says: `max_password=123456` is still a PIN.
const CREDENTIAL_WORDS = /pass|pwd|secret|key|pin|otp|cvv|cvc|credential|auth/;

function isSecretValue(key: string, value: string, next: string): boolean {
  if (isReferenceOrMask(value) || NOT_A_VALUE.test(value) || AUTH_SCHEME.test(value)) return false;
  // Already holds a placeholder (`postgres://app:[SECRET_REDACTED]@db`): the secret in it is gone.
  if (value.includes("REDACTED]")) return false;
  if (isWorkingDirectory(key, value)) return false;
  // Code that names a secret without holding one: `password = os.environ['X']`, `token: str`.
  if (isExpression(key, value, next)) return false;
  // A small number is a credential (`DB_PASSWORD=123456`, `api_key=654321`) unless the key says it
  // counts something and names no credential.
  if (!/^\d{1,6}$/.test(value)) return true;
  const words = keyWords(key);
  return !(words.some((w) => COUNT_WORDS.has(w)) && !words.some((w) => CREDENTIAL_WORDS.test(w)));
}

// Last words of keys that hold a phone number or a US social security number.
const PHONE_KEY_WORDS = new Set(["phone", "phones", "phonenumber", "mobile", "mobilenumber", "telephone", "tel", "msisdn", "cell", "cellphone", "fax", "telefon", "telefono", "handy"]);

/**
 * A personal key's value in free text (`"msisdn":"447700900123"`, `ssn=536901234`): only the
 * digit-only shapes the other detectors cannot place without the key. Anything else is left to them.
 */
function personalPlaceholder(key: string, value: string): string | undefined {
  const words = keyWords(key);
  const last = words[words.length - 1] ?? "";
  const joined = words.join("");
  if (PHONE_KEY_WORDS.has(last) || PHONE_KEY_WORDS.has(joined)) {
    const digits = value.startsWith("+") ? value.slice(1) : value;
    if (!/^\d{7,15}$/.test(digits)) return undefined;
    return isInternationalDigits(digits) || isNationalDigits(digits) ? PLACEHOLDER.PHONE : undefined;
  }
  if (last === "ssn" || joined.endsWith("socialsecuritynumber")) {
    const m = /^(\d{3})(\d{2})(\d{4})$/.exec(value);
    return m !== null && isSsnParts(m[1] ?? "", m[2] ?? "", m[3] ?? "") ? PLACEHOLDER.US_SSN : undefined;
  }
  return undefined;
}
