import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import type { SendResult, Sink } from "../../src/transport/index.js";
import { createPipeline } from "../../src/transport/index.js";

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
