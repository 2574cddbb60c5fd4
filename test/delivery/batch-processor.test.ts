import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createPipeline, exitHookState, MemorySink } from "../../src/delivery/index.js";
import type { Pipeline, PipelineOptions, SendResult, Sink } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";

let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const codes = (): string[] => warnings.map((w) => w.code);

beforeEach(() => {
  vi.useFakeTimers();
  warnings = [];
});
afterEach(() => {
  vi.useRealTimers();
});

function pipeline(sinks: Sink[], extra: Partial<PipelineOptions<WireEvent>> = {}): Pipeline<WireEvent> {
  return createPipeline<WireEvent>({ sinks, prepare: (e) => e, warn, handleProcessExit: false, ...extra });
}

/** A sink whose sends stay pending until released, counting how many run at once. */
class GateSink implements Sink {
  readonly name = "gate";
  readonly batches: (readonly WireEvent[])[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  private releases: ((r: SendResult) => void)[] = [];
  send(batch: readonly WireEvent[]): Promise<SendResult> {
    this.batches.push(batch);
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    return new Promise((resolve) => {
      this.releases.push((r) => {
        this.concurrent -= 1;
        resolve(r);
      });
    });
  }
  release(result: SendResult = { status: "success" }): void {
    this.releases.shift()?.(result);
  }
}

describe("createPipeline", () => {
  it.each([
    ["maxQueueSize", 0],
    ["maxQueueSize", 1.5],
    ["maxExportBatchSize", 1001],
    ["maxExportBatchSize", -1],
    ["scheduledDelayMs", -5],
    ["exportTimeoutMs", 0],
    ["maxExportBatchBytes", 600 * 1024],
    ["scheduledDelayMs", "100"],
  ])("throws YAVIO-1003 at construction for %s = %s", (key, value) => {
    expect(() => pipeline([new MemorySink()], { [key]: value })).toThrow(expect.objectContaining({ code: "YAVIO-1003" }));
  });

  it("clamps maxExportBatchSize to maxQueueSize with a warning", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink], { maxQueueSize: 10, maxExportBatchSize: 100 });
    expect(codes()).toEqual(["YAVIO-1003"]);
    for (let i = 0; i < 10; i += 1) p.enqueue(toolCall(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.batches).toBe(1);
    await p.shutdown();
  });

  it("arms the timer on the first event and exports the partial batch after scheduledDelayMs", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink], { scheduledDelayMs: 5000 });
    expect(vi.getTimerCount()).toBe(0);
    p.enqueue(toolCall(1));
    p.enqueue(toolCall(2));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(sink.events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.events).toHaveLength(2);
    expect(sink.batches).toBe(1);
    await p.shutdown();
  });

  it("exports a full batch at once, without waiting for the timer", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink], { maxExportBatchSize: 10 });
    for (let i = 0; i < 25; i += 1) p.enqueue(toolCall(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.events).toHaveLength(20);
    expect(sink.batches).toBe(2);
    await p.shutdown();
    expect(sink.events).toHaveLength(25);
  });

  it("flush exports immediately, with no timer tick", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink]);
    p.enqueue(toolCall(1));
    await p.flush();
    expect(sink.events).toHaveLength(1);
    await p.shutdown();
  });

  it("cuts batches at the byte limit as well as the count", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink], { maxExportBatchBytes: 8 * 1024 });
    const big = (i: number): WireEvent => toolCall(i, { output_content: [{ type: "text", text: "x".repeat(3000) }] });
    for (let i = 0; i < 6; i += 1) p.enqueue(big(i));
    await p.flush();
    expect(sink.events).toHaveLength(6);
    expect(sink.batches).toBe(3);
    await p.shutdown();
  });

  it("keeps one export in flight and sends batches in order", async () => {
    const sink = new GateSink();
    const p = pipeline([sink], { maxExportBatchSize: 2 });
    for (let i = 0; i < 6; i += 1) p.enqueue(toolCall(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.batches).toHaveLength(1);
    sink.release();
    await vi.advanceTimersByTimeAsync(0);
    sink.release();
    await vi.advanceTimersByTimeAsync(0);
    sink.release();
    await p.flush();
    expect(sink.maxConcurrent).toBe(1);
    expect(sink.batches.flat().map((e) => e.trace_id)).toEqual([0, 1, 2, 3, 4, 5].map((i) => toolCall(i).trace_id));
    const closing = p.shutdown();
    await closing;
  });

  it("gives overlapping flush calls one shared promise", async () => {
    const sink = new GateSink();
    const p = pipeline([sink]);
    p.enqueue(toolCall(1));
    const a = p.flush();
    const b = p.flush();
    expect(a).toBe(b);
    await vi.advanceTimersByTimeAsync(0);
    sink.release();
    await a;
    expect(sink.batches).toHaveLength(1);
    await p.shutdown();
  });

  it("runs shutdown once, refuses later events with YAVIO-1208, and leaves no timer", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink]);
    p.enqueue(toolCall(1));
    const a = p.shutdown();
    expect(p.shutdown()).toBe(a);
    await a;
    expect(sink.events).toHaveLength(1);
    p.enqueue(toolCall(2));
    expect(codes()).toEqual(["YAVIO-1208"]);
    expect(sink.events).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("drops and counts events when the queue is full, and reports YAVIO-1206 once per episode with the count", async () => {
    const sink = new GateSink();
    const p = pipeline([sink], { maxQueueSize: 5, maxExportBatchSize: 5 });
    for (let i = 0; i < 5; i += 1) p.enqueue(toolCall(i));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 12; i += 1) p.enqueue(toolCall(i));
    expect(p.droppedCount).toBe(7);
    sink.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(codes()).toEqual([]);
    for (let i = 0; i < 3; i += 1) p.enqueue(toolCall(i));
    const overflow = warnings.filter((w) => w.code === "YAVIO-1206");
    expect(overflow).toHaveLength(1);
    expect(overflow[0]?.details).toMatchObject({ dropped: 7 });
    const closing = p.shutdown();
    for (let i = 0; i < 5; i += 1) {
      await vi.advanceTimersByTimeAsync(0);
      sink.release();
    }
    await closing;
  });

  it("drops an item whose prepare throws with YAVIO-1301 and one that prepares to null, and sends the rest", async () => {
    const sink = new MemorySink();
    const p = createPipeline<number>({
      sinks: [sink],
      warn,
      handleProcessExit: false,
      prepare: (n) => {
        if (n === 1) throw new Error("scrub failed");
        if (n === 2) return null;
        return toolCall(n);
      },
    });
    for (const n of [0, 1, 2, 3]) p.enqueue(n);
    await p.shutdown();
    expect(sink.events.map((e) => e.trace_id)).toEqual([toolCall(0).trace_id, toolCall(3).trace_id]);
    expect(codes()).toEqual(["YAVIO-1301"]);
  });

  it("fans every batch out to all sinks; a throwing sink does not stop the others", async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const broken: Sink = { name: "broken", send: () => Promise.reject(new Error("boom")) };
    const p = pipeline([a, broken, b]);
    p.enqueue(toolCall(1));
    p.enqueue(toolCall(2));
    await p.shutdown();
    expect(a.events).toHaveLength(2);
    expect(b.events).toHaveLength(2);
    expect(codes()).toEqual(["YAVIO-1211"]);
  });

  it("aborts an export that outlives exportTimeoutMs and moves on", async () => {
    const signals: AbortSignal[] = [];
    const hung: Sink = {
      name: "hung",
      send: (_b, { signal }) => {
        signals.push(signal);
        return new Promise(() => undefined);
      },
    };
    const p = pipeline([hung], { exportTimeoutMs: 1000 });
    p.enqueue(toolCall(1));
    const flushed = p.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(signals[0]?.aborted).toBe(true);
    await p.shutdown();
  });

  it("bounds shutdown by shutdownTimeoutMs with a hung sink, warns YAVIO-1205 and leaves no timer", async () => {
    const hung: Sink = { name: "hung", send: () => new Promise(() => undefined) };
    const p = pipeline([hung], { shutdownTimeoutMs: 2000, exportTimeoutMs: 60_000 });
    p.enqueue(toolCall(1));
    let done = false;
    const closing = p.shutdown().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(codes()).toContain("YAVIO-1205");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("delivers everything and leaves no timer after shutdown, for any mix of enqueue and flush", async () => {
    const sink = new MemorySink();
    const p = pipeline([sink], { maxExportBatchSize: 7, scheduledDelayMs: 100 });
    for (let i = 0; i < 100; i += 1) {
      p.enqueue(toolCall(i));
      if (i % 13 === 0) void p.flush();
      if (i % 17 === 0) await vi.advanceTimersByTimeAsync(60);
    }
    await p.shutdown();
    expect(sink.events).toHaveLength(100);
    expect(new Set(sink.events.map((e) => e.event_id)).size).toBe(100);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("process exit hooks", () => {
  it("shares one set of listeners among 10 000 pipelines and removes it after the last shutdown", async () => {
    const before = {
      term: process.listenerCount("SIGTERM"),
      int: process.listenerCount("SIGINT"),
      beforeExit: process.listenerCount("beforeExit"),
      exit: process.listenerCount("exit"),
    };
    const sink = new MemorySink();
    const pipelines = Array.from({ length: 10_000 }, () => createPipeline<WireEvent>({ sinks: [sink], prepare: (e) => e, warn }));
    expect(exitHookState()).toEqual({ live: 10_000, installed: true });
    expect(process.listenerCount("SIGTERM")).toBe(before.term + 1);
    expect(process.listenerCount("SIGINT")).toBe(before.int + 1);
    expect(process.listenerCount("beforeExit")).toBe(before.beforeExit + 1);
    expect(process.listenerCount("exit")).toBe(before.exit + 1);
    await Promise.all(pipelines.map((p) => p.shutdown()));
    expect(exitHookState()).toEqual({ live: 0, installed: false });
    expect(process.listenerCount("SIGTERM")).toBe(before.term);
    expect(process.listenerCount("exit")).toBe(before.exit);
  });

  it("unrefs its timers so a queued event never keeps the process alive", async () => {
    vi.useRealTimers();
    const sink = new MemorySink();
    const p = pipeline([sink], { scheduledDelayMs: 60_000 });
    const timeoutsBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    p.enqueue(toolCall(1));
    const timeoutsAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(timeoutsAfter).toBe(timeoutsBefore);
    await p.shutdown();
    expect(sink.events).toHaveLength(1);
  });
});
