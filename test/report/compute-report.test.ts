import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReportBuilder, computeReport } from "../../src/report/index.js";
import type { Report } from "../../src/report/index.js";
import { BAD_LINES, knownEventFile, knownEvents, warningLines } from "../fixtures/report/events.js";

async function knownReport(): Promise<Report> {
  const builder = new ReportBuilder();
  await builder.addLines(knownEventFile().split("\n"), "events.jsonl");
  await builder.addLines(warningLines(), "warnings.jsonl");
  return builder.finish();
}

describe("computeReport on a file with known figures", () => {
  it("counts events, duplicates, bad lines and warning lines per input and in total", async () => {
    const r = await knownReport();
    expect(r.totals).toMatchObject({ lines: 59, events: 48, duplicates: 3, badLines: 5, warningLines: 3 });
    expect(r.inputs).toEqual([
      { name: "events.jsonl", lines: 55, events: 51, warnings: 0, badLines: 4 },
      { name: "warnings.jsonl", lines: 4, events: 0, warnings: 3, badLines: 1 },
    ]);
    expect(r.badLineSamples.map((b) => `${b.input}:${b.line}:${b.reason}`)).toEqual([
      "events.jsonl:24:not JSON",
      "events.jsonl:46:not a JSON object",
      "events.jsonl:47:neither an event nor a yavio warning",
      "events.jsonl:57:not JSON",
      "warnings.jsonl:4:not JSON",
    ]);
    expect(r.totals.eventsByType).toEqual([
      { name: "tool_call", count: 16 },
      { name: "step", count: 10 },
      { name: "connection", count: 6 },
      { name: "conversion", count: 5 },
      { name: "identify", count: 3 },
      { name: "resource_access", count: 3 },
      { name: "track", count: 3 },
      { name: "prompt_usage", count: 2 },
    ]);
    expect(r.timeRange).toEqual({ first: "2026-03-01T10:00:00.000Z", last: "2026-03-01T10:00:07.000Z" });
  });

  it("computes tool calls, error rate and latency percentiles overall by nearest rank", async () => {
    const r = await knownReport();
    expect(r.toolCalls).toEqual({
      total: 16,
      errors: 3,
      errorRate: 3 / 16,
      latency: { count: 16, mean: 1562 / 16, p50: 60, p95: 400, p99: 400, max: 400, method: "exact" },
    });
  });

  it("ranks tools by calls with per-tool share, error rate and p50/p95/p99", async () => {
    const r = await knownReport();
    expect(r.tools.map((t) => [t.name, t.calls, t.share, t.errors, t.errorRate, t.latency.p50, t.latency.p95, t.latency.p99])).toEqual([
      ["search", 10, 0.625, 1, 0.1, 50, 100, 100],
      ["pay", 4, 0.25, 2, 0.5, 200, 400, 400],
      ["login", 2, 0.125, 0, 0, 5, 7, 7],
    ]);
  });

  it("breaks tool errors down by category as a share of calls and of errors", async () => {
    const r = await knownReport();
    expect(r.errorCategories).toEqual([
      { category: "validation", errors: 2, rate: 2 / 16, shareOfErrors: 2 / 3 },
      { category: "timeout", errors: 1, rate: 1 / 16, shareOfErrors: 1 / 3 },
    ]);
  });

  it("counts unique sessions, identified users and sessions, and session durations", async () => {
    const r = await knownReport();
    expect(r.identifiedUsers).toBe(2);
    expect(r.sessions).toMatchObject({ unique: 5, started: 4, ended: 2, identified: 3 });
    expect(r.sessions.duration).toMatchObject({ count: 2, p50: 1000, p95: 5000 });
  });

  it("breaks sessions down by platform and transport, unknown when no event names one", async () => {
    const r = await knownReport();
    expect(r.platforms).toEqual([
      { name: "claude", sessions: 2, share: 0.4 },
      { name: "chatgpt", sessions: 1, share: 0.2 },
      { name: "cursor", sessions: 1, share: 0.2 },
      { name: "unknown", sessions: 1, share: 0.2 },
    ]);
    expect(r.transports).toEqual([
      { name: "stdio", sessions: 2, share: 0.4 },
      { name: "streamable-http", sessions: 2, share: 0.4 },
      { name: "unknown", sessions: 1, share: 0.2 },
    ]);
  });

  it("measures time to first tool call from session_start even when lines are out of order", async () => {
    const r = await knownReport();
    // Measured from session_start to when the first call began (its timestamp minus its latency).
    expect(r.timeToFirstToolCall).toEqual({ sessions: 3, startedWithoutToolCall: 1, medianMs: 393, p95Ms: 900, method: "exact" });
  });

  it("orders funnel steps by typical sequence and counts each session once per step", async () => {
    const r = await knownReport();
    expect(r.funnel).toEqual([
      { position: 1, step: "browse", typicalSequence: 1, reached: 4, sessions: 4, shareOfSessions: 0.8, dropOff: null, dropOffRate: null },
      { position: 2, step: "cart", typicalSequence: 2, reached: 3, sessions: 3, shareOfSessions: 0.6, dropOff: 1, dropOffRate: 0.25 },
      { position: 3, step: "checkout", typicalSequence: 3, reached: 2, sessions: 2, shareOfSessions: 0.4, dropOff: 1, dropOffRate: 1 / 3 },
    ]);
  });

  it("sums revenue per upper-cased currency exactly and counts converted sessions", async () => {
    const r = await knownReport();
    expect(r.conversions).toEqual({
      total: 5,
      sessionsConverted: 3,
      sessionToConversionRate: 0.6,
      byCurrency: [
        { currency: "USD", conversions: 3, revenue: 59.97 },
        { currency: "EUR", conversions: 1, revenue: 1000 },
      ],
      byName: [
        { name: "purchase", count: 3 },
        { name: "trial", count: 1 },
        { name: "upgrade", count: 1 },
      ],
    });
  });

  it("computes parameter fill rates per tool, counting a key listed twice once", async () => {
    const r = await knownReport();
    const rates = Object.fromEntries(r.fillRates.map((t) => [t.tool, t.parameters.map((p) => [p.name, p.calls, p.rate])]));
    expect(rates).toEqual({
      search: [["query", 10, 1], ["limit", 5, 0.5], ["filters", 1, 0.1]],
      pay: [["amount", 4, 1], ["currency", 3, 0.75], ["note", 1, 0.25]],
      login: [["email", 2, 1]],
    });
  });

  it("groups resources by resource_name, and counts prompts, custom events and exceptions", async () => {
    const r = await knownReport();
    expect(r.resources.map((x) => [x.name, x.calls, x.errors])).toEqual([
      ["note", 2, 0],
      ["config://app", 1, 1],
    ]);
    expect(r.prompts.map((x) => [x.name, x.calls, x.latency.p50])).toEqual([["summarize", 2, 2]]);
    expect(r.tracks).toEqual([{ name: "exported", count: 2 }]);
    expect(r.exceptions).toEqual([{ name: "TypeError", count: 1 }]);
  });

  it("reports warnings by code with counts and the registry's meaning", async () => {
    const r = await knownReport();
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: "YAVIO-1302", level: "warn", count: 2, sampleMessage: "identify conflict: u1 then u9" }),
      expect.objectContaining({ code: "YAVIO-1305", count: 1 }),
    ]);
    expect(r.warnings[0]?.summary).toMatch(/^Identify conflict/);
  });
});

describe("computeReport edge cases", () => {
  it("returns zeros and nulls, never NaN, for empty input", async () => {
    const r = await computeReport([]);
    expect(r.totals).toMatchObject({ lines: 0, events: 0, badLines: 0 });
    expect(r.toolCalls).toMatchObject({ total: 0, errorRate: null, latency: { count: 0, p50: null, mean: null } });
    expect(r.sessions.unique).toBe(0);
    expect(r.conversions.sessionToConversionRate).toBeNull();
    expect(r.timeRange).toEqual({ first: null, last: null });
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it("skips every bad line of a wholly corrupt input without throwing", async () => {
    const r = await computeReport([...BAD_LINES, "", "\u0000\u0001", "{", "null", "42", '"text"']);
    expect(r.totals.badLines).toBe(BAD_LINES.length + 5);
    expect(r.totals.events).toBe(0);
  });

  it("counts a re-delivered event once, revenue included", async () => {
    const [purchase] = knownEvents().filter((e) => e.event_type === "conversion");
    const line = JSON.stringify(purchase);
    const r = await computeReport([line, line, line]);
    expect(r.totals).toMatchObject({ events: 1, duplicates: 2 });
    expect(r.conversions.byCurrency).toEqual([{ currency: "USD", conversions: 1, revenue: 19.99 }]);
  });

  it("gives the same figures whatever the order of the lines", async () => {
    const lines = knownEvents().map((e) => JSON.stringify(e));
    const expected = await computeReport(lines);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(lines, { minLength: lines.length }), async (shuffled) => {
        expect(await computeReport(shuffled)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it("folds names past 1000 distinct tools into (other) so memory stays bounded", async () => {
    const lines = Array.from({ length: 1005 }, (_, i) =>
      JSON.stringify({ event_id: `e${i}`, event_type: "tool_call", session_id: "s", tool_name: `tool-${i}`, latency_ms: 1 }),
    );
    const r = await computeReport(lines, "<input>", { top: 2000 });
    expect(r.tools).toHaveLength(1001);
    expect(r.tools[0]).toMatchObject({ name: "(other)", calls: 5 });
  });
});

describe("review fixes", () => {
  const line = (fields: Record<string, unknown>, n: number): string =>
    JSON.stringify({ event_id: `r-${n}`, trace_id: "t", timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(), source: "server", sdk_version: "0", ...fields });

  it("counts a session in the funnel only if it reached every earlier step", async () => {
    const lines: string[] = [];
    let n = 0;
    for (let i = 0; i < 10; i++) lines.push(line({ event_type: "step", session_id: `a${i}`, event_name: "a", step_sequence: 1 }, n++));
    for (let i = 0; i < 10; i++) {
      lines.push(line({ event_type: "step", session_id: `b${i}`, event_name: "b", step_sequence: 2 }, n++));
      lines.push(line({ event_type: "step", session_id: `b${i}`, event_name: "c", step_sequence: 3 }, n++));
    }
    const r = await computeReport(lines);
    expect(r.funnel.map((s) => [s.step, s.reached, s.sessions, s.dropOff])).toEqual([
      ["a", 10, 10, null],
      ["b", 10, 0, 10],
      ["c", 10, 0, 0],
    ]);
  });

  it("handles a call listing 400 000 input keys, counting each distinct key once up to the cap", async () => {
    const keys = Array.from({ length: 400_000 }, (_, i) => `k${i % 1000}`);
    const r = await computeReport([line({ event_type: "tool_call", session_id: "s", tool_name: "wide", event_name: "wide", latency_ms: 1, status: "success", input_keys: keys }, 1)]);
    const fill = r.fillRates.find((t) => t.tool === "wide")!;
    expect(fill.parameters.length).toBeLessThanOrEqual(200);
    expect(fill.parameters.every((p) => p.calls === 1)).toBe(true);
  });

  it("ignores a tool call without a usable timestamp when measuring time to first tool call", async () => {
    const r = await computeReport([
      line({ event_type: "connection", event_name: "session_start", session_id: "s" }, 0),
      line({ event_type: "tool_call", session_id: "s", tool_name: "t", event_name: "t", latency_ms: 0, status: "success" }, 1000),
      JSON.stringify({ event_id: "no-time", event_type: "tool_call", session_id: "s", tool_name: "t", status: "success" }),
    ]);
    expect(r.timeToFirstToolCall).toMatchObject({ sessions: 1, startedWithoutToolCall: 0, medianMs: 1000 });
  });
});

describe("who, when and what was asked for", () => {
  const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
  let n = 0;
  const ev = (fields: Record<string, unknown>, atMs: number): string =>
    JSON.stringify({ event_id: `w-${n++}`, trace_id: "t", timestamp: new Date(T0 + atMs).toISOString(), source: "server", sdk_version: "0", ...fields });
  const call = (session: string, tool: string, atMs: number, extra: Record<string, unknown> = {}): string =>
    ev({ event_type: "tool_call", session_id: session, tool_name: tool, event_name: tool, latency_ms: 10, status: "success", ...extra }, atMs);

  it("groups calls to names the server does not expose apart, by the SDK's 'not found' and 'disabled' answers", async () => {
    const r = await computeReport([
      call("s1", "search", 0),
      call("s1", "nope", 1, { status: "error", error_category: "validation", error_message: "MCP error -32602: Tool nope not found" }),
      call("s2", "nope", 2, { status: "error", error_category: "validation", error_message: "MCP error -32602: Tool nope not found" }),
      call("s2", "old", 3, { status: "error", error_category: "unknown", error_message: "MCP error -32602: Tool old disabled" }),
      // A tool's own error that happens to say "not found" about something else stays a tool error.
      call("s2", "search", 4, { status: "error", error_category: "validation", error_message: "Tool config not found" }),
    ]);
    expect(r.tools.map((t) => [t.name, t.calls, t.errors])).toEqual([["search", 2, 1]]);
    expect(r.toolCalls).toMatchObject({ total: 2, errors: 1 });
    expect(r.errorCategories).toEqual([{ category: "validation", errors: 1, rate: 0.5, shareOfErrors: 1 }]);
    expect(r.unexposedTools).toEqual({
      calls: 3,
      sessions: 2,
      names: [
        { name: "nope", reason: "not found", calls: 2, sessions: 2 },
        { name: "old", reason: "disabled", calls: 1, sessions: 1 },
      ],
      other: null,
    });
  });

  it("groups a flagged unexposed call by its (cut) name, whatever its message says", async () => {
    const cut = `${"x".repeat(127)}…`;
    const r = await computeReport([
      call("s1", cut, 0, { status: "error", error_category: "validation", error_message: "something else", metadata: { unexposed_tool: "not_found" } }),
      call("s1", "gone", 1, { status: "error", error_category: "validation", error_message: "Tool gone disabled", metadata: { unexposed_tool: "disabled" } }),
    ]);
    expect(r.toolCalls.total).toBe(0);
    expect(r.unexposedTools.names.map((u) => [u.name, u.reason])).toEqual([
      ["gone", "disabled"],
      [cut, "not found"],
    ]);
  });

  const shown = (session: string, tool: string, atMs: number): string =>
    ev({ event_type: "tool_discovery", session_id: session, tool_name: tool, event_name: tool, metadata: { kind: "tool", schema_fingerprint: "f" } }, atMs);

  it("sets tools listed against tools called per session, never-called tools first", async () => {
    const r = await computeReport([
      shown("s1", "search", 0),
      shown("s1", "export", 0),
      shown("s1", "archive", 0),
      shown("s2", "search", 0),
      shown("s2", "export", 0),
      shown("s2", "search", 5), // listed again (changed): still one session
      shown("s3", "search", 0),
      call("s1", "search", 1),
      call("s1", "search", 2),
      call("s2", "export", 1),
      call("s3", "search", 1),
      call("s4", "direct", 1), // called without listing
      ev({ event_type: "tool_discovery", session_id: "s4", event_name: "prompts/list", metadata: { kind: "prompt", names: ["p"] } }, 0),
    ]);
    expect(r.toolExposure).toEqual({
      sessionsShown: 3,
      toolsShown: 3,
      neverCalled: 1,
      tools: [
        { name: "archive", sessionsShown: 1, sessionsCalled: 0, useRate: 0, calls: 0 },
        { name: "export", sessionsShown: 2, sessionsCalled: 1, useRate: 0.5, calls: 1 },
        { name: "search", sessionsShown: 3, sessionsCalled: 2, useRate: 2 / 3, calls: 3 },
        { name: "direct", sessionsShown: 0, sessionsCalled: 1, useRate: null, calls: 1 },
      ],
      other: null,
    });
    const few = await computeReport([shown("s1", "a", 0), shown("s1", "b", 0), shown("s1", "c", 0)], "<input>", { top: 1 });
    expect(few.toolExposure.tools.map((t) => t.name)).toEqual(["a"]);
    expect(few.toolExposure.other).toEqual({ tools: 2, sessionsShown: 2, calls: 0 });
  });

  it("has an empty exposure table without discovery events", async () => {
    const r = await computeReport([call("s1", "search", 1)]);
    expect(r.toolExposure).toEqual({ sessionsShown: 0, toolsShown: 0, neverCalled: 0, tools: [], other: null });
  });

  it("counts the most frequent intents per tool, folding case, spaces and a final full stop", async () => {
    const r = await computeReport([
      call("s1", "search", 0, { intent: "Find last week's invoices." }),
      call("s1", "search", 1, { intent: "find  last week's invoices" }),
      call("s2", "search", 2, { intent: "look up [EMAIL_REDACTED]" }),
      call("s2", "search", 3),
      call("s2", "export", 4, { intent: `export ${"all ".repeat(50)}` }),
      call("s2", "nope", 5, { intent: "unknown tool", status: "error", metadata: { unexposed_tool: "not_found" } }),
    ]);
    expect(r.intents).toEqual([
      { tool: "search", calls: 4, callsWithIntent: 3, distinct: 2, top: [{ intent: "find last week's invoices", count: 2 }, { intent: "look up [email_redacted]", count: 1 }] },
      { tool: "export", calls: 1, callsWithIntent: 1, distinct: 1, top: [{ intent: `export ${"all ".repeat(17)}all…`, count: 1 }] },
    ]);
    expect(r.intents[1]!.top[0]!.intent.length).toBeLessThanOrEqual(80);
  });

  it("sums tools, resources and prompts past the top N into one others row, latency included", async () => {
    const lines = ["a", "a", "a", "b", "b", "c"].map((tool, i) => call("s", tool, i, { latency_ms: (i + 1) * 10 }));
    lines.push(ev({ event_type: "resource_access", session_id: "s", event_name: "r1", latency_ms: 1, status: "success" }, 9));
    lines.push(ev({ event_type: "resource_access", session_id: "s", event_name: "r2", latency_ms: 2, status: "error" }, 9));
    const r = await computeReport(lines, "<input>", { top: 1 });
    expect(r.tools.map((t) => t.name)).toEqual(["a"]);
    expect(r.otherTools).toMatchObject({ name: "others (2)", names: 2, calls: 3, share: 0.5, errors: 0, latency: { count: 3, p50: 50, max: 60 } });
    expect(r.otherResources).toMatchObject({ names: 1, calls: 1, errors: 1 });
    expect(r.otherPrompts).toBeNull();
  });

  it("credits a session's calls, conversions and revenue to its user, with first and last seen", async () => {
    const r = await computeReport([
      call("s1", "t", 0),
      ev({ event_type: "identify", session_id: "s1", user_id: "u1" }, 1000),
      call("s1", "t", 2000, { user_id: "u1" }),
      ev({ event_type: "conversion", session_id: "s1", user_id: "u1", event_name: "buy", conversion_value: 5, conversion_currency: "usd" }, 3000),
      ev({ event_type: "conversion", session_id: "s1", user_id: "u1", event_name: "buy", conversion_value: 700, conversion_currency: "JPY" }, 3500),
      call("s2", "t", 86_400_000, { user_id: "u1" }),
      call("s3", "t", 5000, { user_id: "u2" }),
      call("s4", "t", 6000),
    ]);
    expect(r.users).toEqual([
      { userId: "u1", sessions: 2, calls: 3, firstSeen: "2026-03-01T00:00:00.000Z", lastSeen: "2026-03-02T00:00:00.000Z", conversions: 2, revenue: [{ currency: "JPY", revenue: 700 }, { currency: "USD", revenue: 5 }] },
      { userId: "u2", sessions: 1, calls: 1, firstSeen: "2026-03-01T00:00:05.000Z", lastSeen: "2026-03-01T00:00:05.000Z", conversions: 0, revenue: [] },
    ]);
    expect(r.otherUsers).toBeNull();
    expect(r.sessionsPerUser).toEqual({ users: 2, anonymousSessions: 1, p50: 1, p95: 2, max: 2 });
    const top1 = await computeReport([call("a", "t", 0, { user_id: "u1" }), call("b", "t", 0, { user_id: "u1" }), call("c", "t", 0, { user_id: "u2" }), call("d", "t", 0, { user_id: "u3" })], "<input>", { top: 1 });
    expect(top1.otherUsers).toEqual({ users: 2, sessions: 2, calls: 2, conversions: 0, revenue: [] });
  });

  it("lists clients by name and version with their platform", async () => {
    const start = (s: string, name: string, version: string, platform: string): string =>
      ev({ event_type: "connection", event_name: "session_start", session_id: s, client_name: name, client_version: version, platform, transport: "stdio" }, 0);
    const r = await computeReport([
      start("s1", "claude-ai", "0.1.0", "claude"),
      start("s2", "claude-ai", "0.1.0", "claude"),
      start("s3", "claude-ai", "0.2.0", "claude"),
      start("s4", "cursor-vscode", "1.0.0", "cursor"),
      call("s5", "t", 0),
    ]);
    expect(r.clients).toEqual([
      { name: "claude-ai", version: "0.1.0", platform: "claude", sessions: 2, share: 0.4 },
      { name: "claude-ai", version: "0.2.0", platform: "claude", sessions: 1, share: 0.2 },
      { name: "cursor-vscode", version: "1.0.0", platform: "cursor", sessions: 1, share: 0.2 },
      { name: "unknown", version: null, platform: "unknown", sessions: 1, share: 0.2 },
    ]);
  });

  it("sorts ended sessions into length buckets", async () => {
    const end = (s: string, ms: number): string => ev({ event_type: "connection", event_name: "session_end", session_id: s, connection_duration_ms: ms }, 0);
    const r = await computeReport([end("a", 5_000), end("b", 9_999), end("c", 10_000), end("d", 3_600_000), end("e", 9_000_000)]);
    expect(r.sessions.durationHistogram.map((b) => [b.label, b.sessions])).toEqual([
      ["< 10 s", 2],
      ["10 s – 1 min", 1],
      ["1 – 5 min", 0],
      ["5 – 30 min", 0],
      ["30 min – 2 h", 1],
      ["≥ 2 h", 1],
    ]);
  });

  it.each([
    // span, expected bucket
    [30 * 60_000, "1 minute", 60_000],
    [3 * 3_600_000, "5 minutes", 300_000],
    [10 * 3_600_000, "15 minutes", 900_000],
    [2 * 86_400_000, "1 hour", 3_600_000],
    [10 * 86_400_000, "6 hours", 21_600_000],
    [45 * 86_400_000, "1 day", 86_400_000],
    [200 * 86_400_000, "1 week", 604_800_000],
  ])("picks the bucket from the time span (%d ms → %s)", async (span, label, ms) => {
    const r = await computeReport([call("s", "t", 0), call("s", "t", span / 2), call("s", "t", span)]);
    expect(r.activity.bucketLabel).toBe(label);
    expect(r.activity.bucketMs).toBe(ms);
    expect(r.activity.buckets.length).toBeLessThanOrEqual(61);
    expect(r.activity.buckets.reduce((x, b) => x + b.calls, 0)).toBe(3);
  });

  it("counts calls, errors and new sessions per bucket, empty buckets included", async () => {
    const r = await computeReport([
      call("s1", "t", 0),
      call("s1", "t", 30_000, { status: "error" }),
      call("s2", "t", 120_000),
      ev({ event_type: "identify", session_id: "s3", user_id: "u" }, 150_000),
    ]);
    expect(r.activity.buckets).toEqual([
      { start: "2026-03-01T00:00:00.000Z", events: 2, calls: 2, errors: 1, sessions: 1 },
      { start: "2026-03-01T00:01:00.000Z", events: 0, calls: 0, errors: 0, sessions: 0 },
      { start: "2026-03-01T00:02:00.000Z", events: 2, calls: 1, errors: 0, sessions: 2 },
    ]);
  });

  it("gives the same buckets when the width grew while reading as when it was known from the start", async () => {
    // Lines far apart first force coarsening early; the same lines in time order coarsen late.
    const lines = Array.from({ length: 400 }, (_, i) => call(`s${i % 7}`, i % 3 === 0 ? "a" : "b", i * 7_919_000 % (40 * 86_400_000), { latency_ms: i % 50, status: i % 9 === 0 ? "error" : "success" }));
    const sorted = [...lines].sort((x, y) => (JSON.parse(x) as { timestamp: string }).timestamp.localeCompare((JSON.parse(y) as { timestamp: string }).timestamp));
    const a = await computeReport(lines);
    const b = await computeReport(sorted);
    expect(a.activity).toEqual(b.activity);
    expect(a.toolTrends).toEqual(b.toolTrends);
    expect(a.activity.bucketLabel).toBe("1 day");
  });

  it("follows the top tools over time: calls, error rate and latency per bucket", async () => {
    const r = await computeReport([
      call("s", "a", 0, { latency_ms: 10 }),
      call("s", "a", 10_000, { latency_ms: 30, status: "error" }),
      call("s", "b", 20_000),
      call("s", "a", 120_000, { latency_ms: 50 }),
    ]);
    expect(r.toolTrends.map((t) => t.tool)).toEqual(["a", "b"]);
    expect(r.toolTrends[0]!.buckets).toEqual([
      { start: "2026-03-01T00:00:00.000Z", calls: 2, errors: 1, errorRate: 0.5, p50: 10, p95: 30, method: "exact" },
      { start: "2026-03-01T00:01:00.000Z", calls: 0, errors: 0, errorRate: null, p50: null, p95: null, method: "exact" },
      { start: "2026-03-01T00:02:00.000Z", calls: 1, errors: 0, errorRate: 0, p50: 50, p95: 50, method: "exact" },
    ]);
  });

  it("keeps a stray far-off timestamp from stretching the timeline", async () => {
    const r = await computeReport([call("s", "t", 0), JSON.stringify({ event_id: "x", event_type: "tool_call", session_id: "s", tool_name: "t", timestamp: "1970-01-01T00:00:00.000Z", status: "success" })]);
    expect(r.activity.buckets).toHaveLength(1);
    expect(r.toolCalls.total).toBe(2);
  });

  it("skips warning lines whose time is outside the window", async () => {
    const warning = (time: string): string => JSON.stringify({ yavio: true, level: "warn", code: "YAVIO-1302", message: "m", time });
    const r = await computeReport([call("s", "t", 0), warning("2026-03-01T00:00:00.000Z"), warning("2026-02-01T00:00:00.000Z")], "<input>", { since: T0 });
    expect(r.totals.warningLines).toBe(1);
    expect(r.window.outside).toBe(1);
  });
});
