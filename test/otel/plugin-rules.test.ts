/**
 * Rules of the OpenTelemetry plugin that need a request no SDK 1.x server sends: a 2026-07-28
 * request over HTTP, and a scrubber that fails. The plugin's hooks are driven with fake requests;
 * the spans come from the real SDK (an in-memory exporter, passed as the plugin's tracerProvider).
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { PluginHost, PluginRequest, RequestOutcome, YavioPlugin } from "../../src/core/index.js";
import { SessionState } from "../../src/identity/index.js";
import type { YavioWarning } from "../../src/index.js";
import { YavioConfigError } from "../../src/index.js";
import { otel } from "../../src/otel/index.js";

function setup(host: Partial<PluginHost> = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const warnings: YavioWarning[] = [];
  const fullHost: PluginHost = {
    text: (s) => s,
    value: (v) => v,
    userId: (id) => id,
    warn: (w) => warnings.push({ level: "warn", ...w } as YavioWarning),
    ...host,
  };
  const plugin = otel({ tracerProvider, metrics: false });
  return { exporter, plugin, warnings, host: fullHost };
}

function request(host: PluginHost, over: Partial<PluginRequest> = {}): PluginRequest {
  const session = new SessionState("ses_test", Date.now());
  session.started = true;
  return {
    method: "tools/call",
    target: "lookup",
    arguments: { q: "x" },
    requestId: 7,
    meta: undefined,
    protocolVersion: "2025-11-25",
    inputResponses: undefined,
    connection: { transport: "streamable-http", protocolSessionId: "mcp-session-1", stateless: false },
    startSession: session,
    traceId: "trace-1",
    startedAt: performance.now(),
    resources: undefined,
    host,
    ...over,
  };
}

const OK: RequestOutcome = { result: { content: [] }, error: undefined, threw: false, isError: false, latencyMs: 3 };

function runRequest(plugin: YavioPlugin, req: PluginRequest, outcome: RequestOutcome = OK): void {
  const state = plugin.requestStarted!(req);
  plugin.runWithin!(state, () => undefined);
  plugin.requestEnded!(req, outcome, state);
}

describe("otel plugin rules", () => {
  it("sets mcp.session.id, network.transport tcp and network.protocol.name http on a 2025-era HTTP request", () => {
    const { exporter, plugin, host } = setup();
    runRequest(plugin, request(host));
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ "mcp.session.id": "mcp-session-1", "network.transport": "tcp", "network.protocol.name": "http", "jsonrpc.request.id": "7" });
  });

  it("never sets mcp.session.id on 2026-07-28 traffic, even when a session id is at hand", () => {
    const { exporter, plugin, host } = setup();
    runRequest(plugin, request(host, { protocolVersion: "2026-07-28" }));
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes["mcp.protocol.version"]).toBe("2026-07-28");
    expect(span!.attributes["mcp.session.id"]).toBeUndefined();
  });

  it("sets network.transport pipe for stdio", () => {
    const { exporter, plugin, host } = setup();
    runRequest(plugin, request(host, { connection: { transport: "stdio", protocolSessionId: undefined, stateless: false } }));
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes["network.transport"]).toBe("pipe");
    expect(span!.attributes["network.protocol.name"]).toBeUndefined();
  });

  it("leaves out what cannot be scrubbed, warns YAVIO-1308, and still ends the span", () => {
    const { exporter, plugin, host, warnings } = setup({
      text: () => {
        throw new Error("detector crashed");
      },
    });
    const req = request(host, { target: "mail_jane.doe@acme.io" });
    runRequest(plugin, req, { result: undefined, error: new Error("jane.doe@acme.io not found"), threw: true, isError: true, latencyMs: 1 });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe("tools/call");
    expect(span!.attributes["gen_ai.tool.name"]).toBeUndefined();
    expect(span!.attributes["error.type"]).toBe("-32603");
    expect(JSON.stringify(span!.attributes)).not.toContain("jane.doe");
    expect(JSON.stringify(span!.events)).not.toContain("jane.doe");
    expect(span!.status.message).toBeUndefined();
    expect(warnings.map((w) => w.code)).toContain("YAVIO-1308");
  });

  it("cuts a captured value over 50 KB to the events' truncation marker and warns YAVIO-1304", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const plugin = otel({ tracerProvider, metrics: false, captureArguments: true });
    const warnings: string[] = [];
    const host: PluginHost = { text: (s) => s, value: (v) => v, userId: (id) => id, warn: (w) => warnings.push(w.code) };
    runRequest(plugin, request(host, { arguments: { blob: "x".repeat(60_000) } }));
    await new Promise((resolve) => setImmediate(resolve));
    const [span] = exporter.getFinishedSpans();
    const captured = JSON.parse(String(span!.attributes["gen_ai.tool.call.arguments"])) as { truncated: boolean; bytes: number };
    expect(captured.truncated).toBe(true);
    expect(captured.bytes).toBeGreaterThan(50_000);
    expect(warnings).toContain("YAVIO-1304");
  });

  it.each([
    [{ captureArguments: "yes" }],
    [{ metrics: 1 }],
    [{ tracerProvider: {} }],
    [{ meterProvider: { getMeter: "no" } }],
  ])("refuses invalid options %j with YavioConfigError", (options) => {
    expect(() => otel(options as never)).toThrow(YavioConfigError);
  });
});
