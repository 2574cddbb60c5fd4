/**
 * The numbers `yavio-mcp report` computes from event files. Plain JSON: rates are fractions in
 * [0, 1], durations are milliseconds, and a figure that has no denominator or no data is `null`
 * rather than 0 or NaN. Lists are sorted (largest first unless said otherwise) so output is stable.
 */
export interface Report {
  /** One entry per input (file or stream), in the order read. */
  inputs: InputSummary[];
  /** The time window asked for (`--since`, `--until`), and how many events fell outside it. */
  window: ReportWindow;
  /** Rows kept in each ranked list (tools, resources, prompts, users, clients); the rest is one "others" row. */
  top: number;
  totals: ReportTotals;
  /** The first few bad lines, so a user can go and look. */
  badLineSamples: BadLineSample[];
  /** Earliest and latest event timestamp (ISO), or null without any parseable timestamp. */
  timeRange: { first: string | null; last: string | null };
  sessions: SessionSummary;
  /** Distinct `user_id` values over all events. */
  identifiedUsers: number;
  toolCalls: ToolCallSummary;
  /**
   * The `top` tools by calls (desc) then name. Calls to tools the server does not expose are not
   * here (see `unexposedTools`).
   */
  tools: OperationStats[];
  /** All tools past the first `top`, summed into one row; null when there are none. */
  otherTools: OtherOperations | null;
  /** Calls to tool names the server does not expose (unknown or disabled): a discovery signal. */
  unexposedTools: UnexposedToolSummary;
  /**
   * Tools clients were shown (`tool_discovery`) against the tools they called, per tool: the
   * tools listed and never called first. Empty without discovery events.
   */
  toolExposure: ToolExposureSummary;
  /** Per tool (at most `top` tools, by calls with an intent), the intents agents stated most often. */
  intents: ToolIntents[];
  /** Tool-call errors by category, by count (desc). */
  errorCategories: ErrorCategoryStats[];
  /** Resource reads, grouped by `metadata.resource_name` when present, else by URI. */
  resources: OperationStats[];
  otherResources: OtherOperations | null;
  prompts: OperationStats[];
  otherPrompts: OtherOperations | null;
  /** Tool calls, errors and new sessions over time. */
  activity: Activity;
  /** Per top tool (at most 5), calls, error rate and latency per bucket of `activity`. */
  toolTrends: ToolTrend[];
  /** The `top` identified users by sessions, then calls, then id. */
  users: UserStats[];
  otherUsers: OtherUsers | null;
  sessionsPerUser: SessionsPerUser;
  /** Sessions per client name and version (from `session_start`), by sessions. */
  clients: ClientRow[];
  otherClients: { names: number; sessions: number; share: number | null } | null;
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
  /** The same sessions by length. */
  durationHistogram: DurationBucket[];
}

export interface DurationBucket {
  /** "< 10 s", "10 s – 1 min", … */
  label: string;
  /** Lower bound (inclusive) and upper bound (exclusive, null for the last) in ms. */
  fromMs: number;
  toMs: number | null;
  sessions: number;
}

export interface ReportWindow {
  /** ISO timestamps; null when not limited on that side. */
  since: string | null;
  until: string | null;
  /** Distinct events skipped for lying outside the window (or having no timestamp while a window is set). */
  outside: number;
}

export interface ToolCallSummary {
  /** Calls to tools the server exposes. */
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

/** Several names summed into one row. Latency percentiles are over all their calls together. */
export interface OtherOperations extends OperationStats {
  /** How many names were summed. */
  names: number;
}

export interface UnexposedToolSummary {
  calls: number;
  /** Sessions that called at least one such name. */
  sessions: number;
  /** The `top` names by calls. */
  names: UnexposedTool[];
  /** The rest, summed. */
  other: { names: number; calls: number } | null;
}

export interface UnexposedTool {
  name: string;
  /** "not found": no tool of that name; "disabled": registered but disabled. */
  reason: "not found" | "disabled";
  calls: number;
  sessions: number;
}

export interface Activity {
  /** Bucket width, chosen so the time range spans at most about 60 buckets. */
  bucketMs: number;
  /** "1 minute", "5 minutes", "1 hour", "1 day", "1 week", … */
  bucketLabel: string;
  /** Every bucket from the first event's to the last's, empty ones included. Times are UTC. */
  buckets: ActivityBucket[];
}

export interface ActivityBucket {
  /** ISO start of the bucket. */
  start: string;
  events: number;
  /** Tool calls to exposed tools. */
  calls: number;
  errors: number;
  /** Sessions whose first event falls in the bucket. */
  sessions: number;
}

export interface ToolTrend {
  tool: string;
  /** One per bucket of `activity.buckets`, same starts. */
  buckets: ToolTrendBucket[];
}

export interface ToolTrendBucket {
  start: string;
  calls: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  method: "exact" | "sketch";
}

/** A session belongs to the first `user_id` seen in it; its calls, conversions and revenue count for that user. */
export interface UserStats {
  /** As recorded in the events (already scrubbed or hashed by the middleware). */
  userId: string;
  sessions: number;
  calls: number;
  /** ISO timestamps of the first and last event of the user's sessions. */
  firstSeen: string | null;
  lastSeen: string | null;
  conversions: number;
  /** Per currency, by revenue (desc). */
  revenue: { currency: string; revenue: number }[];
}

export interface OtherUsers {
  users: number;
  sessions: number;
  calls: number;
  conversions: number;
  revenue: { currency: string; revenue: number }[];
}

export interface SessionsPerUser {
  /** Distinct users with at least one session. */
  users: number;
  /** Sessions without any `user_id`. */
  anonymousSessions: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface ClientRow {
  /** `client_name` of `session_start`, "unknown" without one. */
  name: string;
  version: string | null;
  /** The platform most of these sessions had. */
  platform: string;
  sessions: number;
  share: number | null;
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
  /** 1-based place of the step in the funnel. */
  position: number;
  step: string;
  /** Median `step_sequence` of this step's events: what orders the steps, not a position. */
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

export interface ToolExposureSummary {
  /** Sessions with at least one tool_discovery event for a tool. */
  sessionsShown: number;
  /** Distinct tools shown to some session. */
  toolsShown: number;
  /** Tools shown to some session and never called in any. */
  neverCalled: number;
  /** The first `top` tools: never called first (most shown first), then the least used share first. */
  tools: ToolExposure[];
  /** The rest, summed. */
  other: { tools: number; sessionsShown: number; calls: number } | null;
}

export interface ToolExposure {
  name: string;
  /** Sessions that were shown the tool. */
  sessionsShown: number;
  /** Sessions that called it (shown or not: a client may call without listing). */
  sessionsCalled: number;
  /** Of the sessions shown the tool, the share that called it; null when none was shown it. */
  useRate: number | null;
  calls: number;
}

export interface ToolIntents {
  tool: string;
  /** Calls of the tool (to a tool the server exposes). */
  calls: number;
  /** Calls that stated an intent. */
  callsWithIntent: number;
  /** Distinct intents (after folding case and spaces), at most 200 counted per tool. */
  distinct: number;
  /** The most frequent, cut to 80 characters, by count (desc) then text. */
  top: { intent: string; count: number }[];
}
