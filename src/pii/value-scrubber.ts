import { binaryMarkerOfObject, binaryMarkerOfString } from "./binary.js";
import { isCookieKey, isSensitiveCookie, scrubCookieHeader } from "./cookies.js";
import { PLACEHOLDER } from "./placeholders.js";
import { isTokenShaped, keyWords } from "./sensitive-keys.js";
import type { KeyClassifier, KeyKind } from "./sensitive-keys.js";
import { isWorkingDirectory } from "./values.js";

export const CIRCULAR = "[Circular]";
/** Containers walked before shared ones are remembered (see `done` below). */
const MEMO_AFTER = 32;
export const MAX_DEPTH_MARKER = "[MaxDepth]";

interface WalkOptions {
  readonly text: (input: string) => string;
  readonly keys: KeyClassifier;
  readonly maxDepth: number;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment of "__proto__" would replace the copy's prototype instead of adding a key.
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

// A whole value that is a template or a reference to a secret, not the secret: `${DB_PASSWORD}`,
// `{{ secrets.API_KEY }}`, `<%= ENV["X"] %>`.
const TEMPLATE = /^(?:\$\{[^{}]{1,200}\}|\{\{[^{}]{1,200}\}\}|<%=?[^%]{1,200}%>)$/;

/** What one object key means: its kind (undefined when ordinary) and the key as sent. */
interface KeyFacts {
  readonly kind: KeyKind | undefined;
  readonly out: string;
}

/** What every walk of one scrubber shares: its rules and its caches. */
interface Rules {
  readonly keys: KeyClassifier;
  readonly maxDepth: number;
  /** A key's kind and scrubbed text, from one cache: keys repeat across events. */
  key(key: string): KeyFacts;
  scrubString(value: string): string;
}

/**
 * Builds the copy-on-write walker. A container is copied only once one of its members changed, so
 * an untouched payload comes back as the very same reference and nothing is ever written to the
 * caller's objects. Shared sub-objects are scrubbed once; a reference back to an ancestor becomes
 * `"[Circular]"` (JSON could not carry it anyway), anything deeper than `maxDepth` `"[MaxDepth]"`.
 */
export function createValueScrubber(options: WalkOptions): (input: unknown) => unknown {
  const { text, keys, maxDepth } = options;
  const keyCache = new Map<string, KeyFacts>();

  const rules: Rules = {
    keys,
    maxDepth,
    key(key) {
      const hit = keyCache.get(key);
      if (hit !== undefined) return hit;
      const facts = { kind: keys.kind(key), out: text(key) };
      if (keyCache.size >= 4096) keyCache.clear();
      keyCache.set(key, facts);
      return facts;
    },
    scrubString(value) {
      if (value.length >= 256 || value.startsWith("data:")) {
        const marker = binaryMarkerOfString(value);
        if (marker !== undefined) return marker;
      }
      return text(value);
    },
  };

  return (input) => {
    if (typeof input === "string") return rules.scrubString(input);
    if (typeof input !== "object" || input === null) return input;
    return new ValueWalk(rules).walk(input, 0);
  };
}

/** One scrub of one value: the containers on the way down, and those already scrubbed. */
class ValueWalk {
  // The containers being walked, outermost first: a value met again among them is circular. An
  // array, not a set: it is as deep as the value (at most maxDepth) and most values are shallow.
  private readonly active: object[] = [];
  // Containers already scrubbed, so a shared one is walked once and every place that holds it
  // gets the same copy. Made on demand: a container that comes back unchanged keeps its identity
  // anyway, so it is remembered only after MEMO_AFTER containers, which still bounds the work on
  // a value made of shared references (a diamond lattice would otherwise cost 2^depth).
  private done: Map<object, unknown> | undefined;
  private containers = 0;

  constructor(private readonly rules: Rules) {}

  walk(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.rules.scrubString(value);
    if (typeof value !== "object" || value === null) return value;
    if (this.active.includes(value)) return CIRCULAR;
    if (this.done?.has(value)) return this.done.get(value);
    if (depth >= this.rules.maxDepth) return MAX_DEPTH_MARKER;
    // Plain objects and arrays, most of what is scrubbed, are neither binary nor a Date, RegExp, Map or Set.
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) {
      const binary = binaryMarkerOfObject(value);
      if (binary !== undefined) return binary;
      if (value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set) return value;
    }

    this.active.push(value);
    let result: unknown;
    try {
      const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") result = this.walkJson(value, toJSON, depth);
      else result = Array.isArray(value) ? this.walkArray(value, depth) : this.walkObject(value as Record<string, unknown>, depth);
    } finally {
      this.active.pop();
    }
    if (result !== value || ++this.containers > MEMO_AFTER) (this.done ??= new Map()).set(value, result);
    return result;
  }

  /**
   * JSON.stringify sends what `toJSON()` returns, not the own keys (class instances with private
   * fields, URL, Decimal…), so that is what gets scrubbed. When it needs no change the instance
   * itself comes back; a throwing `toJSON` leaves the own keys to scrub.
   */
  private walkJson(value: object, toJSON: unknown, depth: number): unknown {
    let json: unknown = value;
    try {
      json = (toJSON as (this: object, key: string) => unknown).call(value, "");
    } catch {
      // JSON.stringify will throw on it the same way; scrubbing the own keys is the best left.
    }
    if (json === value) return Array.isArray(value) ? this.walkArray(value, depth) : this.walkObject(value as Record<string, unknown>, depth);
    const next = this.walk(json, depth);
    return next === json ? value : next;
  }

  private walkArray(array: readonly unknown[], depth: number): unknown {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      const next = this.walk(item, depth + 1);
      if (copy === undefined && next !== item) copy = array.slice(0, i);
      if (copy !== undefined) copy.push(next);
    }
    return copy ?? array;
  }

  private walkObject(object: Record<string, unknown>, depth: number): unknown {
    const ownKeys = Object.keys(object);
    const named = this.namedValue(object, ownKeys, depth);
    if (named !== undefined) return named;
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < ownKeys.length; i++) {
      const key = ownKeys[i] as string;
      const item = object[key];
      const { kind, out: outKey } = this.rules.key(key);
      const next = kind !== undefined ? this.underKey(key, kind, item, depth + 1) : this.walk(item, depth + 1);
      if (copy === undefined && (next !== item || outKey !== key)) {
        copy = {};
        for (let j = 0; j < i; j++) {
          const k = ownKeys[j] as string;
          setOwn(copy, this.rules.key(k).out, object[k]);
        }
      }
      if (copy !== undefined) setOwn(copy, outKey, next);
    }
    return copy ?? object;
  }

  /**
   * A record that names its own value (`{ name: "DB_PASSWORD", value: … }` in Kubernetes env lists,
   * `{ name: "Authorization", value: … }` in HAR headers, `{ key: "apiToken", value: … }` in Postman
   * variables, `{ name: "PHPSESSID", value: …, domain: … }` in cookie jars): the name is the key of
   * the value. A record with cookie attributes is judged as a cookie. Undefined when it is not such a
   * record or its name is not sensitive (then it is walked like any object).
   */
  private namedValue(object: Record<string, unknown>, ownKeys: readonly string[], depth: number): unknown {
    if (ownKeys.length > 8 || !("value" in object)) return undefined;
    const name = typeof object.name === "string" ? object.name : typeof object.key === "string" ? object.key : undefined;
    const value = object.value;
    if (name === undefined || value === null || value === undefined || typeof value === "boolean" || value === "") return undefined;
    const { keys } = this.rules;
    let next: unknown;
    if (typeof value === "string" && ownKeys.some((k) => COOKIE_ATTRIBUTES.has(k.toLowerCase()))) {
      if (!isSensitiveCookie(name, value, keys)) return undefined;
      next = PLACEHOLDER.KEY;
    } else {
      const kind = keys.kind(name);
      if (kind === undefined) return undefined;
      next = this.underKey(name, kind, value, depth + 1);
    }
    if (next === value) return undefined;
    const copy = this.walkObject({ ...object, value: "" }, depth);
    const out = copy === undefined || typeof copy !== "object" ? { ...object } : { ...(copy as Record<string, unknown>) };
    out.value = next;
    return out;
  }

  /**
   * A value under a sensitive key: anything that can carry data is replaced; flags and empties
   * stay. Containers of cookies and of contact data are walked, not replaced: the session cookie
   * and the numbers go, `theme=dark` and `type: "mobile"` stay.
   */
  private underKey(key: string, kind: KeyKind, value: unknown, depth: number): unknown {
    const { keys } = this.rules;
    if (value === null || value === undefined || typeof value === "boolean" || value === "") return value;
    if (isCookieKey(key)) return this.cookies(value, depth);
    if (typeof value === "string") {
      if (kind === "secret" && (TEMPLATE.test(value) || isWorkingDirectory(key, value))) return value;
      if (keys.tokenShapedOnly(key) && !isTokenShaped(value)) return this.walk(value, depth);
      return PLACEHOLDER.KEY;
    }
    if (kind === "personal" && typeof value === "object") return this.contacts(value, depth);
    if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).some(isDescriptorKey)) return this.secretContainer(value as Record<string, unknown>, depth);
    return PLACEHOLDER.KEY;
  }

  /**
   * A container under a secret key (`credentials: { type, project_id, private_key, client_email }`):
   * what describes the secret (ids, types, names, regions, URIs, dates) is walked like any value, what
   * a sensitive key holds is judged by that key, and every other leaf is taken as part of the secret.
   */
  private secretContainer(value: Record<string, unknown>, depth: number): unknown {
    const { keys } = this.rules;
    if (depth >= this.rules.maxDepth) return MAX_DEPTH_MARKER;
    if (this.active.includes(value)) return CIRCULAR;
    this.active.push(value);
    try {
      return mapContainer(value, (k, v) => {
        if (k === undefined) return PLACEHOLDER.KEY;
        const kind = keys.kind(k);
        if (kind !== undefined) return this.underKey(k, kind, v, depth + 1);
        if (isDescriptorKey(k)) return this.walk(v, depth + 1);
        if (v === null || v === undefined || typeof v === "boolean" || v === "") return v;
        return this.underKey(k, "secret", v, depth + 1);
      });
    } finally {
      this.active.pop();
    }
  }

  /** Walks a container under a personal key: leaves with digits or an `@` go, labels and flags stay. */
  private contacts(value: unknown, depth: number): unknown {
    const { keys } = this.rules;
    if (typeof value === "string") return /[\d@]/.test(value) ? PLACEHOLDER.KEY : value;
    if (typeof value === "number" || typeof value === "bigint") return PLACEHOLDER.KEY;
    if (typeof value !== "object" || value === null) return value;
    if (depth >= this.rules.maxDepth) return MAX_DEPTH_MARKER;
    if (this.active.includes(value)) return CIRCULAR;
    this.active.push(value);
    try {
      return mapContainer(value, (k, v) => (k !== undefined && keys.kind(k) !== undefined ? this.underKey(k, keys.kind(k) ?? "personal", v, depth + 1) : this.contacts(v, depth + 1)));
    } finally {
      this.active.pop();
    }
  }

  /** Walks cookies: an object by name, a list of `Set-Cookie` strings or of `{ name, value }` records. */
  private cookies(value: unknown, depth: number): unknown {
    const { keys } = this.rules;
    if (typeof value === "string") return scrubCookieHeader(value, keys, PLACEHOLDER.KEY);
    if (typeof value !== "object" || value === null) return PLACEHOLDER.KEY;
    if (depth >= this.rules.maxDepth) return MAX_DEPTH_MARKER;
    if (this.active.includes(value)) return CIRCULAR;
    const record = value as Record<string, unknown>;
    if (!Array.isArray(value) && typeof record.name === "string" && "value" in record) {
      const v = record.value;
      if (typeof v !== "string" || !isSensitiveCookie(record.name, v, keys)) return value;
      const copy = { ...record };
      copy.value = PLACEHOLDER.KEY;
      return copy;
    }
    this.active.push(value);
    try {
      return mapContainer(value, (k, v) => {
        if (k === undefined) return this.cookies(v, depth + 1);
        if (typeof v === "string") return isSensitiveCookie(k, v, keys) ? PLACEHOLDER.KEY : v;
        if (v === null || typeof v === "boolean" || v === undefined) return v;
        return isSensitiveCookie(k, "", keys) ? PLACEHOLDER.KEY : this.walk(v, depth + 1);
      });
    } finally {
      this.active.pop();
    }
  }
}

// Last words of keys that describe a secret rather than hold it: `project_id`, `type`, `token_uri`.
const DESCRIPTOR_WORDS = new Set([
  "id", "ids", "type", "kind", "name", "project", "region", "zone", "location", "uri", "url", "endpoint", "host", "hostname",
  "domain", "port", "version", "scope", "scopes", "issuer", "audience", "algorithm", "alg", "created", "updated", "expires",
  "expiry", "expiration", "status", "enabled", "provider", "email", "description", "label", "at",
]);

function isDescriptorKey(key: string): boolean {
  const words = keyWords(key);
  return DESCRIPTOR_WORDS.has(words[words.length - 1] ?? "");
}

// Keys of a cookie record besides its name and value.
const COOKIE_ATTRIBUTES = new Set(["domain", "path", "expires", "maxage", "max-age", "httponly", "secure", "samesite", "hostonly", "session", "expirationdate"]);

/** Copy-on-write map over an array's items (key undefined) or an object's own keys. */
function mapContainer(value: object, fn: (key: string | undefined, item: unknown) => unknown): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = fn(undefined, item);
      if (copy === undefined && next !== item) copy = value.slice(0, i);
      if (copy !== undefined) copy.push(next);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const ownKeys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < ownKeys.length; i++) {
    const key = ownKeys[i] as string;
    const item = record[key];
    const next = fn(key, item);
    if (copy === undefined && next !== item) {
      copy = {};
      for (let j = 0; j < i; j++) setOwn(copy, ownKeys[j] as string, record[ownKeys[j] as string]);
    }
    if (copy !== undefined) setOwn(copy, key, next);
  }
  return copy ?? value;
}
