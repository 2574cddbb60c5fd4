/**
 * The event as it leaves the process: Yavio ingest v1 field names (snake_case), JSON-safe.
 * See contracts/yavio-ingest-v1.openapi.yaml in the repository.
 */
export type EventType =
  | "connection"
  | "tool_call"
  | "resource_access"
  | "prompt_usage"
  | "sampling_call"
  | "elicitation"
  | "tool_discovery"
  | "step"
  | "track"
  | "conversion"
  | "identify";

/** Platforms recognised from the client's name, User-Agent or Origin. */
export type Platform =
  | "chatgpt"
  | "codex"
  | "claude"
  | "claude-code"
  | "cursor"
  | "gemini"
  | "gemini-cli"
  | "opencode"
  | "vscode"
  | "windsurf"
  | "cline"
  | "continue"
  | "zed"
  | "unknown";

export interface WireEvent {
  event_id: string;
  event_type: EventType;
  event_name?: string;
  trace_id: string;
  session_id: string;
  /** ISO 8601. */
  timestamp: string;
  source: "server";
  sdk_version: string;
  platform?: Platform;
  user_id?: string;
  /** The session's traits as they were when the event happened. */
  user_traits?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  // tool_call and friends
  tool_name?: string;
  latency_ms?: number;
  status?: "success" | "error";
  error_category?: ErrorCategory;
  error_message?: string;
  input_keys?: string[];
  input_types?: Record<string, string>;
  input_values?: unknown;
  output_content?: unknown;
  // connection
  client_name?: string;
  client_version?: string;
  protocol_version?: string;
  transport?: string;
  connection_duration_ms?: number;
  // funnels and revenue
  step_sequence?: number;
  conversion_value?: number;
  conversion_currency?: string;
  [field: string]: unknown;
}

export type ErrorCategory = "auth" | "validation" | "timeout" | "rate_limit" | "server" | "unknown";


/**
 * What the middleware hands to the pipeline. Building the wire form is deferred to the pipeline,
 * off the tool's path; it may read state that changed since (retroactive stitching).
 */
export interface QueuedEvent {
  readonly sessionId: string;
  toWire(): WireEvent;
}
