/**
 * yavio-mcp — analytics middleware for Model Context Protocol servers.
 *
 * Anything exported here is public API. Named exports only; types with `export type`.
 */
export { yavio } from "./core/index.js";
export type { ErrorSeverity, ForUserOptions, SessionKeyExtra, WithYavioOptions, YavioContext } from "./core/index.js";
export { InMemorySessionStore } from "./core/index.js";
export type {
  AnalyticsCall,
  ConnectionFacts,
  EndReason,
  OutgoingOutcome,
  OutgoingRequest,
  PluginRequest,
  RequestOutcome,
  SessionStore,
  YavioPlugin,
} from "./core/index.js";
export { getYavio } from "./attach.js";
export type { YavioHandle, YavioStats } from "./attach.js";
export { withYavio } from "./with-yavio.js";
export type {
  Wrapped,
  YavioExtra,
  YavioMcpServer,
  YavioPromptCallback,
  YavioReadResourceCallback,
  YavioReadResourceTemplateCallback,
  YavioToolCallback,
} from "./adapters/sdk-v1/index.js";
export { createScrubber, hashUserId } from "./pii/index.js";
export type { DetectorName, PiiOptions, PiiPattern, Scrubber } from "./pii/index.js";
export { FileSink, MemorySink } from "./delivery/index.js";
export type { SendOptions, SendResult, Sink } from "./delivery/index.js";
export type { ErrorCategory, EventType, Platform, WireEvent } from "./event/index.js";
export { computeReport, computeReportFromFiles, formatReportText, renderReportHtml } from "./report/index.js";
export type { Report } from "./report/index.js";
export { WARNING_CODES, YavioConfigError } from "./warnings/index.js";
export type { LogLevel, WarningCode, WarningLevel, YavioLogger, YavioWarning } from "./warnings/index.js";
export { SDK_VERSION } from "./version.js";
