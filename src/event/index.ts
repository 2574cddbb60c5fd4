export { ID_FIELDS } from "./wire-event.js";
export type { ErrorCategory, EventType, Platform, QueuedEvent, WireEvent } from "./wire-event.js";
