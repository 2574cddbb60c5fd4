import { isPlaceholder, PLACEHOLDER } from "./placeholders.js";
import type { KeyClassifier } from "./sensitive-keys.js";

/**
 * `key=value`, `key: value`, `"key": "value"` in free text. An auth scheme word (`Basic …`) is
 * taken together with its credential.
 */
const KEY_VALUE =
  /(?<![\w.-])([A-Za-z][\w.-]{0,63})(["']?[ \t]{0,3}[:=][ \t]{0,3})(?:"([^"\r\n]{1,2048})"|'([^'\r\n]{1,2048})'|((?:(?:Basic|Bearer|Digest|Token|Bot|Negotiate)[ ]+)?[^\s"'&,;<>(){}\[\]=][^\s"'&,;<>(){}\[\]]{0,2047}))/g;

// `${TOKEN}`, `<your-token>`, `****`: references and masks, not secrets.
const NOT_A_VALUE = /^(?:[$<{*]|\[|x+$|\*+$)/;
// A scheme word alone: its credential was already replaced by the `Bearer` pass.
const AUTH_SCHEME = /^(?:Basic|Bearer|Digest|Token|Bot|Negotiate)$/i;

/**
 * Redacts values of secret keys in free text. The key is classified with the same whole-name rules
 * as object keys, so `DB_PASSWORD=…` and `"apiKey": "…"` are caught while `max_tokens=4096` is
 * not. When a key is not secret the scan resumes right after its separator, so a value such as
 * `https://host/x?token=…` is itself scanned for pairs.
 */
export function createKeyValueRedactor(keys: KeyClassifier): (input: string) => string {
  const regex = new RegExp(KEY_VALUE.source, "g");
  return (input) => {
    regex.lastIndex = 0;
    let out = "";
    let from = 0;
    for (let m = regex.exec(input); m !== null; m = regex.exec(input)) {
      const [match, key = "", sep = "", dq, sq, bare] = m;
      const value = dq ?? sq ?? bare ?? "";
      if (!isSecretPair(keys, key, value)) {
        regex.lastIndex = m.index + key.length + sep.length;
        continue;
      }
      const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
      out += `${input.slice(from, m.index)}${key}${sep}${quote}${PLACEHOLDER.SECRET}${quote}`;
      from = m.index + match.length;
    }
    return from === 0 ? input : out + input.slice(from);
  };
}

function isSecretPair(keys: KeyClassifier, key: string, value: string): boolean {
  if (keys.kind(key) !== "secret") return false;
  if (value === "" || isPlaceholder(value) || NOT_A_VALUE.test(value) || AUTH_SCHEME.test(value)) return false;
  // A prefixed key with a small number is a count or a limit (`max_token=512`), not a credential.
  return !(/^\d{1,6}$/.test(value) && /[_.-]|[a-z][A-Z]/.test(key));
}
