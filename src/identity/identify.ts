import { boundForQueue } from "../event/index.js";
import { isPlainObject, toJsonSafe } from "./json-safe.js";
import type { SessionState, Traits } from "./session.js";

/** userId limit: the ingest allows 256, and we keep one in reserve. */
export const MAX_USER_ID_LENGTH = 255;
/** Serialised size above which a traits object is cut (keys dropped, newest first). */
export const MAX_TRAITS_BYTES = 16 * 1024;

/** What an identify call did, for the caller to turn into an event and warnings. */
export type IdentifyOutcome =
  | { kind: "invalid"; reason: string }
  | { kind: "conflict"; current: string; attempted: string }
  | {
      kind: "applied";
      /** True when the userId was set by this call. */
      userIdSet: boolean;
      /** True when the traits differ from before. */
      traitsChanged: boolean;
      /** Problems that did not stop the call (non-object traits, oversized traits). */
      notes: IdentifyNote[];
      /** The call's traits, JSON-safe (before the merge), if it had any. */
      incoming?: Readonly<Record<string, unknown>> | undefined;
    };

export type IdentifyNote =
  | { kind: "traits-not-object"; type: string }
  | { kind: "traits-cut"; droppedKeys: string[]; droppedCount: number; bytes: number };

/** Dropped trait names listed in a note; the rest are only counted. */
const LISTED_DROPPED_KEYS = 20;

/** Checks a userId by the rules: a non-empty, non-blank string of at most 255 characters. */
export function validateUserId(userId: unknown): string | undefined {
  if (typeof userId !== "string") return `userId must be a string, got ${describeType(userId)}`;
  if (userId.trim().length === 0) return "userId must not be empty or whitespace";
  if (userId.length > MAX_USER_ID_LENGTH) return `userId is ${userId.length} characters; at most ${MAX_USER_ID_LENGTH}`;
  return undefined;
}

/**
 * Applies an identify call to a session by the identity rules:
 * - an invalid userId → nothing changes;
 * - the first valid userId sets it; the same again merges traits; a different one changes nothing;
 * - traits merge shallowly, later value wins, values made JSON-safe, oversized traits cut.
 */
export function applyIdentify(session: SessionState, userId: unknown, traits: unknown): IdentifyOutcome {
  const invalid = validateUserId(userId);
  if (invalid !== undefined) return { kind: "invalid", reason: invalid };
  const id = userId as string;
  if (session.userId !== undefined && session.userId !== id) {
    return { kind: "conflict", current: session.userId, attempted: id };
  }
  // A handler that identifies on every call, with the same traits: nothing to copy or compare deeply.
  if (session.userId === id && holdsSameTraits(session.traits, traits)) return UNCHANGED;
  const notes: IdentifyNote[] = [];
  let incoming: Record<string, unknown> | undefined;
  if (traits !== undefined && traits !== null) {
    if (isPlainObject(traits)) incoming = toJsonSafe(precut(traits, notes)) as Record<string, unknown>;
    else notes.push({ kind: "traits-not-object", type: describeType(traits) });
  }
  const userIdSet = session.userId === undefined;
  session.userId = id;
  let traitsChanged = false;
  if (incoming !== undefined) {
    const merged = mergeTraits(session.traits, incoming, notes);
    if (merged !== session.traits) {
      session.traits = merged;
      traitsChanged = true;
    }
  }
  return { kind: "applied", userIdSet, traitsChanged, notes, incoming };
}

const UNCHANGED: IdentifyOutcome = Object.freeze({ kind: "applied", userIdSet: false, traitsChanged: false, notes: Object.freeze([]) as unknown as IdentifyNote[] });

/**
 * True when merging `traits` would change nothing: a plain object whose every value is a JSON
 * primitive (what the JSON-safe copy keeps as it is) already held under the same key.
 */
function holdsSameTraits(current: Traits, traits: unknown): boolean {
  if (traits === undefined || traits === null) return true;
  if (!isPlainObject(traits)) return false;
  for (const key of Object.keys(traits)) {
    const value = traits[key];
    const primitive = typeof value === "string" || typeof value === "boolean" || value === null || (typeof value === "number" && Number.isFinite(value));
    if (!primitive || !Object.hasOwn(current, key) || current[key] !== value) return false;
  }
  return true;
}

/**
 * Runs on the tool's path before anything copies the traits: keeps the leading keys whose size
 * can fit, judged by a cheap lower bound (a string value by its length, an object value by a
 * bounded scan), so a 200 000-key or 10 MB traits object costs a few thousand steps, not a walk.
 * What this keeps is cut exactly by `mergeTraits`.
 */
function precut(traits: Record<string, unknown>, notes: IdentifyNote[]): Record<string, unknown> {
  const keys = Object.keys(traits);
  let size = 2;
  let i = 0;
  for (; i < keys.length; i++) {
    const key = keys[i]!;
    const value = traits[key];
    let valueBytes = 1;
    if (typeof value === "string") valueBytes = value.length + 2;
    else if (value !== null && typeof value === "object") {
      const bounded = boundForQueue(value, MAX_TRAITS_BYTES);
      if (bounded !== value) break;
    }
    size += key.length + 3 + valueBytes;
    if (size > MAX_TRAITS_BYTES) break;
  }
  if (i === keys.length) return traits;
  const kept: Record<string, unknown> = {};
  for (let k = 0; k < i; k++) define(kept, keys[k]!, traits[keys[k]!]);
  const dropped = keys.length - i;
  notes.push({ kind: "traits-cut", droppedKeys: keys.slice(i, i + LISTED_DROPPED_KEYS), droppedCount: dropped, bytes: size });
  return kept;
}

/**
 * Returns `current` itself when nothing changes, so "did the traits change" is an identity check
 * and old events keep the snapshot they were given.
 */
export function mergeTraits(current: Traits, incoming: Record<string, unknown>, notes: IdentifyNote[] = []): Traits {
  const changed: string[] = [];
  for (const key of Object.keys(incoming)) {
    if (!Object.hasOwn(current, key) || !sameJson(current[key], incoming[key])) changed.push(key);
  }
  if (changed.length === 0) return current;
  const next = copy(current);
  for (const key of changed) define(next, key, incoming[key]);
  const bytes = jsonBytes(next);
  if (bytes > MAX_TRAITS_BYTES) {
    // Undo this call's changes, last key first, until it fits: what the session had stays. Each
    // key's share of the size is computed once, so cutting stays linear in the traits' size.
    let size = bytes;
    const dropped: string[] = [];
    while (changed.length > 0 && size > MAX_TRAITS_BYTES - 2) { // 2 bytes of slack: the last entry has no comma
      const key = changed.pop()!;
      size -= entryBytes(key, next[key]);
      if (Object.hasOwn(current, key)) {
        define(next, key, current[key]);
        size += entryBytes(key, current[key]);
      } else {
        delete next[key];
      }
      dropped.push(key);
    }
    const earlier = notes.find((note) => note.kind === "traits-cut");
    if (earlier === undefined) notes.push({ kind: "traits-cut", droppedKeys: dropped.slice(0, LISTED_DROPPED_KEYS), droppedCount: dropped.length, bytes });
    else {
      // precut() already dropped the tail: one note for the whole call.
      earlier.droppedKeys = [...dropped, ...earlier.droppedKeys].slice(0, LISTED_DROPPED_KEYS);
      earlier.droppedCount += dropped.length;
      earlier.bytes = Math.max(earlier.bytes, bytes);
    }
    if (changed.length === 0) return current;
  }
  return Object.freeze(next);
}

/** Bytes one `"key":value,` entry takes in the serialised object. */
function entryBytes(key: string, value: unknown): number {
  return Buffer.byteLength(JSON.stringify(key), "utf8") + 1 + Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8") + 1;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function copy(traits: Traits): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(traits)) define(out, key, traits[key]);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
