import type { Attributes, Context, Histogram, Link, MeterProvider, Span, TextMapGetter, TextMapSetter, Tracer, TracerProvider } from "@opentelemetry/api";
import { context, createNoopMeter, isSpanContextValid, metrics, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { AnalyticsCall, OutgoingOutcome, OutgoingRequest, PluginHost, PluginRequest, RequestOutcome, YavioPlugin } from "../core/index.js";
import { describeThrown, errorText } from "../core/index.js";
import { boundForQueue, MAX_ERROR_MESSAGE_LENGTH, MAX_EVENT_BYTES, MAX_NAME_LENGTH } from "../event/index.js";
import type { SessionState } from "../identity/index.js";
import { SDK_VERSION } from "../version.js";
import { YavioConfigError } from "../warnings/index.js";
import * as A from "./attributes.js";

/**
 * Options of `otel()`. All optional.
 *
 * @example
 * withYavio(server, { plugins: [otel({ captureArguments: true })] });
 */
export interface OtelOptions {
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`). */
  tracerProvider?: TracerProvider | undefined;
  /** Where the histograms go. Default: the global meter provider, looked up again when it changes. */
  meterProvider?: MeterProvider | undefined;
  /**
   * Record a tool call's arguments as `gen_ai.tool.call.arguments` (JSON, PII-scrubbed, cut at
   * 50 KB like events). Opt-in in the conventions. Default `false`.
   */
  captureArguments?: boolean | undefined;
  /** Record a tool call's result as `gen_ai.tool.call.result` (same rules). Default `false`. */
  captureResults?: boolean | undefined;
  /** Record the `mcp.server.*.duration` histograms. Default `true`. */
  metrics?: boolean | undefined;
}

const SCOPE_NAME = "yavio-mcp";

/** The request's span and the context the handler runs in. */
interface RequestState {
  readonly span: Span;
  readonly ctx: Context;
  readonly host: PluginHost;
}

interface Instruments {
  readonly provider: MeterProvider;
  readonly noop: boolean;
  readonly operation: Histogram;
  readonly session: Histogram;
}

const metaGetter: TextMapGetter<Readonly<Record<string, unknown>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === "string" ? value : undefined;
  },
};

const metaSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The protocol revision without sessions: `mcp.session.id` must not be set on its traffic. */
const SESSIONLESS_REVISION = "2026-07-28";

function hasProtocolSession(protocolVersion: string | undefined): boolean {
  return protocolVersion === undefined || protocolVersion < SESSIONLESS_REVISION;
}

/** `network.transport` and `network.protocol.name` of our transport names (none for in-memory). */
function networkOf(transport: string | undefined): { transport?: string; protocol?: string } {
  if (transport === "stdio") return { transport: "pipe" };
  if (transport === "streamable-http" || transport === "sse") return { transport: "tcp", protocol: "http" };
  return {};
}

/** The JSON-RPC code a thrown error becomes on the wire (the SDKs answer -32603 for anything without one). */
export function jsonRpcCode(error: unknown): number {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "number" && Number.isSafeInteger(code) ? code : -32603;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 14)}…[truncated]` : text;
}

/** Reports a value that could not be scrubbed (YAVIO-1308); the caller leaves it out. */
function scrubFailed(host: PluginHost, what: string, error: unknown): undefined {
  try {
    host.warn({ code: "YAVIO-1308", message: `PII scrubbing of ${what} failed: left out of the span: ${errorText(error)}`, details: { attribute: what } });
  } catch {
    // Reporting must not fail either.
  }
  return undefined;
}

/** Free text scrubbed and cut to `max` characters, or undefined (warned) when scrubbing fails. */
function scrubText(host: PluginHost, what: string, text: string, max: number): string | undefined {
  try {
    return cut(host.text(text), max);
  } catch (error) {
    return scrubFailed(host, what, error);
  }
}

/**
 * A value as one attribute: scrubbed like an event's values, then JSON, and over the event limit
 * replaced by the same `{ truncated, bytes, preview }` marker events carry (YAVIO-1304).
 */
function jsonAttribute(host: PluginHost, what: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(host.value(boundForQueue(value)));
  } catch (error) {
    return scrubFailed(host, what, error);
  }
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= MAX_EVENT_BYTES) return json;
  oversized(host, what, bytes);
  return JSON.stringify({ truncated: true, bytes, preview: json.slice(0, 512) });
}

function oversized(host: PluginHost, what: string, bytes: number): void {
  try {
    host.warn({ code: "YAVIO-1304", message: `span attribute ${what} of about ${bytes} bytes cut to the 50 KB limit`, details: { attribute: what } });
  } catch {
    // Reporting must not fail either.
  }
}

/** A host value bounded for keeping until the next turn: a surely oversized one becomes the marker now (YAVIO-1304). */
function bounded(host: PluginHost, what: string, value: unknown): unknown {
  const out = boundForQueue(value);
  if (out !== value && out !== null && typeof out === "object" && (out as { truncated?: unknown }).truncated === true) {
    oversized(host, what, Number((out as { bytes?: unknown }).bytes));
  }
  return out;
}

/** Scrubbed names, per configuration: tool and prompt names repeat, scrubbing them once is enough. */
const nameCache = new WeakMap<PluginHost, Map<string, string | undefined>>();
const NAME_CACHE_SIZE = 1000;

function scrubbedName(host: PluginHost, what: string, name: string): string | undefined {
  let cache = nameCache.get(host);
  if (cache === undefined) {
    cache = new Map();
    nameCache.set(host, cache);
  }
  if (cache.has(name)) return cache.get(name);
  const scrubbed = scrubText(host, what, name, MAX_NAME_LENGTH);
  if (cache.size >= NAME_CACHE_SIZE) cache.clear();
  cache.set(name, scrubbed);
  return scrubbed;
}

/**
 * OpenTelemetry for a wrapped server, as a plugin: a SERVER span per request and the
 * `mcp.server.operation.duration` / `mcp.server.session.duration` histograms, named by the MCP
 * semantic conventions; CLIENT spans for sampling and elicitation with the trace context in their
 * `_meta`; `ctx.yavio` calls as span events. Uses only `@opentelemetry/api`: the host's SDK exports.
 * Without a registered SDK every call is a no-op. Every value that may carry user data goes through
 * the configuration's PII scrubber and the event size limits.
 *
 * Throws `YavioConfigError` (YAVIO-1003) for invalid options.
 *
 * @example
 * import { otel } from "yavio-mcp/otel";
 * withYavio(server, { plugins: [otel()] });
 */
export function otel(options: OtelOptions = {}): YavioPlugin {
  if (typeof options !== "object" || options === null) throw new YavioConfigError("YAVIO-1003", "otel() options must be an object");
  for (const key of ["captureArguments", "captureResults", "metrics"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") throw new YavioConfigError("YAVIO-1003", `otel(): ${key} must be a boolean`);
  }
  if (options.tracerProvider !== undefined && typeof options.tracerProvider?.getTracer !== "function") {
    throw new YavioConfigError("YAVIO-1003", "otel(): tracerProvider must have getTracer()");
  }
  if (options.meterProvider !== undefined && typeof options.meterProvider?.getMeter !== "function") {
    throw new YavioConfigError("YAVIO-1003", "otel(): meterProvider must have getMeter()");
  }
  const captureArguments = options.captureArguments === true;
  const captureResults = options.captureResults === true;
  const metricsOn = options.metrics !== false;
  // The global provider is a proxy: a tracer taken now follows an SDK registered later.
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME, SDK_VERSION);
  const states = new WeakMap<PluginRequest, RequestState>();
  let instruments: Instruments | undefined;

  /** The histograms of the current meter provider (the global one has no proxy: it is looked up again). */
  function meters(): Instruments | undefined {
    if (!metricsOn) return undefined;
    const provider = options.meterProvider ?? metrics.getMeterProvider();
    if (instruments?.provider !== provider) {
      const meter = provider.getMeter(SCOPE_NAME, SDK_VERSION);
      const advice = { explicitBucketBoundaries: [...A.DURATION_BUCKETS_S] };
      instruments = {
        provider,
        noop: meter === createNoopMeter(),
        operation: meter.createHistogram(A.METRIC_SERVER_OPERATION_DURATION, {
          unit: "s",
          description: "MCP request duration as observed on the server, from receipt until the result is sent.",
          advice,
        }),
        session: meter.createHistogram(A.METRIC_SERVER_SESSION_DURATION, { unit: "s", description: "The duration of the MCP session as observed on the MCP server.", advice }),
      };
    }
    return instruments.noop ? undefined : instruments;
  }

  /** What the span and the histogram share: method, target names, protocol and network. */
  function baseAttributes(request: PluginRequest, host: PluginHost): Attributes {
    const attributes: Attributes = { [A.ATTR_MCP_METHOD_NAME]: request.method };
    const target = request.target;
    if (target !== undefined) {
      if (request.method === "tools/call") {
        const name = scrubbedName(host, A.ATTR_GEN_AI_TOOL_NAME, target);
        if (name !== undefined) attributes[A.ATTR_GEN_AI_TOOL_NAME] = name;
        attributes[A.ATTR_GEN_AI_OPERATION_NAME] = A.EXECUTE_TOOL;
      } else if (request.method === "prompts/get") {
        const name = scrubbedName(host, A.ATTR_GEN_AI_PROMPT_NAME, target);
        if (name !== undefined) attributes[A.ATTR_GEN_AI_PROMPT_NAME] = name;
      }
    }
    const version = protocolVersionOf(request);
    if (version !== undefined) attributes[A.ATTR_MCP_PROTOCOL_VERSION] = version;
    addNetwork(attributes, request.connection.transport);
    return attributes;
  }

  function sessionAttributes(span: Span, session: SessionState, host: PluginHost): void {
    span.setAttribute(A.ATTR_YAVIO_SESSION_ID, session.id);
    const client = session.client;
    if (client.platform !== undefined) span.setAttribute(A.ATTR_YAVIO_PLATFORM, client.platform);
    const name = client.clientName === undefined ? undefined : scrubbedName(host, A.ATTR_YAVIO_CLIENT_NAME, client.clientName);
    if (name !== undefined) span.setAttribute(A.ATTR_YAVIO_CLIENT_NAME, name);
    const version = client.clientVersion === undefined ? undefined : scrubbedName(host, A.ATTR_YAVIO_CLIENT_VERSION, client.clientVersion);
    if (version !== undefined) span.setAttribute(A.ATTR_YAVIO_CLIENT_VERSION, version);
    if (session.userId !== undefined) span.setAttribute(A.ATTR_YAVIO_USER_ID, host.userId(session.userId));
  }

  /** The exception event, scrubbed; returns the scrubbed message for the span status. */
  function recordError(span: Span, error: unknown, host: PluginHost): string | undefined {
    const described = describeThrown(error);
    const message = scrubText(host, A.ATTR_EXCEPTION_MESSAGE, described.message, MAX_ERROR_MESSAGE_LENGTH);
    const stack = described.stack === undefined ? undefined : scrubText(host, A.ATTR_EXCEPTION_STACKTRACE, described.stack, MAX_EVENT_BYTES);
    // Something unscrubbable is left out whole: an exception without its message is still a signal.
    span.recordException({
      name: scrubbedName(host, A.ATTR_EXCEPTION_TYPE, described.errorClass) ?? "Error",
      ...(message !== undefined ? { message } : {}),
      ...(stack !== undefined ? { stack } : {}),
    });
    return message;
  }

  function endRequest(request: PluginRequest, outcome: RequestOutcome, state: RequestState): boolean {
    const { span, host } = state;
    const instruments = meters();
    if (!span.isRecording() && instruments === undefined) return false;
    const attributes = baseAttributes(request, host);
    let statusError = false;
    if (outcome.threw) {
      const code = jsonRpcCode(outcome.error);
      attributes[A.ATTR_ERROR_TYPE] = String(code);
      attributes[A.ATTR_RPC_RESPONSE_STATUS_CODE] = String(code);
      statusError = !A.CLIENT_FAULT_CODES.has(code);
    } else if (outcome.isError) {
      attributes[A.ATTR_ERROR_TYPE] = A.TOOL_ERROR;
      statusError = true;
    }
    instruments?.operation.record(outcome.latencyMs / 1000, attributes);
    if (!span.isRecording()) return false;
    const errorType = attributes[A.ATTR_ERROR_TYPE];
    if (errorType !== undefined) span.setAttribute(A.ATTR_ERROR_TYPE, errorType);
    const statusCode = attributes[A.ATTR_RPC_RESPONSE_STATUS_CODE];
    if (statusCode !== undefined) span.setAttribute(A.ATTR_RPC_RESPONSE_STATUS_CODE, statusCode);
    const message = outcome.error !== undefined ? recordError(span, outcome.error, host) : undefined;
    if (statusError) span.setStatus({ code: SpanStatusCode.ERROR, ...(message !== undefined ? { message } : {}) });
    const userId = request.startSession.userId;
    if (userId !== undefined) span.setAttribute(A.ATTR_YAVIO_USER_ID, host.userId(userId));
    const isTool = request.method === "tools/call";
    // Bounded now (the host's values are not kept whole); scrubbed and serialised off the tool's path.
    const args = isTool && captureArguments ? bounded(host, A.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, request.arguments) : undefined;
    const result = isTool && captureResults && !outcome.threw ? bounded(host, A.ATTR_GEN_AI_TOOL_CALL_RESULT, outcome.result) : undefined;
    if (args === undefined && result === undefined) return false;
    const endedAt = Date.now();
    setImmediate(() => {
      try {
        const argsJson = jsonAttribute(host, A.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
        if (argsJson !== undefined) span.setAttribute(A.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, argsJson);
        const resultJson = jsonAttribute(host, A.ATTR_GEN_AI_TOOL_CALL_RESULT, result);
        if (resultJson !== undefined) span.setAttribute(A.ATTR_GEN_AI_TOOL_CALL_RESULT, resultJson);
      } finally {
        span.end(endedAt);
      }
    });
    return true;
  }

  function analyticsEvent(span: Span, call: AnalyticsCall): void {
    const host = call.host;
    const all = call.properties ?? {};
    const attributes: Attributes = {};
    const name = call.name === undefined ? undefined : scrubText(host, "event name", call.name, MAX_NAME_LENGTH);
    const withProperties = (properties: Record<string, unknown>): Attributes => {
      const json = Object.keys(properties).length > 0 ? jsonAttribute(host, A.ATTR_YAVIO_PROPERTIES, properties) : undefined;
      if (json !== undefined) attributes[A.ATTR_YAVIO_PROPERTIES] = json;
      return attributes;
    };
    switch (call.kind) {
      case "identify": {
        const userId = call.session.userId;
        if (userId !== undefined) {
          const shown = host.userId(userId);
          attributes[A.ATTR_YAVIO_USER_ID] = shown;
          span.setAttribute(A.ATTR_YAVIO_USER_ID, shown);
        }
        // The properties of an identify call are the traits.
        span.addEvent(A.EVENT_IDENTIFY, withProperties(all));
        return;
      }
      case "track":
        if (name === undefined) return;
        attributes[A.ATTR_YAVIO_EVENT_NAME] = name;
        span.addEvent(A.EVENT_TRACK, withProperties(all));
        return;
      case "step":
        if (name === undefined) return;
        attributes[A.ATTR_YAVIO_STEP_NAME] = name;
        span.addEvent(A.EVENT_STEP, withProperties(all));
        return;
      case "conversion": {
        if (name === undefined) return;
        const { value, currency, ...meta } = all;
        attributes[A.ATTR_YAVIO_CONVERSION_NAME] = name;
        if (typeof value === "number") attributes[A.ATTR_YAVIO_CONVERSION_VALUE] = value;
        if (typeof currency === "string") attributes[A.ATTR_YAVIO_CONVERSION_CURRENCY] = currency;
        span.addEvent(A.EVENT_CONVERSION, withProperties(meta));
        return;
      }
      case "captureError": {
        const { severity, error_class: errorClass, error_category: category, ...properties } = all;
        const type = typeof errorClass === "string" ? scrubbedName(host, A.ATTR_EXCEPTION_TYPE, errorClass) : undefined;
        if (type !== undefined) attributes[A.ATTR_EXCEPTION_TYPE] = type;
        if (typeof severity === "string") attributes[A.ATTR_YAVIO_ERROR_SEVERITY] = severity;
        if (typeof category === "string") attributes[A.ATTR_YAVIO_ERROR_CATEGORY] = category;
        span.addEvent(A.EVENT_CAPTURE_ERROR, withProperties(properties));
        recordError(span, call.error, host);
        return;
      }
    }
  }

  return {
    name: "otel",

    requestStarted(request): RequestState {
      const host = request.host;
      const active = context.active();
      let parent = active;
      let links: Link[] | undefined;
      const meta = request.meta;
      if (meta !== undefined) {
        // The client's context (params._meta) is the parent; the ambient one (the HTTP server span
        // of the host's instrumentation) becomes a link.
        const extracted = propagation.extract(active, meta, metaGetter);
        const remote = trace.getSpanContext(extracted);
        const ambient = trace.getSpanContext(active);
        if (remote !== undefined && remote !== ambient && isSpanContextValid(remote)) {
          parent = extracted;
          if (ambient !== undefined && isSpanContextValid(ambient)) links = [{ context: ambient }];
        }
      }
      const attributes = baseAttributes(request, host);
      const requestId = request.requestId;
      if (requestId !== undefined && requestId !== null) attributes[A.ATTR_JSONRPC_REQUEST_ID] = String(requestId);
      if (request.method === "resources/read" && request.target !== undefined) {
        const uri = scrubText(host, A.ATTR_MCP_RESOURCE_URI, request.target, MAX_ERROR_MESSAGE_LENGTH);
        if (uri !== undefined) attributes[A.ATTR_MCP_RESOURCE_URI] = uri;
      }
      const protocolSessionId = request.connection.protocolSessionId;
      if (protocolSessionId !== undefined && hasProtocolSession(protocolVersionOf(request))) attributes[A.ATTR_MCP_SESSION_ID] = protocolSessionId;
      const target = attributes[A.ATTR_GEN_AI_TOOL_NAME] ?? attributes[A.ATTR_GEN_AI_PROMPT_NAME];
      const span = tracer.startSpan(
        target === undefined ? request.method : `${request.method} ${String(target)}`,
        { kind: SpanKind.SERVER, attributes, ...(links !== undefined ? { links } : {}) },
        parent,
      );
      const state: RequestState = { span, ctx: trace.setSpan(parent, span), host };
      states.set(request, state);
      if (span.isRecording()) {
        sessionAttributes(span, request.startSession, host);
        span.setAttribute(A.ATTR_YAVIO_TRACE_ID, request.traceId);
      }
      return state;
    },

    runWithin<T>(state: unknown, run: () => T): T {
      const ctx = (state as RequestState | undefined)?.ctx;
      return ctx === undefined ? run() : context.with(ctx, run);
    },

    requestEnded(request, outcome, rawState) {
      const state = rawState as RequestState | undefined;
      if (state === undefined) return;
      let deferred = false;
      try {
        deferred = endRequest(request, outcome, state);
      } finally {
        if (!deferred) state.span.end();
      }
    },

    outgoingStarted(request: OutgoingRequest): Span {
      const session = request.session;
      const attributes: Attributes = { [A.ATTR_MCP_METHOD_NAME]: request.method };
      const version = session.client.protocolVersion;
      if (version !== undefined) attributes[A.ATTR_MCP_PROTOCOL_VERSION] = version;
      addNetwork(attributes, session.client.transport);
      attributes[A.ATTR_YAVIO_SESSION_ID] = session.id;
      // The active context is the request's while its handler runs: the CLIENT span is its child.
      const span = tracer.startSpan(request.method, { kind: SpanKind.CLIENT, attributes });
      if (request.meta !== undefined) propagation.inject(trace.setSpan(context.active(), span), request.meta, metaSetter);
      return span;
    },

    outgoingEnded(_request: OutgoingRequest, outcome: OutgoingOutcome, state: unknown) {
      const span = state as Span | undefined;
      if (span === undefined) return;
      try {
        if (outcome.failed && span.isRecording()) {
          const code = jsonRpcCode(outcome.error);
          span.setAttribute(A.ATTR_ERROR_TYPE, String(code));
          span.setAttribute(A.ATTR_RPC_RESPONSE_STATUS_CODE, String(code));
          // No description: the client's error message may carry user data, and no scrubber is at hand here.
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } finally {
        span.end();
      }
    },

    sessionEnded(session, _reason, endedAt) {
      if (!session.started || session.quiet || session.requestScoped) return;
      const version = session.client.protocolVersion;
      if (!hasProtocolSession(version)) return;
      const instruments = meters();
      if (instruments === undefined) return;
      const attributes: Attributes = {};
      if (version !== undefined) attributes[A.ATTR_MCP_PROTOCOL_VERSION] = version;
      addNetwork(attributes, session.client.transport);
      instruments.session.record(Math.max(0, endedAt - session.startedAt) / 1000, attributes);
    },

    analytics(call: AnalyticsCall, request: PluginRequest | undefined) {
      // The request's own span, not whatever child span the handler has open; outside a request
      // (a forUser context), the active span if there is one.
      const span = request !== undefined ? states.get(request)?.span : trace.getActiveSpan();
      if (span === undefined || !span.isRecording()) return;
      analyticsEvent(span, call);
    },
  };
}

function protocolVersionOf(request: PluginRequest): string | undefined {
  return request.protocolVersion ?? request.startSession.client.protocolVersion;
}

function addNetwork(attributes: Attributes, transport: string | undefined): void {
  const network = networkOf(transport);
  if (network.transport !== undefined) attributes[A.ATTR_NETWORK_TRANSPORT] = network.transport;
  if (network.protocol !== undefined) attributes[A.ATTR_NETWORK_PROTOCOL_NAME] = network.protocol;
}
