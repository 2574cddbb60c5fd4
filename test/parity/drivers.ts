// The ways a client reaches a server, for each SDK generation and protocol era: in-memory, stdio
// child processes, sessionful Streamable HTTP and per-request HTTP on real sockets on 127.0.0.1.
// Every driver gives the parity suite the same surface: connect a client, read the events.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioClientTransportV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpClientTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport as InMemoryTransportV1 } from "@modelcontextprotocol/sdk/inMemory.js";
import { StreamableHTTPServerTransport as HttpServerTransportV1 } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { Client as ClientV2, StreamableHTTPClientTransport as HttpClientTransportV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, InMemoryTransport as InMemoryTransportV2 } from "@modelcontextprotocol/server";
import type { WireEvent, YavioWarning } from "../../src/index.js";
import { getYavio } from "../../src/index.js";
import { MemorySink } from "../../src/testing.js";
import { ANCHOR_HEADER, buildV1, buildV2, sessionKeyV1, sessionKeyV2 } from "./servers.js";

/** What the suite calls on a client, the same on both SDKs' `Client`. */
export interface ClientLike {
  callTool(params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<unknown>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
}

export interface Connection {
  client: ClientLike;
  close(): Promise<void>;
}

export interface Harness {
  /** A client connection; `anchor` is sent as the session anchor header on per-request HTTP. */
  connect(clientName: string, anchor?: string): Promise<Connection>;
  /** Ends what is still open (shutdown) and returns every event delivered, in order. */
  finish(): Promise<WireEvent[]>;
  readonly warnings: YavioWarning[];
  stop(): Promise<void>;
}

export interface Driver {
  readonly label: string;
  readonly sdk: "v1" | "v2";
  readonly era: "2025-11-25" | "2026-07-28";
  /** One session per client connection (else: one per anchor). */
  readonly perConnection: boolean;
  /** The `transport` field of session_start. */
  readonly transport: string;
  /** Warnings reach the suite (in-process servers; stdio children log them to stderr, parsed). */
  start(options: { wrapped: boolean; anchored?: boolean }): Promise<Harness>;
}

const tsx = import.meta.resolve("tsx");
const stdioChild = fileURLToPath(new URL("./stdio-child.ts", import.meta.url));

function v2Client(name: string, era: Driver["era"]): ClientV2 {
  return new ClientV2(
    { name, version: "1.0.0" },
    {
      capabilities: { elicitation: { form: {} }, sampling: {} },
      ...(era === "2026-07-28" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
    },
  );
}

/** A v2 client answers the server's elicitation and sampling requests. */
function answerRequests(client: ClientV2): ClientV2 {
  client.setRequestHandler("elicitation/create", () => Promise.resolve({ action: "accept", content: { ok: true } }));
  client.setRequestHandler("sampling/createMessage", () =>
    Promise.resolve({ model: "test-model", role: "assistant", content: { type: "text", text: "drafted" }, stopReason: "endTurn" }),
  );
  return client;
}

function inProcessOptions(sink: MemorySink, warnings: YavioWarning[], extra: Record<string, unknown> = {}) {
  return { sink, onWarning: (w: YavioWarning) => warnings.push(w), logLevel: "silent" as const, scheduledDelayMs: 60_000, ...extra };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve(text === "" ? undefined : JSON.parse(text));
    });
    req.on("error", reject);
  });
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<{ server: HttpServer; url: URL }> {
  const server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`) };
}

function closeHttp(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** In-process harness: servers share one options object (one pipeline), events in a memory sink. */
function inProcess(
  wrapped: boolean,
  setup: (options: Record<string, unknown> | false) => {
    connect(clientName: string, anchor?: string): Promise<Connection>;
    anyServer(): object | undefined;
    stop?(): Promise<void>;
  },
  extra: Record<string, unknown> = {},
): Harness {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  const impl = setup(wrapped ? inProcessOptions(sink, warnings, extra) : false);
  return {
    warnings,
    connect: (name, anchor) => impl.connect(name, anchor),
    async finish() {
      const server = impl.anyServer();
      if (server !== undefined) await getYavio(server).shutdown();
      return [...sink.events];
    },
    async stop() {
      await impl.stop?.();
      const server = impl.anyServer();
      if (server !== undefined) await getYavio(server).shutdown();
    },
  };
}

const v1InMemory: Driver = {
  label: "v1 · 2025-11-25 · in-memory",
  sdk: "v1",
  era: "2025-11-25",
  perConnection: true,
  transport: "in-memory",
  start: ({ wrapped }) =>
    Promise.resolve(
      inProcess(wrapped, (options) => {
        let last: object | undefined;
        return {
          anyServer: () => last,
          async connect(name) {
            const server = buildV1(options);
            last = server;
            const [clientSide, serverSide] = InMemoryTransportV1.createLinkedPair();
            await server.connect(serverSide);
            const client = new ClientV1({ name, version: "1.0.0" });
            await client.connect(clientSide);
            return { client, close: () => client.close() };
          },
        };
      }),
    ),
};

const v2InMemory: Driver = {
  label: "v2 · 2025-11-25 · in-memory",
  sdk: "v2",
  era: "2025-11-25",
  perConnection: true,
  transport: "in-memory",
  start: ({ wrapped }) =>
    Promise.resolve(
      inProcess(wrapped, (options) => {
        let last: object | undefined;
        return {
          anyServer: () => last,
          async connect(name) {
            const server = buildV2(options);
            last = server;
            const [clientSide, serverSide] = InMemoryTransportV2.createLinkedPair();
            await server.connect(serverSide);
            const client = answerRequests(v2Client(name, "2025-11-25"));
            await client.connect(clientSide);
            return { client, close: () => client.close() };
          },
        };
      }),
    ),
};

/** A child process per connection; its events file and its warnings (JSON lines on stderr). */
function stdioDriver(sdk: "v1" | "v2", era: Driver["era"]): Driver {
  return {
    label: `${sdk} · ${era} · stdio${sdk === "v2" ? " (serveStdio)" : ""}`,
    sdk,
    era,
    perConnection: true,
    transport: "stdio",
    start({ wrapped }) {
      const dirs: string[] = [];
      const warnings: YavioWarning[] = [];
      const exits: Promise<unknown>[] = [];
      return Promise.resolve({
        warnings,
        async connect(name) {
          const cwd = mkdtempSync(join(tmpdir(), "yavio-parity-"));
          dirs.push(cwd);
          const args = ["--import", tsx, stdioChild, sdk, wrapped ? "wrapped" : "bare"];
          const env = { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "" } as Record<string, string>;
          let stderr = "";
          const collect = (chunk: Buffer) => (stderr += chunk.toString());
          let client: ClientV1 | ClientV2;
          let transport: StdioClientTransportV1 | StdioClientTransportV2;
          if (sdk === "v1") {
            transport = new StdioClientTransportV1({ command: process.execPath, args, cwd, stderr: "pipe", env });
            client = new ClientV1({ name, version: "1.0.0" });
          } else {
            transport = new StdioClientTransportV2({ command: process.execPath, args, cwd, stderr: "pipe", env });
            client = answerRequests(v2Client(name, era));
          }
          transport.stderr?.on("data", collect);
          await client.connect(transport);
          const child = (transport as unknown as { _process: ChildProcess })._process;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          exits.push(exited);
          return {
            client: client,
            async close() {
              await client.close();
              await exited;
              for (const line of stderr.split("\n")) {
                if (!line.includes('"yavio":true')) continue;
                try {
                  warnings.push(JSON.parse(line) as YavioWarning);
                } catch {
                  // not a warning line
                }
              }
            },
          };
        },
        async finish() {
          await Promise.all(exits);
          const events: WireEvent[] = [];
          for (const dir of dirs) {
            const file = join(dir, ".yavio", "events.jsonl");
            if (!existsSync(file)) continue;
            for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim() !== "") events.push(JSON.parse(line) as WireEvent);
          }
          return events;
        },
        stop() {
          for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
          return Promise.resolve();
        },
      });
    },
  };
}

/** Sessionful Streamable HTTP: one server and transport per `Mcp-Session-Id`. */
function sessionfulHttp(sdk: "v1" | "v2"): Driver {
  return {
    label: `${sdk} · 2025-11-25 · HTTP sessionful`,
    sdk,
    era: "2025-11-25",
    perConnection: true,
    transport: "streamable-http",
    async start({ wrapped }) {
      let http: HttpServer | undefined;
      let url: URL | undefined;
      const harness = inProcess(wrapped, (options) => {
        let last: object | undefined;
        const transports = new Map<string, { handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> }>();
        return {
          anyServer: () => last,
          async connect(name) {
            if (http === undefined) {
              const listening = await listen(async (req, res) => {
                const body = req.method === "POST" ? await readBody(req) : undefined;
                const sid = req.headers["mcp-session-id"];
                let transport = typeof sid === "string" ? transports.get(sid) : undefined;
                if (transport === undefined) {
                  if (sdk === "v1") {
                    const t: HttpServerTransportV1 = new HttpServerTransportV1({
                      sessionIdGenerator: () => randomUUID(),
                      onsessioninitialized: (id) => void transports.set(id, t),
                      onsessionclosed: (id) => void transports.delete(id),
                    });
                    const server = buildV1(options);
                    last = server;
                    await server.connect(t);
                    transport = t;
                  } else {
                    const t: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
                      sessionIdGenerator: () => randomUUID(),
                      onsessioninitialized: (id) => void transports.set(id, t),
                      onsessionclosed: (id) => void transports.delete(id),
                    });
                    const server = buildV2(options);
                    last = server;
                    await server.connect(t);
                    transport = t;
                  }
                }
                await transport.handleRequest(req, res, body);
              });
              http = listening.server;
              url = listening.url;
            }
            if (sdk === "v1") {
              const transport = new HttpClientTransportV1(url!);
              const client = new ClientV1({ name, version: "1.0.0" });
              await client.connect(transport);
              return {
                client,
                async close() {
                  await transport.terminateSession();
                  await client.close();
                },
              };
            }
            const transport = new HttpClientTransportV2(url!);
            const client = answerRequests(v2Client(name, "2025-11-25"));
            await client.connect(transport);
            return {
              client,
              async close() {
                await transport.terminateSession();
                await client.close();
              },
            };
          },
          stop: () => (http ? closeHttp(http) : Promise.resolve()),
        };
      });
      return harness;
    },
  };
}

/** Per-request HTTP: a new server per request; sessions come from the anchor header (sessionKey). */
function perRequestHttp(sdk: "v1" | "v2", era: Driver["era"]): Driver {
  return {
    label: `${sdk} · ${era} · HTTP per request${sdk === "v2" ? " (createMcpHandler)" : " (stateless)"}`,
    sdk,
    era,
    perConnection: false,
    transport: "streamable-http",
    async start({ wrapped, anchored = true }) {
      let http: HttpServer | undefined;
      let url: URL | undefined;
      const keyed = anchored ? { sessionKey: sdk === "v1" ? sessionKeyV1 : sessionKeyV2 } : {};
      const harness = inProcess(
        wrapped,
        (options) => {
          let last: object | undefined;
          return {
            anyServer: () => last,
            async connect(name, anchor) {
              if (http === undefined) {
                if (sdk === "v1") {
                  const listening = await listen(async (req, res) => {
                    const body = req.method === "POST" ? await readBody(req) : undefined;
                    const server = buildV1(options);
                    last = server;
                    const transport = new HttpServerTransportV1({ sessionIdGenerator: undefined });
                    res.on("close", () => {
                      void transport.close();
                      void server.close();
                    });
                    await server.connect(transport);
                    await transport.handleRequest(req, res, body);
                  });
                  http = listening.server;
                  url = listening.url;
                } else {
                  const handler = createMcpHandler(() => {
                    const server = buildV2(options);
                    last = server;
                    return server;
                  });
                  const node = toNodeHandler(handler);
                  const listening = await listen((req, res) => node(req, res));
                  http = listening.server;
                  url = listening.url;
                }
              }
              const headers: Record<string, string> = anchor === undefined ? {} : { [ANCHOR_HEADER]: anchor };
              if (sdk === "v1") {
                const client = new ClientV1({ name, version: "1.0.0" });
                await client.connect(new HttpClientTransportV1(url!, { requestInit: { headers } }));
                return { client, close: () => client.close() };
              }
              const client = answerRequests(v2Client(name, era));
              await client.connect(new HttpClientTransportV2(url!, { requestInit: { headers } }));
              return { client, close: () => client.close() };
            },
            stop: () => (http ? closeHttp(http) : Promise.resolve()),
          };
        },
        keyed,
      );
      return harness;
    },
  };
}

export const DRIVERS: readonly Driver[] = [
  v1InMemory,
  stdioDriver("v1", "2025-11-25"),
  sessionfulHttp("v1"),
  perRequestHttp("v1", "2025-11-25"),
  v2InMemory,
  stdioDriver("v2", "2025-11-25"),
  stdioDriver("v2", "2026-07-28"),
  sessionfulHttp("v2"),
  perRequestHttp("v2", "2025-11-25"),
  perRequestHttp("v2", "2026-07-28"),
];
