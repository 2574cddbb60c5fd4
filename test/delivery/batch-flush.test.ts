import { afterEach, describe, expect, it, vi } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import type { SendResult, Sink } from "../../src/delivery/index.js";
import { createPipeline } from "../../src/delivery/index.js";

const event = (n: number): WireEvent => ({
  event_id: `id-${n}`,
  event_type: "track",
  trace_id: "tr",
  session_id: "ses",
  timestamp: "2026-01-01T00:00:00.000Z",
  source: "server",
  sdk_version: "0",
});

/** A sink whose sends wait until the test lets them through. */
class GatedSink implements Sink {
  readonly name = "gated";
  readonly received: string[] = [];
  private gates: (() => void)[] = [];
  send(batch: readonly WireEvent[]): Promise<SendResult> {
    return new Promise((resolve) => {
      this.gates.push(() => {
        for (const e of batch) this.received.push(e.event_id);
        resolve({ status: "success" });
      });
    });
  }
  open(): void {
    for (const gate of this.gates.splice(0)) gate();
  }
  get waiting(): number {
    return this.gates.length;
  }
}

describe("overlapping flushes", () => {
  it("share one promise, which settles only after events enqueued before the later call are delivered", async () => {
    const sink = new GatedSink();
    const pipeline = createPipeline<number>({ sinks: [sink], prepare: event, warn: () => undefined, handleProcessExit: false });
    pipeline.enqueue(1);
    const first = pipeline.flush();
    await Promise.resolve();
    pipeline.enqueue(2); // arrives while the first export is in flight
    const second = pipeline.flush();
    expect(second).toBe(first);
    let settled = false;
    void second.then(() => (settled = true));
    // Let every export through as it comes, until the flush settles.
    while (!settled) {
      sink.open();
      await new Promise((r) => setImmediate(r));
    }
    expect(sink.received).toEqual(["id-1", "id-2"]);
    await pipeline.shutdown();
  });
});

/** A sink that never answers and ignores its signal, and can persist at exit. */
class DeafSink implements Sink {
  readonly name = "deaf";
  readonly signals: AbortSignal[] = [];
  send(_batch: readonly WireEvent[], options: { signal: AbortSignal }): Promise<SendResult> {
    this.signals.push(options.signal);
    return new Promise<SendResult>(() => undefined);
  }
}

describe("a held flush", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("settles at the shutdown deadline (plus a grace) even when a sink never answers, having aborted the export", async () => {
    vi.useFakeTimers();
    const sink = new DeafSink();
    const codes: string[] = [];
    const pipeline = createPipeline<number>({
      sinks: [sink],
      prepare: event,
      warn: (w) => codes.push(w.code),
      handleProcessExit: false,
      shutdownTimeoutMs: 2000,
      exportTimeoutMs: 600_000,
    });
    pipeline.enqueue(1);
    let settled = false;
    void pipeline.hold(pipeline.flush()).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).toBe(false);
    expect(sink.signals.map((s) => s.aborted)).toEqual([false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.signals.map((s) => s.aborted)).toEqual([true]);
    expect(codes).toContain("YAVIO-1205");
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toBe(true);
  });

  it("lifts its deadline once settled: a later export is not aborted", async () => {
    vi.useFakeTimers();
    const sink = new DeafSink();
    const pipeline = createPipeline<number>({ sinks: [sink], prepare: event, warn: () => undefined, handleProcessExit: false, shutdownTimeoutMs: 100 });
    pipeline.enqueue(1);
    const held = pipeline.hold(pipeline.flush());
    await vi.advanceTimersByTimeAsync(100);
    await held;
    expect(sink.signals.map((s) => s.aborted)).toEqual([true]);
    pipeline.enqueue(2);
    void pipeline.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.signals.at(-1)?.aborted).toBe(false);
  });
});
