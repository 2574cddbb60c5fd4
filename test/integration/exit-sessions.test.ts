import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";

const fixture = fileURLToPath(new URL("../fixtures/exit-server.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const env = { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "", YAVIO_LOG_LEVEL: "silent" };

function eventsIn(cwd: string): WireEvent[] {
  const dir = join(cwd, ".yavio");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith("events.jsonl"))
    .flatMap((name) => readFileSync(join(dir, name), "utf8").split("\n"))
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as WireEvent);
}

/** Starts the fixture over stdio, makes two calls, then stops it with `stop`. */
async function runStdio(mode: string, stop: (child: ChildProcess, client: Client) => Promise<void>) {
  const cwd = mkdtempSync(join(tmpdir(), "yavio-exit-"));
  dirs.push(cwd);
  const transport = new StdioClientTransport({ command: process.execPath, args: ["--import", tsx, fixture, mode], cwd, stderr: "pipe", env });
  const client = new Client({ name: "cursor-vscode", version: "1.0" });
  await client.connect(transport);
  await client.callTool({ name: "work", arguments: {} });
  await client.callTool({ name: "work", arguments: {} });
  const child = (transport as unknown as { _process: ChildProcess })._process;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await stop(child, client);
  const exit = await exited;
  return { exit, events: eventsIn(cwd) };
}

function expectEndedOnce(events: WireEvent[], toolCalls: number): void {
  const ends = events.filter((e) => e.event_name === "session_end");
  expect(ends).toHaveLength(1);
  expect(ends[0]!.metadata).toMatchObject({ reason: "shutdown", tool_calls: toolCalls });
  expect(events.filter((e) => e.event_name === "session_start")).toHaveLength(1);
  expect(events.at(-1)).toBe(ends[0]);
  expect(ends[0]!.user_id).toBe("user_exit");
}

describe("a stopped server ends its open sessions", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("on %s without a host handler: session_end (shutdown) on disk, and the signal still ends the process", async (signal) => {
    const { exit, events } = await runStdio("plain", async (child) => {
      child.kill(signal);
    });
    expect(exit).toEqual({ code: null, signal });
    expectEndedOnce(events, 2);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("on %s with a host handler that calls process.exit(0)", async (signal) => {
    const { exit, events } = await runStdio("host-exit", async (child) => {
      child.kill(signal);
    });
    expect(exit).toEqual({ code: 0, signal: null });
    expectEndedOnce(events, 2);
  });

  it("on SIGTERM with a host handler that awaits shutdown() and exits", async () => {
    const { exit, events } = await runStdio("host-shutdown", async (child) => {
      child.kill("SIGTERM");
    });
    expect(exit).toEqual({ code: 0, signal: null });
    expectEndedOnce(events, 2);
  });

  it("on process.exit() from inside a tool: the call that exited is not counted, the session still ends", async () => {
    const { exit, events } = await runStdio("tool-exit", async (_child, client) => {
      await client.callTool({ name: "quit", arguments: {} }).catch(() => undefined);
    });
    expect(exit).toEqual({ code: 3, signal: null });
    expectEndedOnce(events, 2);
  });

  it("on beforeExit: a script that makes calls and simply ends", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "yavio-exit-"));
    dirs.push(cwd);
    const child = spawn(process.execPath, ["--import", tsx, fixture, "before-exit"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    expect(exit).toEqual({ code: 0, signal: null });
    expectEndedOnce(eventsIn(cwd), 2);
  });
});
