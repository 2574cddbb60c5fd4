import type { KeyClassifier } from "./sensitive-keys.js";
import { keyWords } from "./sensitive-keys.js";

// Cookie attributes after the first pair of a `Set-Cookie` value: never data.
const ATTRIBUTES = new Set(["path", "domain", "expires", "maxage", "samesite", "secure", "httponly", "priority", "partitioned", "version", "comment"]);
// Preference and consent cookies: what a user chose, not who they are.
const HARMLESS = /^(?:theme|lang|language|locale|lng|i18n|tz|timezone|currency|country|region|colou?rscheme|darkmode|mode|consent|cookieconsent|cookiesaccepted|gdpr|optout|dnt)$|consent$/;
// Words in a cookie name that make it a credential or a session handle.
const SENSITIVE_WORD = /^(?:sid|sess|session|sessionid|sessid|phpsessid|jsessionid|aspsessionid|auth|token|csrf|xsrf|csrftoken|jwt|login|remember|rememberme|secret|pass|password|key|apikey|credential|credentials|refresh|access|bearer)$/;

/** Whether a cookie's value must go: a session or credential name, or a token-shaped value that no preference has. */
export function isSensitiveCookie(name: string, value: string, keys: KeyClassifier): boolean {
  const words = keyWords(name);
  const joined = words.join("");
  if (joined === "" || ATTRIBUTES.has(joined)) return false;
  if (words.some((w) => SENSITIVE_WORD.test(w)) || keys.kind(name) !== undefined) return true;
  if (HARMLESS.test(joined)) return false;
  return value.length >= 24 || (value.length >= 12 && /\d/.test(value) && /[A-Za-z]/.test(value));
}

/** Whether a key names cookies (`Cookie`, `Set-Cookie`, `cookies`). */
export function isCookieKey(key: string): boolean {
  const joined = keyWords(key).join("");
  return joined === "cookie" || joined === "cookies" || joined === "setcookie";
}

/**
 * A `Cookie` / `Set-Cookie` header value with the sensitive pairs' values replaced, the harmless
 * ones (`theme=dark`, `Path=/`) kept. A value without any `name=` pair is one opaque cookie: replaced.
 */
export function scrubCookieHeader(header: string, keys: KeyClassifier, placeholder: string): string {
  if (!header.includes("=")) return header.trim() === "" ? header : placeholder;
  let changed = false;
  const parts = header.split(";").map((part) => {
    const eq = part.indexOf("=");
    if (eq < 0) return part;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (value === "" || value === placeholder || !isSensitiveCookie(name, value, keys)) return part;
    changed = true;
    return `${part.slice(0, eq + 1)}${part.charCodeAt(eq + 1) === 32 ? " " : ""}${placeholder}`;
  });
  return changed ? parts.join(";") : header;
}
