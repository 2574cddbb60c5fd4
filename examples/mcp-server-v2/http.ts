// The team-ledger server on SDK 2.x over HTTP on 127.0.0.1, through `createMcpHandler`:
//   npm run example:v2:http                    (port 3333)
//   npm run example:v2:http -- --port 8080     (or PORT=8080; 0 picks a free port)
// Both protocol eras on one endpoint: 2026-07-28 requests, and 2025-11-25 ones served statelessly.
//
// `createMcpHandler` builds a new server for every HTTP request, and no request carries a protocol
// session: 2026-07-28 has no `Mcp-Session-Id` at all, and the stateless 2025 fallback issues none.
// So nothing ties one user's requests together unless the client says so. Here the client sends
// an `x-conversation-id` header (any unguessable string it keeps for the conversation):
// - yavio's `sessionKey` reads it, so the requests of a conversation form one analytics session
//   (without it each request is its own session, marked `session_scope: "request"`, YAVIO-1107);
// - the server keeps who is signed in under it, in the shared ledger (a per-request server forgets
//   everything else); without the header a login lasts for its own request only, and says so.
// Anchored sessions end after 30 idle minutes, or when SIGTERM/SIGINT stops the process and flushes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { localhostHostValidation, localhostOriginValidation, toNodeHandler } from "@modelcontextprotocol/node";
import type { ServerContext } from "@modelcontextprotocol/server";
import { createMcpHandler } from "@modelcontextprotocol/server";
import type { WithYavioOptionsV2, YavioMcpServerV2 } from "yavio-mcp/v2";
import { getYavio } from "yavio-mcp/v2";
import { Ledger } from "../mcp-server/ledger.js";
import { portFromArgs } from "../mcp-server/port.js";
import { createServer } from "./server.js";

const MCP_PATH = "/mcp";
const CONVERSATION_HEADER = "x-conversation-id";

const conversation = (ctx: ServerContext): string | undefined => ctx.http?.req?.headers.get(CONVERSATION_HEADER) || undefined;

// Created once, outside the factory: every per-request server shares the ledger and, through the
// same options object, one yavio delivery pipeline.
const ledger = new Ledger();
const yavioOptions: WithYavioOptionsV2 = { sessionKey: conversation };
// Any wrapped server leads to the shared pipeline for the final flush.
let anyServer: YavioMcpServerV2 | undefined;

const mcp = createMcpHandler(
  () => {
    const server = createServer({ ledger, yavio: yavioOptions, conversation });
    anyServer = server;
    return server;
  },
  { onerror: (error) => process.stderr.write(`team-ledger: ${error.message}\n`) },
);
const serveMcp = toNodeHandler(mcp);
// DNS rebinding protection: only localhost names in Host, and no foreign browser Origin.
const validHost = localhostHostValidation();
const validOrigin = localhostOriginValidation();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (new URL(req.url ?? "/", "http://localhost").pathname !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  if (!validHost(req, res) || !validOrigin(req, res)) return;
  await serveMcp(req, res);
}

async function main(): Promise<void> {
  const port = portFromArgs(process.argv.slice(2), process.env);
  const http = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`team-ledger: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });

  // Registered before any server is wrapped, so it runs first: requests in flight are closed before
  // the pipeline shuts down, which ends the open analytics sessions (their end events included) and
  // flushes. Having a listener of our own also tells yavio that this process decides when to exit.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    http.close();
    http.closeAllConnections();
    void mcp
      .close()
      .catch(() => undefined)
      .then(() => (anyServer === undefined ? undefined : getYavio(anyServer).shutdown()))
      .finally(() => {
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
  // Not a stdio server: stdout is the user's terminal here.
  process.stdout.write(`team-ledger MCP server (SDK 2.x) listening on http://127.0.0.1:${(http.address() as AddressInfo).port}${MCP_PATH}\n`);
}

main().catch((error: unknown) => {
  // A bad port or one already in use: one line for the user, not a stack trace.
  process.stderr.write(`team-ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
