import type { WireEvent } from "../event/index.js";

// The batch processor measures every event to respect the ingest's byte limit; sinks that write
// the same JSON reuse that string instead of serialising twice.
const cache = new WeakMap<object, string>();

/** JSON of one event, computed once per event object. Throws on a value JSON cannot represent. */
export function serializeEvent(event: WireEvent): string {
  let text = cache.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    cache.set(event, text);
  }
  return text;
}
