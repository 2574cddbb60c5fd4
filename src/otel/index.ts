/**
 * yavio-mcp/otel — OpenTelemetry for MCP servers wrapped by withYavio, as a plugin.
 *
 * Anything exported here is public API. Needs the optional peer dependency `@opentelemetry/api`.
 */
export { otel } from "./otel-plugin.js";
export type { OtelOptions } from "./otel-plugin.js";
export {
  DURATION_BUCKETS_S,
  METRIC_ATTRIBUTES,
  METRIC_SERVER_OPERATION_DURATION,
  METRIC_SERVER_SESSION_DURATION,
  SEMCONV_SOURCE,
  SPAN_ATTRIBUTES,
  SPAN_EVENTS,
} from "./attributes.js";
