import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import type { Report } from "../../src/report/index.js";
import { computeReportFromFiles } from "../../src/report/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = import.meta.resolve("tsx");

/** The figures of a report, counted straight from the JSON lines, independently of src/report. */
function countByHand(events: readonly WireEvent[]) {
  // Calls to names the server does not expose are counted apart (the middleware flags them).
  const toolCalls = events.filter((e) => e.event_type === "tool_call" && (e.metadata as { unexposed_tool?: unknown } | undefined)?.unexposed_tool === undefined);
  const conversions = events.filter((e) => e.event_type === "conversion");
  const revenue: Record<string, number> = {};
  for (const c of conversions) revenue[c.conversion_currency!] = (revenue[c.conversion_currency!] ?? 0) + c.conversion_value!;
  const errors = toolCalls.filter((e) => e.status === "error");
  const categories: Record<string, number> = {};
  for (const e of errors) categories[e.error_category!] = (categories[e.error_category!] ?? 0) + 1;
  return {
    toolCalls: toolCalls.length,
    toolErrors: errors.length,
    sessions: new Set(events.map((e) => e.session_id)).size,
    users: new Set(events.flatMap((e) => (e.user_id === undefined ? [] : [e.user_id]))).size,
    conversions: conversions.length,
    revenue,
    categories,
    steps: new Set(events.filter((e) => e.event_type === "step").map((e) => e.event_name)),
  };
}

function readEvents(path: string): WireEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as WireEvent);
}

// The same demo on each SDK: the 1.x server and Client (protocol 2025-11-25), and the 2.x server
// under serveStdio with the 2.x Client pinned to 2026-07-28. Each run starts three server processes.
describe.each([
  { sdk: "v1", args: [], protocol: "2025-11-25" },
  { sdk: "v2", args: ["--sdk", "v2"], protocol: "2026-07-28" },
])("npm run demo $args ($sdk)", ({ args, protocol }) => {
  let dir: string;
  let run: { code: number | null; stdout: string; stderr: string };
  let events: WireEvent[];
  let report: Report;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "yavio-demo-"));
    const child = spawn(process.execPath, ["--import", TSX, "examples/mcp-server/demo.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, YAVIO_DEMO_DIR: dir, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    run = { code, stdout, stderr };
    events = readEvents(join(dir, "events.jsonl"));
    report = await computeReportFromFiles([join(dir, "events.jsonl"), join(dir, "warnings.jsonl")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0 with every check passed and nothing on stderr", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("✗ unexpected");
    expect(run.stdout.split("Checks")[1]).not.toContain("✗");
  });

  it("prints the figures that the event file holds", () => {
    const counted = countByHand(events);
    const figure = (label: string) => new RegExp(`^  ${label}\\s+(\\S+)`, "m").exec(run.stdout)?.[1];
    expect(figure("Tool calls")).toBe(String(counted.toolCalls));
    expect(figure("Unique sessions")).toBe(String(counted.sessions));
    expect(figure("Identified users")).toBe(String(counted.users));
    expect(figure("Conversions")).toBe(String(counted.conversions));
    expect(figure("Tool error rate")).toBe(`${((counted.toolErrors / counted.toolCalls) * 100).toFixed(1)}%`);
  });

  it("computes a report whose numbers match a count of the event file", () => {
    const counted = countByHand(events);
    expect(report.totals.badLines).toBe(0);
    expect(report.totals.events).toBe(events.length);
    expect(report.toolCalls.total).toBe(counted.toolCalls);
    expect(report.toolCalls.errors).toBe(counted.toolErrors);
    expect(report.sessions.unique).toBe(counted.sessions);
    expect(report.identifiedUsers).toBe(counted.users);
    expect(report.conversions.total).toBe(counted.conversions);
    expect(Object.fromEntries(report.conversions.byCurrency.map((c) => [c.currency, c.revenue]))).toEqual(counted.revenue);
    expect(Object.fromEntries(report.errorCategories.map((c) => [c.category, c.errors]))).toEqual(counted.categories);
    expect(new Set(report.funnel.map((s) => s.step))).toEqual(counted.steps);
  });

  it("captures what the script did: three users on three platforms, a failure per category, two paid invoices", () => {
    const counted = countByHand(events);
    expect(counted.users).toBe(3);
    expect(counted.categories).toEqual({ auth: 1, server: 1, validation: 1 });
    expect(counted.revenue).toEqual({ EUR: 1200, GBP: 300 });
    expect(report.platforms.map((p) => p.name).sort()).toEqual(["claude", "codex", "cursor"]);
    expect(report.funnel.map((s) => [s.step, s.sessions])).toEqual([
      ["invoice_created", 4],
      ["invoice_sent", 3],
      ["invoice_paid", 2],
    ]);
    // Every session that started was ended and flushed when its client disconnected.
    const started = events.filter((e) => e.event_name === "session_start").map((e) => e.session_id);
    const ended = events.filter((e) => e.event_name === "session_end").map((e) => e.session_id);
    expect(new Set(ended)).toEqual(new Set(started));
  });

  it("shows what agents were shown, asked for and why: listed vs called, the unknown tool, intents", () => {
    const shown = events.filter((e) => e.event_type === "tool_discovery" && (e.metadata as { kind?: unknown }).kind === "tool");
    // Every session (three clients, plus the sessions after logout that listed nothing new) was shown the nine tools once.
    const listedSessions = new Set(shown.map((e) => e.session_id));
    expect(listedSessions.size).toBe(3);
    for (const session of listedSessions) expect(shown.filter((e) => e.session_id === session)).toHaveLength(9);
    expect(report.toolExposure.tools[0]).toMatchObject({ name: "export_csv", sessionsShown: 3, sessionsCalled: 0, calls: 0 });
    expect(report.toolExposure.neverCalled).toBe(1);
    expect(report.unexposedTools.names).toEqual([{ name: "export_pdf", reason: "not found", calls: 1, sessions: 1 }]);
    const login = report.intents.find((t) => t.tool === "login");
    expect(login?.top[0]).toEqual({ intent: "sign in as the user before working on their ledger", count: login?.callsWithIntent });
    // The handlers never saw the argument: no input_keys list it.
    expect(events.some((e) => e.input_keys?.includes("context"))).toBe(false);
    expect(run.stdout).toContain("Tools listed vs called (never called first)");
    expect(run.stdout).toContain("Most frequent intents per tool");
  });

  it(`records every session with its client and protocol ${protocol}`, () => {
    const starts = events.filter((e) => e.event_name === "session_start");
    expect(starts).toHaveLength(4);
    for (const start of starts) expect(start).toMatchObject({ protocol_version: protocol, transport: "stdio", client_version: "1.0.0" });
    expect(starts.map((e) => e.client_name).sort()).toEqual(["claude-ai", "claude-ai", "codex-mcp-client", "cursor-vscode"]);
    expect(run.stdout).toContain(`protocol ${protocol}) over stdio`);
  });

  it("keeps the pasted e-mail, phone and card number out of the event file", () => {
    const raw = readFileSync(join(dir, "events.jsonl"), "utf8");
    for (const secret of ["jane.doe@initech.example", "415 555 0132", "4111 1111 1111 1111", "4111111111111111"]) {
      expect(raw).not.toContain(secret);
    }
    const note = events.find((e) => e.event_type === "tool_call" && e.event_name === "add_note");
    expect(JSON.stringify(note?.input_values)).toContain("Initech billing contact");
    // The client still got the note back whole: only the analytics copy is scrubbed.
    expect(run.stdout).toContain("note_1: Initech billing contact: jane.doe@initech.example");
  });

  it("shows the identify conflict as a structured YAVIO-1302 warning and counts it in the report", () => {
    expect(run.stdout).toMatch(/the server warned YAVIO-1302: .*"currentUserId":"usr_ada","attemptedUserId":"usr_grace"/);
    const lines = readFileSync(join(dir, "warnings.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { code: string }).code)).toContain("YAVIO-1302");
    expect(report.warnings.find((w) => w.code === "YAVIO-1302")?.count).toBe(1);
    // The conflicting login did not re-attribute the session: everything in it stays Ada's.
    const conflictSession = events.find((e) => e.event_type === "tool_call" && e.event_name === "sync_accounting")!.session_id;
    const users = new Set(events.filter((e) => e.session_id === conflictSession && e.user_id !== undefined).map((e) => e.user_id));
    expect(users).toEqual(new Set(["usr_ada"]));
  });

  it("writes a self-contained HTML report with the figures", () => {
    const path = join(dir, "report.html");
    expect(existsSync(path)).toBe(true);
    const html = readFileSync(path, "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b|@import|url\(\s*['"]?https?:|\b(src|href)=["']?https?:/i);
    expect(html).toContain("invoice_paid");
    expect(html).toContain("YAVIO-1302");
    expect(html).toContain(String(report.toolCalls.total));
  });
});
