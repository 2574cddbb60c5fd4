import type { WireEvent } from "../event/index.js";
import type { Warn } from "../warnings/index.js";
import type { Sink } from "./sink.js";

export interface PipelineOptions<T> {
  /** Every batch goes to each sink (fan-out). */
  sinks: readonly Sink[];
  /** Builds the outgoing event off the tool's path (wire form, scrubbing, truncation, beforeSend). `null` drops it. */
  prepare: (item: T) => WireEvent | null;
  warn: Warn;
  /** Default 10 000. */
  maxQueueSize?: number | undefined;
  /** Default 1000. */
  maxExportBatchSize?: number | undefined;
  /** Default 5000. */
  scheduledDelayMs?: number | undefined;
  /** Default 30 000. */
  exportTimeoutMs?: number | undefined;
}

/** The delivery pipeline as the rest of the package sees it. */
export interface Pipeline<T> {
  /** Queues an item. O(1), never throws, never waits. */
  enqueue(item: T): void;
  /** Exports everything queued so far. Concurrent calls share one promise. */
  flush(): Promise<void>;
  /** Flushes, then refuses further items. Runs once; every caller gets the same promise. */
  shutdown(): Promise<void>;
  /** Items dropped because the queue was full. */
  readonly droppedCount: number;
}

/**
 * A minimal batch processor: bounded queue, timer armed on the first item and unref()ed, a full
 * batch exports at once, one export in flight.
 */
export function createPipeline<T>(options: PipelineOptions<T>): Pipeline<T> {
  const maxQueueSize = options.maxQueueSize ?? 10_000;
  const maxBatch = options.maxExportBatchSize ?? 1000;
  const delayMs = options.scheduledDelayMs ?? 5000;
  const { sinks, prepare, warn } = options;
  let queue: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let flushing: Promise<void> | undefined;
  let shutdownPromise: Promise<void> | undefined;
  let dropped = 0;
  let overflowReported = false;

  const arm = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void exportAll();
    }, delayMs);
    timer.unref();
  };

  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const exportOne = async (): Promise<void> => {
    const items = queue.splice(0, maxBatch);
    const batch: WireEvent[] = [];
    for (const item of items) {
      const event = prepare(item);
      if (event) batch.push(event);
    }
    if (batch.length === 0) return;
    await Promise.all(
      sinks.map(async (sink) => {
        try {
          const result = await sink.send(batch, { signal: new AbortController().signal });
          if (result.status !== "success") {
            warn({ code: "YAVIO-1211", message: `sink ${sink.name} did not accept a batch: ${result.reason}` });
          }
        } catch (error) {
          warn({ code: "YAVIO-1211", message: `sink ${sink.name} threw: ${(error as Error).message}` });
        }
      }),
    );
  };

  const exportAll = (): Promise<void> => {
    if (inFlight) return inFlight;
    disarm();
    inFlight = (async () => {
      while (queue.length > 0) await exportOne();
    })().finally(() => {
      inFlight = undefined;
      if (queue.length > 0) arm();
    });
    return inFlight;
  };

  return {
    enqueue(item) {
      if (shutdownPromise) {
        warn({ code: "YAVIO-1208", message: "event refused: the pipeline is shut down" });
        return;
      }
      if (queue.length >= maxQueueSize) {
        dropped += 1;
        if (!overflowReported) {
          overflowReported = true;
          warn({ code: "YAVIO-1206", message: "event queue full: dropping events", details: { maxQueueSize } });
        }
        return;
      }
      overflowReported = false;
      queue.push(item);
      if (queue.length >= maxBatch) void exportAll();
      else arm();
    },
    flush() {
      flushing ??= (async () => {
        while (queue.length > 0 || inFlight) await exportAll();
      })().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        while (queue.length > 0 || inFlight) await exportAll();
        disarm();
        await Promise.all(sinks.map((s) => s.shutdown?.().catch(() => undefined)));
      })();
      return shutdownPromise;
    },
    get droppedCount() {
      return dropped;
    },
  };
}
