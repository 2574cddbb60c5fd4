/**
 * `yavio-mcp report` over a generated 1 M-event file: time, throughput and peak memory.
 *
 * The file is written to a temp dir and deleted afterwards. Each measurement runs in a fresh
 * process (this script re-run with `--measure`), so the generator's heap does not count towards
 * the report's peak RSS. Prints a markdown table; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { ReportBuilder, formatReportText, readLines, renderReportHtml } from "../src/report/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const TOOLS = ["search_notes", "create_note", "update_note", "delete_note", "create_invoice", "send_invoice", "login", "export_csv"];
const PLATFORMS = ["claude", "cursor", "chatgpt", "vscode", "claude-code", "unknown"];
const CATEGORIES = ["validation", "timeout", "server", "auth"];

/** Deterministic PRNG (mulberry32) so every run measures the same file. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes about `target` events in sessions of ~20 events, plus re-delivered duplicates, warnings and bad lines. */
async function generate(path: string, target: number): Promise<{ events: number; lines: number }> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const rnd = random(42);
  let events = 0;
  let lines = 0;
  let buffer = "";
  let t = Date.parse("2026-03-01T00:00:00.000Z");
  const flush = async (): Promise<void> => {
    if (!out.write(buffer)) await once(out, "drain");
    buffer = "";
  };
  const push = (line: string): void => {
    buffer += `${line}\n`;
    lines++;
  };
  for (let s = 0; events < target; s++) {
    const session = `ses_${s.toString(36).padStart(21, "0")}`;
    const trace = `tr_${s}`;
    const platform = PLATFORMS[Math.floor(rnd() * PLATFORMS.length)]!;
    let seq = 0;
    const base = (type: string, name: string, at: number): Record<string, unknown> => ({
      event_id: `${session}-${++seq}`,
      event_type: type,
      event_name: name,
      trace_id: trace,
      session_id: session,
      timestamp: new Date(at).toISOString(),
      source: "server",
      sdk_version: "0.1.0",
      platform,
    });
    const emit = (e: Record<string, unknown>): void => {
      const line = JSON.stringify(e);
      push(line);
      events++;
      if (rnd() < 0.001) push(line); // at-least-once: a re-delivered copy
    };
    t += 1000;
    emit({ ...base("connection", "session_start", t), client_name: "claude-ai", client_version: "1.0", protocol_version: "2025-06-18", transport: "stdio" });
    const userId = rnd() < 0.6 ? `user_${Math.floor(rnd() * 20_000)}` : undefined;
    if (userId !== undefined) emit({ ...base("identify", "identify", t + 50), user_id: userId, user_traits: { plan: "pro" } });
    const calls = 10 + Math.floor(rnd() * 12);
    let at = t + 200 + Math.floor(rnd() * 2000);
    for (let c = 0; c < calls; c++) {
      const tool = TOOLS[Math.floor(rnd() * TOOLS.length)]!;
      const failed = rnd() < 0.04;
      const latency = Math.round(5 + -Math.log(1 - rnd()) * 80);
      emit({
        ...base("tool_call", tool, at),
        tool_name: tool,
        latency_ms: latency,
        status: failed ? "error" : "success",
        ...(failed ? { error_category: CATEGORIES[Math.floor(rnd() * CATEGORIES.length)], error_message: "failed" } : {}),
        input_keys: rnd() < 0.5 ? ["query", "limit"] : ["query"],
        input_types: { query: "string", limit: "number" },
        ...(userId === undefined ? {} : { user_id: userId }),
      });
      at += latency + Math.floor(rnd() * 500);
    }
    emit({ ...base("step", "opened", at), step_sequence: 1 });
    if (rnd() < 0.5) emit({ ...base("step", "invoice_created", at + 10), step_sequence: 2 });
    if (rnd() < 0.2) emit({ ...base("conversion", "invoice_paid", at + 20), conversion_value: 49.5, conversion_currency: rnd() < 0.7 ? "USD" : "EUR" });
    emit({ ...base("connection", "session_end", at + 100), connection_duration_ms: at + 100 - t, metadata: { tool_calls: calls } });
    if (s % 500 === 0) push(JSON.stringify({ yavio: true, level: "warn", code: "YAVIO-1302", message: "identify conflict", sessionId: session, time: new Date(t).toISOString() }));
    if (s % 5000 === 0) push("not json: a stray log line");
    if (buffer.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, "finish");
  return { events, lines };
}

/** Child mode: time one report over the file and print {seconds, peakRssMb, events} as JSON. */
async function measure(path: string): Promise<void> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  const builder = new ReportBuilder();
  await builder.addLines(readLines(path), path);
  const report = builder.finish();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  // What the builder holds once the input has streamed by: sessions, names, the event-id set.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  // The three renderings of the one computed report.
  const renderStart = performance.now();
  const text = formatReportText(report);
  const html = renderReportHtml(report);
  const json = JSON.stringify(report, null, 2);
  const renderMs = performance.now() - renderStart;
  const retainedMb = gc === undefined ? Number.NaN : (process.memoryUsage().heapUsed + process.memoryUsage().external) / 1024 / 1024;
  process.stdout.write(
    JSON.stringify({
      seconds,
      peakRssMb: peak / 1024 / 1024,
      retainedMb,
      events: report.totals.events,
      sessions: report.sessions.unique,
      renderMs,
      textKb: text.length / 1024,
      htmlKb: html.length / 1024,
      jsonKb: json.length / 1024,
    }),
  );
  // Keep the builder alive until after the measurement.
  if (builder.finish().totals.events < 0) process.stdout.write("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--measure" && args[1] !== undefined) {
    await measure(args[1]);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "yavio-bench-report-"));
  try {
    const rows: string[] = [];
    const renders: string[] = [];
    for (const target of [100_000, 1_000_000]) {
      const file = join(dir, `events-${target}.jsonl`);
      const generated = await generate(file, target);
      const sizeMb = (await stat(file)).size / 1024 / 1024;
      const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--measure", file], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) {
        rows.push(`| ${generated.events.toLocaleString("en-US")} | | ${sizeMb.toFixed(1)} | failed: ${child.stderr.trim().split("\n")[0] ?? ""} | | | |`);
        continue;
      }
      const m = JSON.parse(child.stdout) as {
        seconds: number;
        peakRssMb: number;
        retainedMb: number;
        events: number;
        sessions: number;
        renderMs: number;
        textKb: number;
        htmlKb: number;
        jsonKb: number;
      };
      rows.push(
        `| ${m.events.toLocaleString("en-US")} | ${m.sessions.toLocaleString("en-US")} | ${sizeMb.toFixed(1)} | ${m.seconds.toFixed(2)} | ` +
          `${Math.round(m.events / m.seconds).toLocaleString("en-US")} | ${m.peakRssMb.toFixed(0)} | ${m.retainedMb.toFixed(0)} |`,
      );
      // The CLI end to end (process start, tsx, text output), wall clock.
      const cliStart = performance.now();
      const cli = spawnSync(process.execPath, ["--import", "tsx", join(root, "src", "cli.ts"), "report", file], {
        cwd: root,
        stdio: ["ignore", "ignore", "ignore"],
      });
      const cliSeconds = (performance.now() - cliStart) / 1000;
      renders.push(
        `| ${m.events.toLocaleString("en-US")} | ${m.renderMs.toFixed(0)} | ${m.textKb.toFixed(0)} | ${m.htmlKb.toFixed(0)} | ${m.jsonKb.toFixed(0)} |`,
      );
      rows.push(`| ${m.events.toLocaleString("en-US")} (CLI, text) | | | ${cli.status === 0 ? cliSeconds.toFixed(2) : "failed"} | | | |`);
      await rm(file, { force: true });
    }
    process.stdout.write(
      "Distinct events; ~0.1 % re-delivered duplicates, warning and bad lines mixed in. Report = readLines + ReportBuilder in a fresh process; peak RSS of that process; retained = JS heap + typed arrays after GC with the report state still alive (sessions, names, event-id set). CLI rows: wall clock of `yavio-mcp report FILE` as a child process, tsx start-up included.\n\n" +
        "| events | sessions | file MB | seconds | events/s | peak RSS MB | retained MB |\n|---:|---:|---:|---:|---:|---:|---:|\n" +
        `${rows.join("\n")}\n\n` +
        "Rendering the computed report (text, HTML and JSON together), and the size of each:\n\n" +
        "| events | render ms | text KB | HTML KB | JSON KB |\n|---:|---:|---:|---:|---:|\n" +
        `${renders.join("\n")}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
