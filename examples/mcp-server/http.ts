// The team-ledger server over stateful Streamable HTTP on 127.0.0.1:
//   npm run example:http                    (port 3333)
//   npm run example:http -- --port 8080     (or PORT=8080; 0 picks a free port)
// Since SDK 1.26 a server serves one transport, so each MCP session gets its own server; they all
// share one ledger and, because they get the same options object, one yavio delivery pipeline.
// DELETE /mcp ends a session (and its analytics session); SIGTERM/SIGINT end all of them and flush.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { WithYavioOptions, YavioMcpServer } from "yavio-mcp";
import { getYavio } from "yavio-mcp";
import { Ledger } from "./ledger.js";
import { portFromArgs } from "./port.js";
import { createServer } from "./server.js";

const MCP_PATH = "/mcp";

interface Session {
  transport: StreamableHTTPServerTransport;
  server: YavioMcpServer;
}

const ledger = new Ledger();
const yavioOptions: WithYavioOptions = {};
const sessions = new Map<string, Session>();
// Kept after its session ends: any wrapped server leads to the shared pipeline for the final flush.
let anyServer: YavioMcpServer | undefined;

const MAX_BODY_BYTES = 4 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw === "" ? undefined : (JSON.parse(raw) as unknown);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

async function handle(req: IncomingMessage, res: ServerResponse, allowedHosts: string[]): Promise<void> {
  if (new URL(req.url ?? "/", "http://localhost").pathname !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  let body: unknown;
  if (req.method === "POST") {
    try {
      body = await readJson(req);
    } catch {
      return jsonRpcError(res, 400, -32700, "Parse error");
    }
  }
  const sessionId = req.headers["mcp-session-id"];
  const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
  if (existing !== undefined) return existing.transport.handleRequest(req, res, body);
  if (sessionId !== undefined) return jsonRpcError(res, 404, -32001, "Session not found");
  if (req.method !== "POST" || !isInitializeRequest(body)) return jsonRpcError(res, 400, -32000, "Bad Request: no session; send initialize first");

  const server = createServer({ ledger, yavio: yavioOptions });
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableDnsRebindingProtection: true,
    allowedHosts,
    onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    onsessionclosed: (id) => void sessions.delete(id),
  });
  anyServer = server;
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

async function main(): Promise<void> {
  const port = portFromArgs(process.argv.slice(2), process.env);
  let allowedHosts: string[] = [];
  const http = createHttpServer((req, res) => {
    handle(req, res, allowedHosts).catch((error: unknown) => {
      process.stderr.write(`team-ledger: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, "Internal error");
      else res.end();
    });
  });

  // Registered before any server is wrapped, so it runs first: the sessions are closed (their end
  // events queued) before yavio's own exit handling drains the pipeline. Having a listener of our
  // own also tells yavio that this process decides when to exit.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    http.close();
    http.closeAllConnections();
    for (const { transport } of sessions.values()) void transport.close();
    sessions.clear();
    const flushed = anyServer === undefined ? Promise.resolve() : getYavio(anyServer).shutdown();
    void flushed.then(() => {
      process.stderr.write(`team-ledger: stopped on ${signal}\n`);
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", resolve);
  });
  const actual = (http.address() as AddressInfo).port;
  allowedHosts = [`127.0.0.1:${actual}`, `localhost:${actual}`];
  // Not a stdio server: stdout is the user's terminal here.
  process.stdout.write(`team-ledger MCP server listening on http://127.0.0.1:${actual}${MCP_PATH}\n`);
}

main().catch((error: unknown) => {
  // A bad port or one already in use: one line for the user, not a stack trace.
  process.stderr.write(`team-ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
