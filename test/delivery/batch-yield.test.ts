import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createPipeline, MemorySink } from "../../src/delivery/index.js";

const eventFor = (n: number): WireEvent => ({ event_id: `id-${n}`, event_type: "track", trace_id: "tr", session_id: "ses", timestamp: "2026-01-01T00:00:00.000Z", source: "server", sdk_version: "0" });

/** A pipeline into a memory sink whose prepare does `work` and counts the events it prepared. */
function countingPipeline(work: () => void = () => undefined, maxQueueSize?: number) {
  const sink = new MemorySink();
  const counter = { prepared: 0 };
  const pipeline = createPipeline<number>({
    sinks: [sink],
    warn: () => undefined,
    handleProcessExit: false,
    ...(maxQueueSize === undefined ? {} : { maxQueueSize }),
    prepare: (n) => {
      work();
      counter.prepared += 1;
      return eventFor(n);
    },
  });
  return { sink, pipeline, counter };
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Simulates an expensive prepare (scrubbing a large payload).
  }
}

describe("batch preparation and the host's event loop", () => {
  it("gives the event loop back while preparing a large batch, instead of holding it for the whole batch", async () => {
    const { sink, pipeline, counter } = countingPipeline(() => busy(0.1));
    let preparedWhenHostRan = -1;
    for (let i = 0; i < 1000; i++) pipeline.enqueue(i); // a full batch starts exporting at once
    setImmediate(() => {
      preparedWhenHostRan = counter.prepared;
    });
    await pipeline.flush();
    expect(sink.events).toHaveLength(1000);
    expect(preparedWhenHostRan).toBeGreaterThanOrEqual(0);
    expect(preparedWhenHostRan).toBeLessThan(1000);
    await pipeline.shutdown();
  });

  it("keeps exporting when the host never yields to the event loop (a tight loop of microtasks), without dropping", async () => {
    const { sink, pipeline } = countingPipeline(() => busy(0.02), 3000);
    for (let i = 0; i < 10_000; i++) {
      pipeline.enqueue(i);
      await Promise.resolve();
    }
    const deliveredDuringLoop = sink.events.length;
    await pipeline.shutdown();
    expect(deliveredDuringLoop).toBeGreaterThan(0);
    expect(pipeline.droppedCount).toBe(0);
    expect(sink.events).toHaveLength(10_000);
  });

  it("does no preparation inside the enqueue that fills a batch: the export starts on the next turn", async () => {
    const { sink, pipeline, counter } = countingPipeline();
    for (let i = 0; i < 1000; i++) pipeline.enqueue(i);
    expect(counter.prepared).toBe(0);
    await pipeline.flush();
    expect(counter.prepared).toBe(1000);
    expect(sink.events).toHaveLength(1000);
    await pipeline.shutdown();
  });
});
