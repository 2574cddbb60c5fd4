import type { KeyClassifier } from "./sensitive-keys.js";
import { keyWords } from "./sensitive-keys.js";

// Cookie attributes after the first pair of a `Set-Cookie` value: never data.
const ATTRIBUTES = new Set(["path", "domain", "expires", "maxage", "samesite", "secure", "httponly", "priority", "partitioned", "version", "comment"]);
// Preference and consent cookies: what a user chose, not who they are.
const HARMLESS = /^(?:theme|lang|language|locale|lng|i18n|tz|timezone|currency|country|region|colou?rscheme|darkmode|mode|consent|cookieconsent|cookiesaccepted|gdpr|optout|dnt)$|consent$/;
/**
 * Analytics, advertising and consent cookies by their families' names (Google Analytics and Ads,
 * Meta, Hotjar, Clarity, Matomo, HubSpot, Segment, Mixpanel, Bing, TikTok, OneTrust, Cookiebot,
 * IAB TCF…): what a visitor consented to or a pseudonymous visit counter, never a credential, even
 * when the name says `session` (`_hjSession_…`, `__hssc`).
 */
const ANALYTICS =
  /^(?:_ga|_gid|_gat|_gcl_|__utm|_fbp|_fbc|_hj|_clck|_clsk|_pk_|_uet|_ttp|_tt_|_scid|_sctr|_rdt_|_pin_|__hs|hubspotutk|ajs_|mp_|amplitude_|_dc_gtm|optanon|onetrust|cookieconsent|cookielawinfo|cookiebot|euconsent|__cmp|_cs_|_vwo|_mkto_trk)/i;
/** A timestamp, a number, dotted numbers (`GA1.2.123.456`) or a yes/no: a setting or a counter. */
const PLAIN_VALUE = /^(?:\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?|[A-Za-z]{0,3}\d{1,20}(?:\.\d{1,20}){0,6}\.?|true|false|yes|no|on|off|0|1)$/i;
// Words in a cookie name that make it a credential or a session handle.
const SENSITIVE_WORD = /^(?:sid|sess|session|sessionid|sessid|phpsessid|jsessionid|aspsessionid|auth|token|csrf|xsrf|csrftoken|jwt|login|remember|rememberme|secret|pass|password|key|apikey|credential|credentials|refresh|access|bearer)$/;

/** Whether a cookie's value must go: a session or credential name, or a token-shaped value that no preference has. */
export function isSensitiveCookie(name: string, value: string, keys: KeyClassifier): boolean {
  const words = keyWords(name);
  const joined = words.join("");
  if (joined === "" || ATTRIBUTES.has(joined) || ANALYTICS.test(name.trim())) return false;
  if (words.some((w) => SENSITIVE_WORD.test(w)) || keys.kind(name) !== undefined) return true;
  if (HARMLESS.test(joined) || PLAIN_VALUE.test(value)) return false;
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
