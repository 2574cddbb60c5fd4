/**
 * Hosts that await the delivery handle while the ingest is unreachable, as real child processes
 * (issue 10.1). Every delivery timer is unref'd, so before the fix nothing kept the event loop alive:
 * the process ended with the promise pending (exit 13 under ESM; exit 0 under CommonJS with the code
 * after the await never run), or lingered on an in-flight socket. The request and export timeouts
 * are set to ten minutes here, so only the shutdown and exit deadlines can end a child before the
 * test's own timeout.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = join(root, "test", "fixtures", "delivery");
const tsxEsm = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const tsxCjs = join(root, "node_modules", "tsx", "dist", "cjs", "index.cjs");
const KEY = "yav_await_SECRET";
const TEN_MINUTES = "600000";

const HOSTS = {
  esm: ["--import", tsxEsm, join(fixtures, "await-host.mts")],
  cjs: ["--require", tsxCjs, "-e", "require(process.argv[1])", join(fixtures, "await-host.cts")],
} as const;

/** An ingest that takes connections and never answers. */
let blackHole: NetServer;
const held: Socket[] = [];
let blackHoleUrl: string;
/** A port nothing listens on: connections are refused. */
let refusedUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  blackHole = createNetServer((socket) => {
    held.push(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  blackHoleUrl = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}/v1/events`;
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  refusedUrl = `http://127.0.0.1:${port}/v1/events`;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  cwd: string;
}

function runHost(host: keyof typeof HOSTS, mode: string, endpoint: string): Promise<Outcome> {
  const cwd = mkdtempSync(join(tmpdir(), "yavio-await-"));
  dirs.push(cwd);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...HOSTS[host], mode, "5"], {
      cwd,
      env: {
        ...process.env,
        YAVIO_ENDPOINT: endpoint,
        YAVIO_API_KEY: KEY,
        YAVIO_SHUTDOWN_TIMEOUT_MS: "1500",
        YAVIO_EXPORT_TIMEOUT_MS: TEN_MINUTES,
        YAVIO_REQUEST_TIMEOUT_MS: TEN_MINUTES,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr, cwd }));
  });
}

/** The `track` events in the child's spool. */
function spooledTracks(cwd: string): string[] {
  const dir = join(cwd, ".yavio", "spool");
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
  } catch {
    return [];
  }
  return files
    .flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n"))
    .map((l) => JSON.parse(l) as { event_type: string; event_name?: string })
    .filter((e) => e.event_type === "track")
    .map((e) => e.event_name ?? "")
    .sort();
}

const FIVE = ["event_0", "event_1", "event_2", "event_3", "event_4"];
const ENDPOINTS = { refused: () => refusedUrl, "black-holed": () => blackHoleUrl };

describe.concurrent("a host that awaits the delivery handle with the ingest unreachable", () => {
  const cases = (["esm", "cjs"] as const).flatMap((host) =>
    (["refused", "black-holed"] as const).flatMap((ingest) => (["shutdown", "flush"] as const).map((mode) => ({ host, ingest, mode }))),
  );

  it.each(cases)("$host host, $ingest ingest: `await getYavio(server).$mode()` returns, the code after it runs, the events are spooled", async ({ host, ingest, mode }) => {
    const result = await runHost(host, mode, ENDPOINTS[ingest]());
    expect(result.stdout, result.stderr).toContain(`after ${mode}`);
    expect(result.code, result.stderr).toBe(0);
    expect(spooledTracks(result.cwd)).toEqual(FIVE);
    expect(result.stderr).not.toContain("SECRET");
  }, 60_000);

  it.each([
    ["esm", "refused"],
    ["cjs", "refused"],
    ["esm", "black-holed"],
    ["cjs", "black-holed"],
  ] as const)("%s host, %s ingest: the README's shutdown().then(() => process.exit(0)) reaches its exit", async (host, ingest) => {
    const result = await runHost(host, "then-exit", ENDPOINTS[ingest]());
    expect(result.stdout, result.stderr).toContain("after shutdown");
    expect(result.code).toBe(0);
    expect(spooledTracks(result.cwd)).toEqual(FIVE);
  }, 60_000);

  it("a stdio server whose client ends stdin exits by itself with a black-holed ingest, the session spooled", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "yavio-await-"));
    dirs.push(cwd);
    const child = spawn(process.execPath, ["--import", tsxEsm, join(fixtures, "stdio-server.ts")], {
      cwd,
      env: { ...process.env, YAVIO_ENDPOINT: blackHoleUrl, YAVIO_API_KEY: KEY, YAVIO_EXPORT_TIMEOUT_MS: TEN_MINUTES, YAVIO_REQUEST_TIMEOUT_MS: TEN_MINUTES },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (code, signal) => resolve([code, signal])));
    const send = (message: object): boolean => child.stdin.write(`${JSON.stringify(message)}\n`);
    let stdout = "";
    const answered = new Promise<void>((resolve) =>
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('"id":2')) resolve();
      }),
    );
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "claude-code", version: "1.0.0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } });
    await answered;
    child.stdin.end();
    const [code, signal] = await exited;
    expect(signal, stderr).toBeNull();
    expect(code, stderr).toBe(0);
    const dir = join(cwd, ".yavio", "spool");
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n"))
      .map((l) => JSON.parse(l) as { event_type: string; event_name?: string })
      .map((e) => `${e.event_type}:${e.event_name ?? ""}`);
    expect(names).toContain("tool_call:echo");
    expect(names).toContain("connection:session_end");
  }, 60_000);

  it.each(["esm", "cjs"] as const)(
    "%s host that awaits nothing: a request black-holed by the ingest does not keep the process alive; the batch is spooled at the exit deadline",
    async (host) => {
      const result = await runHost(host, "idle", blackHoleUrl);
      expect(result.code, result.stderr).toBe(0);
      expect(result.signal).toBeNull();
      expect(spooledTracks(result.cwd)).toEqual(FIVE);
    },
    60_000,
  );
});
