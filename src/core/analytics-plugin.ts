import type { ErrorCategory, EventType, WireBuilder, WireEvent } from "../event/index.js";
import { boundForQueue } from "../event/index.js";
import type { SessionState } from "../identity/index.js";
import type { Warn } from "../warnings/index.js";
import { unexposedReason } from "./discovery.js";
import { categorizeError } from "./error-category.js";
import { detachedCut } from "./intent.js";
import type { OutgoingOutcome, OutgoingRequest, PluginRequest, RequestOutcome, YavioPlugin } from "./plugin.js";
import { errorText } from "./plugin.js";
import type { EndReason } from "./sessions.js";

/** What the analytics plugin needs of the runtime: a way to queue an event, and the capture options. */
export interface EventRecorder {
  record(session: SessionState, type: EventType, name: string | undefined, traceId: string, build?: WireBuilder, time?: number): void;
  readonly captureInputs: boolean;
  readonly captureOutputs: boolean;
  readonly warn: Warn;
}

/**
 * The event pipeline as a plugin: a `tool_call`, `resource_access` or `prompt_usage` event for every
 * request, `sampling_call` / `elicitation` for requests to the client, `session_start` and
 * `session_end` (with the session's counts) for every session. What an event keeps of the host's
 * values is taken when the request ends, bounded: nothing retains a large result until export.
 */
export function createAnalyticsPlugin(recorder: EventRecorder): YavioPlugin {
  return {
    name: "events",
    requestEnded(request, outcome) {
      try {
        recordRequest(recorder, request, outcome);
      } catch (failure) {
        recorder.warn({ code: "YAVIO-1106", message: `response inspection failed: ${errorText(failure)}`, sessionId: request.startSession.id });
      }
    },
    outgoingEnded(request, outcome) {
      try {
        recordOutgoing(recorder, request, outcome);
      } catch (failure) {
        recorder.warn({ code: "YAVIO-1106", message: `response inspection failed: ${errorText(failure)}`, sessionId: request.session.id });
      }
    },
    sessionStarted(session) {
      const info = session.client;
      const resumed = session.resumed;
      recorder.record(session, "connection", "session_start", session.id, (wire) => {
        if (info.clientName !== undefined) wire.client_name = info.clientName;
        if (info.clientVersion !== undefined) wire.client_version = info.clientVersion;
        if (info.protocolVersion !== undefined) wire.protocol_version = info.protocolVersion;
        if (info.transport !== undefined) wire.transport = info.transport;
        if (resumed) wire.metadata = { ...wire.metadata, resumed: true };
      });
    },
    sessionEnded(session, reason, endedAt) {
      if (!session.started || session.quiet) return;
      recorder.record(session, "connection", "session_end", session.id, sessionEndBuilder(session, reason, endedAt), endedAt);
    },
  };
}

function sessionEndBuilder(session: SessionState, reason: EndReason, endedAt: number): WireBuilder {
  const duration = endedAt - session.startedAt;
  const counts = {
    tool_calls: session.toolCalls,
    resource_reads: session.resourceReads,
    prompt_gets: session.promptGets,
    errors: session.errors,
    reason,
  };
  return (wire) => {
    wire.connection_duration_ms = duration;
    wire.metadata = { ...wire.metadata, ...counts };
  };
}

/** Characters kept of a tool name the server does not expose (MCP names are at most 128). */
export const MAX_UNEXPOSED_NAME_LENGTH = 128;

function recordRequest(recorder: EventRecorder, request: PluginRequest, outcome: RequestOutcome): void {
  const { startSession: session, traceId } = request;
  const { result, threw, isError } = outcome;
  const latency = Math.round(outcome.latencyMs * 1000) / 1000;
  const thrown = outcome.error;
  const errorInfo = isError ? summarizeError(thrown, thrown !== undefined ? errorText(thrown) : firstText(result), threw) : undefined;
  const method = request.method;
  // The client's W3C trace context, kept so that a backend can join the event to the client's trace.
  const traceparent = typeof request.meta?.traceparent === "string" ? request.meta.traceparent.slice(0, 128) : undefined;
  if (request.inputResponses !== undefined) recordInputResponses(recorder, session, traceId, request.inputResponses);
  if (method === "tools/call") {
    const unexposed = unexposedReason(request.target, outcome);
    // A name the server does not expose came from the client: cut like any input (and scrubbed as text in the pipeline).
    const name = unexposed !== undefined ? detachedCut(request.target!, MAX_UNEXPOSED_NAME_LENGTH) : (request.target ?? "unknown");
    const input = inputSummary(request.arguments, recorder.captureInputs);
    const r = result as { content?: unknown; structuredContent?: unknown } | undefined;
    // The SDK's answer to an unexposed name repeats the name uncut: error_message says it already.
    const keepOutput = recorder.captureOutputs && !threw && r !== undefined && unexposed === undefined;
    const output = keepOutput ? boundForQueue(r.content) : undefined;
    const structured = keepOutput ? boundForQueue(r.structuredContent) : undefined;
    const intent = request.intent;
    if (unexposed !== undefined && errorInfo !== undefined) {
      errorInfo.message = `Tool ${name} ${unexposed === "disabled" ? "disabled" : "not found"}`;
      errorInfo.category = "validation";
      errorInfo.metadata.unexposed_tool = unexposed;
    }
    const inputRequests = inputRequestsOf(result);
    // Only the keys: the closure below must not keep the host's result until export.
    const requestKeys = inputRequests === undefined ? undefined : Object.keys(inputRequests);
    recorder.record(session, "tool_call", name, traceId, (wire) => {
      wire.tool_name = name;
      wire.latency_ms = latency;
      wire.status = isError ? "error" : "success";
      applyInput(wire, input);
      if (intent !== undefined) wire.intent = intent;
      if (output !== undefined) wire.output_content = output;
      if (structured !== undefined) wire.metadata = { ...wire.metadata, structured_content: structured };
      if (requestKeys !== undefined) wire.metadata = { ...wire.metadata, result_type: "input_required", input_requests: requestKeys };
      if (traceparent !== undefined) wire.metadata = { ...wire.metadata, traceparent };
      if (errorInfo) describeError(wire, errorInfo);
    });
    if (inputRequests !== undefined) recordInputRequests(recorder, session, traceId, inputRequests);
  } else if (method === "resources/read") {
    const uri = request.target ?? "unknown";
    const contents = recorder.captureOutputs && !threw ? boundForQueue((result as { contents?: unknown } | undefined)?.contents) : undefined;
    // The registered name groups invoice://1 and invoice://2. Looked up now (a map read and a few
    // template matches), so that the queued event keeps a string, not the host's server.
    const resourceName = request.resources?.nameOf(uri);
    recorder.record(session, "resource_access", uri, traceId, (wire) => {
      wire.latency_ms = latency;
      wire.status = isError ? "error" : "success";
      wire.metadata = { ...wire.metadata, uri, ...(resourceName !== undefined ? { resource_name: resourceName } : {}) };
      if (contents !== undefined) wire.output_content = contents;
      if (traceparent !== undefined) wire.metadata = { ...wire.metadata, traceparent };
      if (errorInfo) describeError(wire, errorInfo);
    });
  } else if (method === "prompts/get") {
    const name = request.target ?? "unknown";
    const input = inputSummary(request.arguments, recorder.captureInputs);
    const messages = recorder.captureOutputs && !threw ? boundForQueue((result as { messages?: unknown } | undefined)?.messages) : undefined;
    recorder.record(session, "prompt_usage", name, traceId, (wire) => {
      wire.latency_ms = latency;
      wire.status = isError ? "error" : "success";
      applyInput(wire, input);
      if (messages !== undefined) wire.output_content = messages;
      if (traceparent !== undefined) wire.metadata = { ...wire.metadata, traceparent };
      if (errorInfo) describeError(wire, errorInfo);
    });
  }
}

function recordOutgoing(recorder: EventRecorder, request: OutgoingRequest, outcome: OutgoingOutcome): void {
  const { method, params, session, traceId } = request;
  const { failed } = outcome;
  const latency = Math.round(outcome.latencyMs * 1000) / 1000;
  const r = (outcome.result ?? {}) as { model?: unknown; stopReason?: unknown; content?: unknown; action?: unknown };
  const output = recorder.captureOutputs ? boundForQueue(r.content) : undefined;
  const errorInfo = failed ? summarizeError(outcome.error, errorText(outcome.error), true) : undefined;
  if (method === "sampling/createMessage") {
    const p = (params ?? {}) as { messages?: unknown; maxTokens?: unknown };
    const messages = recorder.captureInputs ? boundForQueue(p.messages) : undefined;
    const meta = {
      ...(typeof r.model === "string" ? { model: r.model } : {}),
      ...(typeof r.stopReason === "string" ? { stop_reason: r.stopReason } : {}),
      ...(typeof p.maxTokens === "number" ? { max_tokens: p.maxTokens } : {}),
    };
    recorder.record(session, "sampling_call", method, traceId, (wire) => {
      wire.latency_ms = latency;
      wire.status = failed ? "error" : "success";
      if (messages !== undefined) wire.input_values = messages;
      if (output !== undefined) wire.output_content = output;
      wire.metadata = { ...wire.metadata, ...meta };
      if (errorInfo) describeError(wire, errorInfo);
    });
  } else {
    const p = (params ?? {}) as { message?: unknown; mode?: unknown };
    const message = recorder.captureInputs ? boundForQueue(p.message) : undefined;
    const meta = { ...(typeof r.action === "string" ? { action: r.action } : {}), ...(typeof p.mode === "string" ? { mode: p.mode } : {}) };
    recorder.record(session, "elicitation", method, traceId, (wire) => {
      wire.latency_ms = latency;
      wire.status = failed ? "error" : "success";
      if (message !== undefined) wire.input_values = { message };
      if (output !== undefined) wire.output_content = output;
      wire.metadata = { ...wire.metadata, ...meta };
      if (errorInfo) describeError(wire, errorInfo);
    });
  }
}

/** The requests an `input_required` result (2026-07-28) makes of the client, by key. */
function inputRequestsOf(result: unknown): Record<string, unknown> | undefined {
  const r = result as { resultType?: unknown; inputRequests?: unknown } | undefined;
  if (r?.resultType !== "input_required" || r.inputRequests === null || typeof r.inputRequests !== "object") return undefined;
  return r.inputRequests as Record<string, unknown>;
}

/**
 * 2026-07-28 replaces server→client requests by an `input_required` result: each request in it is
 * an `elicitation` or `sampling_call` event (phase "requested") of the tool's session and trace.
 */
function recordInputRequests(recorder: EventRecorder, session: SessionState, traceId: string, requests: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(requests)) {
    const { method, params } = (value ?? {}) as { method?: unknown; params?: Record<string, unknown> };
    if (method === "elicitation/create") {
      const message = recorder.captureInputs ? boundForQueue(params?.message) : undefined;
      const mode = typeof params?.mode === "string" ? params.mode : undefined;
      recorder.record(session, "elicitation", method, traceId, (wire) => {
        wire.status = "success";
        if (message !== undefined) wire.input_values = { message };
        wire.metadata = { ...wire.metadata, phase: "requested", request_key: key, ...(mode !== undefined ? { mode } : {}) };
      });
    } else if (method === "sampling/createMessage") {
      const messages = recorder.captureInputs ? boundForQueue(params?.messages) : undefined;
      const maxTokens = typeof params?.maxTokens === "number" ? params.maxTokens : undefined;
      recorder.record(session, "sampling_call", method, traceId, (wire) => {
        wire.status = "success";
        if (messages !== undefined) wire.input_values = messages;
        wire.metadata = { ...wire.metadata, phase: "requested", request_key: key, ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}) };
      });
    }
  }
}

/** The client's answers to those requests, on the retried call: `elicitation` / `sampling_call` (phase "answered"). */
function recordInputResponses(recorder: EventRecorder, session: SessionState, traceId: string, responses: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(responses)) {
    const r = (value ?? {}) as { action?: unknown; model?: unknown; stopReason?: unknown; content?: unknown; role?: unknown };
    const output = recorder.captureOutputs ? boundForQueue(r.content) : undefined;
    if (typeof r.action === "string") {
      const action = r.action;
      recorder.record(session, "elicitation", "elicitation/create", traceId, (wire) => {
        wire.status = "success";
        if (output !== undefined) wire.output_content = output;
        wire.metadata = { ...wire.metadata, phase: "answered", request_key: key, action };
      });
    } else if (typeof r.model === "string" || typeof r.role === "string") {
      const model = typeof r.model === "string" ? r.model : undefined;
      const stopReason = typeof r.stopReason === "string" ? r.stopReason : undefined;
      recorder.record(session, "sampling_call", "sampling/createMessage", traceId, (wire) => {
        wire.status = "success";
        if (output !== undefined) wire.output_content = output;
        wire.metadata = { ...wire.metadata, phase: "answered", request_key: key, ...(model !== undefined ? { model } : {}), ...(stopReason !== undefined ? { stop_reason: stopReason } : {}) };
      });
    }
  }
}

/** Argument names and their JSON types. */
interface InputShape {
  keys: string[];
  types: Record<string, string>;
}

/**
 * What an event keeps of the arguments: with capture.inputs their values, by reference when they are
 * small enough — then names and types are read from them in the pipeline, as the values are;
 * otherwise (values not kept, or replaced by a size marker) names and types are read now.
 */
type InputSummary = { readonly values: Record<string, unknown>; readonly shape?: undefined } | { readonly values: unknown; readonly shape: InputShape };

function inputSummary(args: unknown, captureValues: boolean): InputSummary | undefined {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
  const record = args as Record<string, unknown>;
  if (!captureValues) return { values: undefined, shape: shapeOf(record) };
  const bounded = boundForQueue(record);
  return bounded === record ? { values: record } : { values: bounded, shape: shapeOf(record) };
}

function shapeOf(args: Record<string, unknown>): InputShape {
  const keys = Object.keys(args);
  const types: Record<string, string> = {};
  for (const key of keys) types[key] = typeOf(args[key]);
  return { keys, types };
}

function applyInput(wire: WireEvent, input: InputSummary | undefined): void {
  if (input === undefined) return;
  const shape = input.shape ?? shapeOf(input.values);
  wire.input_keys = shape.keys;
  wire.input_types = shape.types;
  if (input.values !== undefined) wire.input_values = input.values;
}

interface ErrorSummary {
  message: string | undefined;
  category: ErrorCategory;
  metadata: Record<string, unknown>;
}

/** Everything an event needs of an error, as strings: the error object itself is not kept. */
function summarizeError(thrown: unknown, message: string | undefined, threw: boolean): ErrorSummary {
  const metadata: Record<string, unknown> = { error_source: threw ? "protocol" : thrown !== undefined ? "thrown" : "result" };
  if (thrown instanceof Error) metadata.error_class = thrown.name;
  return { message: message === undefined ? undefined : message.slice(0, 4096), category: categorizeError(thrown, message), metadata };
}

function describeError(wire: WireEvent, info: ErrorSummary): void {
  if (info.message !== undefined) wire.error_message = info.message;
  wire.error_category = info.category;
  wire.metadata = { ...wire.metadata, ...info.metadata };
}

function firstText(result: unknown): string | undefined {
  const content = (result as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return undefined;
  for (const item of content) {
    if (item && typeof item === "object" && (item as { type?: unknown }).type === "text") {
      const text = (item as { text?: unknown }).text;
      if (typeof text === "string") return text;
    }
  }
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
