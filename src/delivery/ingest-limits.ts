/** The ingest's limits per request (Yavio ingest v1). */
export const INGEST_MAX_BATCH_EVENTS = 1000;
export const INGEST_MAX_BATCH_BYTES = 500 * 1024;
/** Room for `{"events":[...],"sdk_version":"…","sent_at":"…"}` around the events. */
export const ENVELOPE_BYTES = 128;

/**
 * Cuts sized items into runs of at most `INGEST_MAX_BATCH_EVENTS` items whose sizes (plus the
 * envelope) stay within `INGEST_MAX_BATCH_BYTES`. An item too large on its own gets a run of its own.
 */
export function chunkForIngest<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= INGEST_MAX_BATCH_EVENTS || bytes + size > INGEST_MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
