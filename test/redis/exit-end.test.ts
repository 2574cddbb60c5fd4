/**
 * SIGTERM on a server whose sessions are shared through Redis: the exit path ends sessions
 * synchronously, so a session_end that waited for the store's answer was lost with the process.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import { describeRedis, testPrefix } from "./redis-env.js";

const fixture = fileURLToPath(new URL("../fixtures/redis/exit-host.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function eventsIn(cwd: string): WireEvent[] {
  const dir = join(cwd, ".yavio");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith("events.jsonl"))
    .flatMap((name) => readFileSync(join(dir, name), "utf8").split("\n"))
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as WireEvent);
}

describeRedis("Redis session store: the exit path", (url) => {
  it("on SIGTERM a shared session's session_end is on disk, with this replica's counts", { timeout: 30_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "yavio-redis-exit-"));
    dirs.push(cwd);
    const env = { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "", YAVIO_LOG_LEVEL: "silent", REDIS_URL: url, KEY_PREFIX: testPrefix() };
    const transport = new StdioClientTransport({ command: process.execPath, args: ["--import", tsx, fixture], cwd, stderr: "pipe", env });
    const client = new Client({ name: "cursor-vscode", version: "1.0" });
    await client.connect(transport);
    await client.callTool({ name: "work", arguments: {} });
    await client.callTool({ name: "work", arguments: {} });
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
    const events = eventsIn(cwd);
    const ends = events.filter((e) => e.event_name === "session_end");
    expect(ends).toHaveLength(1);
    expect(ends[0]!.metadata).toMatchObject({ reason: "shutdown", tool_calls: 2 });
    expect(ends[0]!.user_id).toBe("user_exit");
    expect(events.filter((e) => e.event_name === "session_start")).toHaveLength(1);
  });
});
