export { applyIdentify, MAX_TRAITS_BYTES, MAX_USER_ID_LENGTH, mergeTraits, validateUserId } from "./identify.js";
export type { IdentifyNote, IdentifyOutcome } from "./identify.js";
export { isPlainObject, toJsonSafe } from "./json-safe.js";
export { SessionState } from "./session.js";
export type { ClientInfo, Traits } from "./session.js";
export { deriveSessionId, newSessionId, newTraceId, SESSION_ID_PATTERN } from "./session-id.js";
