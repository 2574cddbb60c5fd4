/**
 * The numbers `yavio-mcp report` computes from event files. Plain JSON: rates are fractions in
 * [0, 1], durations are milliseconds, and a figure that has no denominator or no data is `null`
 * rather than 0 or NaN. Lists are sorted (largest first unless said otherwise) so output is stable.
 */
export interface Report {
  /** One entry per input (file or stream), in the order read. */
  inputs: InputSummary[];
  totals: ReportTotals;
  /** The first few bad lines, so a user can go and look. */
  badLineSamples: BadLineSample[];
  /** Earliest and latest event timestamp (ISO), or null without any parseable timestamp. */
  timeRange: { first: string | null; last: string | null };
  sessions: SessionSummary;
  /** Distinct `user_id` values over all events. */
  identifiedUsers: number;
  toolCalls: ToolCallSummary;
  /** Every tool, by calls (desc) then name. The first ones are the "top tools". */
  tools: OperationStats[];
  /** Tool-call errors by category, by count (desc). */
  errorCategories: ErrorCategoryStats[];
  /** Resource reads, grouped by `metadata.resource_name` when present, else by URI. */
  resources: OperationStats[];
  prompts: OperationStats[];
  /** Sessions per platform ("unknown" when no event of the session named one). */
  platforms: ShareRow[];
  /** Sessions per transport, from `session_start` ("unknown" without one). */
  transports: ShareRow[];
  timeToFirstToolCall: TimeToFirstToolCall;
  /** Funnel steps ordered by their typical (median) `step_sequence`. */
  funnel: FunnelStep[];
  conversions: ConversionSummary;
  /** Per tool, the share of calls whose `input_keys` held each parameter name. */
  fillRates: ToolFillRates[];
  /** Custom `track` events (except `$exception`), by count. */
  tracks: NameCount[];
  /** Captured errors (`track` named `$exception`), by `metadata.error_class`. */
  exceptions: NameCount[];
  /** Structured warnings found in the inputs, by count. */
  warnings: WarningStats[];
}

export interface InputSummary {
  name: string;
  /** Non-blank lines read. */
  lines: number;
  /** Events read, duplicates included. */
  events: number;
  warnings: number;
  badLines: number;
}

export interface ReportTotals {
  /** Non-blank lines over all inputs. */
  lines: number;
  /** Distinct events (after deduplication on `event_id`). */
  events: number;
  /** Events skipped because their `event_id` was already seen (at-least-once delivery). */
  duplicates: number;
  /** Lines that were neither an event nor a warning: counted and skipped. */
  badLines: number;
  /** Structured warning lines. */
  warningLines: number;
  /** Distinct events per `event_type`, by count. */
  eventsByType: NameCount[];
}

export interface BadLineSample {
  input: string;
  /** 1-based line number within the input. */
  line: number;
  reason: string;
}

export interface SessionSummary {
  /** Distinct `session_id` values over all events. */
  unique: number;
  /** Sessions with a `session_start` event. */
  started: number;
  /** Sessions with a `session_end` event. */
  ended: number;
  /** Sessions in which at least one event carried a `user_id`. */
  identified: number;
  /** Over sessions that ended with a `connection_duration_ms`. */
  duration: LatencySummary;
}

export interface ToolCallSummary {
  total: number;
  errors: number;
  errorRate: number | null;
  /** Latency over all tool calls. */
  latency: LatencySummary;
}

/**
 * Distribution of a duration. `method` says how percentiles were computed: `exact` (nearest rank
 * over every value) or `sketch` (log-bucket sketch, each percentile within 1 % of the true value;
 * used once one series holds more than 4096 values, to keep memory bounded).
 */
export interface LatencySummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  method: "exact" | "sketch";
}

export interface OperationStats {
  name: string;
  calls: number;
  /** Share of all operations of this kind. */
  share: number | null;
  errors: number;
  errorRate: number | null;
  latency: LatencySummary;
}

export interface ErrorCategoryStats {
  category: string;
  errors: number;
  /** errors / all tool calls. */
  rate: number | null;
  /** errors / all tool-call errors. */
  shareOfErrors: number | null;
}

export interface ShareRow {
  name: string;
  sessions: number;
  share: number | null;
}

export interface TimeToFirstToolCall {
  /** Sessions with both a `session_start` and a tool call. */
  sessions: number;
  /** Started sessions that made no tool call. */
  startedWithoutToolCall: number;
  medianMs: number | null;
  p95Ms: number | null;
  method: "exact" | "sketch";
}

export interface FunnelStep {
  step: string;
  /** Median `step_sequence` of this step's events. */
  typicalSequence: number | null;
  /** Sessions that reached this step and every step before it (a strict funnel). */
  sessions: number;
  /** Distinct sessions that reached this step at all, whatever came before. */
  reached: number;
  /** sessions / unique sessions. */
  shareOfSessions: number | null;
  /** Funnel sessions lost since the previous step (null for the first step); never negative. */
  dropOff: number | null;
  /** dropOff / previous step's sessions. */
  dropOffRate: number | null;
}

export interface ConversionSummary {
  total: number;
  /** Sessions with at least one conversion. */
  sessionsConverted: number;
  /** sessionsConverted / unique sessions. */
  sessionToConversionRate: number | null;
  /** Revenue per ISO 4217 currency, by conversions (desc). */
  byCurrency: CurrencyRevenue[];
  byName: NameCount[];
}

export interface CurrencyRevenue {
  currency: string;
  conversions: number;
  /** Sum of `conversion_value`, exact to 1e-6. */
  revenue: number;
}

export interface ToolFillRates {
  tool: string;
  calls: number;
  /** By rate (desc) then name. */
  parameters: ParameterFill[];
}

export interface ParameterFill {
  name: string;
  /** Calls whose `input_keys` contained the parameter. */
  calls: number;
  rate: number | null;
}

export interface NameCount {
  name: string;
  count: number;
}

export interface WarningStats {
  code: string;
  level: string;
  count: number;
  /** The registry's one-line meaning, when the code is known. */
  summary: string | null;
  /** The message of the first occurrence. */
  sampleMessage: string;
}
