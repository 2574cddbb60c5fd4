import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import { text } from "../helpers.js";

const fixture = fileURLToPath(new URL("../fixtures/stdio-server.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("stdio server in a child process", () => {
  it("writes every event and the session end to the event file when the client disconnects, and exits by itself", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "yavio-stdio-"));
    dirs.push(cwd);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", tsx, fixture],
      cwd,
      stderr: "pipe",
      env: { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "" },
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "cursor-vscode", version: "1.0" });
    const protocolErrors: Error[] = [];
    client.onerror = (e) => protocolErrors.push(e);
    await client.connect(transport);
    expect(text(await client.callTool({ name: "login", arguments: { user: "dana" } }))).toBe("hello dana");
    expect(text(await client.callTool({ name: "echo", arguments: { text: "abc" } }))).toBe("abc");
    expect((await client.callTool({ name: "fail", arguments: {} })).isError).toBe(true);
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    await client.close();
    const exit = await exited;

    // Exited on its own (code 0, no signal) before the client's SIGTERM at 2 s: the flush finished
    // and nothing kept the process alive. bench/core.ts measures how long that takes.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(protocolErrors).toEqual([]);

    const events = readFileSync(join(cwd, ".yavio", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as WireEvent);
    const summary = events.map((e) => `${e.event_type}:${e.event_name ?? ""}`);
    expect(summary).toEqual([
      "connection:session_start",
      "identify:",
      "tool_call:login",
      "track:echoed",
      "tool_call:echo",
      "tool_call:fail",
      "connection:session_end",
    ]);
    expect(new Set(events.map((e) => e.session_id)).size).toBe(1);
    expect(events[0]).toMatchObject({ client_name: "cursor-vscode", platform: "cursor", transport: "stdio" });
    expect(events.find((e) => e.event_name === "fail")).toMatchObject({ status: "error", error_category: "timeout" });
    expect(events.at(-1)!.metadata).toMatchObject({ tool_calls: 3, errors: 1, reason: "close" });
    // Diagnostics go to stderr as JSON lines, never to stdout (stdout is the protocol stream).
    for (const line of stderr.split("\n").filter((l) => l.includes('"yavio"'))) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });
});
