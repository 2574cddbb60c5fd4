import type { ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import { text } from "../helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = import.meta.resolve("tsx");

type Child = ChildProcessByStdio<null, Readable, Readable>;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Starts an HTTP example on a free port and resolves once it prints its URL. */
async function startHttpExample(dir: string, script = "examples/mcp-server/http.ts"): Promise<{ child: Child; url: URL; stderr: () => string }> {
  const child = spawn(process.execPath, ["--import", TSX, script, "--port", "0"], {
    cwd: ROOT,
    env: {
      ...process.env,
      YAVIO_API_KEY: "",
      YAVIO_ENDPOINT: "",
      YAVIO_EVENTS_FILE: join(dir, "events.jsonl"),
      YAVIO_SPOOL_DIR: join(dir, "spool"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stdout);
      if (match) resolve(new URL(match[1]!));
    });
    child.once("exit", (code) => reject(new Error(`http example exited early (${code}): ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe("examples/mcp-server/http.ts", () => {
  it("gives each MCP session its own analytics session, ended by DELETE or by SIGTERM, all in the event file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yavio-http-example-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { child, url, stderr } = await startHttpExample(dir);

    const connect = async (name: string) => {
      const transport = new StreamableHTTPClientTransport(url);
      const client = new Client({ name, version: "1.0.0" });
      await client.connect(transport);
      return { client, transport };
    };
    const ada = await connect("claude-ai");
    const grace = await connect("cursor-vscode");
    const linus = await connect("codex-mcp-client");

    expect(text(await ada.client.callTool({ name: "login", arguments: { token: "tok_ada" } }))).toContain("Signed in as Ada");
    expect(text(await grace.client.callTool({ name: "login", arguments: { token: "tok_grace" } }))).toContain("Signed in as Grace");
    await ada.client.callTool({ name: "add_note", arguments: { text: "ping ada@example.com" } });
    // One ledger per process: Grace finds the note Ada wrote in another session.
    expect(text(await grace.client.callTool({ name: "search_notes", arguments: { query: "ping" } }))).toContain("ada@example.com");
    expect((await linus.client.callTool({ name: "create_invoice", arguments: { customer: "X", currency: "EUR", lines: [{ description: "a", quantity: 1, unitPrice: 1 }] } })).isError).toBe(true);

    const sessionIds = [ada, grace, linus].map((s) => s.transport.sessionId);
    expect(new Set(sessionIds).size).toBe(3);
    await ada.transport.terminateSession(); // HTTP DELETE
    await grace.transport.terminateSession();
    await Promise.all([ada.client.close(), grace.client.close()]);

    // Linus's session is still open: SIGTERM must end it too before the process exits.
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await linus.client.close();

    const events = readFileSync(join(dir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as WireEvent);
    const sessions = new Map<string, WireEvent[]>();
    for (const e of events) sessions.set(e.session_id, [...(sessions.get(e.session_id) ?? []), e]);
    expect(sessions.size).toBe(3);
    const byUser = new Map<string | undefined, WireEvent[]>();
    for (const list of sessions.values()) byUser.set(list.find((e) => e.user_id !== undefined)?.user_id, list);
    expect([...byUser.keys()].sort()).toEqual(["usr_ada", "usr_grace", undefined].sort());
    for (const list of sessions.values()) {
      expect(list[0]).toMatchObject({ event_name: "session_start", transport: "streamable-http" });
      expect(list.at(-1)).toMatchObject({ event_name: "session_end" });
    }
    expect(byUser.get("usr_ada")![0]).toMatchObject({ client_name: "claude-ai", platform: "claude" });
    expect(byUser.get("usr_grace")![0]).toMatchObject({ client_name: "cursor-vscode", platform: "cursor" });
    expect(byUser.get(undefined)!.find((e) => e.event_type === "tool_call")).toMatchObject({ status: "error", error_category: "auth" });
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).not.toContain("ada@example.com");
    // stderr carries only yavio's JSON warning lines and the stop message.
    for (const line of stderr().trim().split("\n").filter((l) => l !== "")) {
      expect(line.startsWith("{") ? (JSON.parse(line) as { yavio?: boolean }).yavio : line).toSatisfy((v) => v === true || v === "team-ledger: stopped on SIGTERM");
    }
  });
});

function readEvents(path: string): WireEvent[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as WireEvent);
}

describe("examples/mcp-server-v2/http.ts (createMcpHandler)", () => {
  it("joins each conversation's requests into one session and one sign-in by x-conversation-id, in both eras, all ended and in the event file after SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yavio-http-example-v2-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { child, url, stderr } = await startHttpExample(dir, "examples/mcp-server-v2/http.ts");

    const connect = async (name: string, conversation: string | undefined, era: "2025-11-25" | "2026-07-28") => {
      const client = new ClientV2({ name, version: "1.0.0" }, era === "2026-07-28" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
      const headers: Record<string, string> = conversation === undefined ? {} : { "x-conversation-id": conversation };
      await client.connect(new StreamableHTTPClientTransportV2(url, { requestInit: { headers } }));
      return client;
    };
    const ada = await connect("claude-ai", "conv-ada-7f3c", "2026-07-28");
    const grace = await connect("cursor-vscode", "conv-grace-91ab", "2025-11-25");
    const anonymous = await connect("codex-mcp-client", undefined, "2026-07-28");

    // Every request below reaches a new server: what carries over is the ledger and the conversation.
    expect(text(await ada.callTool({ name: "login", arguments: { token: "tok_ada" } }))).toBe("Signed in as Ada (pro, Analytical Engines Ltd).");
    expect(text(await grace.callTool({ name: "login", arguments: { token: "tok_grace" } }))).toBe("Signed in as Grace (team, Harbor Compilers).");
    expect(text(await ada.callTool({ name: "create_invoice", arguments: { customer: "Initech", currency: "EUR", lines: [{ description: "a", quantity: 2, unitPrice: 50 }] } }))).toContain("Drafted inv_0001");
    expect(text(await ada.callTool({ name: "send_invoice", arguments: { invoiceId: "inv_0001" } }))).toContain("Sent inv_0001");
    expect(text(await ada.callTool({ name: "record_payment", arguments: { invoiceId: "inv_0001" } }))).toContain("Paid: inv_0001");
    await grace.callTool({ name: "add_note", arguments: { text: "call grace@example.com" } });
    expect(text(await grace.callTool({ name: "search_notes", arguments: { query: "call" } }))).toContain("grace@example.com");
    // Grace cannot read Ada's invoice: her sign-in is hers, not the last one made on the process.
    await expect(grace.readResource({ uri: "invoice://inv_0001" })).rejects.toThrow("invoice inv_0001 not found");
    // Without a conversation the sign-in does not outlive its request, and the reply says so.
    expect(text(await anonymous.callTool({ name: "login", arguments: { token: "tok_linus" } }))).toContain("the sign-in ends with it");
    const unsigned = await anonymous.callTool({ name: "create_invoice", arguments: { customer: "X", currency: "EUR", lines: [{ description: "a", quantity: 1, unitPrice: 1 }] } });
    expect(unsigned.isError).toBe(true);
    await Promise.all([ada.close(), grace.close(), anonymous.close()]);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const events = readEvents(join(dir, "events.jsonl"));
    const sessions = new Map<string, WireEvent[]>();
    for (const e of events) sessions.set(e.session_id, [...(sessions.get(e.session_id) ?? []), e]);
    const sessionOf = (user: string) => [...sessions.values()].filter((list) => list.some((e) => e.user_id === user));
    // One session per conversation, across all its per-request servers, ended by the shutdown.
    for (const [user, client, era, calls] of [
      ["usr_ada", "claude-ai", "2026-07-28", ["login", "create_invoice", "send_invoice", "record_payment"]],
      ["usr_grace", "cursor-vscode", "2025-11-25", ["login", "add_note", "search_notes"]],
    ] as const) {
      const found = sessionOf(user);
      expect(found).toHaveLength(1);
      const list = found[0]!;
      expect(list[0]).toMatchObject({ event_name: "session_start", transport: "streamable-http", client_name: client, protocol_version: era });
      expect(list.at(-1)).toMatchObject({ event_name: "session_end", metadata: { reason: "shutdown" } });
      expect(list.filter((e) => e.event_type === "tool_call").map((e) => e.event_name)).toEqual(calls);
    }
    expect(sessionOf("usr_ada")[0]!.find((e) => e.event_type === "conversion")).toMatchObject({ conversion_value: 100, conversion_currency: "EUR" });
    // The requests without a conversation: each its own session, marked as such, each ended.
    const unanchored = [...sessions.values()].filter((list) => list.some((e) => e.client_name === "codex-mcp-client"));
    expect(unanchored).toHaveLength(2);
    for (const list of unanchored) {
      expect(list.find((e) => e.event_type === "tool_call")?.metadata).toMatchObject({ session_scope: "request" });
      expect(list.at(-1)).toMatchObject({ event_name: "session_end" });
    }
    expect(unanchored.flatMap((list) => list.filter((e) => e.event_type === "tool_call")).map((e) => [e.event_name, e.status])).toEqual([
      ["login", "success"],
      ["create_invoice", "error"],
    ]);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).not.toContain("grace@example.com");
    // stderr: yavio's JSON lines (the one-time YAVIO-1107 for the unanchored requests) and the stop message.
    const lines = stderr().trim().split("\n").filter((l) => l !== "");
    expect(lines.at(-1)).toBe("team-ledger: stopped on SIGTERM");
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as { code: string }).code)).toEqual(["YAVIO-1107"]);
  });
});
