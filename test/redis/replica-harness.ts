import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from "@modelcontextprotocol/client";
import type { WireEvent } from "../../src/index.js";

const TSX = import.meta.resolve("tsx");
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "redis-replica-server.ts");

export interface ReplicaProcess {
  readonly port: number;
  readonly eventsFile: string;
  readonly warningsFile: string;
  readonly child: ChildProcess;
  /** POST /shutdown (a clean analytics shutdown), then the process exits. */
  stop(): Promise<void>;
}

/** Starts one replica process (test/fixtures/redis-replica-server.ts); without `redisUrl`, the in-memory store. */
export async function startReplica(dir: string, name: string, redisUrl: string | undefined, keyPrefix: string, sdk: "v1" | "v2" = "v1"): Promise<ReplicaProcess> {
  const eventsFile = join(dir, `${name}.events.jsonl`);
  const warningsFile = join(dir, `${name}.warnings.jsonl`);
  const child = spawn(process.execPath, ["--import", TSX, FIXTURE], {
    env: { ...process.env, PORT: "0", EVENTS_FILE: eventsFile, WARNINGS_FILE: warningsFile, REDIS_URL: redisUrl ?? "", KEY_PREFIX: keyPrefix, SDK: sdk },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`replica ${name} exited (${String(code)}): ${stderr}`)));
  });
  return {
    port,
    eventsFile,
    warningsFile,
    child,
    async stop() {
      await new Promise<void>((resolve) => {
        const req = request({ host: "127.0.0.1", port, path: "/shutdown", method: "POST" }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", () => resolve());
        req.end();
      });
      await exited;
    },
  };
}

/**
 * A round-robin HTTP proxy on 127.0.0.1: each conversation's (x-conversation header) next request
 * goes to the next replica, so that no two consecutive requests of a client meet the same one.
 */
export async function startProxy(ports: readonly number[]): Promise<{ url: string; close(): Promise<void> }> {
  const next = new Map<string, number>();
  let conversations = 0;
  const server: Server = createServer((req, res) => {
    const anchor = String(req.headers["x-conversation"] ?? "");
    if (!next.has(anchor)) next.set(anchor, conversations++);
    const i = next.get(anchor)!;
    next.set(anchor, i + 1);
    const port = ports[i % ports.length]!;
    const upstream = request({ host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/mcp`, close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The protocol a client speaks: 2025-11-25 (SDK 1.x client), or 2026-07-28 (SDK 2.x client pinned to it: no protocol session at all). */
export type Era = "2025-11-25" | "2026-07-28";

/** One client's script: identify, work, conflict, upgrade, a three-step funnel, disconnect. */
export async function runClient(url: string, i: number, era: Era = "2025-11-25"): Promise<void> {
  const headers = { "x-conversation": `conv-${i}` };
  let call: (name: string, args: Record<string, unknown>) => Promise<unknown>;
  let close: () => Promise<void>;
  if (era === "2026-07-28") {
    const client = new ClientV2({ name: "replica-client", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(url), { requestInit: { headers } }));
    call = (name, args) => client.callTool({ name, arguments: args });
    close = () => client.close();
  } else {
    const client = new Client({ name: "replica-client", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    call = (name, args) => client.callTool({ name, arguments: args });
    close = () => client.close();
  }
  await call("work", { n: 1 });
  await call("login", { user: `user_${i}`, plan: "free" });
  await call("work", { n: 2 });
  await call("login", { user: `intruder_${i}`, plan: "evil" });
  await call("login", { user: `user_${i}`, plan: "pro" });
  await call("step", { name: "cart" });
  await call("step", { name: "checkout" });
  await call("step", { name: "paid" });
  await call("work", { n: 3 });
  await close();
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "yavio-replicas-"));
}

export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

export function readEvents(files: readonly string[]): WireEvent[] {
  return files.flatMap((f) => readJsonLines<WireEvent>(f));
}
