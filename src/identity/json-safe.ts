/**
 * Makes arbitrary user values safe to serialise: functions and symbols dropped, BigInt → string,
 * Date → ISO string, circular references → "[Circular]", Map/Set → object/array, depth capped.
 * Returns a new value; the input is never modified.
 */
export function toJsonSafe(value: unknown, maxDepth = 16): unknown {
  return walk(value, maxDepth, new Set<object>());
}

function walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (ancestors.has(obj)) return "[Circular]";
  if (depth <= 0) return "[MaxDepth]";
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((item) => {
        const safe = walk(item, depth - 1, ancestors);
        return safe === undefined ? null : safe;
      });
    }
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of obj) setSafe(out, String(k), walk(v, depth - 1, ancestors));
      return out;
    }
    if (obj instanceof Set) return [...obj].map((v) => walk(v, depth - 1, ancestors) ?? null);
    if (ArrayBuffer.isView(obj)) return `[binary:${obj.byteLength}]`;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      try {
        return walk((toJSON as () => unknown).call(obj), depth - 1, ancestors);
      } catch {
        return "[Unserializable]";
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        continue; // a throwing getter: skip the field
      }
      setSafe(out, key, walk(v, depth - 1, ancestors));
    }
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

function setSafe(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return;
  // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True for `{}` literals and `Object.create(null)` objects; false for arrays, class instances, null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
