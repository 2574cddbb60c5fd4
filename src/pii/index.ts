/**
 * PII and secret scrubbing for everything that leaves the process. Knows nothing of MCP: it takes
 * strings and values and gives back scrubbed copies.
 */
export { createScrubber } from "./scrubber.js";
export type { Scrubber } from "./scrubber.js";
export { DETECTOR_NAMES } from "./options.js";
export type { DetectorName, PiiOptions, PiiPattern } from "./options.js";
export { looksLikeContactInfo } from "./contact-info.js";
export { hashUserId } from "./hash-user-id.js";
export { PLACEHOLDER } from "./placeholders.js";
