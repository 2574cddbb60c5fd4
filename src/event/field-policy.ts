import type { WireEvent } from "./wire-event.js";

/**
 * The one policy for every field of an outgoing event: what is scrubbed for PII and how.
 *
 * - `id`: identifies or orders the event (ids, timestamps, enums, numbers). Never scrubbed, never
 *   truncated: the store joins and deduplicates on them.
 * - `keys`: names that describe the call (argument names, their types). Never redacted for being
 *   sensitive-sounding — a `token` argument's type stays `"string"` — but each name is scrubbed as
 *   text, so an e-mail address used as a key does not leave the process.
 * - `text`: a string scrubbed by the text detectors.
 * - `value`: any JSON value, scrubbed by the value walk (sensitive keys, nested text).
 * - `schema`: a JSON Schema the host wrote (`tool_discovery`'s `input_schema`): every key and
 *   string scrubbed as text, but a property named `password` keeps its sub-schema — it describes
 *   an argument, it holds no secret.
 *
 * A field not named here is a `value`: a new field can never go out unscrubbed by accident.
 */
export type FieldPolicy = "id" | "keys" | "text" | "value" | "schema";

const POLICY: Readonly<Record<string, FieldPolicy>> = {
  event_id: "id",
  event_type: "id",
  trace_id: "id",
  session_id: "id",
  timestamp: "id",
  source: "id",
  sdk_version: "id",
  platform: "id",
  user_id: "id",
  status: "id",
  error_category: "id",
  latency_ms: "id",
  step_sequence: "id",
  connection_duration_ms: "id",
  conversion_value: "id",
  input_keys: "keys",
  input_types: "keys",
  event_name: "text",
  tool_name: "text",
  error_message: "text",
  client_name: "text",
  client_version: "text",
  protocol_version: "text",
  transport: "text",
  conversion_currency: "text",
  intent: "text",
  description: "text",
  input_schema: "schema",
  user_traits: "value",
  metadata: "value",
  input_values: "value",
  output_content: "value",
};

/** The policy of one field; anything unknown is scrubbed as a value. */
export function fieldPolicy(field: string): FieldPolicy {
  return Object.hasOwn(POLICY, field) ? POLICY[field]! : "value";
}

/** The fields that are never scrubbed or truncated. */
export const ID_FIELDS: ReadonlySet<string> = new Set(Object.keys(POLICY).filter((key) => POLICY[key] === "id"));

/** What the policy needs of a scrubber (the PII module's `Scrubber` satisfies it). */
export interface FieldScrubber {
  text(input: string): string;
  value<T>(input: T): T;
}

/**
 * Applies the policy to one event, copy-on-write: the input is never changed, and an event with
 * nothing to scrub comes back as the same object. Throws if the scrubber throws (the caller fails
 * closed and drops the event).
 */
export function scrubEvent(wire: WireEvent, scrubber: FieldScrubber, traitsMemo?: WeakMap<object, unknown>): WireEvent {
  let out: WireEvent | undefined;
  // for…in rather than Object.keys(): no array per event. A wire event is a plain object, so the
  // own check only guards against a polluted prototype.
  for (const key in wire) {
    if (!Object.hasOwn(wire, key)) continue;
    const value = wire[key];
    if (value === undefined || value === null || typeof value === "number" || typeof value === "boolean") continue;
    const policy = fieldPolicy(key);
    if (policy === "id") continue;
    let scrubbed: unknown;
    if (typeof value === "string") scrubbed = scrubber.text(value);
    else if (policy === "keys") scrubbed = scrubKeys(value, scrubber);
    else if (policy === "schema") scrubbed = scrubSchema(value, scrubber, 0);
    else if (key === "user_traits" && traitsMemo !== undefined && typeof value === "object") scrubbed = rememberedScrub(value, scrubber, traitsMemo);
    else scrubbed = scrubber.value(value);
    if (scrubbed !== value) {
      out ??= { ...wire };
      out[key] = scrubbed;
    }
  }
  return out ?? wire;
}

function rememberedScrub(value: object, scrubber: FieldScrubber, memo: WeakMap<object, unknown>): unknown {
  if (memo.has(value)) return memo.get(value);
  const scrubbed = scrubber.value(value);
  memo.set(value, scrubbed);
  return scrubbed;
}

/** Strings of at most this length are remembered by the event scrubber: names, not free text. */
const MEMO_MAX_CHARS = 64;
/** Names remembered at most; past it the memo starts afresh. */
const MEMO_SIZE = 1024;

/**
 * `scrubEvent` for a stream of events, remembering what repeats from one event to the next:
 * short strings — tool, event and argument names, client names — by value, and the session's
 * traits by identity (a traits snapshot is never changed: the session replaces it). Scrubbing is a
 * function of its input alone, so a remembered answer is the answer; values of the host's
 * arguments and results are scrubbed afresh every time.
 */
export function createEventScrubber(scrubber: FieldScrubber): (wire: WireEvent) => WireEvent {
  const names = new Map<string, string>();
  const traits = new WeakMap<object, unknown>();
  const remembering: FieldScrubber = {
    text(input) {
      if (input.length > MEMO_MAX_CHARS) return scrubber.text(input);
      let out = names.get(input);
      if (out === undefined) {
        out = scrubber.text(input);
        if (names.size >= MEMO_SIZE) names.clear();
        names.set(input, out);
      }
      return out;
    },
    value: (input) => scrubber.value(input),
  };
  return (wire) => scrubEvent(wire, remembering, traits);
}

/** Argument names (an array) or names → types (an object): names as text, types untouched. */
function scrubKeys(value: unknown, scrubber: FieldScrubber): unknown {
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let out: unknown[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const next = typeof item === "string" ? scrubber.text(item) : item;
      if (next !== item) (out ??= [...items])[i] = next;
    }
    return out ?? value;
  }
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const type = record[name];
    const cleanName = scrubber.text(name);
    const cleanType = typeof type === "string" ? type : scrubber.value(type);
    if (out === undefined && (cleanName !== name || cleanType !== type)) {
      // Copy-on-write: the names before this one were unchanged.
      out = {};
      for (let j = 0; j < i; j++) defineOwn(out, names[j]!, record[names[j]!]);
    }
    if (out !== undefined) defineOwn(out, cleanName, cleanType);
  }
  return out ?? value;
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Past this depth a schema is cut to a marker string: the SDKs' schemas are far shallower. */
const MAX_SCHEMA_DEPTH = 32;

/** Keys and strings of a JSON Schema as text, copy-on-write; numbers, booleans and structure kept. */
function scrubSchema(value: unknown, scrubber: FieldScrubber, depth: number): unknown {
  if (typeof value === "string") return scrubber.text(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_SCHEMA_DEPTH) return "[too deep]";
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let out: unknown[] | undefined;
    items.forEach((item, i) => {
      const next = scrubSchema(item, scrubber, depth + 1);
      if (next !== item) (out ??= [...items])[i] = next;
    });
    return out ?? value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const cleanKey = scrubber.text(key);
    const next = scrubSchema(item, scrubber, depth + 1);
    if (cleanKey !== key || next !== item) changed = true;
    Object.defineProperty(out, cleanKey, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : value;
}
