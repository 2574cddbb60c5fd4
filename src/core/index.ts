export { inertContext, RequestContext, requestStorage, setLatestRuntime, SlotContext, yavio } from "./context.js";
export type { ErrorSeverity, ForUserOptions, YavioContext } from "./context.js";
export { categorizeError } from "./error-category.js";
export type { ResolvedCoreOptions, SessionKeyExtra, WithYavioOptions } from "./options.js";
export { detectPlatform } from "./platform.js";
export { errorText, Runtime, SessionSlot } from "./runtime.js";
