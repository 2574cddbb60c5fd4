/**
 * yavio-mcp/otel over Streamable HTTP on 127.0.0.1 (SDK v1), with the host's own HTTP server span
 * around each HTTP request, as HTTP instrumentation makes it: the MCP span's parent is the
 * client's traceparent from `_meta`, and the HTTP span is kept as a link.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind, trace } from "@opentelemetry/api";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withYavio } from "../../src/index.js";
import { otel, SPAN_ATTRIBUTES } from "../../src/otel/index.js";
import { attrs, histogramPoints, KIND_SERVER, OtlpReceiver } from "./otlp-receiver.js";
import type { HostSdk } from "./sdk.js";
import { clientContext, startHostSdk } from "./sdk.js";

let receiver: OtlpReceiver;
let sdk: HostSdk;
beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  sdk = startHostSdk(receiver.url, { batch: true });
});
afterAll(async () => {
  await sdk.shutdown();
  await receiver.stop();
});

const options = { events: false, logLevel: "silent" as const, plugins: [otel()] };

function mcpServer(): McpServer {
  const server = withYavio(new McpServer({ name: "otel-http", version: "1.0.0" }), options);
  server.registerTool("lookup", { inputSchema: { q: z.string() } }, ({ q }) => ({ content: [{ type: "text", text: `found ${q}` }] }));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? (JSON.parse(raw) as unknown) : undefined;
}

/** An HTTP server whose every request runs inside a host SERVER span `POST /mcp`; returns those spans' ids. */
async function listen(stateful: boolean): Promise<{ http: HttpServer; url: URL; httpSpans: string[] }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const httpSpans: string[] = [];
  const http = createServer((req, res) => {
    void trace.getTracer("host-http").startActiveSpan(`${req.method} /mcp`, { kind: SpanKind.SERVER }, async (span) => {
      httpSpans.push(span.spanContext().spanId);
      try {
        const body = req.method === "POST" ? await readBody(req) : undefined;
        const id = req.headers["mcp-session-id"];
        let transport = typeof id === "string" ? transports.get(id) : undefined;
        if (transport === undefined) {
          transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: stateful ? () => randomUUID() : undefined,
            onsessioninitialized: (sid) => void transports.set(sid, transport!),
          });
          await mcpServer().connect(transport);
        }
        await transport.handleRequest(req, res, body);
      } finally {
        span.end();
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`), httpSpans };
}

describe("yavio-mcp/otel over Streamable HTTP (SDK v1)", () => {
  it("stateful: parent from _meta, the host's HTTP span as a link, mcp.session.id, tcp/http, and the session duration", async () => {
    const { http, url, httpSpans } = await listen(true);
    const transport = new StreamableHTTPClientTransport(url);
    const client = new Client({ name: "claude-ai", version: "1.0.0" });
    await client.connect(transport);
    const caller = clientContext("tools/call lookup");
    await client.callTool({ name: "lookup", arguments: { q: "tea" }, _meta: caller.meta });
    caller.end();
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    await sdk.flush();
    const span = await receiver.span((s) => s.name === "tools/call lookup" && s.kind === KIND_SERVER && s.traceId === caller.traceId);
    expect(span.parentSpanId).toBe(caller.spanId);
    expect(span.links).toHaveLength(1);
    expect(httpSpans).toContain(span.links![0]!.spanId);
    expect(attrs(span.attributes)).toMatchObject({
      "mcp.session.id": sessionId,
      "network.transport": "tcp",
      "network.protocol.name": "http",
      "mcp.protocol.version": expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    for (const { key } of span.attributes) expect(SPAN_ATTRIBUTES).toContain(key);
    const ops = histogramPoints(receiver.metricExports.at(-1)!, "mcp.server.operation.duration");
    expect(ops.some((p) => attrs(p.attributes)["network.transport"] === "tcp" && attrs(p.attributes)["gen_ai.tool.name"] === "lookup")).toBe(true);
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it("stateless: no mcp.session.id (the request has no protocol session)", async () => {
    const { http, url } = await listen(false);
    const client = new Client({ name: "claude-ai", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    const caller = clientContext("tools/call lookup");
    await client.callTool({ name: "lookup", arguments: { q: "stateless" }, _meta: caller.meta });
    caller.end();
    await client.close();
    await sdk.flush();
    const span = await receiver.span((s) => s.name === "tools/call lookup" && s.traceId === caller.traceId);
    expect(attrs(span.attributes)["mcp.session.id"]).toBeUndefined();
    expect(attrs(span.attributes)["network.transport"]).toBe("tcp");
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});
