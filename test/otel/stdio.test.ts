/**
 * yavio-mcp/otel in a real stdio server process (SDK v1) whose OpenTelemetry SDK uses a batch span
 * processor and OTLP/HTTP JSON exporters posting to a receiver started here on 127.0.0.1.
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DURATION_BUCKETS_S, SPAN_ATTRIBUTES } from "../../src/otel/index.js";
import { attrs, histogramPoints, KIND_SERVER, OtlpReceiver } from "./otlp-receiver.js";

const fixture = fileURLToPath(new URL("../fixtures/otel-stdio-server.ts", import.meta.url));
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
});
afterAll(async () => {
  await receiver.stop();
});

describe("yavio-mcp/otel over stdio (SDK v1, child process)", () => {
  it("exports a SERVER span with network.transport pipe under the client's traceparent, the host's span under it, and the session duration at exit", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), fixture],
      env: { ...process.env, OTLP_URL: receiver.url },
      stderr: "pipe",
    });
    const client = new Client({ name: "cursor", version: "1.2.0" });
    await client.connect(transport);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const result = await client.callTool({ name: "lookup", arguments: { q: "milk" }, _meta: { traceparent: `00-${traceId}-${parentId}-01` } });
    expect(result.content).toEqual([{ type: "text", text: "found milk" }]);
    await client.close();
    const span = await receiver.span((s) => s.name === "tools/call lookup" && s.kind === KIND_SERVER);
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(parentId);
    expect(attrs(span.attributes)).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "lookup",
      "network.transport": "pipe",
      "yavio.client.name": "cursor",
      "yavio.platform": "cursor",
      "mcp.protocol.version": expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(attrs(span.attributes)["mcp.session.id"]).toBeUndefined();
    for (const { key } of span.attributes) expect(SPAN_ATTRIBUTES).toContain(key);
    expect(span.events?.map((e) => e.name)).toEqual(["yavio.track"]);
    const db = await receiver.span((s) => s.name === "db.query" && s.traceId === traceId);
    expect(db.parentSpanId).toBe(span.spanId);
    const metrics = await receiver.metrics((m) => histogramPoints(m, "mcp.server.session.duration").length > 0);
    const [session] = histogramPoints(metrics, "mcp.server.session.duration");
    expect(attrs(session!.attributes)).toMatchObject({ "network.transport": "pipe" });
    expect(session!.explicitBounds).toEqual(DURATION_BUCKETS_S);
    expect(receiver.contentTypes).toEqual(new Set(["application/json"]));
  }, 60_000);
});
