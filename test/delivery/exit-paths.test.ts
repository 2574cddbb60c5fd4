import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createPipeline } from "../../src/delivery/index.js";
import type { PipelineOptions, SendResult, Sink } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";

let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const codes = (): string[] => warnings.map((w) => w.code);

interface Hooks {
  onExit(): void;
  onSignal: Record<"SIGTERM" | "SIGINT", () => void>;
  live: Set<{ closeForExit(): Promise<void> }>;
}
/** The process-wide exit listeners, called directly: a real exit or signal would end the test worker. */
const hooks = (): Hooks => (globalThis as unknown as Record<symbol, Hooks>)[Symbol.for("yavio-mcp.exit-hooks.v1")] as Hooks;

/** A sink that records sends and exit persistence; with `hang`, sends never settle. */
class RecordingSink implements Sink {
  readonly name = "recording";
  readonly sent: WireEvent[] = [];
  readonly persisted: WireEvent[] = [];
  hang = false;
  send(batch: readonly WireEvent[]): Promise<SendResult> {
    if (this.hang) return new Promise<SendResult>(() => undefined);
    this.sent.push(...batch);
    return Promise.resolve({ status: "success" });
  }
  persistSync(batch: readonly WireEvent[]): void {
    this.persisted.push(...batch);
  }
}

const cleanups: (() => Promise<void>)[] = [];
function pipeline(sinks: Sink[], extra: Partial<PipelineOptions<WireEvent>> = {}) {
  const p = createPipeline<WireEvent>({ sinks, prepare: (e) => e, warn, ...extra });
  cleanups.push(() => p.shutdown());
  return p;
}

beforeEach(() => {
  vi.useFakeTimers();
  warnings = [];
});
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0)) await c();
});

describe("exit paths", () => {
  it("persists at exit the events of a batch still being cut (prepared, out of the queue, not yet sent)", async () => {
    const sink = new RecordingSink();
    let first = true;
    const p = pipeline([sink], {
      // The first prepare takes long enough for the cut to yield to the host after it.
      prepare: (e) => {
        if (first) {
          first = false;
          vi.advanceTimersByTime(10);
        }
        return e;
      },
    });
    const events = Array.from({ length: 10 }, (_, i) => toolCall(i));
    for (const e of events) p.enqueue(e);
    void p.flush();
    // The cut has yielded: the first event is prepared and out of the queue.
    hooks().onExit();
    expect(sink.persisted.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });

  it("keeps taking events after a SIGTERM the host handles itself, and flushes what was queued", async () => {
    const host = (): void => undefined;
    process.on("SIGTERM", host);
    try {
      const sink = new RecordingSink();
      const p = pipeline([sink], { scheduledDelayMs: 60_000 });
      const before = toolCall(1);
      p.enqueue(before);
      hooks().onSignal.SIGTERM();
      await vi.advanceTimersByTimeAsync(0);
      expect(sink.sent.map((e) => e.event_id)).toEqual([before.event_id]);
      const after = toolCall(2);
      p.enqueue(after);
      await p.flush();
      expect(sink.sent.map((e) => e.event_id)).toEqual([before.event_id, after.event_id]);
      expect(codes()).not.toContain("YAVIO-1208");
    } finally {
      process.removeListener("SIGTERM", host);
    }
  });

  it("warns YAVIO-1208 once per pipeline however many events arrive after shutdown", async () => {
    const p = pipeline([new RecordingSink()], { handleProcessExit: false });
    await p.shutdown();
    for (let i = 0; i < 5; i += 1) p.enqueue(toolCall(i));
    expect(codes().filter((c) => c === "YAVIO-1208")).toHaveLength(1);
  });

  it("keeps the exit deadline when the host calls shutdown() with a longer one from its own signal handler", async () => {
    const sink = new RecordingSink();
    sink.hang = true;
    const p = pipeline([sink], { exitTimeoutMs: 1000, shutdownTimeoutMs: 30_000 });
    p.enqueue(toolCall(1));
    void p.flush();
    for (const participant of hooks().live) void participant.closeForExit();
    let settled = false;
    void p.shutdown().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toBe(true);
  });

  it("arms no timer for a second shutdown() after the first settled", async () => {
    const p = pipeline([new RecordingSink()], { handleProcessExit: false });
    p.enqueue(toolCall(1));
    await p.shutdown();
    expect(vi.getTimerCount()).toBe(0);
    await p.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("bounds a sink's hanging shutdown() by the shutdown deadline", async () => {
    const sink: Sink = {
      name: "stuck",
      send: () => Promise.resolve<SendResult>({ status: "success" }),
      shutdown: () => new Promise<void>(() => undefined),
    };
    const p = pipeline([sink], { handleProcessExit: false, shutdownTimeoutMs: 1000 });
    p.enqueue(toolCall(1));
    let settled = false;
    void p.shutdown().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
