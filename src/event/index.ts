export { EventRecord } from "./event-record.js";
export { newEventId } from "./event-id.js";
export type { EventGate, EventIdentity, EventSubject, WireBuilder } from "./event-record.js";
export { boundForQueue, MAX_ERROR_MESSAGE_LENGTH, MAX_EVENT_BYTES, MAX_NAME_LENGTH, truncateEvent } from "./truncate.js";
export type { TruncateOutcome } from "./truncate.js";
export { createEventScrubber, fieldPolicy, ID_FIELDS, scrubEvent } from "./field-policy.js";
export type { FieldPolicy, FieldScrubber } from "./field-policy.js";
export type { ErrorCategory, EventType, Platform, QueuedEvent, WireEvent } from "./wire-event.js";
