export { WARNING_CODES } from "./codes.js";
export type { WarningCode } from "./codes.js";
export { createWarner, onceWarner, stderrLogger } from "./warner.js";
export type { LogLevel, Warn, WarnerOptions, WarningInput, WarningLevel, YavioLogger, YavioWarning } from "./warner.js";
export { YavioConfigError } from "./errors.js";
