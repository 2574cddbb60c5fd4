/**
 * yavio-mcp/otel with the real OpenTelemetry SDK (Node 20 line) exporting OTLP/HTTP JSON to a
 * receiver on 127.0.0.1, around an SDK 1.x McpServer and Client over the in-memory transport.
 */
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WithYavioOptions, YavioContext, YavioWarning } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import type { OtelOptions } from "../../src/otel/index.js";
import { DURATION_BUCKETS_S, METRIC_ATTRIBUTES, otel, SPAN_ATTRIBUTES, SPAN_EVENTS } from "../../src/otel/index.js";
import { MemorySink } from "../../src/testing.js";
import type { OtlpSpan } from "./otlp-receiver.js";
import { attrs, histogramPoints, KIND_CLIENT, KIND_SERVER, OtlpReceiver, STATUS_ERROR } from "./otlp-receiver.js";
import type { HostSdk } from "./sdk.js";
import { clientContext, startHostSdk } from "./sdk.js";

let receiver: OtlpReceiver;
let sdk: HostSdk;

beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  sdk = startHostSdk(receiver.url);
});

afterAll(async () => {
  await sdk.shutdown();
  await receiver.stop();
});

const EMAIL = "jane.doe@acme.io";
const CARD = "4111 1111 1111 1111";

type Extra = { yavio: YavioContext };

function build(otelOptions: OtelOptions = {}, options: Partial<WithYavioOptions> = {}) {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  const server = withYavio(new McpServer({ name: "otel-test", version: "1.0.0" }), {
    sink,
    logLevel: "silent",
    eventsFile: false,
    spoolDir: false,
    handleProcessExit: false,
    onWarning: (w) => warnings.push(w),
    plugins: [otel(otelOptions)],
    ...options,
  });
  server.registerTool("add", { inputSchema: { a: z.number(), b: z.number(), note: z.string().optional() } }, ({ a, b }, extra) => {
    // The host's own span (a database call) must nest under the MCP server span.
    trace.getTracer("host-db").startActiveSpan("db.query", (span) => span.end());
    const y = (extra as unknown as Extra).yavio;
    y.identify("user_42", { email: EMAIL, plan: "pro" });
    y.track("note_added", { contact: EMAIL, count: 2 });
    y.step("drafted", { lines: 3 });
    y.conversion("paid", { value: 49.9, currency: "eur", meta: { coupon: "spring" } });
    y.captureError(new Error(`card ${CARD} declined for ${EMAIL}`), { severity: "warning" });
    return { content: [{ type: "text", text: `sum ${a + b} for ${EMAIL}` }], structuredContent: { sum: a + b, password: "hunter2" } };
  });
  server.registerTool("sid", {}, (extra) => ({ content: [{ type: "text", text: (extra as unknown as Extra).yavio.sessionId ?? "" }] }));
  server.registerTool("soft_fail", {}, () => ({ content: [{ type: "text", text: "no stock" }], isError: true }));
  server.registerTool("throws", {}, () => {
    throw new Error(`boom for ${EMAIL}`);
  });
  server.registerTool("ask", {}, async () => {
    const answer = await server.server.elicitInput({ message: "confirm?", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } } } });
    return { content: [{ type: "text", text: answer.action }] };
  });
  server.registerPrompt("greet", { argsSchema: { who: z.string() } }, ({ who }) => ({ messages: [{ role: "user", content: { type: "text", text: `hi ${who}` } }] }));
  server.registerPrompt("broken", {}, () => {
    throw new Error("template missing");
  });
  server.registerResource("invoice", new ResourceTemplate("invoice://{id}", { list: undefined }), {}, (uri) => ({ contents: [{ uri: uri.href, text: "42 EUR" }] }));
  return { server, sink, warnings };
}

async function connect(server: McpServer, elicitMeta?: (meta: unknown) => void): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: "claude-code", version: "2.1.0" }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    elicitMeta?.(request.params._meta);
    return { action: "accept", content: { ok: true } };
  });
  await client.connect(a);
  return client;
}

const spanNamed = (name: string, kind = KIND_SERVER) => (s: OtlpSpan) => s.name === name && s.kind === kind;

function checkNames(span: OtlpSpan): void {
  for (const { key } of span.attributes) expect(SPAN_ATTRIBUTES, `span attribute ${key}`).toContain(key);
  for (const event of span.events ?? []) {
    expect(Object.keys(SPAN_EVENTS), `span event ${event.name}`).toContain(event.name);
    for (const { key } of event.attributes) expect(SPAN_EVENTS[event.name], `${event.name} attribute ${key}`).toContain(key);
  }
}

describe("yavio-mcp/otel over the in-memory transport (SDK v1)", () => {
  it("makes a SERVER span `tools/call add`, child of the client's traceparent, with the conventions' attributes and our own", async () => {
    const { server } = build();
    const client = await connect(server);
    const caller = clientContext("tools/call add");
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 3 }, _meta: caller.meta });
    caller.end();
    expect(result.content).toEqual([{ type: "text", text: `sum 5 for ${EMAIL}` }]);
    await sdk.flush();
    const span = await receiver.span(spanNamed("tools/call add"));
    expect(span.traceId).toBe(caller.traceId);
    expect(span.parentSpanId).toBe(caller.spanId);
    const a = attrs(span.attributes);
    expect(a).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "add",
      "gen_ai.operation.name": "execute_tool",
      "mcp.protocol.version": expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      "yavio.session.id": expect.stringMatching(/^ses_/),
      "yavio.user.id": "user_42",
      "yavio.client.name": "claude-code",
      "yavio.client.version": "2.1.0",
      "yavio.platform": "claude-code",
      "yavio.trace_id": expect.any(String),
    });
    expect(typeof a["jsonrpc.request.id"]).toBe("string");
    // In memory: no protocol session, no network; nothing failed; nothing captured unless opted in.
    for (const key of ["mcp.session.id", "network.transport", "error.type", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.prompt.name"]) {
      expect(a[key], key).toBeUndefined();
    }
    expect(span.status?.code ?? 0).not.toBe(STATUS_ERROR);
    checkNames(span);
    const db = await receiver.span((s) => s.name === "db.query");
    expect(db.parentSpanId).toBe(span.spanId);
    expect(db.traceId).toBe(caller.traceId);
    await client.close();
  });

  it("puts identify, track, step, conversion and captureError on the request span as events, scrubbed", async () => {
    const { server } = build();
    const client = await connect(server);
    await client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
    await sdk.flush();
    const spans = receiver.spans.filter(spanNamed("tools/call add"));
    const span = spans.at(-1)!;
    const events = span.events ?? [];
    expect(events.map((e) => e.name)).toEqual(["yavio.identify", "yavio.track", "yavio.step", "yavio.conversion", "yavio.capture_error", "exception"]);
    const byName = Object.fromEntries(events.map((e) => [e.name, attrs(e.attributes)]));
    expect(byName["yavio.identify"]).toMatchObject({ "yavio.user.id": "user_42" });
    expect(JSON.parse(String(byName["yavio.identify"]!["yavio.properties"]))).toEqual({ email: "[REDACTED]", plan: "pro" });
    expect(byName["yavio.track"]!["yavio.event.name"]).toBe("note_added");
    expect(JSON.parse(String(byName["yavio.track"]!["yavio.properties"]))).toEqual({ contact: "[EMAIL_REDACTED]", count: 2 });
    expect(byName["yavio.step"]).toMatchObject({ "yavio.step.name": "drafted" });
    expect(byName["yavio.conversion"]).toMatchObject({ "yavio.conversion.name": "paid", "yavio.conversion.value": 49.9, "yavio.conversion.currency": "EUR" });
    expect(JSON.parse(String(byName["yavio.conversion"]!["yavio.properties"]))).toEqual({ coupon: "spring" });
    expect(byName["yavio.capture_error"]).toMatchObject({ "exception.type": "Error", "yavio.error.severity": "warning" });
    expect(byName.exception).toMatchObject({ "exception.type": "Error" });
    expect(String(byName.exception!["exception.message"])).toContain("[EMAIL_REDACTED]");
    checkNames(span);
    // No raw personal data anywhere on the span.
    const raw = JSON.stringify(span);
    expect(raw).not.toContain(EMAIL);
    expect(raw).not.toContain(CARD);
    await client.close();
  });

  it("records tool_error for an isError result and for a thrown tool error, with status ERROR and a scrubbed exception", async () => {
    const { server } = build();
    const client = await connect(server);
    await client.callTool({ name: "soft_fail", arguments: {} });
    const thrown = await client.callTool({ name: "throws", arguments: {} });
    expect(thrown.isError).toBe(true);
    await sdk.flush();
    const soft = await receiver.span(spanNamed("tools/call soft_fail"));
    expect(attrs(soft.attributes)["error.type"]).toBe("tool_error");
    expect(attrs(soft.attributes)["rpc.response.status_code"]).toBeUndefined();
    expect(soft.status?.code).toBe(STATUS_ERROR);
    const hard = await receiver.span(spanNamed("tools/call throws"));
    expect(attrs(hard.attributes)["error.type"]).toBe("tool_error");
    expect(hard.status?.code).toBe(STATUS_ERROR);
    expect(hard.status?.message).toBe("boom for [EMAIL_REDACTED]");
    const exception = attrs(hard.events?.find((e) => e.name === "exception")?.attributes);
    expect(exception["exception.message"]).toBe("boom for [EMAIL_REDACTED]");
    expect(JSON.stringify(hard)).not.toContain(EMAIL);
    checkNames(soft);
    checkNames(hard);
    await client.close();
  });

  it("records the JSON-RPC code of a protocol error: -32603 is a span error, -32602 (the client's fault) is not", async () => {
    const { server } = build();
    const client = await connect(server);
    await expect(client.getPrompt({ name: "broken" })).rejects.toThrow(/template missing/);
    await expect(client.readResource({ uri: "nothing://here" })).rejects.toThrow();
    await client.getPrompt({ name: "greet", arguments: { who: "ann" } });
    await client.readResource({ uri: "invoice://7" });
    await sdk.flush();
    const broken = await receiver.span(spanNamed("prompts/get broken"));
    expect(attrs(broken.attributes)).toMatchObject({ "mcp.method.name": "prompts/get", "gen_ai.prompt.name": "broken", "error.type": "-32603", "rpc.response.status_code": "-32603" });
    expect(broken.status?.code).toBe(STATUS_ERROR);
    const greet = await receiver.span(spanNamed("prompts/get greet"));
    expect(attrs(greet.attributes)["gen_ai.operation.name"]).toBeUndefined();
    expect(attrs(greet.attributes)["error.type"]).toBeUndefined();
    const reads = receiver.spans.filter(spanNamed("resources/read"));
    const missing = reads.find((s) => attrs(s.attributes)["mcp.resource.uri"] === "nothing://here")!;
    expect(attrs(missing.attributes)).toMatchObject({ "error.type": "-32602", "rpc.response.status_code": "-32602" });
    expect(missing.status?.code ?? 0).not.toBe(STATUS_ERROR);
    const invoice = reads.find((s) => attrs(s.attributes)["mcp.resource.uri"] === "invoice://7")!;
    expect(attrs(invoice.attributes)["error.type"]).toBeUndefined();
    for (const span of [broken, greet, missing, invoice]) checkNames(span);
    await client.close();
  });

  it("keeps the ambient context (the host's HTTP span) as a link when the client sent its own traceparent", async () => {
    const { server } = build();
    const client = await connect(server);
    const ambient = trace.getTracer("host-http").startSpan("POST /mcp", { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    const caller = clientContext("tools/call soft_fail");
    // In memory, the client's call carries the context it was made in to the server's handler.
    await context.with(trace.setSpan(ROOT_CONTEXT, ambient), () => client.callTool({ name: "soft_fail", arguments: {}, _meta: caller.meta }));
    ambient.end();
    caller.end();
    await sdk.flush();
    const span = await receiver.span((s) => spanNamed("tools/call soft_fail")(s) && s.traceId === caller.traceId);
    expect(span.parentSpanId).toBe(caller.spanId);
    expect(span.links?.map((l) => [l.traceId, l.spanId])).toEqual([[ambient.spanContext().traceId, ambient.spanContext().spanId]]);

    // Without a traceparent the ambient span is simply the parent, and there is no link.
    const ambient2 = trace.getTracer("host-http").startSpan("POST /mcp", { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, ambient2), () => client.callTool({ name: "soft_fail", arguments: {} }));
    ambient2.end();
    await sdk.flush();
    const nested = await receiver.span((s) => spanNamed("tools/call soft_fail")(s) && s.traceId === ambient2.spanContext().traceId);
    expect(nested.parentSpanId).toBe(ambient2.spanContext().spanId);
    expect(nested.links ?? []).toEqual([]);
    await client.close();
  });

  it("makes a CLIENT span for elicitation under the tool's span and sends its context in the request's _meta", async () => {
    const { server } = build();
    let seenMeta: Record<string, unknown> | undefined;
    const client = await connect(server, (meta) => (seenMeta = meta as Record<string, unknown>));
    const caller = clientContext("tools/call ask");
    const result = await client.callTool({ name: "ask", arguments: {}, _meta: caller.meta });
    caller.end();
    expect(result.content).toEqual([{ type: "text", text: "accept" }]);
    await sdk.flush();
    const toolSpan = await receiver.span((s) => spanNamed("tools/call ask")(s) && s.traceId === caller.traceId);
    const elicit = await receiver.span((s) => s.name === "elicitation/create" && s.traceId === caller.traceId);
    expect(elicit.kind).toBe(KIND_CLIENT);
    expect(elicit.parentSpanId).toBe(toolSpan.spanId);
    expect(attrs(elicit.attributes)).toMatchObject({ "mcp.method.name": "elicitation/create", "yavio.session.id": expect.stringMatching(/^ses_/) });
    expect(seenMeta?.traceparent).toBe(`00-${elicit.traceId}-${elicit.spanId}-01`);
    checkNames(elicit);
    await client.close();
  });

  it("records arguments and results only when opted in, scrubbed like events", async () => {
    const plain = build();
    const c1 = await connect(plain.server);
    await c1.callTool({ name: "add", arguments: { a: 5, b: 5, note: `mail ${EMAIL}` } });
    const opted = build({ captureArguments: true, captureResults: true });
    const c2 = await connect(opted.server);
    await c2.callTool({ name: "add", arguments: { a: 6, b: 6, note: `mail ${EMAIL}` } });
    const [s1, s2] = [await sessionOf(c1), await sessionOf(c2)];
    // The attributes are added off the tool's path, on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await sdk.flush();
    const adds = receiver.spans.filter(spanNamed("tools/call add"));
    const off = adds.find((s) => attrs(s.attributes)["yavio.session.id"] === s1)!;
    expect(attrs(off.attributes)["gen_ai.tool.call.arguments"]).toBeUndefined();
    const on = adds.find((s) => attrs(s.attributes)["yavio.session.id"] === s2)!;
    const a = attrs(on.attributes);
    expect(JSON.parse(String(a["gen_ai.tool.call.arguments"]))).toEqual({ a: 6, b: 6, note: "mail [EMAIL_REDACTED]" });
    const result = JSON.parse(String(a["gen_ai.tool.call.result"])) as { content: unknown; structuredContent: unknown };
    expect(result.content).toEqual([{ type: "text", text: "sum 12 for [EMAIL_REDACTED]" }]);
    expect(result.structuredContent).toEqual({ sum: 12, password: "[REDACTED]" });
    expect(JSON.stringify(on)).not.toContain(EMAIL);
    checkNames(on);
    await c1.close();
    await c2.close();
  });

  it("records mcp.server.operation.duration and mcp.server.session.duration in seconds with the conventions' buckets", async () => {
    const { server } = build();
    const client = await connect(server);
    await client.callTool({ name: "soft_fail", arguments: {} });
    await client.getPrompt({ name: "greet", arguments: { who: "bo" } });
    await client.close();
    await sdk.flush();
    const last = receiver.metricExports.at(-1)!;
    const operation = last.find((m) => m.name === "mcp.server.operation.duration")!;
    expect(operation.unit).toBe("s");
    const points = histogramPoints(last, "mcp.server.operation.duration");
    const softFail = points.find((p) => attrs(p.attributes)["gen_ai.tool.name"] === "soft_fail")!;
    expect(attrs(softFail.attributes)).toMatchObject({ "mcp.method.name": "tools/call", "error.type": "tool_error", "gen_ai.operation.name": "execute_tool" });
    expect(softFail.explicitBounds).toEqual(DURATION_BUCKETS_S);
    expect(Number(softFail.count)).toBeGreaterThanOrEqual(1);
    const greet = points.find((p) => attrs(p.attributes)["gen_ai.prompt.name"] === "greet")!;
    expect(attrs(greet.attributes)["error.type"]).toBeUndefined();
    for (const point of points) {
      for (const { key } of point.attributes) expect(METRIC_ATTRIBUTES["mcp.server.operation.duration"]).toContain(key);
      // Seconds, not milliseconds: an in-memory call takes far less than one second.
      expect(Number(point.sum) / Number(point.count)).toBeLessThan(1);
    }
    const sessions = histogramPoints(last, "mcp.server.session.duration");
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions[0]!.explicitBounds).toEqual(DURATION_BUCKETS_S);
    for (const point of sessions) {
      for (const { key } of point.attributes) expect(METRIC_ATTRIBUTES["mcp.server.session.duration"]).toContain(key);
    }
  });

  it("works with events off (events: false): spans and metrics, nothing queued for any sink", async () => {
    const { server, sink } = build({}, { events: false });
    const client = await connect(server);
    await client.callTool({ name: "add", arguments: { a: 20, b: 22 } });
    const session = await sessionOf(client);
    await client.close();
    await getYavio(server).flush();
    await sdk.flush();
    expect(sink.events).toEqual([]);
    const span = await receiver.span((s) => spanNamed("tools/call add")(s) && attrs(s.attributes)["yavio.session.id"] === session);
    expect(span.events?.map((e) => e.name)).toContain("yavio.track");
  });

  it("works with both on: the same request is an event in the sink and a span, joined by yavio.trace_id", async () => {
    const { server, sink } = build();
    const client = await connect(server);
    await client.callTool({ name: "soft_fail", arguments: {} });
    const session = await sessionOf(client);
    await client.close();
    await getYavio(server).flush();
    await sdk.flush();
    const event = sink.events.find((e) => e.event_type === "tool_call" && e.tool_name === "soft_fail")!;
    expect(event).toBeDefined();
    const span = await receiver.span((s) => spanNamed("tools/call soft_fail")(s) && attrs(s.attributes)["yavio.session.id"] === session);
    expect(attrs(span.attributes)["yavio.trace_id"]).toBe(event.trace_id);
    expect(event.session_id).toBe(session);
  });

  it("pseudonymises yavio.user.id when pii.hashUserIds is on, as events do", async () => {
    const { server, sink } = build({}, { pii: { hashUserIds: true }, hashSecret: "a-secret-of-sixteen-chars" });
    const client = await connect(server);
    await client.callTool({ name: "add", arguments: { a: 1, b: 2 } });
    const session = await sessionOf(client);
    await client.close();
    await getYavio(server).flush();
    await sdk.flush();
    const span = await receiver.span((s) => spanNamed("tools/call add")(s) && attrs(s.attributes)["yavio.session.id"] === session);
    const shown = attrs(span.attributes)["yavio.user.id"];
    expect(shown).toMatch(/^uh_/);
    expect(sink.events.find((e) => e.event_type === "tool_call")?.user_id).toBe(shown);
    expect(JSON.stringify(span)).not.toContain("user_42");
  });
});

/** The analytics session id of a client's connection, as its handlers see it. */
async function sessionOf(client: Client): Promise<string> {
  const result = await client.callTool({ name: "sid", arguments: {} });
  return (result.content as { text: string }[])[0]!.text;
}
