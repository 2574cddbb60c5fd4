import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { getYavio, withYavio } from "../../src/index.js";
import type { WithYavioOptions } from "../../src/index.js";
import { MemorySink } from "../../src/testing.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? (JSON.parse(raw) as unknown) : undefined;
}

/** Every call's arguments as the handlers got them. */
function build(seen: unknown[]): McpServer {
  const server = new McpServer({ name: "http-discovery", version: "1.0.0" });
  server.registerTool("search", { description: "Search notes.", inputSchema: z.object({ query: z.string() }).strict() }, (args) => {
    seen.push(args);
    return { content: [{ type: "text", text: `found ${args.query}` }] };
  });
  server.registerTool("legacy", { inputSchema: z3.object({ id: z3.string() }).strict() }, (args) => {
    seen.push(args);
    return { content: [{ type: "text", text: args.id }] };
  });
  return server;
}

/** A stateful Streamable HTTP server on 127.0.0.1 with one wrapped McpServer per MCP session; `options` undefined serves bare servers. */
async function serve(options: WithYavioOptions | undefined, seen: unknown[]): Promise<{ url: URL; flush: () => Promise<void> }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const servers: McpServer[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const sid = req.headers["mcp-session-id"];
      let transport = typeof sid === "string" ? transports.get(sid) : undefined;
      if (!transport) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, created),
        });
        transport = created;
        const server = options === undefined ? build(seen) : withYavio(build(seen), options);
        servers.push(server);
        await server.connect(created);
      }
      await transport.handleRequest(req, res, body);
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const t of transports.values()) await t.close();
    await new Promise<void>((r) => http.close(() => r()));
    if (options !== undefined && servers[0] !== undefined) await getYavio(servers[0]).shutdown();
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  // The servers of one options object share one pipeline: any one's handle flushes it.
  return { url, flush: () => getYavio(servers[0]!).flush() };
}

async function connect(url: URL): Promise<Client> {
  const client = new Client({ name: "claude-ai", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url));
  closers.push(() => client.close());
  return client;
}

describe("discovery and intent over Streamable HTTP (127.0.0.1)", () => {
  it("records each tool once per MCP session across requests, and again for a new session", async () => {
    const sink = new MemorySink();
    const { url, flush } = await serve({ sink, logLevel: "silent" }, []);
    const a = await connect(url);
    await a.listTools();
    await a.listTools();
    const b = await connect(url);
    await b.listTools();
    await a.callTool({ name: "delete_everything", arguments: {} });
    await flush();
    const discovery = sink.events.filter((e) => e.event_type === "tool_discovery");
    const sessions = [...new Set(discovery.map((e) => e.session_id))];
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(discovery.filter((e) => e.session_id === session).map((e) => e.tool_name)).toEqual(["search", "legacy"]);
    }
    // The full schema went once per fingerprint, the second session carries fingerprints only.
    expect(discovery.filter((e) => e.input_schema !== undefined).map((e) => e.session_id)).toEqual([sessions[0], sessions[0]]);
    const unknown = sink.events.find((e) => e.event_type === "tool_call");
    expect(unknown).toMatchObject({ tool_name: "delete_everything", status: "error", metadata: { unexposed_tool: "not_found" } });
    expect(unknown!.session_id).toBe(sessions[0]);
  });

  it("with intent on: strict schemas accept the argument, handlers get the host's arguments, answers match a bare server", async () => {
    const bareSeen: unknown[] = [];
    const { url: bareUrl } = await serve(undefined, bareSeen);
    const sink = new MemorySink();
    const seen: unknown[] = [];
    const { url, flush } = await serve({ sink, logLevel: "silent", capture: { intent: true } }, seen);
    const bare = await connect(bareUrl);
    const client = await connect(url);

    const bareList = await bare.listTools();
    const list = await client.listTools();
    expect(list.tools.map((t) => Object.keys(t.inputSchema.properties ?? {}))).toEqual([
      ["query", "context"],
      ["id", "context"],
    ]);
    expect(bareList.tools.map((t) => Object.keys(t.inputSchema.properties ?? {}))).toEqual([["query"], ["id"]]);

    const calls = [
      { name: "search", arguments: { query: "q1" }, context: "the user wants last week's notes" },
      { name: "legacy", arguments: { id: "x" }, context: "look up an old id" },
      { name: "search", arguments: { query: "q2", extra: 1 }, context: "strict rejects extra" },
      { name: "missing", arguments: {}, context: "no such tool" },
    ];
    for (const call of calls) {
      const expected = await bare.callTool({ name: call.name, arguments: call.arguments });
      const actual = await client.callTool({ name: call.name, arguments: { ...call.arguments, context: call.context } });
      expect(actual).toEqual(expected);
    }
    expect(seen).toEqual(bareSeen);
    expect(seen).toEqual([{ query: "q1" }, { id: "x" }]);

    await flush();
    const toolCalls = sink.events.filter((e) => e.event_type === "tool_call");
    expect(toolCalls.map((e) => [e.tool_name, e.status, e.intent])).toEqual([
      ["search", "success", "the user wants last week's notes"],
      ["legacy", "success", "look up an old id"],
      ["search", "error", "strict rejects extra"],
      ["missing", "error", "no such tool"],
    ]);
  });
});
