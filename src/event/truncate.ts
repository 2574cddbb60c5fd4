import type { WireEvent } from "./wire-event.js";

/** The ingest refuses events over 50 KB (REFERENCE §2). */
export const MAX_EVENT_BYTES = 50_000;
/** Contract limits on single fields. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048;
export const MAX_NAME_LENGTH = 256;

/** The fields that can be large, cut in this order until the event fits. */
const CUTTABLE = ["output_content", "input_values", "metadata", "user_traits", "input_types", "input_keys"] as const;
const PREVIEW_CHARS = 512;

export interface TruncateOutcome {
  event: WireEvent;
  /** Serialised size before cutting, when the event was cut. */
  cutFrom?: number;
  cutFields?: string[];
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
  let size = byteLength(event);
  if (size <= maxBytes) return { event };
  const original = size;
  const cutFields: string[] = [];
  let out: WireEvent = { ...event };
  for (const field of CUTTABLE) {
    if (size <= maxBytes) break;
    if (out[field] === undefined) continue;
    const json = JSON.stringify(out[field]);
    (out as Record<string, unknown>)[field] = { truncated: true, bytes: Buffer.byteLength(json, "utf8"), preview: json.slice(0, PREVIEW_CHARS) };
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
