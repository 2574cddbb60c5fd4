import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createPipeline, HttpSink, RetryingSink } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";
import { IngestServer } from "./helpers/ingest-server.js";

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// A real GC before each memory sample, so the sample measures what is retained, not garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: IngestServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  server = await new IngestServer().start();
  server.keepBodies = false;
});
afterAll(async () => {
  process.removeListener("unhandledRejection", onUnhandled);
  await server.close();
});

describe("soak", () => {
  it("delivers every event_id of 200 000 events while 30% of requests fail, with bounded memory", async () => {
    const random = seeded(42);
    const faults = { failed: 0, total: 0 };
    server.fallback = () => {
      faults.total += 1;
      const r = random();
      if (r < 0.1) {
        faults.failed += 1;
        return { status: 500 };
      }
      if (r < 0.2) {
        faults.failed += 1;
        return { status: 503, headers: { "retry-after": "1" } };
      }
      if (r < 0.3) {
        faults.failed += 1;
        return { status: 429, headers: { "retry-after": "2" } };
      }
      return { status: 200, body: { accepted: 1 } };
    };
    const warnings: WarningInput[] = [];
    const warn = (w: WarningInput): void => {
      warnings.push(w);
    };
    const sleeps: number[] = [];
    const sink = new RetryingSink(new HttpSink({ endpoint: server.url, apiKey: "yav_soak", warn }), {
      warn,
      maxAttempts: 30,
      // Waits are recorded, not slept: the soak is about delivery, not wall-clock time.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const pipeline = createPipeline<WireEvent>({ sinks: [sink], prepare: (e) => e, warn, handleProcessExit: false });

    const total = 200_000;
    const sent: string[] = [];
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    for (let i = 0; i < total; i += 5000) {
      for (let j = i; j < i + 5000; j += 1) {
        const event = toolCall(j);
        sent.push(event.event_id);
        pipeline.enqueue(event);
      }
      await pipeline.flush();
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
    await pipeline.shutdown();

    expect(pipeline.droppedCount).toBe(0);
    const missing = sent.filter((id) => !server.delivered.has(id));
    expect(missing).toEqual([]);
    expect(faults.failed / faults.total).toBeGreaterThan(0.2);
    expect(sleeps.length).toBe(faults.failed);
    // Duplicates come only from retries of whole batches, never more than the failed requests explain.
    const copies = [...server.delivered.values()].reduce((a, b) => a + b, 0);
    expect(copies).toBe(total);
    expect(server.invalidBodies).toEqual([]);
    // What stays is the test's own record of 200 000 ids (here and in the fake ingest), not the pipeline.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
    expect(unhandled).toEqual([]);
    expect(warnings.map((w) => w.code).filter((c) => c === "YAVIO-1201")).toEqual([]);
  }, 60_000);
});
