import type { WireEvent } from "./wire-event.js";

/** The ingest refuses events over 50 KB (REFERENCE §2). */
export const MAX_EVENT_BYTES = 50_000;
/** Contract limits on single fields. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048;
export const MAX_NAME_LENGTH = 256;

/** The fields that can be large, cut in this order until the event fits. */
const CUTTABLE = ["output_content", "input_schema", "input_values", "metadata", "user_traits", "input_types", "input_keys"] as const;
const PREVIEW_CHARS = 512;

export interface TruncateOutcome {
  event: WireEvent;
  /** Serialised size before cutting, when the event was cut. */
  cutFrom?: number;
  cutFields?: string[];
  /**
   * The JSON of `event` as measured, when it was not cut: a caller that sends the event unchanged
   * can reuse it instead of serialising the event a second time.
   */
  json?: string;
}

/**
 * Cuts an event to the ingest's limits. Oversized fields are replaced by a marker object
 * `{ truncated: true, bytes, preview }` so a reader sees that something was there and how big.
 */
export function truncateEvent(event: WireEvent, maxBytes = MAX_EVENT_BYTES): TruncateOutcome {
  if (typeof event.error_message === "string" && event.error_message.length > MAX_ERROR_MESSAGE_LENGTH) {
    event = { ...event, error_message: `${event.error_message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 14)}…[truncated]` };
  }
  if (typeof event.event_name === "string" && event.event_name.length > MAX_NAME_LENGTH) {
    event = { ...event, event_name: event.event_name.slice(0, MAX_NAME_LENGTH) };
  }
  if (typeof event.tool_name === "string" && event.tool_name.length > MAX_NAME_LENGTH) {
    event = { ...event, tool_name: event.tool_name.slice(0, MAX_NAME_LENGTH) };
  }
  const json = JSON.stringify(event);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: a short event needs no exact count.
  if (json.length * 3 <= maxBytes) return { event, json };
  let size = Buffer.byteLength(json, "utf8");
  if (size <= maxBytes) return { event, json };
  const original = size;
  const cutFields: string[] = [];
  let out: WireEvent = { ...event };
  for (const field of CUTTABLE) {
    if (size <= maxBytes) break;
    if (out[field] === undefined) continue;
    const fieldJson = JSON.stringify(out[field]);
    (out as Record<string, unknown>)[field] = { truncated: true, bytes: Buffer.byteLength(fieldJson, "utf8"), preview: fieldJson.slice(0, PREVIEW_CHARS) };
    cutFields.push(field);
    size = byteLength(out);
  }
  if (size > maxBytes) {
    // Only unknown extra fields are left to blame: keep the ids and the core fields.
    const core: WireEvent = {
      event_id: out.event_id,
      event_type: out.event_type,
      trace_id: out.trace_id,
      session_id: out.session_id,
      timestamp: out.timestamp,
      source: out.source,
      sdk_version: out.sdk_version,
    };
    for (const key of ["event_name", "platform", "user_id", "status", "latency_ms", "error_category"] as const) {
      if (out[key] !== undefined) core[key] = out[key] as never;
    }
    core.metadata = { truncated: true, bytes: original };
    out = core;
    cutFields.push("*");
  }
  return { event: out, cutFrom: original, cutFields };
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

// A node costs at least ~5 bytes serialised: past 10 000 the value is at the 50 KB limit anyway.
const SCAN_NODES = 10_000;
/** Objects remembered in a list before a set takes over (a list search is cheaper for a few). */
const SMALL_SEEN = 16;

/**
 * Called on the tool's path when an event keeps a reference to the host's arguments or result:
 * a bounded scan (at most SCAN_NODES values) that estimates the serialised size — strings by
 * length, numbers by their digits, keys and punctuation too. A value surely over the event limit,
 * or too large to judge within the budget, is replaced now by the marker it would get at export
 * anyway, so the queue never holds megabytes of the host's data. Anything else is kept by
 * reference and measured exactly later, off the tool's path.
 */
export function boundForQueue(value: unknown, maxBytes = MAX_EVENT_BYTES): unknown {
  if (value === null || typeof value !== "object") {
    if (typeof value === "string" && value.length > maxBytes) return marker(value.length, value);
    return value;
  }
  let size = 0;
  // The first string met, whose start becomes the marker's preview: copied only if a marker is made.
  let first: string | undefined;
  let budget = SCAN_NODES;
  const stack: unknown[] = [value];
  // Each object is counted once: a circular value serialises as a short "[Circular]" marker. Most
  // values hold a few objects (an argument object, a content list of one or two items): they are
  // remembered in a short list, and in a set only past SMALL_SEEN.
  const seen: object[] = [value];
  let seenSet: Set<object> | undefined;
  let atRoot = true;
  while (stack.length > 0) {
    if (--budget < 0) return marker(size, first);
    const item = stack.pop();
    if (atRoot) {
      atRoot = false;
    } else if (item !== null && typeof item === "object") {
      if (seenSet !== undefined ? seenSet.has(item) : seen.includes(item)) {
        size += 12;
        continue;
      }
      if (seenSet !== undefined) seenSet.add(item);
      else if (seen.push(item) > SMALL_SEEN) seenSet = new Set(seen);
    }
    if (typeof item === "string") {
      size += item.length + 2;
      first ??= item;
    } else if (typeof item === "number" || typeof item === "boolean" || typeof item === "bigint") {
      size += 6;
    } else if (item !== null && typeof item === "object") {
      if (ArrayBuffer.isView(item)) {
        size += item.byteLength;
      } else if (Array.isArray(item)) {
        // Every element costs at least a byte and a comma: a long array is judged by its length.
        size += item.length * 2 + 2;
        if (size > maxBytes) return marker(size, first);
        for (let i = 0; i < item.length && i <= budget; i++) stack.push(item[i]);
      } else {
        // for…in with an own check rather than Object.keys(): no array per object.
        size += 2;
        let pushed = 0;
        for (const key in item) {
          if (!Object.hasOwn(item, key)) continue;
          size += key.length + 4;
          if (size > maxBytes) return marker(size, first);
          if (pushed++ > budget) break;
          stack.push((item as Record<string, unknown>)[key]);
        }
      }
    }
    if (size > maxBytes) return marker(size, first);
  }
  return value;
}

/**
 * The first PREVIEW_CHARS characters as a string of their own. A plain slice() of a long string
 * is a view that keeps the whole parent alive: a 2 MB argument would stay in memory for the sake
 * of its 512-character preview.
 */
function detachedPrefix(value: string): string {
  if (value.length <= PREVIEW_CHARS) return value;
  // A round trip through a buffer makes a flat copy of the code units (a split surrogate pair
  // included), in one native step.
  return Buffer.from(value.slice(0, PREVIEW_CHARS), "utf16le").toString("utf16le");
}

/** The marker a value gets in place of itself; its preview is the start of `first`, its first string. */
function marker(bytes: number, first: string | undefined): { truncated: true; bytes: number; preview: string } {
  return { truncated: true, bytes, preview: detachedPrefix(first ?? "") };
}
