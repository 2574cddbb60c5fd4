/**
 * Transport benchmark: events per second through the batch processor into the file sink and into
 * an HTTP sink posting to a local fake ingest (127.0.0.1, same process), and bytes per typical
 * tool_call event on the wire. Prints a markdown table; asserts nothing.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { newSessionId, newTraceId } from "../src/identity/index.js";
import type { WireEvent } from "../src/event/index.js";
import { createPipeline, FileSink, GZIP_LEVEL, HttpSink, RetryingSink, toContractEvent } from "../src/delivery/index.js";
import type { Sink } from "../src/delivery/index.js";

const warn = (): void => undefined;

/** A typical tool_call event: fresh ids, a session of 20 calls, small inputs and output. */
function makeEvents(n: number): WireEvent[] {
  const events: WireEvent[] = [];
  let session = newSessionId();
  const start = Date.now();
  for (let i = 0; i < n; i += 1) {
    if (i % 20 === 0) session = newSessionId();
    events.push({
      event_id: randomUUID(),
      event_type: "tool_call",
      event_name: "search_notes",
      tool_name: "search_notes",
      trace_id: newTraceId(),
      session_id: session,
      timestamp: new Date(start + i * 13).toISOString(),
      source: "server",
      sdk_version: "0.1.0",
      platform: "claude",
      user_id: "user_123",
      user_traits: { plan: "pro" },
      latency_ms: Math.round(Math.random() * 100) / 10,
      status: "success",
      input_keys: ["query", "limit"],
      input_types: { query: "string", limit: "number" },
      input_values: { query: "meeting notes from last week", limit: 10 },
      output_content: [{ type: "text", text: "Found 3 notes: standup, retro, planning" }],
    });
  }
  return events;
}

/** Pushes the events through a pipeline in chunks of the queue size and returns events/s. */
async function throughput(sink: Sink, events: WireEvent[]): Promise<number> {
  const pipeline = createPipeline<WireEvent>({ sinks: [sink], prepare: (e) => e, warn, handleProcessExit: false });
  const chunk = 10_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += chunk) {
    for (let j = i; j < Math.min(i + chunk, events.length); j += 1) pipeline.enqueue(events[j] as WireEvent);
    await pipeline.flush();
  }
  await pipeline.shutdown();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (pipeline.droppedCount > 0) process.stderr.write(`dropped ${pipeline.droppedCount}\n`);
  return events.length / seconds;
}

function bodyOf(events: WireEvent[]): string {
  return JSON.stringify({ events: events.map(toContractEvent), sdk_version: "0.1.0", sent_at: new Date().toISOString() });
}

async function main(): Promise<void> {
  const rows: [string, string][] = [];
  const gc = (globalThis as { gc?: () => void }).gc;

  // File sink.
  const dir = mkdtempSync(join(tmpdir(), "yavio-bench-"));
  const fileRuns: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const events = makeEvents(200_000);
    gc?.();
    fileRuns.push(await throughput(new FileSink({ path: join(dir, `events-${round}.jsonl`), maxBytes: 0 }), events));
  }
  rmSync(dir, { recursive: true, force: true });
  rows.push(["pipeline → FileSink (200 000 events, median of 3)", `${Math.round(median(fileRuns)).toLocaleString("en-US")} events/s`]);

  // HTTP sink against a local fake ingest that gunzips and counts.
  let received = 0;
  let wireBytes = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      wireBytes += raw.length;
      const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
      received += (JSON.parse(text) as { events: unknown[] }).events.length;
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
  let gzipWire = "";
  for (const gzip of [true, false]) {
    received = 0;
    wireBytes = 0;
    const runs: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const events = makeEvents(100_000);
      gc?.();
      const http = new HttpSink({ endpoint: url, apiKey: "yav_bench", gzip, warn });
      runs.push(await throughput(new RetryingSink(http, { warn }), events));
    }
    rows.push([
      `pipeline → HttpSink → 127.0.0.1 ingest, gzip ${gzip ? "on" : "off"} (100 000 events, median of 3, server in-process)`,
      `${Math.round(median(runs)).toLocaleString("en-US")} events/s`,
    ]);
    if (gzip) gzipWire = `${(wireBytes / received).toFixed(1)} bytes/event`;
  }
  server.close();

  // Bytes per event on the wire.
  const sample = makeEvents(1000);
  const plain = Buffer.byteLength(bodyOf(sample));
  rows.push(["typical tool_call event, gzip, measured at the fake ingest (request bodies of the run above)", gzipWire]);
  rows.push(["typical tool_call event, JSON (batch of 1000)", `${(plain / 1000).toFixed(1)} bytes/event`]);
  for (const n of [1000, 100, 10]) {
    const gz = gzipSync(bodyOf(sample.slice(0, n)), { level: GZIP_LEVEL }).length;
    rows.push([`typical tool_call event, gzip level ${GZIP_LEVEL} as sent (batch of ${n})`, `${(gz / n).toFixed(1)} bytes/event`]);
  }
  const gz9 = gzipSync(bodyOf(sample), { level: 9 }).length;
  rows.push(["typical tool_call event, gzip level 9 (batch of 1000, not the default)", `${(gz9 / 1000).toFixed(1)} bytes/event`]);

  process.stdout.write("| measure | result |\n|---|---|\n");
  for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
  process.stdout.write(
    "\nTargets: ≥ 100 000 events/s into the file sink on one core; ≤ 60 bytes per typical tool_call event with gzip. " +
      "`prepare` is the identity here (the core's scrubbing is measured in bench/core and bench/pii).\n",
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

await main();
