/**
 * yavio-mcp — analytics middleware for Model Context Protocol servers.
 *
 * Anything exported here is public API. Named exports only; types with `export type`.
 */
export { getYavio, withYavio, yavio } from "./middleware/index.js";
export type {
  ErrorSeverity,
  ForUserOptions,
  SessionKeyExtra,
  WithYavioOptions,
  Wrapped,
  YavioContext,
  YavioExtra,
  YavioHandle,
  YavioMcpServer,
  YavioPromptCallback,
  YavioReadResourceCallback,
  YavioReadResourceTemplateCallback,
  YavioStats,
  YavioToolCallback,
} from "./middleware/index.js";
export { createScrubber, hashUserId } from "./pii/index.js";
export type { DetectorName, PiiOptions, PiiPattern, Scrubber } from "./pii/index.js";
export { FileSink, MemorySink } from "./transport/index.js";
export type { SendOptions, SendResult, Sink } from "./transport/index.js";
export type { ErrorCategory, EventType, Platform, WireEvent } from "./event/index.js";
export { computeReport, computeReportFromFiles, formatReportText, renderReportHtml } from "./report/index.js";
export type { Report } from "./report/index.js";
export { WARNING_CODES, YavioConfigError } from "./warnings/index.js";
export type { LogLevel, WarningCode, WarningLevel, YavioLogger, YavioWarning } from "./warnings/index.js";
export { SDK_VERSION } from "./version.js";
