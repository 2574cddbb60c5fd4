import type { WireEvent } from "../event/index.js";
import type { SendResult, Sink } from "./sink.js";

/** Keeps every delivered event in `events`, in order. For tests and development. */
export class MemorySink implements Sink {
  readonly name = "memory";
  readonly events: WireEvent[] = [];
  /** Number of `send` calls, one per exported batch. */
  batches = 0;

  send(batch: readonly WireEvent[]): Promise<SendResult> {
    this.batches += 1;
    for (const event of batch) this.events.push(event);
    return Promise.resolve({ status: "success" });
  }

  /** Forgets everything delivered so far. */
  clear(): void {
    this.events.length = 0;
    this.batches = 0;
  }
}
