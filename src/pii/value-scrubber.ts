import { binaryMarkerOfObject, binaryMarkerOfString } from "./binary.js";
import { PLACEHOLDER } from "./placeholders.js";
import type { KeyClassifier } from "./sensitive-keys.js";

export const CIRCULAR = "[Circular]";
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

/** A value under a sensitive key: anything that can carry data is replaced; flags and empties stay. */
function redactUnderKey(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === "boolean" || value === "") return value;
  return PLACEHOLDER.KEY;
}

/**
 * Builds the copy-on-write walker. A container is copied only once one of its members changed, so
 * an untouched payload comes back as the very same reference and nothing is ever written to the
 * caller's objects. Shared sub-objects are scrubbed once; a reference back to an ancestor becomes
 * `"[Circular]"` (JSON could not carry it anyway), anything deeper than `maxDepth` `"[MaxDepth]"`.
 */
export function createValueScrubber(options: WalkOptions): (input: unknown) => unknown {
  const { text, keys, maxDepth } = options;
  const keyCache = new Map<string, string>();

  function scrubKey(key: string): string {
    const hit = keyCache.get(key);
    if (hit !== undefined) return hit;
    const out = text(key);
    if (keyCache.size >= 4096) keyCache.clear();
    keyCache.set(key, out);
    return out;
  }

  function scrubString(value: string): string {
    if (value.length >= 256 || value.startsWith("data:")) {
      const marker = binaryMarkerOfString(value);
      if (marker !== undefined) return marker;
    }
    return text(value);
  }

  return (input) => {
    const active = new Set<object>();
    const done = new Map<object, unknown>();

    function walk(value: unknown, depth: number): unknown {
      if (typeof value === "string") return scrubString(value);
      if (typeof value !== "object" || value === null) return value;
      if (active.has(value)) return CIRCULAR;
      if (done.has(value)) return done.get(value);
      if (depth >= maxDepth) return MAX_DEPTH_MARKER;
      const binary = binaryMarkerOfObject(value);
      if (binary !== undefined) return binary;
      if (value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set) return value;

      active.add(value);
      let result: unknown;
      try {
        const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === "function") result = walkJson(value, toJSON, depth);
        else result = Array.isArray(value) ? walkArray(value, depth) : walkObject(value as Record<string, unknown>, depth);
      } finally {
        active.delete(value);
      }
      done.set(value, result);
      return result;
    }

    /**
     * JSON.stringify sends what `toJSON()` returns, not the own keys (class instances with private
     * fields, URL, Decimal…), so that is what gets scrubbed. When it needs no change the instance
     * itself comes back; a throwing `toJSON` leaves the own keys to scrub.
     */
    function walkJson(value: object, toJSON: unknown, depth: number): unknown {
      let json: unknown = value;
      try {
        json = (toJSON as (this: object, key: string) => unknown).call(value, "");
      } catch {
        // JSON.stringify will throw on it the same way; scrubbing the own keys is the best left.
      }
      if (json === value) return Array.isArray(value) ? walkArray(value, depth) : walkObject(value as Record<string, unknown>, depth);
      const next = walk(json, depth);
      return next === json ? value : next;
    }

    function walkArray(array: readonly unknown[], depth: number): unknown {
      let copy: unknown[] | undefined;
      for (let i = 0; i < array.length; i++) {
        const item = array[i];
        const next = walk(item, depth + 1);
        if (copy === undefined && next !== item) copy = array.slice(0, i);
        if (copy !== undefined) copy.push(next);
      }
      return copy ?? array;
    }

    function walkObject(object: Record<string, unknown>, depth: number): unknown {
      const ownKeys = Object.keys(object);
      let copy: Record<string, unknown> | undefined;
      for (let i = 0; i < ownKeys.length; i++) {
        const key = ownKeys[i] as string;
        const item = object[key];
        const next = keys.kind(key) !== undefined ? redactUnderKey(item) : walk(item, depth + 1);
        const outKey = scrubKey(key);
        if (copy === undefined && (next !== item || outKey !== key)) {
          copy = {};
          for (let j = 0; j < i; j++) {
            const k = ownKeys[j] as string;
            setOwn(copy, scrubKey(k), object[k]);
          }
        }
        if (copy !== undefined) setOwn(copy, outKey, next);
      }
      return copy ?? object;
    }

    return walk(input, 0);
  };
}
