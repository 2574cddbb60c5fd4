/**
 * Every attribute, span event and metric name the OpenTelemetry plugin emits, in one place.
 *
 * The MCP names follow the OpenTelemetry GenAI semantic conventions for MCP (status Development):
 * repository open-telemetry/semantic-conventions-genai, `docs/gen-ai/mcp.md` at commit
 * 1e01e830ef3c17b939ab7db8d25c7061e4239c0b and `model/mcp/registry.yaml` at commit
 * 4172e394d28f2d26ec4a4514a45f153580c68670 (the conventions that replaced the `mcp.*` copy in the
 * main semantic-conventions repository, v1.41.0). Our own names share the `yavio.` prefix.
 */
export const SEMCONV_SOURCE = "open-telemetry/semantic-conventions-genai@1e01e830ef3c17b939ab7db8d25c7061e4239c0b";

/** Attributes of the conventions. */
export const ATTR_MCP_METHOD_NAME = "mcp.method.name";
export const ATTR_MCP_SESSION_ID = "mcp.session.id";
export const ATTR_MCP_RESOURCE_URI = "mcp.resource.uri";
export const ATTR_MCP_PROTOCOL_VERSION = "mcp.protocol.version";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_PROMPT_NAME = "gen_ai.prompt.name";
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
export const ATTR_GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";
export const ATTR_JSONRPC_REQUEST_ID = "jsonrpc.request.id";
export const ATTR_RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code";
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_NETWORK_TRANSPORT = "network.transport";
export const ATTR_NETWORK_PROTOCOL_NAME = "network.protocol.name";

/** Attributes of the exception event (general conventions), written by `recordException`. */
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_EXCEPTION_STACKTRACE = "exception.stacktrace";

/** Our own attributes, on spans and span events. */
export const ATTR_YAVIO_SESSION_ID = "yavio.session.id";
export const ATTR_YAVIO_USER_ID = "yavio.user.id";
export const ATTR_YAVIO_PLATFORM = "yavio.platform";
export const ATTR_YAVIO_CLIENT_NAME = "yavio.client.name";
export const ATTR_YAVIO_CLIENT_VERSION = "yavio.client.version";
export const ATTR_YAVIO_TRACE_ID = "yavio.trace_id";
export const ATTR_YAVIO_EVENT_NAME = "yavio.event.name";
export const ATTR_YAVIO_STEP_NAME = "yavio.step.name";
export const ATTR_YAVIO_CONVERSION_NAME = "yavio.conversion.name";
export const ATTR_YAVIO_CONVERSION_VALUE = "yavio.conversion.value";
export const ATTR_YAVIO_CONVERSION_CURRENCY = "yavio.conversion.currency";
export const ATTR_YAVIO_ERROR_SEVERITY = "yavio.error.severity";
export const ATTR_YAVIO_ERROR_CATEGORY = "yavio.error.category";
export const ATTR_YAVIO_PROPERTIES = "yavio.properties";

/** Span events for the analytics API (`ctx.yavio.*`). */
export const EVENT_IDENTIFY = "yavio.identify";
export const EVENT_TRACK = "yavio.track";
export const EVENT_STEP = "yavio.step";
export const EVENT_CONVERSION = "yavio.conversion";
export const EVENT_CAPTURE_ERROR = "yavio.capture_error";
/** The conventions' exception event (`span.recordException`). */
export const EVENT_EXCEPTION = "exception";

/** Metrics of the conventions: histograms in seconds. */
export const METRIC_SERVER_OPERATION_DURATION = "mcp.server.operation.duration";
export const METRIC_SERVER_SESSION_DURATION = "mcp.server.session.duration";
/** The conventions' advice for both histograms. */
export const DURATION_BUCKETS_S: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** `error.type` for a tool result with `isError: true`. */
export const TOOL_ERROR = "tool_error";
/** `gen_ai.operation.name` of a tool call. */
export const EXECUTE_TOOL = "execute_tool";

/**
 * JSON-RPC codes that are the client's fault (parse error, invalid request, method not found,
 * invalid params, resource not found): recorded as `error.type` but not as a server span error.
 */
export const CLIENT_FAULT_CODES: ReadonlySet<number> = new Set([-32700, -32600, -32601, -32602, -32002]);

/** Every span attribute the plugin may write (span events' attributes are listed per event). */
export const SPAN_ATTRIBUTES: readonly string[] = [
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_SESSION_ID,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_TRANSPORT,
  ATTR_NETWORK_PROTOCOL_NAME,
  ATTR_YAVIO_SESSION_ID,
  ATTR_YAVIO_USER_ID,
  ATTR_YAVIO_PLATFORM,
  ATTR_YAVIO_CLIENT_NAME,
  ATTR_YAVIO_CLIENT_VERSION,
  ATTR_YAVIO_TRACE_ID,
];

/** Every span event the plugin may add, with the attributes each may carry. */
export const SPAN_EVENTS: Readonly<Record<string, readonly string[]>> = {
  [EVENT_IDENTIFY]: [ATTR_YAVIO_USER_ID, ATTR_YAVIO_PROPERTIES],
  [EVENT_TRACK]: [ATTR_YAVIO_EVENT_NAME, ATTR_YAVIO_PROPERTIES],
  [EVENT_STEP]: [ATTR_YAVIO_STEP_NAME, ATTR_YAVIO_PROPERTIES],
  [EVENT_CONVERSION]: [ATTR_YAVIO_CONVERSION_NAME, ATTR_YAVIO_CONVERSION_VALUE, ATTR_YAVIO_CONVERSION_CURRENCY, ATTR_YAVIO_PROPERTIES],
  [EVENT_CAPTURE_ERROR]: [ATTR_EXCEPTION_TYPE, ATTR_YAVIO_ERROR_SEVERITY, ATTR_YAVIO_ERROR_CATEGORY, ATTR_YAVIO_PROPERTIES],
  [EVENT_EXCEPTION]: [ATTR_EXCEPTION_TYPE, ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE],
};

/** Attributes of each histogram. */
export const METRIC_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  [METRIC_SERVER_OPERATION_DURATION]: [
    ATTR_MCP_METHOD_NAME,
    ATTR_ERROR_TYPE,
    ATTR_GEN_AI_TOOL_NAME,
    ATTR_GEN_AI_PROMPT_NAME,
    ATTR_RPC_RESPONSE_STATUS_CODE,
    ATTR_GEN_AI_OPERATION_NAME,
    ATTR_MCP_PROTOCOL_VERSION,
    ATTR_NETWORK_TRANSPORT,
    ATTR_NETWORK_PROTOCOL_NAME,
  ],
  [METRIC_SERVER_SESSION_DURATION]: [ATTR_MCP_PROTOCOL_VERSION, ATTR_NETWORK_TRANSPORT, ATTR_NETWORK_PROTOCOL_NAME],
};
