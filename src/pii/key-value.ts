import { isPlaceholder, PLACEHOLDER } from "./placeholders.js";
import type { KeyClassifier } from "./sensitive-keys.js";

/**
 * `key=value`, `key: value`, `"key": "value"` in free text. The key is classified with the same
 * whole-name rules as object keys, so `DB_PASSWORD=…` and `"apiKey": "…"` are caught while
 * `max_tokens=4096` is not. An auth scheme word (`Basic …`) is taken together with its credential.
 */
export const KEY_VALUE =
  /(?<![\w.-])([A-Za-z][\w.-]{0,63})(["']?[ \t]{0,3}[:=][ \t]{0,3})(?:"([^"\r\n]{1,2048})"|'([^'\r\n]{1,2048})'|((?:(?:Basic|Bearer|Digest|Token|Bot|Negotiate)[ ]+)?[^\s"'&,;<>(){}\[\]=][^\s"'&,;<>(){}\[\]]{0,2047}))/g;

// `${TOKEN}`, `<your-token>`, `****`: references and masks, not secrets.
// A scheme word alone: its credential was already replaced by the `Bearer` pass.
const AUTH_SCHEME = /^(?:Basic|Bearer|Digest|Token|Bot|Negotiate)$/i;
const NOT_A_VALUE = /^(?:[$<{*]|\[|x+$|\*+$)/;

export function createKeyValueReplacer(keys: KeyClassifier): (match: string, ...groups: unknown[]) => string {
  return (match, key, sep, dq, sq, bare) => {
    if (typeof key !== "string" || typeof sep !== "string") return match;
    if (keys.kind(key) !== "secret") return match;
    const value = typeof dq === "string" ? dq : typeof sq === "string" ? sq : typeof bare === "string" ? bare : "";
    if (value === "" || isPlaceholder(value) || NOT_A_VALUE.test(value) || AUTH_SCHEME.test(value)) return match;
    // A prefixed key with a small number is a count or a limit (`max_token=512`), not a credential.
    if (/^\d{1,6}$/.test(value) && /[_.\-]|[a-z][A-Z]/.test(key)) return match;
    const quote = typeof dq === "string" ? '"' : typeof sq === "string" ? "'" : "";
    return `${key}${sep}${quote}${PLACEHOLDER.SECRET}${quote}`;
  };
}
