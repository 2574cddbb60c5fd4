import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { deriveSessionId } from "../../src/identity/index.js";
import type { WireEvent, YavioContext } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { MemorySink } from "../../src/testing.js";

/** A memory sink that lets a test await an event instead of polling for it. */
class WatchingSink extends MemorySink {
  private waiters: { predicate: (e: WireEvent) => boolean; resolve: (e: WireEvent) => void }[] = [];

  override async send(batch: readonly WireEvent[]) {
    const result = await super.send(batch);
    for (const event of batch) {
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
    return result;
  }

  next(predicate: (e: WireEvent) => boolean): Promise<WireEvent> {
    const found = this.events.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }
}

function registerTools(server: McpServer): McpServer {
  server.registerTool("login", { inputSchema: { user: z.string() } }, ({ user }, extra) => {
    (extra as unknown as { yavio: YavioContext }).yavio.identify(user);
    return { content: [{ type: "text", text: `hi ${user}` }] };
  });
  server.registerTool("ping_tool", {}, (extra) => ({
    content: [{ type: "text", text: (extra as unknown as { yavio: YavioContext }).yavio.sessionId ?? "" }],
  }));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? (JSON.parse(raw) as unknown) : undefined;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ http: HttpServer; url: URL }> {
  const http = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return { http, url: new URL(`http://127.0.0.1:${port}/mcp`) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe("Streamable HTTP on 127.0.0.1", () => {
  it("stateful: one session per Mcp-Session-Id, derived deterministically; DELETE ends and flushes it", async () => {
    const sink = new WatchingSink();
    const options = { sink, logLevel: "silent" as const, scheduledDelayMs: 60_000 };
    const transports = new Map<string, StreamableHTTPServerTransport>();
    let lastServer: McpServer | undefined;
    const { http, url } = await listen(async (req, res) => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const sid = req.headers["mcp-session-id"];
      let transport = typeof sid === "string" ? transports.get(sid) : undefined;
      if (!transport) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, created),
          onsessionclosed: (id) => void transports.delete(id),
        });
        transport = created;
        // A server per session, each wrapped: they share one pipeline because the options are equal.
        lastServer = registerTools(withYavio(new McpServer({ name: "http", version: "1" }), options));
        await lastServer.connect(created);
      }
      await transport.handleRequest(req, res, body);
    });
    closers.push(() => new Promise((r) => http.close(() => r())));
    closers.push(() => getYavio(lastServer!).shutdown());

    const sessions: { client: Client; transport: StreamableHTTPClientTransport }[] = [];
    for (const name of ["claude-ai", "Visual Studio Code"]) {
      const transport = new StreamableHTTPClientTransport(url);
      const client = new Client({ name, version: "1" });
      await client.connect(transport);
      sessions.push({ client, transport });
    }
    const [a, b] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    await a.client.callTool({ name: "login", arguments: { user: "ann" } });
    await b.client.callTool({ name: "login", arguments: { user: "bob" } });
    const aSes = ((await a.client.callTool({ name: "ping_tool", arguments: {} })).content as { text: string }[])[0]!.text;
    const bSes = ((await b.client.callTool({ name: "ping_tool", arguments: {} })).content as { text: string }[])[0]!.text;

    expect(aSes).toBe(deriveSessionId(a.transport.sessionId!, "mcp"));
    expect(bSes).toBe(deriveSessionId(b.transport.sessionId!, "mcp"));
    expect(aSes).not.toBe(bSes);
    expect(sink.events.filter((e) => e.event_type === "tool_call")).toHaveLength(0); // nothing flushed yet: the timer is 60 s

    await a.transport.terminateSession(); // HTTP DELETE
    const endA = await sink.next((e) => e.event_name === "session_end" && e.session_id === aSes);
    expect(endA.metadata).toMatchObject({ tool_calls: 2, reason: "close" });
    const aEvents = sink.events.filter((e) => e.session_id === aSes);
    expect(aEvents.map((e) => e.event_type)).toEqual(["connection", "identify", "tool_call", "tool_call", "connection"]);
    expect(aEvents[0]).toMatchObject({ client_name: "claude-ai", platform: "claude", transport: "streamable-http" });
    expect(aEvents.slice(1).every((e) => e.user_id === "ann")).toBe(true);

    await b.transport.terminateSession();
    await sink.next((e) => e.event_name === "session_end" && e.session_id === bSes);
    const bEvents = sink.events.filter((e) => e.session_id === bSes);
    expect(bEvents[0]).toMatchObject({ platform: "vscode" });
    expect(bEvents.filter((e) => e.user_id !== undefined).every((e) => e.user_id === "bob")).toBe(true);
    await a.client.close();
    await b.client.close();
  });

  async function statelessServer(options: Record<string, unknown>) {
    let any: McpServer | undefined;
    const { http, url } = await listen(async (req, res) => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const server = registerTools(withYavio(new McpServer({ name: "stateless", version: "1" }), options));
      any = server;
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    });
    closers.push(() => new Promise((r) => http.close(() => r())));
    closers.push(async () => {
      if (any) await getYavio(any).shutdown();
    });
    return { url, handle: () => getYavio(any!) };
  }

  it("stateless without sessionKey: every request is its own session", async () => {
    const sink = new MemorySink();
    const { url, handle } = await statelessServer({ sink, logLevel: "silent" });
    const client = new Client({ name: "codex-mcp-client", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(url));
    await client.callTool({ name: "ping_tool", arguments: {} });
    await client.callTool({ name: "ping_tool", arguments: {} });
    await client.close();
    await handle().flush();
    const calls = sink.events.filter((e) => e.event_type === "tool_call");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.session_id).not.toBe(calls[1]!.session_id);
  });

  it("stateless with sessionKey: requests with the same anchor share one session and its identity", async () => {
    const sink = new MemorySink();
    const { url, handle } = await statelessServer({
      sink,
      logLevel: "silent",
      sessionKey: (extra: { requestInfo?: { headers?: Record<string, unknown> } }) => extra.requestInfo?.headers?.["x-user-token"] as string | undefined,
    });
    const sessionIds: string[] = [];
    for (const token of ["tok-1", "tok-2"]) {
      const client = new Client({ name: "claude-ai", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { "x-user-token": token } } }));
      await client.callTool({ name: "login", arguments: { user: `user-${token}` } });
      const r1 = await client.callTool({ name: "ping_tool", arguments: {} });
      const r2 = await client.callTool({ name: "ping_tool", arguments: {} });
      const s1 = (r1.content as { text: string }[])[0]!.text;
      expect((r2.content as { text: string }[])[0]!.text).toBe(s1);
      expect(s1).toBe(deriveSessionId(token, "key"));
      sessionIds.push(s1);
      await client.close();
    }
    await handle().shutdown();
    expect(sessionIds[0]).not.toBe(sessionIds[1]);
    for (const [i, sid] of sessionIds.entries()) {
      const events = sink.events.filter((e) => e.session_id === sid);
      expect(events.filter((e) => e.event_name === "session_start")).toHaveLength(1);
      expect(events[0]).toMatchObject({ client_name: "claude-ai", platform: "claude" });
      expect(events.filter((e) => e.event_type === "tool_call")).toHaveLength(3);
      expect(events.filter((e) => e.event_type === "tool_call").every((e) => e.user_id === `user-tok-${i + 1}`)).toBe(true);
      expect(JSON.stringify(events)).not.toContain(`"tok-${i + 1}"`);
    }
  });
});
