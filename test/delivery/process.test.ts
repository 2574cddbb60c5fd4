import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Server as NetServer } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IngestServer } from "./helpers/ingest-server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = join(root, "test", "fixtures", "delivery");
// An absolute loader URL: the child runs in a temporary directory without node_modules.
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const KEY = "yav_process_SECRET";

let cwd: string;
let server: IngestServer;

beforeEach(async () => {
  cwd = mkdtempSync(join(tmpdir(), "yavio-process-"));
  server = await new IngestServer().start();
});
afterEach(async () => {
  await server.close();
  for (const down of downServers.splice(0)) await new Promise((resolve) => down.close(resolve));
  rmSync(cwd, { recursive: true, force: true });
  expect(server.invalidBodies).toEqual([]);
});

/**
 * An ingest that is down: it accepts TCP and drops every connection at once. Holding the port (rather
 * than freeing one) keeps a parallel test from reusing it and answering in its place.
 */
const downServers: NetServer[] = [];
async function deadEndpoint(): Promise<string> {
  const down = createNetServer((socket) => socket.destroy());
  downServers.push(down);
  await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(down.address() as AddressInfo).port}/v1/events`;
}

function spooled(): Record<string, unknown>[] {
  const dir = join(cwd, ".yavio", "spool");
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
  } catch {
    return [];
  }
  return files.flatMap((f) =>
    readFileSync(join(dir, f), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the exit fixture; `onReady` fires when it has queued its events. */
function runExitChild(mode: string, endpoint: string, onReady?: (pid: number) => void): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, join(fixtures, "exit-child.ts"), mode, "5"], {
      cwd,
      env: { ...process.env, YAVIO_ENDPOINT: endpoint, YAVIO_API_KEY: KEY },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.on("data", (c: Buffer) => {
      if (c.toString().includes("ready")) onReady?.(child.pid!);
    });
    child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("process exit", () => {
  it("on SIGTERM without a host handler, flushes and then terminates by the signal as Node would", async () => {
    const result = await runExitChild("signal", server.url, (pid) => process.kill(pid, "SIGTERM"));
    expect(result.signal).toBe("SIGTERM");
    expect(server.delivered.size).toBe(5);
    expect(spooled()).toEqual([]);
  });

  it("on SIGINT with the ingest down, spools the events and still terminates by the signal", async () => {
    const result = await runExitChild("signal", await deadEndpoint(), (pid) => process.kill(pid, "SIGINT"));
    expect(result.signal).toBe("SIGINT");
    expect(spooled()).toHaveLength(5);
    expect(result.stderr).toContain("YAVIO-1212");
    expect(result.stderr).not.toContain("SECRET");
  });

  it("with a host SIGTERM handler, flushes and leaves the exit to the host", async () => {
    const result = await runExitChild("host-handler", server.url, (pid) => process.kill(pid, "SIGTERM"));
    expect(result.stderr).toContain("host handler ran");
    expect(result.code).toBe(7);
    expect(result.signal).toBeNull();
    expect(server.delivered.size).toBe(5);
  });

  it("delivers queued events on beforeExit when the script simply ends", async () => {
    const result = await runExitChild("before-exit", server.url);
    expect(result.code).toBe(0);
    expect(server.delivered.size).toBe(5);
  });

  it("spools at exit when the script ends during an outage", async () => {
    const result = await runExitChild("before-exit", await deadEndpoint());
    expect(result.code).toBe(0);
    expect(spooled()).toHaveLength(5);
  });
});

/** An ingest that answers each request `delayMs` after it arrived, and counts the events it received. */
async function slowIngest(delayMs: number): Promise<{ url: string; received: Map<string, number>; arrived: Promise<void>; close(): Promise<void> }> {
  const received = new Map<string, number>();
  let signal: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (signal = resolve));
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
      for (const e of (JSON.parse(text) as { events: { event_id: string }[] }).events) received.set(e.event_id, (received.get(e.event_id) ?? 0) + 1);
      signal();
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end("{}");
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`,
    received,
    arrived,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a signal while a batch is in flight (issue 10.7)", () => {
  it("waits for an answer that comes within the exit deadline: each event delivered once, nothing spooled to send again", async () => {
    const ingest = await slowIngest(300);
    try {
      let pid = 0;
      const exited = runExitChild("in-flight", ingest.url, (p) => (pid = p));
      await ingest.arrived;
      process.kill(pid, "SIGTERM");
      const result = await exited;
      expect(result.signal).toBe("SIGTERM");
      expect([...ingest.received.values()]).toEqual([1, 1, 1, 1, 1]);
      expect(spooled()).toEqual([]);
    } finally {
      await ingest.close();
    }
  });

  it("spools a batch whose answer comes after the exit deadline: nothing is lost (the documented duplicate window)", async () => {
    const ingest = await slowIngest(60_000);
    try {
      let pid = 0;
      const exited = runExitChild("in-flight", ingest.url, (p) => (pid = p));
      await ingest.arrived;
      process.kill(pid, "SIGTERM");
      const result = await exited;
      expect(result.signal).toBe("SIGTERM");
      // The ingest had the batch but never answered: the process cannot know, so it keeps it.
      expect(spooled().map((e) => e.event_id).sort()).toEqual([...ingest.received.keys()].sort());
      expect(result.stderr).toContain("YAVIO-1212");
    } finally {
      await ingest.close();
    }
  });
});

describe("stdio MCP server child", () => {
  let childStderr = "";
  async function session(endpoint: string, calls: string[]): Promise<void> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", tsx, join(fixtures, "stdio-server.ts")],
      cwd,
      env: { ...(process.env as Record<string, string>), YAVIO_ENDPOINT: endpoint, YAVIO_API_KEY: KEY },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (c: Buffer) => (childStderr += c.toString()));
    const client = new Client({ name: "claude-code", version: "1.0.0" });
    await client.connect(transport);
    for (const text of calls) await client.callTool({ name: "echo", arguments: { text } });
    // close() ends stdin and waits for the child to exit (SIGTERM after 2 s, as the SDK does).
    await client.close();
  }

  it("spools while the ingest is down when the client disconnects, and delivers at the next start", async () => {
    await session(await deadEndpoint(), ["one", "two", "three"]);
    const first = spooled();
    const firstCalls = first.filter((e) => e.event_type === "tool_call");
    expect(firstCalls, childStderr).toHaveLength(3);
    expect(first.every((e) => e.platform === "claude-code" || e.platform === undefined)).toBe(true);

    await session(server.url, ["four"]);
    for (const e of first) expect(server.delivered.get(String(e.event_id)), childStderr).toBe(1);
    const toolCalls = server.requests.flatMap((r) => r.body.events).filter((e) => e.event_type === "tool_call");
    expect(toolCalls, childStderr).toHaveLength(4);
    expect(toolCalls.every((e) => e.platform === "claude")).toBe(true);
    expect(spooled()).toEqual([]);
    expect([...server.delivered.values()].every((n) => n === 1)).toBe(true);
  }, 30_000);
});
