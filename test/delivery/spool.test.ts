import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createDeliveryPipeline, createPipeline, MemorySink, SpoolingSink } from "../../src/delivery/index.js";
import type { DeliveryOptions, Pipeline, SendResult, Sink } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";
import { IngestServer } from "./helpers/ingest-server.js";

const KEY = "yav_spool_SECRET";
let server: IngestServer;
let cwd: string;
let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const codes = (): string[] => warnings.map((w) => w.code);
const spoolDir = (): string => join(cwd, ".yavio", "spool");
const spoolFiles = (): string[] => {
  try {
    return readdirSync(spoolDir()).filter((f) => f.endsWith(".jsonl"));
  } catch {
    return [];
  }
};
const spooledIds = (): string[] =>
  spoolFiles().flatMap((f) =>
    readFileSync(join(spoolDir(), f), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as WireEvent).event_id),
  );

beforeEach(async () => {
  server = await new IngestServer().start();
  cwd = mkdtempSync(join(tmpdir(), "yavio-spool-"));
  warnings = [];
});
afterEach(async () => {
  vi.useRealTimers();
  await server.close();
  rmSync(cwd, { recursive: true, force: true });
  expect(JSON.stringify(warnings)).not.toContain("SECRET");
  expect(server.invalidBodies).toEqual([]);
});

function delivery(options: DeliveryOptions = {}): Pipeline<WireEvent> {
  return createDeliveryPipeline<WireEvent>({
    options: { apiKey: KEY, endpoint: server.url, handleProcessExit: false, ...options },
    prepare: (e) => e,
    warn,
    env: {},
    cwd,
  });
}

describe("spool", () => {
  it("after a clean shutdown with a reachable ingest, leaves nothing in the spool", async () => {
    const p = delivery();
    const events = Array.from({ length: 50 }, (_, i) => toolCall(i));
    for (const e of events) p.enqueue(e);
    await p.shutdown();
    expect([...server.delivered.keys()].sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(spoolFiles()).toEqual([]);
  });

  it("keeps events in the spool on 401 and delivers them at the next start once the key works", async () => {
    server.script = [{ status: 401 }];
    const first = delivery();
    const events = Array.from({ length: 20 }, (_, i) => toolCall(i));
    for (const e of events) first.enqueue(e);
    await first.shutdown();
    expect(codes()).toEqual(expect.arrayContaining(["YAVIO-1203", "YAVIO-1212"]));
    expect(spooledIds().sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(server.delivered.size).toBe(0);

    const second = delivery();
    await second.flush();
    expect([...server.delivered.keys()].sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(spoolFiles()).toEqual([]);
    await second.shutdown();
  });

  it("spools what is still undelivered when the shutdown deadline passes during an outage", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    server.fallback = { status: 503, headers: { "retry-after": "5" } };
    const p = delivery({ shutdownTimeoutMs: 3000 });
    const events = Array.from({ length: 10 }, (_, i) => toolCall(i));
    for (const e of events) p.enqueue(e);
    const closing = p.shutdown();
    await server.untilRequests(1);
    await vi.advanceTimersByTimeAsync(3000);
    await closing;
    expect(spooledIds().sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(codes()).toEqual(expect.arrayContaining(["YAVIO-1205", "YAVIO-1212"]));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("skips a corrupt spool file with YAVIO-1209 and still delivers the others", async () => {
    mkdirSync(spoolDir(), { recursive: true });
    const good = toolCall(1);
    writeFileSync(join(spoolDir(), "000000000000001-1-000001.jsonl"), "{not json\n");
    writeFileSync(join(spoolDir(), "000000000000002-1-000002.jsonl"), `${JSON.stringify(good)}\n`);
    const p = delivery();
    await p.flush();
    expect([...server.delivered.keys()]).toEqual([good.event_id]);
    expect(codes()).toContain("YAVIO-1209");
    expect(spoolFiles()).toEqual([]);
    await p.shutdown();
  });

  it("bounds the spool: the oldest files go first with YAVIO-1210", () => {
    const down: Sink = { name: "http", send: () => Promise.resolve<SendResult>({ status: "retryable", reason: "down" }) };
    const sink = new SpoolingSink(down, { dir: spoolDir(), maxBytes: 4096, warn, replayOnStart: false });
    const events = Array.from({ length: 20 }, (_, i) => toolCall(i));
    for (const e of events) sink.persistSync([e]);
    const total = spoolFiles().reduce((sum, f) => sum + statSync(join(spoolDir(), f)).size, 0);
    expect(total).toBeLessThanOrEqual(4096);
    expect(spooledIds()).toContain(events[19]?.event_id);
    expect(spooledIds()).not.toContain(events[0]?.event_id);
    expect(codes()).toContain("YAVIO-1210");
  });

  it("fans out to the event file and HTTP at once", async () => {
    const memory = new MemorySink();
    const p = delivery({ eventsFile: "events.jsonl", sink: memory });
    const events = Array.from({ length: 5 }, (_, i) => toolCall(i));
    for (const e of events) p.enqueue(e);
    await p.shutdown();
    expect(server.delivered.size).toBe(5);
    expect(memory.events).toHaveLength(5);
    const lines = readFileSync(join(cwd, "events.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as WireEvent).event_id)).toEqual(events.map((e) => e.event_id));
  });

  it("writes a large spool batch as ingest-sized files and replays every event without one oversized request", async () => {
    const sent: number[] = [];
    const delivered: string[] = [];
    let up = false;
    // Like the ingest: more than 1000 events in a request is an invalid (400) batch.
    const ingest: Sink = {
      name: "http",
      send: (batch) => {
        if (!up) return Promise.resolve<SendResult>({ status: "retryable", reason: "down" });
        sent.push(batch.length);
        if (batch.length > 1000) return Promise.resolve<SendResult>({ status: "failure", reason: "HTTP 400" });
        delivered.push(...batch.map((e) => e.event_id));
        return Promise.resolve<SendResult>({ status: "success" });
      },
    };
    const events = Array.from({ length: 2500 }, (_, i) => toolCall(i));
    new SpoolingSink(ingest, { dir: spoolDir(), warn, replayOnStart: false }).persistSync(events);
    for (const f of spoolFiles()) {
      const text = readFileSync(join(spoolDir(), f), "utf8");
      expect(text.trim().split("\n").length).toBeLessThanOrEqual(1000);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(500 * 1024);
    }
    up = true;
    const next = new SpoolingSink(ingest, { dir: spoolDir(), warn });
    await next.flush();
    expect(sent.every((n) => n <= 1000)).toBe(true);
    expect(delivered.sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(spoolFiles()).toEqual([]);
  });

  it("replays an oversized spool file left by an older version in ingest-sized chunks", async () => {
    mkdirSync(spoolDir(), { recursive: true });
    const events = Array.from({ length: 1500 }, (_, i) => toolCall(i));
    writeFileSync(join(spoolDir(), "000000000000001-1-000001.jsonl"), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const delivered: string[] = [];
    const ingest: Sink = {
      name: "http",
      send: (batch) => {
        if (batch.length > 1000) return Promise.resolve<SendResult>({ status: "failure", reason: "HTTP 400" });
        delivered.push(...batch.map((e) => e.event_id));
        return Promise.resolve<SendResult>({ status: "success" });
      },
    };
    await new SpoolingSink(ingest, { dir: spoolDir(), warn }).flush();
    expect(delivered).toHaveLength(1500);
  });

  it("keeps the part of a spool write that fits when the whole is larger than the spool, with YAVIO-1210", () => {
    const down: Sink = { name: "http", send: () => Promise.resolve<SendResult>({ status: "retryable", reason: "down" }) };
    const sink = new SpoolingSink(down, { dir: spoolDir(), maxBytes: 4096, warn, replayOnStart: false });
    const events = Array.from({ length: 20 }, (_, i) => toolCall(i));
    sink.persistSync(events);
    const ids = spooledIds();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toContain(events[19]?.event_id);
    expect(codes()).toContain("YAVIO-1210");
  });

  it("counts .corrupt and dead .tmp leftovers toward the spool bound and removes them first", () => {
    mkdirSync(spoolDir(), { recursive: true });
    writeFileSync(join(spoolDir(), "000000000000001-1-000001.jsonl.corrupt"), "x".repeat(3000));
    writeFileSync(join(spoolDir(), `000000000000002-${process.pid}-000002.tmp`), "y".repeat(3000));
    const down: Sink = { name: "http", send: () => Promise.resolve<SendResult>({ status: "retryable", reason: "down" }) };
    const sink = new SpoolingSink(down, { dir: spoolDir(), maxBytes: 4096, warn, replayOnStart: false });
    const event = toolCall(1);
    sink.persistSync([event]);
    const total = readdirSync(spoolDir()).reduce((sum, f) => sum + statSync(join(spoolDir(), f)).size, 0);
    expect(total).toBeLessThanOrEqual(4096);
    expect(spooledIds()).toEqual([event.event_id]);
  });

  it("warns YAVIO-1210 once per episode however many writes overflow the spool", () => {
    const down: Sink = { name: "http", send: () => Promise.resolve<SendResult>({ status: "retryable", reason: "down" }) };
    const sink = new SpoolingSink(down, { dir: spoolDir(), maxBytes: 4096, warn, replayOnStart: false });
    for (let i = 0; i < 20; i += 1) sink.persistSync([toolCall(i)]);
    sink.persistSync(Array.from({ length: 20 }, (_, i) => toolCall(100 + i)));
    expect(codes().filter((c) => c === "YAVIO-1210")).toHaveLength(1);
  });

  it("keeps only the undelivered part of a spool file when its replay stops midway", async () => {
    mkdirSync(spoolDir(), { recursive: true });
    const events = Array.from({ length: 1500 }, (_, i) => toolCall(i));
    writeFileSync(join(spoolDir(), "000000000000001-1-000001.jsonl"), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    let calls = 0;
    const delivered: string[] = [];
    const ingest: Sink = {
      name: "http",
      send: (batch) => {
        calls += 1;
        if (calls > 1) return Promise.resolve<SendResult>({ status: "retryable", reason: "down" });
        delivered.push(...batch.map((e) => e.event_id));
        return Promise.resolve<SendResult>({ status: "success" });
      },
    };
    await new SpoolingSink(ingest, { dir: spoolDir(), warn }).flush();
    expect(calls).toBe(2);
    expect(delivered.length).toBeGreaterThan(0);
    expect(spooledIds()).toEqual(events.slice(delivered.length).map((e) => e.event_id));
  });
});

/** A sink that records what it receives and answers success a few turns later (a replay overlaps another's). */
class SlowRecordingSink implements Sink {
  readonly name = "slow";
  readonly ids: string[] = [];
  async send(batch: readonly WireEvent[]): Promise<SendResult> {
    for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
    this.ids.push(...batch.map((e) => e.event_id));
    return { status: "success" };
  }
}

describe("two pipelines of one process on one spool (issue 10.7)", () => {
  it("replay each spool file once: a sink never takes back a file another live sink of this process claimed", async () => {
    mkdirSync(spoolDir(), { recursive: true });
    const seeded: string[] = [];
    for (let f = 0; f < 6; f += 1) {
      const events = [toolCall(2 * f), toolCall(2 * f + 1)];
      seeded.push(...events.map((e) => e.event_id));
      writeFileSync(join(spoolDir(), `${String(1_700_000_000_000 + f).padStart(15, "0")}-1-00000${f}.jsonl`), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    }
    const a = new SlowRecordingSink();
    const b = new SlowRecordingSink();
    const first = new SpoolingSink(a, { dir: spoolDir(), warn });
    const second = new SpoolingSink(b, { dir: spoolDir(), warn });
    await Promise.all([first.flush(), second.flush()]);
    // A replay stops nowhere here, so whichever pipeline ran, every file went out exactly once.
    expect([...a.ids, ...b.ids].sort()).toEqual([...seeded].sort());
    expect(readdirSync(spoolDir())).toEqual([]);
  });

  it("gives two sinks spooling in the same millisecond two files, not one overwriting the other", () => {
    vi.useFakeTimers({ now: 1_767_000_000_000, toFake: ["Date"] });
    const failing: Sink = { name: "down", send: () => Promise.resolve({ status: "retryable", reason: "down" }) };
    const first = new SpoolingSink(failing, { dir: spoolDir(), warn, replayOnStart: false });
    const second = new SpoolingSink(failing, { dir: spoolDir(), warn, replayOnStart: false });
    const one = toolCall(1);
    const two = toolCall(2);
    first.persistSync([one]);
    second.persistSync([two]);
    expect(spooledIds().sort()).toEqual([one.event_id, two.event_id].sort());
  });
});

describe("YAVIO-1211 (issue 10.8)", () => {
  const count = (code: string): number => codes().filter((c) => c === code).length;

  it("is said once per episode when the spool cannot be written, and again only after a success ended it", async () => {
    // A file where the spool folder should be: every spool write fails.
    mkdirSync(join(cwd, ".yavio"), { recursive: true });
    writeFileSync(spoolDir(), "not a folder");
    server.fallback = { status: 500 };
    const p = delivery({ maxAttempts: 1, maxExportBatchSize: 1 });
    for (let i = 0; i < 4; i += 1) {
      p.enqueue(toolCall(i));
      await p.flush();
    }
    expect(count("YAVIO-1211")).toBe(1);
    const said = warnings.find((w) => w.code === "YAVIO-1211");
    expect(said?.message).toContain("could not be spooled");
    expect(said?.message).not.toContain("export aborted");

    server.fallback = { status: 200, body: { accepted: 1, rejected: 0 } };
    p.enqueue(toolCall(10));
    await p.flush();
    expect(count("YAVIO-1211")).toBe(1);

    server.fallback = { status: 500 };
    p.enqueue(toolCall(11));
    await p.flush();
    p.enqueue(toolCall(12));
    await p.flush();
    expect(count("YAVIO-1211")).toBe(2);
    await p.shutdown();
  });

  it("is said once at exit when the spool cannot be written, however many batches are persisted", () => {
    mkdirSync(join(cwd, ".yavio"), { recursive: true });
    writeFileSync(spoolDir(), "not a folder");
    const down: Sink = { name: "down", send: () => Promise.resolve({ status: "retryable", reason: "down" }) };
    const spooling = new SpoolingSink(down, { dir: spoolDir(), warn, replayOnStart: false });
    spooling.persistSync([toolCall(1)]);
    spooling.persistSync([toolCall(2)]);
    expect(count("YAVIO-1211")).toBe(1);
    expect(warnings[0]?.message).toContain("lost");
  });

  it("is not said for a batch the export deadline sent to the spool: it was spooled, not lost", async () => {
    const hanging: Sink = { name: "hanging", send: () => new Promise<SendResult>(() => undefined) };
    const spooling = new SpoolingSink(hanging, { dir: spoolDir(), warn, replayOnStart: false });
    const p = createPipeline<WireEvent>({ sinks: [spooling], prepare: (e) => e, warn, handleProcessExit: false, exportTimeoutMs: 20 });
    const event = toolCall(1);
    p.enqueue(event);
    await p.flush();
    expect(codes()).not.toContain("YAVIO-1211");
    expect(codes()).toContain("YAVIO-1212");
    expect(spooledIds()).toEqual([event.event_id]);
    await p.shutdown();
  });
});
