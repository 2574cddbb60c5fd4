export { computeReport } from "./compute-report.js";
export { ReportInputError, computeReportFromFiles } from "./compute-report-from-files.js";
export type { ComputeReportFromFilesOptions } from "./compute-report-from-files.js";
export { formatReportText } from "./format-text.js";
export { Quantiles } from "./quantiles.js";
export type { QuantilesOptions } from "./quantiles.js";
export { readLines } from "./read-lines.js";
export type { ReadLinesOptions } from "./read-lines.js";
export { renderReportHtml } from "./render-html.js";
export { DEFAULT_TOP, ReportBuilder } from "./report-builder.js";
export type { ReportBuilderOptions } from "./report-builder.js";
export { DEFAULT_EVENT_FILE, USAGE, runCli } from "./run-cli.js";
export type { CliIo } from "./run-cli.js";
export type {
  Activity,
  ActivityBucket,
  BadLineSample,
  ClientRow,
  DurationBucket,
  OtherOperations,
  OtherUsers,
  ReportWindow,
  SessionsPerUser,
  ToolTrend,
  ToolTrendBucket,
  UnexposedTool,
  UnexposedToolSummary,
  ToolExposure,
  ToolExposureSummary,
  ToolIntents,
  UserStats,
  ConversionSummary,
  CurrencyRevenue,
  ErrorCategoryStats,
  FunnelStep,
  InputSummary,
  LatencySummary,
  NameCount,
  OperationStats,
  ParameterFill,
  Report,
  ReportTotals,
  SessionSummary,
  ShareRow,
  TimeToFirstToolCall,
  ToolCallSummary,
  ToolFillRates,
  WarningStats,
} from "./report.js";
