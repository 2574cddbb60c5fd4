/**
 * yavio-mcp/otel on SDK 2.x over the transports v2.test.ts does not reach: stdio in a child process
 * (serveStdio, both protocol eras; the child's own SDK exports OTLP/HTTP JSON with a batch span
 * processor) and sessionful Streamable HTTP (NodeStreamableHTTPServerTransport with a session id
 * generator) on 127.0.0.1, all exporting to a receiver started here.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { trace } from "@opentelemetry/api";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import { McpServer } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { otel, SPAN_ATTRIBUTES, SPAN_EVENTS } from "../../src/otel/index.js";
import { withYavio } from "../../src/v2.js";
import type { OtlpSpan } from "./otlp-receiver.js";
import { attrs, histogramPoints, KIND_SERVER, OtlpReceiver } from "./otlp-receiver.js";
import type { HostSdk } from "./sdk.js";
import { clientContext, startHostSdk } from "./sdk.js";

type Era = "2025-11-25" | "2026-07-28";
const fixture = fileURLToPath(new URL("../fixtures/otel-stdio-server-v2.ts", import.meta.url));

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

function client(era: Era): Client {
  return new Client({ name: "claude-code", version: "2.0.0" }, era === "2026-07-28" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
}

/** Every span attribute and span event attribute is one of the pinned names. */
function checkNames(span: OtlpSpan): void {
  for (const { key } of span.attributes) expect(SPAN_ATTRIBUTES).toContain(key);
  for (const event of span.events ?? []) for (const { key } of event.attributes) expect(SPAN_EVENTS[event.name]).toContain(key);
}

describe("yavio-mcp/otel on SDK v2 over stdio (serveStdio in a child process)", () => {
  it.each(["2025-11-25", "2026-07-28"] as const)("%s: a SERVER span under the client's traceparent, pipe, the era's protocol version, no mcp.session.id, the host's span under it; session duration only on 2025-11-25", async (era) => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), fixture],
      env: { ...process.env, OTLP_URL: receiver.url },
      stderr: "pipe",
    });
    const c = client(era);
    await c.connect(transport);
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const exportsBefore = receiver.metricExports.length;
    const caller = clientContext("tools/call lookup");
    const result = await c.callTool({ name: "lookup", arguments: { q: "milk" }, _meta: caller.meta });
    caller.end();
    expect(result.content).toEqual([{ type: "text", text: "found milk" }]);
    await c.close();
    // The child exports what its batch processor holds when stdin ends and it shuts its SDK down.
    await exited;
    const span = await receiver.span((s) => s.name === "tools/call lookup" && s.kind === KIND_SERVER && s.traceId === caller.traceId);
    expect(span.parentSpanId).toBe(caller.spanId);
    const a = attrs(span.attributes);
    expect(a).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "lookup",
      "gen_ai.operation.name": "execute_tool",
      "network.transport": "pipe",
      "mcp.protocol.version": era,
      "yavio.client.name": "claude-code",
      "yavio.session.id": expect.stringMatching(/^ses_/),
    });
    expect(a["mcp.session.id"]).toBeUndefined();
    expect(a["network.protocol.name"]).toBeUndefined();
    expect(span.events?.map((e) => e.name)).toEqual(["yavio.track"]);
    checkNames(span);
    const db = await receiver.span((s) => s.name === "db.query" && s.traceId === caller.traceId);
    expect(db.parentSpanId).toBe(span.spanId);
    // Nothing else the child exported under this trace is outside the pinned names.
    for (const s of receiver.spans.filter((x) => x.traceId === caller.traceId && x.kind === KIND_SERVER)) checkNames(s);
    // The child's metrics, exported at its shutdown (before it exits): the tool call's operation
    // duration in this era over a pipe, and a session duration only where the era has a protocol
    // session (2026-07-28 has none).
    const exports = receiver.metricExports.slice(exportsBefore);
    const childExport = exports.find((m) => histogramPoints(m, "mcp.server.operation.duration").some((p) => attrs(p.attributes)["gen_ai.tool.name"] === "lookup"));
    expect(childExport).toBeDefined();
    const [operation] = histogramPoints(childExport!, "mcp.server.operation.duration").filter((p) => attrs(p.attributes)["gen_ai.tool.name"] === "lookup");
    expect(attrs(operation!.attributes)).toMatchObject({ "mcp.method.name": "tools/call", "mcp.protocol.version": era, "network.transport": "pipe" });
    expect(Number(operation!.count)).toBe(1);
    const sessionPoints = exports.flatMap((m) => histogramPoints(m, "mcp.server.session.duration"));
    if (era === "2025-11-25") {
      expect(sessionPoints.map((p) => [Number(p.count), attrs(p.attributes)])).toEqual([[1, { "mcp.protocol.version": era, "network.transport": "pipe" }]]);
    } else {
      expect(sessionPoints).toEqual([]);
    }
  }, 60_000);
});

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? (JSON.parse(raw) as unknown) : undefined;
}

const options = { events: false, logLevel: "silent" as const, plugins: [otel()] };

function build(): McpServer {
  const server = withYavio(new McpServer({ name: "otel-v2-http", version: "1.0.0" }), options);
  server.registerTool("lookup", { inputSchema: z.object({ q: z.string() }) }, ({ q }, ctx) => {
    trace.getTracer("host-db").startActiveSpan("db.query", (span) => span.end());
    ctx.yavio.track("looked_up", { q });
    return { content: [{ type: "text", text: `found ${q}` }] };
  });
  return server;
}

/** Sessionful Streamable HTTP: one transport and one server per MCP session id. */
async function sessionfulHttp(): Promise<{ http: HttpServer; url: URL; sessions: Map<string, NodeStreamableHTTPServerTransport> }> {
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    void (async () => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const sid = req.headers["mcp-session-id"];
      let transport = typeof sid === "string" ? sessions.get(sid) : undefined;
      if (transport === undefined) {
        const t: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void sessions.set(id, t),
          onsessionclosed: (id) => void sessions.delete(id),
        });
        await build().connect(t);
        transport = t;
      }
      await transport.handleRequest(req, res, body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`), sessions };
}

async function closeHttp(http: HttpServer): Promise<void> {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

describe("yavio-mcp/otel on SDK v2 over sessionful Streamable HTTP (NodeStreamableHTTPServerTransport)", () => {
  it("2025-11-25: a SERVER span under the client's traceparent, tcp/http, mcp.session.id equal to the MCP session id, the protocol version from initialize, and the session duration", async () => {
    const { http, url, sessions } = await sessionfulHttp();
    const transport = new StreamableHTTPClientTransport(url);
    const c = client("2025-11-25");
    await c.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect([...sessions.keys()]).toEqual([sessionId]);
    const spans: OtlpSpan[] = [];
    for (const q of ["tea", "milk"]) {
      const caller = clientContext("tools/call lookup");
      const result = await c.callTool({ name: "lookup", arguments: { q }, _meta: caller.meta });
      caller.end();
      expect(result.content).toEqual([{ type: "text", text: `found ${q}` }]);
      await sdk.flush();
      const span = await receiver.span((s) => s.name === "tools/call lookup" && s.kind === KIND_SERVER && s.traceId === caller.traceId);
      expect(span.parentSpanId).toBe(caller.spanId);
      const db = await receiver.span((s) => s.name === "db.query" && s.traceId === caller.traceId);
      expect(db.parentSpanId).toBe(span.spanId);
      spans.push(span);
    }
    for (const span of spans) {
      expect(attrs(span.attributes)).toMatchObject({
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": "lookup",
        "network.transport": "tcp",
        "network.protocol.name": "http",
        "mcp.session.id": sessionId,
        "mcp.protocol.version": "2025-11-25",
        "yavio.client.name": "claude-code",
      });
      expect(span.events?.map((e) => e.name)).toEqual(["yavio.track"]);
      checkNames(span);
    }
    // Both requests are one analytics session.
    expect(attrs(spans[0]!.attributes)["yavio.session.id"]).toMatch(/^ses_/);
    expect(attrs(spans[1]!.attributes)["yavio.session.id"]).toBe(attrs(spans[0]!.attributes)["yavio.session.id"]);
    await transport.terminateSession();
    await c.close();
    await sdk.flush();
    const metrics = await receiver.metrics((m) => histogramPoints(m, "mcp.server.session.duration").some((p) => attrs(p.attributes)["network.transport"] === "tcp"));
    const points = histogramPoints(metrics, "mcp.server.session.duration").filter((p) => attrs(p.attributes)["network.transport"] === "tcp");
    expect(points.reduce((n, p) => n + Number(p.count), 0)).toBe(1);
    expect(sessions.size).toBe(0);
    await closeHttp(http);
  }, 60_000);
});
