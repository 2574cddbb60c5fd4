/**
 * yavio-mcp/otel without any OpenTelemetry SDK registered (this file registers none): the API is a
 * no-op, the server answers as before, events flow as before, and nothing is warned or added.
 */
import { trace } from "@opentelemetry/api";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import type { YavioContext, YavioWarning } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { otel } from "../../src/otel/index.js";
import { MemorySink } from "../../src/testing.js";

describe("yavio-mcp/otel without an SDK", () => {
  it("changes nothing: same answers, same events, no warning, no _meta added to requests to the client", async () => {
    const sink = new MemorySink();
    const warnings: YavioWarning[] = [];
    const server = withYavio(new McpServer({ name: "no-sdk", version: "1.0.0" }), {
      sink,
      logLevel: "silent",
      eventsFile: false,
      spoolDir: false,
      handleProcessExit: false,
      onWarning: (w) => warnings.push(w),
      plugins: [otel({ captureArguments: true, captureResults: true })],
    });
    let recording: boolean | undefined;
    server.registerTool("ask", {}, async (extra) => {
      recording = trace.getActiveSpan()?.isRecording() ?? false;
      (extra as unknown as { yavio: YavioContext }).yavio.track("asked", { n: 1 });
      const answer = await server.server.elicitInput({ message: "ok?", requestedSchema: { type: "object", properties: {} } });
      return { content: [{ type: "text", text: answer.action }] };
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: "c", version: "1" }, { capabilities: { elicitation: {} } });
    const seen: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      seen.push(request.params);
      return { action: "decline" };
    });
    await client.connect(a);
    const result = await client.callTool({ name: "ask", arguments: {}, _meta: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } });
    expect(result.content).toEqual([{ type: "text", text: "decline" }]);
    expect(recording).toBe(false);
    expect(seen).toEqual([{ mode: "form", message: "ok?", requestedSchema: { type: "object", properties: {} } }]);
    await client.close();
    await getYavio(server).flush();
    expect(sink.events.map((e) => e.event_type)).toEqual(["connection", "track", "elicitation", "tool_call", "connection"]);
    expect(warnings).toEqual([]);
  });
});
