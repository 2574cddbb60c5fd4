import { YavioConfigError } from "../warnings/index.js";

/**
 * The built-in text detectors. Each can be turned off on its own with `detectors: { NAME: false }`.
 *
 * - `EMAIL` → `[EMAIL_REDACTED]`
 * - `PHONE` (North American and international `+CC` numbers) → `[PHONE_REDACTED]`
 * - `CREDIT_CARD` (Luhn-valid, real issuer prefix and length) → `[CC_REDACTED]`
 * - `US_SSN` → `[SSN_REDACTED]`
 * - `IBAN` (mod-97 valid, country length) → `[IBAN_REDACTED]`
 * - `IP` (IPv4 and IPv6) → `[IP_REDACTED]`
 * - `SECRET` (API keys, tokens, JWTs, private keys, URL passwords, `password=` pairs) → `[SECRET_REDACTED]`
 */
export type DetectorName = "EMAIL" | "PHONE" | "CREDIT_CARD" | "US_SSN" | "IBAN" | "IP" | "SECRET";

export const DETECTOR_NAMES: readonly DetectorName[] = ["EMAIL", "PHONE", "CREDIT_CARD", "US_SSN", "IBAN", "IP", "SECRET"];

/** A user pattern: every match in a string is replaced by `replacement` (default `[<NAME>_REDACTED]`). */
export interface PiiPattern {
  name: string;
  pattern: RegExp | string;
  replacement?: string;
}

/**
 * Options of {@link createScrubber}. All optional; everything is on by default.
 *
 * @example
 * const options: PiiOptions = {
 *   detectors: { IP: false },
 *   patterns: [{ name: "order", pattern: /\bORD-\d{6}\b/ }],
 *   sensitiveKeys: { add: ["pin"], remove: ["email"] },
 *   maxDepth: 16,
 * };
 */
export interface PiiOptions {
  /** Turn single detectors off (`false`). Default: all on. */
  detectors?: Partial<Record<DetectorName, boolean>>;
  /** Extra patterns, applied before the built-in detectors. Default: none. */
  patterns?: PiiPattern[];
  /** Keys whose values are redacted whatever they hold; names are normalised (case, `_`, `-` ignored). */
  sensitiveKeys?: { add?: string[]; remove?: string[] };
  /** Objects nested deeper than this are replaced by `"[MaxDepth]"`. Default 32. */
  maxDepth?: number;
  /** Carried for the middleware, which hashes `user_id` with `hashUserId` when true. Default false. */
  hashUserIds?: boolean;
}

export interface CompiledPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly replacement: string;
}

export interface ResolvedPiiOptions {
  readonly detectors: ReadonlySet<DetectorName>;
  readonly patterns: readonly CompiledPattern[];
  readonly addKeys: readonly string[];
  readonly removeKeys: readonly string[];
  readonly maxDepth: number;
  readonly hashUserIds: boolean;
}

const TOP_LEVEL_KEYS = new Set(["detectors", "patterns", "sensitiveKeys", "maxDepth", "hashUserIds"]);
export const DEFAULT_MAX_DEPTH = 32;

function fail(message: string, cause?: unknown): never {
  throw new YavioConfigError("YAVIO-1003", `pii: ${message}`, cause === undefined ? undefined : { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${where} must be an array of strings`);
  return value.map((item, i) => {
    if (typeof item !== "string" || item.trim() === "") fail(`${where}[${i}] must be a non-empty string`);
    return item;
  });
}

function compilePattern(raw: unknown, index: number): CompiledPattern {
  const where = `patterns[${index}]`;
  if (!isRecord(raw)) fail(`${where} must be an object { name, pattern, replacement? }`);
  const { name, pattern, replacement } = raw;
  if (typeof name !== "string" || !/^[A-Za-z][\w-]{0,63}$/.test(name)) {
    fail(`${where}.name must be 1-64 letters, digits, _ or -, starting with a letter`);
  }
  if (replacement !== undefined && typeof replacement !== "string") fail(`${where}.replacement must be a string`);
  let regex: RegExp;
  try {
    if (pattern instanceof RegExp) {
      // Always global (replace every match) and never sticky (would only match at lastIndex).
      const flags = pattern.flags.replace(/[gy]/g, "");
      regex = new RegExp(pattern.source, `${flags}g`);
    } else if (typeof pattern === "string" && pattern !== "") {
      regex = new RegExp(pattern, "g");
    } else {
      fail(`${where}.pattern must be a RegExp or a non-empty string`);
    }
  } catch (error) {
    if (error instanceof Error && error.name === "YavioConfigError") throw error;
    fail(`${where}.pattern is not a valid regular expression`, error);
  }
  regex.lastIndex = 0;
  // A pattern that matches nothing-at-all would insert its replacement between every character.
  if (regex.test("")) fail(`${where}.pattern matches the empty string`);
  regex.lastIndex = 0;
  return { name, regex, replacement: replacement ?? `[${name.toUpperCase()}_REDACTED]` };
}

/** Validates and normalises options once, at construction. Throws `YavioConfigError("YAVIO-1003")`. */
export function resolveOptions(options: unknown): ResolvedPiiOptions {
  if (options === undefined) options = {};
  if (!isRecord(options)) fail("options must be an object");
  for (const key of Object.keys(options)) {
    if (!TOP_LEVEL_KEYS.has(key)) fail(`unknown option "${key}"`);
  }

  const detectors = new Set<DetectorName>(DETECTOR_NAMES);
  if (options.detectors !== undefined) {
    if (!isRecord(options.detectors)) fail("detectors must be an object of booleans");
    for (const [name, on] of Object.entries(options.detectors)) {
      if (!(DETECTOR_NAMES as readonly string[]).includes(name)) {
        fail(`unknown detector "${name}" (known: ${DETECTOR_NAMES.join(", ")})`);
      }
      if (on === undefined) continue;
      if (typeof on !== "boolean") fail(`detectors.${name} must be a boolean`);
      if (!on) detectors.delete(name as DetectorName);
    }
  }

  if (options.patterns !== undefined && !Array.isArray(options.patterns)) fail("patterns must be an array");
  const patterns = ((options.patterns as unknown[] | undefined) ?? []).map(compilePattern);

  let addKeys: string[] = [];
  let removeKeys: string[] = [];
  if (options.sensitiveKeys !== undefined) {
    if (!isRecord(options.sensitiveKeys)) fail("sensitiveKeys must be an object { add?, remove? }");
    for (const key of Object.keys(options.sensitiveKeys)) {
      if (key !== "add" && key !== "remove") fail(`unknown sensitiveKeys option "${key}"`);
    }
    addKeys = stringList(options.sensitiveKeys.add, "sensitiveKeys.add");
    removeKeys = stringList(options.sensitiveKeys.remove, "sensitiveKeys.remove");
  }

  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (typeof maxDepth !== "number" || !Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 1000) {
    fail("maxDepth must be an integer between 1 and 1000");
  }

  const hashUserIds = options.hashUserIds ?? false;
  if (typeof hashUserIds !== "boolean") fail("hashUserIds must be a boolean");

  return { detectors, patterns, addKeys, removeKeys, maxDepth, hashUserIds };
}
