import type { WireEvent } from "../event/index.js";
import { YavioConfigError } from "../warnings/index.js";
import type { Warn } from "../warnings/index.js";
import { registerForExit } from "./exit-hooks.js";
import type { ExitParticipant } from "./exit-hooks.js";
import { ENVELOPE_BYTES, INGEST_MAX_BATCH_BYTES, INGEST_MAX_BATCH_EVENTS } from "./ingest-limits.js";
import { serializeEvent } from "./serialize.js";
import type { SendResult, Sink } from "./sink.js";
import { DELIVERY_DEFAULTS } from "./defaults.js";

export { INGEST_MAX_BATCH_BYTES, INGEST_MAX_BATCH_EVENTS };

export interface PipelineOptions<T> {
  /** Every batch goes to each sink (fan-out). */
  sinks: readonly Sink[];
  /** Builds the outgoing event off the tool's path (wire form, scrubbing, truncation, beforeSend). `null` drops it. */
  prepare: (item: T) => WireEvent | null;
  warn: Warn;
  /**
   * Called before each batch is cut: a promise here delays the cut until it settles (the caller
   * bounds it), so that what `prepare` reads is settled. The batch then takes only what was
   * enqueued before the call; what is enqueued meanwhile waits for the next batch. Default: none.
   */
  beforeExport?: (() => Promise<void> | undefined) | undefined;
  /** Items held before new ones are dropped. Default 10 000. */
  maxQueueSize?: number | undefined;
  /** Events per export, at most 1000 (the ingest limit). Default 1000. */
  maxExportBatchSize?: number | undefined;
  /** Serialized bytes per export, at most 500 KB (the ingest limit). Default 500 KB. */
  maxExportBatchBytes?: number | undefined;
  /** Delay between the first queued item and the export of a partial batch. Default 5000. */
  scheduledDelayMs?: number | undefined;
  /** Time one export may take, retries included, before it is aborted. Default 30 000. */
  exportTimeoutMs?: number | undefined;
  /** Time `shutdown()` may take to drain; what is left after it goes to the sinks' spool or is lost. Default 30 000. */
  shutdownTimeoutMs?: number | undefined;
  /** Drain deadline on SIGTERM/SIGINT (a stdio client sends SIGKILL 2 s after SIGTERM). Default 1000. */
  exitTimeoutMs?: number | undefined;
  /** Flush on `beforeExit` and SIGTERM/SIGINT, persist synchronously on `exit`. Default true. */
  handleProcessExit?: boolean | undefined;
}

/** The delivery pipeline as the rest of the package sees it. */
export interface Pipeline<T> {
  /** Queues an item. O(1), never throws, never waits. */
  enqueue(item: T): void;
  /** Exports everything queued so far, now. Concurrent calls share one promise. */
  flush(): Promise<void>;
  /** Flushes, then refuses further items. Runs once; every caller gets the same promise. */
  shutdown(): Promise<void>;
  /**
   * For a caller who awaits `flush()` or `shutdown()`: keeps the process alive until `work` settles,
   * and at most `shutdownTimeoutMs`; then what is still undelivered goes to the spool (or is lost,
   * YAVIO-1205) and the returned promise settles. Background flushes do not hold the process.
   * Never rejects.
   */
  hold(work: Promise<unknown>): Promise<void>;
  /** Items dropped because the queue was full. */
  readonly droppedCount: number;
}

interface Resolved {
  maxQueueSize: number;
  maxBatch: number;
  maxBytes: number;
  delayMs: number;
  exportTimeoutMs: number;
  shutdownTimeoutMs: number;
  exitTimeoutMs: number;
}

function checkInt(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new YavioConfigError(
      "YAVIO-1003",
      `${name} must be an integer between ${min} and ${max}, got ${typeof value === "number" ? value : typeof value}`,
    );
  }
  return value;
}

function resolvePipelineOptions<T>(options: PipelineOptions<T>): Resolved {
  if (!Array.isArray(options.sinks)) throw new YavioConfigError("YAVIO-1003", "sinks must be an array of sinks");
  for (const sink of options.sinks) {
    if (typeof sink !== "object" || sink === null || typeof (sink as Partial<Sink>).send !== "function") {
      throw new YavioConfigError("YAVIO-1003", "every sink needs a send(batch, {signal}) method");
    }
  }
  if (typeof options.prepare !== "function") throw new YavioConfigError("YAVIO-1003", "prepare must be a function");
  const day = 86_400_000;
  const maxQueueSize = checkInt("maxQueueSize", options.maxQueueSize, DELIVERY_DEFAULTS.maxQueueSize, 1, 10_000_000);
  let maxBatch = checkInt("maxExportBatchSize", options.maxExportBatchSize, INGEST_MAX_BATCH_EVENTS, 1, INGEST_MAX_BATCH_EVENTS);
  if (maxBatch > maxQueueSize) {
    // OpenTelemetry's choice: a batch larger than the queue can never fill, so clamp and say so.
    options.warn({
      code: "YAVIO-1003",
      message: `maxExportBatchSize ${maxBatch} is larger than maxQueueSize ${maxQueueSize}: using ${maxQueueSize}`,
    });
    maxBatch = maxQueueSize;
  }
  const exportTimeoutMs = checkInt("exportTimeoutMs", options.exportTimeoutMs, DELIVERY_DEFAULTS.exportTimeoutMs, 1, day);
  return {
    maxQueueSize,
    maxBatch,
    maxBytes: checkInt("maxExportBatchBytes", options.maxExportBatchBytes, INGEST_MAX_BATCH_BYTES, 1024, INGEST_MAX_BATCH_BYTES),
    delayMs: checkInt("scheduledDelayMs", options.scheduledDelayMs, DELIVERY_DEFAULTS.scheduledDelayMs, 0, day),
    exportTimeoutMs,
    shutdownTimeoutMs: checkInt("shutdownTimeoutMs", options.shutdownTimeoutMs, DELIVERY_DEFAULTS.shutdownTimeoutMs, 0, day),
    exitTimeoutMs: checkInt("exitTimeoutMs", options.exitTimeoutMs, DELIVERY_DEFAULTS.exitTimeoutMs, 0, day),
  };
}

/**
 * The outcome of a sink that did not answer its aborted signal. A turn later than the abort: a sink
 * that does answer it (a spool that takes the batch) settles within the turn, and its own outcome
 * must win, or a spooled batch would be reported as not taken.
 */
function abortedResult(signal: AbortSignal): Promise<SendResult> {
  return new Promise((resolve) => {
    const done = (): void => {
      realSetImmediate(() => resolve({ status: "retryable", reason: "the sink did not finish before the delivery deadline" }));
    };
    if (signal.aborted) done();
    else signal.addEventListener("abort", done, { once: true });
  });
}

/** After a held flush's deadline, the longest its sinks get to hand over to the spool. */
const HOLD_GRACE_MS = 1000;

/** How long event preparation may hold the event loop before it yields. */
const SLICE_MS = 4;
// Taken at load time, so that tests which fake setImmediate do not stall the export loop.
const realSetImmediate = setImmediate;

/**
 * A batch processor in the image of OpenTelemetry's BatchSpanProcessorBase: a bounded queue, batches
 * cut by count and by serialized bytes, a timer armed on the first item and `unref()`ed, a full
 * batch exported at once, one export in flight, every batch fanned out to all sinks.
 *
 * @example
 * const sink = new MemorySink();
 * const pipeline = createPipeline<WireEvent>({ sinks: [sink], prepare: (e) => e, warn: () => {} });
 */
export function createPipeline<T>(options: PipelineOptions<T>): Pipeline<T> {
  const cfg = resolvePipelineOptions(options);
  const { sinks, prepare, warn } = options;

  let queue: T[] = [];
  // An event already prepared that did not fit in the previous batch's byte budget.
  let carry: { event: WireEvent; bytes: number } | undefined;
  // The batch being cut, until the sinks hold it: its events are no longer in `queue`, and an
  // `exit` during the cut (it yields to the host) must still persist them.
  let building: WireEvent[] | undefined;
  let enqueued = 0;
  let taken = 0;
  let drainTarget = 0;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;
  let flushing: Promise<void> | undefined;
  let shutdownPromise: Promise<void> | undefined;
  let closed = false;
  let dropped = 0;
  let warnedRefused = false;
  let droppedInEpisode = 0;
  // Set once a shutdown or exit deadline passes: later sends get an aborted signal, so sinks
  // spool or give up at once instead of waiting on the network.
  let closeExpired = false;
  // Deadlines of held flushes that passed while their flush still runs: the same, until it settles.
  let heldExpired = 0;
  const isExpired = (): boolean => closeExpired || heldExpired > 0;
  // Waiters for the deadline. A set, not one shared never-settling promise: racing such a promise
  // on every flush would add a reaction to it each time, which the pipeline would keep forever.
  const expiryWaiters = new Set<() => void>();
  const onExpired = (): void => {
    for (const release of [...expiryWaiters]) release();
  };
  /** Settles with `work`, or when the shutdown deadline passes, whichever comes first. */
  const untilExpired = (work: Promise<unknown>): Promise<void> => {
    if (isExpired()) return Promise.resolve();
    return new Promise((resolve) => {
      const release = (): void => {
        expiryWaiters.delete(release);
        resolve();
      };
      expiryWaiters.add(release);
      work.then(release, release);
    });
  };
  let deadlineTimer: NodeJS.Timeout | undefined;
  let deadlineAt = Infinity;
  let currentAbort: AbortController | undefined;
  const inFlight = new Map<Sink, readonly WireEvent[]>();
  const failing = new Set<Sink>();

  // One YAVIO-1206 per overflow episode, with its count, when the episode ends (the queue takes
  // items again, or the pipeline flushes or closes).
  const reportOverflow = (): void => {
    if (droppedInEpisode === 0) return;
    warn({
      code: "YAVIO-1206",
      message: `event queue full (${cfg.maxQueueSize}): ${droppedInEpisode} events were dropped`,
      details: { dropped: droppedInEpisode, droppedTotal: dropped, maxQueueSize: cfg.maxQueueSize },
    });
    droppedInEpisode = 0;
  };

  const pending = (): number => queue.length + (carry ? 1 : 0);

  const arm = (): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      drainTarget = Math.max(drainTarget, enqueued);
      void run();
    }, cfg.delayMs);
    timer.unref();
  };

  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const prepareOne = (item: T): { event: WireEvent; bytes: number } | undefined => {
    try {
      const event = prepare(item);
      if (event === null || event === undefined) return undefined;
      return { event, bytes: Buffer.byteLength(serializeEvent(event)) + 1 };
    } catch (error) {
      warn({
        code: "YAVIO-1301",
        message: `an event could not be prepared and was dropped: ${error instanceof Error ? error.name : "error"}`,
      });
      return undefined;
    }
  };

  // A host that never yields to the event loop (a tight loop over an in-memory transport) would
  // starve the setImmediate: a backlog of a whole batch wakes the export up instead.
  let wake: (() => void) | undefined;
  let exportScheduled = false;
  const yieldToHost = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      realSetImmediate(() => {
        wake = undefined;
        resolve();
      });
    });

  /**
   * Cuts the next batch: at most maxBatch events and maxBytes serialized. Preparing an event
   * (scrubbing, serialising) costs tens of microseconds for a large one, so a full batch could hold
   * the host's event loop for tens of milliseconds: the work is cut into slices of about
   * SLICE_MS, and the loop is given back between them.
   */
  const takeBatch = async (limit = Infinity): Promise<WireEvent[]> => {
    const batch: WireEvent[] = [];
    building = batch;
    let bytes = ENVELOPE_BYTES;
    const fits = (p: { bytes: number }): boolean => batch.length === 0 || bytes + p.bytes <= cfg.maxBytes;
    if (carry) {
      batch.push(carry.event);
      bytes += carry.bytes;
      carry = undefined;
      taken += 1;
    }
    let i = 0;
    let sliceStart = performance.now();
    // `taken` is the number of queue[i] here: events enqueued after `limit` wait for the next batch.
    while (i < queue.length && batch.length < cfg.maxBatch && taken < limit) {
      const p = prepareOne(queue[i] as T);
      i += 1;
      taken += 1;
      if (!p) continue;
      if (!fits(p)) {
        carry = p;
        taken -= 1;
        break;
      }
      batch.push(p.event);
      bytes += p.bytes;
      // Yield even under a backlog: catching up must not hold the host's event loop for a whole
      // batch. A host that keeps enqueueing meanwhile (it never yields itself) wakes the cut up
      // at its next enqueue, so the pipeline still keeps pace with it.
      if (performance.now() - sliceStart > SLICE_MS) {
        queue.splice(0, i);
        i = 0;
        await yieldToHost();
        sliceStart = performance.now();
      }
    }
    queue.splice(0, i);
    return batch;
  };

  const sendTo = async (sink: Sink, batch: readonly WireEvent[], signal: AbortSignal): Promise<void> => {
    inFlight.set(sink, batch);
    let result: SendResult;
    try {
      // The race bounds a sink that ignores its signal: the pipeline moves on when the export expires.
      result = await Promise.race([sink.send(batch, { signal }), abortedResult(signal)]);
    } catch (error) {
      result = { status: "retryable", reason: `sink threw: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      inFlight.delete(sink);
    }
    if (result.status === "success") {
      failing.delete(sink);
      return;
    }
    // Past a deadline YAVIO-1205 has said that what is not taken is spooled or lost; a `failure`
    // (lost for good, a spool that could not be written) is still said. One warning per sink per
    // failure episode, which ends when the sink takes a batch again: an outage must not flood the
    // host's logs.
    if (isExpired() && result.status === "retryable") return;
    if (!failing.has(sink)) {
      failing.add(sink);
      warn({
        code: "YAVIO-1211",
        message: `sink "${sink.name}" did not take a batch of ${batch.length} events: ${result.reason} (said once until it takes a batch again)`,
        details: { sink: sink.name, status: result.status, events: batch.length },
      });
    }
  };

  const exportOnce = async (): Promise<void> => {
    // What `beforeExport` waits for is what the events enqueued so far need: the batch takes only
    // those, the events enqueued meanwhile go into the next one.
    const cut = enqueued;
    const gate = options.beforeExport?.();
    if (gate !== undefined) await gate.catch(() => undefined);
    const batch = await takeBatch(gate === undefined ? Infinity : cut);
    if (batch.length === 0) {
      building = undefined;
      return;
    }
    const controller = new AbortController();
    currentAbort = controller;
    if (isExpired()) controller.abort();
    const timeout = setTimeout(() => controller.abort(), cfg.exportTimeoutMs);
    timeout.unref();
    try {
      const sends = sinks.map((sink) => sendTo(sink, batch, controller.signal));
      // Every sink has it in `inFlight` now (sendTo records it before its first await).
      if (building === batch) building = undefined;
      await Promise.all(sends);
    } finally {
      clearTimeout(timeout);
      currentAbort = undefined;
    }
  };

  /** The single export loop: one export in flight, full batches at once, partial ones when asked. */
  const run = (): Promise<void> => {
    if (loop) return loop;
    disarm();
    loop = (async () => {
      while (pending() > 0 && (pending() >= cfg.maxBatch || taken < drainTarget)) {
        await exportOnce();
      }
    })()
      .catch((error: unknown) => {
        warn({ code: "YAVIO-1211", message: `export loop failed: ${error instanceof Error ? error.message : String(error)}` });
      })
      .finally(() => {
        loop = undefined;
        if (pending() > 0) {
          if (pending() >= cfg.maxBatch || taken < drainTarget) void run();
          else arm();
        }
      });
    return loop;
  };

  // True from the moment a drain has made its last check until its promise is dropped.
  let drainFinished = false;

  const drainAll = async (): Promise<void> => {
    drainFinished = false;
    drainTarget = Math.max(drainTarget, enqueued);
    // flush() raises drainTarget while a drain runs, so one drain serves every overlapping caller.
    do {
      reportOverflow();
      while (loop || (pending() > 0 && taken < drainTarget)) await run();
      // A sink's background work (a spool replay) must not outlive a shutdown deadline. Its
      // failures are reported by the sink itself.
      const background = sinks.flatMap((sink) => (sink.flush ? [untilExpired(Promise.resolve().then(() => sink.flush?.()))] : []));
      if (background.length > 0) await Promise.all(background);
    } while (loop || (pending() > 0 && taken < drainTarget));
    drainFinished = true;
  };

  /**
   * Overlapping calls share one promise, and it settles only once everything enqueued before the
   * latest of those calls is exported (a session end's flush, then the host's own, for example).
   */
  const flush = (): Promise<void> => {
    drainTarget = Math.max(drainTarget, enqueued);
    if (flushing === undefined || drainFinished) {
      const started: Promise<void> = drainAll().finally(() => {
        if (flushing === started) flushing = undefined;
      });
      flushing = started;
    }
    return flushing;
  };

  /** The deadline passed: abort the export in flight (sinks spool it) and release the waiters. */
  const expireNow = (): void => {
    onExpired();
    currentAbort?.abort();
    if (pending() > 0 || inFlight.size > 0) {
      warn({
        code: "YAVIO-1205",
        message: "delivery deadline reached: undelivered events go to the spool where a sink has one, or are lost",
        details: { queued: pending(), inFlight: [...inFlight.values()].reduce((n, b) => Math.max(n, b.length), 0) },
      });
    }
  };

  /** Arms the deadline, never later than one already armed (an exit's 1 s must not become a shutdown's 30 s). */
  const expireIn = (ms: number): void => {
    if (closeExpired) return;
    const at = performance.now() + ms;
    if (deadlineTimer !== undefined && deadlineAt <= at) return;
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    deadlineAt = at;
    deadlineTimer = setTimeout(() => {
      deadlineTimer = undefined;
      closeExpired = true;
      expireNow();
    }, ms);
    deadlineTimer.unref();
  };

  /**
   * Keeps the process alive (a ref'd timer) while `work` runs, for at most `ms`: every other timer
   * of the pipeline and its sinks is unref'd, so without this a caller awaiting a flush would see the
   * process end under it with the promise pending. At `ms` the pipeline spools what is left, as at
   * a shutdown deadline, until `work` settles; a short grace then settles the hold whatever `work` does
   * (a custom sink that ignores its signal must not keep the host waiting).
   */
  const holdFor = (work: Promise<unknown>, ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      let expiredHere = false;
      let grace: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => {
        expiredHere = true;
        heldExpired += 1;
        expireNow();
        grace = setTimeout(finish, HOLD_GRACE_MS);
      }, ms);
      let finished = false;
      function finish(): void {
        if (finished) return;
        finished = true;
        clearTimeout(deadline);
        if (grace !== undefined) clearTimeout(grace);
        if (expiredHere) heldExpired -= 1;
        resolve();
      }
      work.then(finish, finish);
    });

  let exitHandle: { unregister(): void } | undefined;
  let exitDrained = false;

  let shutdownSettled = false;
  const close = (timeoutMs: number): Promise<void> => {
    if (shutdownPromise) {
      // After the shutdown settled there is nothing left to bound: no new timer.
      if (!shutdownSettled) expireIn(timeoutMs);
      return shutdownPromise;
    }
    closed = true;
    disarm();
    expireIn(timeoutMs);
    shutdownPromise = (async () => {
      await drainAll();
      // Bounded by the deadline too: a sink whose shutdown hangs must not keep a SIGTERM from ending
      // the process. untilExpired also swallows a sink that throws or rejects.
      await Promise.all(sinks.map((sink) => untilExpired(Promise.resolve().then(() => sink.shutdown?.()))));
    })().finally(() => {
      shutdownSettled = true;
      if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
      deadlineTimer = undefined;
      exitHandle?.unregister();
    });
    return shutdownPromise;
  };

  /** At process `exit` nothing asynchronous runs any more: hand what is left to sinks that can persist synchronously. */
  const persistNow = (): void => {
    closed = true;
    disarm();
    const rest: WireEvent[] = [...(building ?? [])];
    building = undefined;
    if (carry) rest.push(carry.event);
    carry = undefined;
    for (const item of queue) {
      const p = prepareOne(item);
      if (p) rest.push(p.event);
    }
    queue = [];
    for (const sink of sinks) {
      if (!sink.persistSync) continue;
      const batch = [...(inFlight.get(sink) ?? []), ...rest];
      if (batch.length === 0) continue;
      try {
        sink.persistSync(batch);
      } catch {
        // Exit path: never throw out of an exit listener.
      }
    }
  };

  if (options.handleProcessExit !== false) {
    const participant: ExitParticipant = {
      // Sink background work (a spool replay) counts once: a replay the exit deadline cut short
      // must not start a new drain at every beforeExit.
      hasPendingWork: () => pending() > 0 || inFlight.size > 0 || loop !== undefined || (!exitDrained && sinks.some((s) => s.busy?.() === true)),
      flush,
      // Held: with nothing else alive the process would end before the re-raise, without the signal.
      closeForExit: () => holdFor(close(cfg.exitTimeoutMs), cfg.exitTimeoutMs),
      drainForExit: () => {
        exitDrained = true;
        return holdFor(flush(), cfg.exitTimeoutMs);
      },
      flushForExit: () =>
        new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, cfg.exitTimeoutMs);
          timeout.unref();
          void flush().finally(() => {
            clearTimeout(timeout);
            resolve();
          });
        }),
      persistNow,
    };
    exitHandle = registerForExit(participant);
  }

  return {
    enqueue(item) {
      if (closed) {
        // Once per pipeline: a host that keeps calling tools after shutdown must not flood its log.
        if (!warnedRefused) {
          warnedRefused = true;
          warn({ code: "YAVIO-1208", message: "event refused: the pipeline is shut down (said once; later events are refused silently)" });
        }
        return;
      }
      if (queue.length >= cfg.maxQueueSize) {
        dropped += 1;
        droppedInEpisode += 1;
        return;
      }
      if (droppedInEpisode > 0) reportOverflow();
      queue.push(item);
      enqueued += 1;
      if (wake !== undefined && queue.length >= cfg.maxBatch) {
        const resume = wake;
        wake = undefined;
        resume();
      }
      if (pending() >= cfg.maxBatch) {
        // enqueue() runs on the host's tool path: start the export on the next turn of the event
        // loop, not inside the call that filled the batch. A host that never yields (a tight loop
        // over an in-memory transport) starves that turn; a second batch's worth starts it here.
        if (loop) return;
        if (pending() >= 2 * cfg.maxBatch) void run();
        else if (!exportScheduled) {
          exportScheduled = true;
          realSetImmediate(() => {
            exportScheduled = false;
            if (!loop && pending() > 0) void run();
          });
        }
      } else arm();
    },
    flush,
    shutdown: () => close(cfg.shutdownTimeoutMs),
    hold: (work) => holdFor(work, cfg.shutdownTimeoutMs),
    get droppedCount() {
      return dropped;
    },
  };
}
