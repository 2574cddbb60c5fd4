import type { WireEvent } from "../event/index.js";
import { YavioConfigError } from "../warnings/index.js";
import type { Warn } from "../warnings/index.js";
import type { SendOptions, SendResult, Sink } from "./sink.js";
import { DELIVERY_DEFAULTS } from "./defaults.js";

export interface RetryOptions {
  warn: Warn;
  /** Attempts per batch, the first included. Default 10. */
  maxAttempts?: number | undefined;
  /** First backoff. Default 500. */
  initialDelayMs?: number | undefined;
  /** Largest backoff. Default 30 000. */
  maxDelayMs?: number | undefined;
  /** Largest wait honoured for a `Retry-After` (a floor for the backoff). Default 60 000. */
  maxRetryAfterMs?: number | undefined;
  /** Total time one batch may spend in retries. Default 30 000 (the pipeline's export timeout also bounds it). */
  deadlineMs?: number | undefined;
  /** Waits; resolves early when the signal aborts. Default: an `unref()`ed timer. */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Clock in ms. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** In [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
}

/** The default sleep: unref()ed, so a retry wait never keeps the process alive (exit persists instead). */
export function unrefSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function positiveInt(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new YavioConfigError("YAVIO-1003", `${name} must be an integer ≥ ${min}`);
  return value;
}

/**
 * Retries `retryable` results of the sink it wraps: exponential backoff with jitter, capped,
 * `Retry-After` as a floor (capped), all within a deadline and the caller's signal. Warns YAVIO-1200
 * (retrying) or YAVIO-1202 (rate limited) once per failure episode, YAVIO-1201 when it gives up.
 * A Retry-After also holds back later batches until it has passed: one that cannot wait within the
 * deadline returns `retryable` at once (a SpoolingSink around this one spools it).
 *
 * @example
 * const sink = new RetryingSink(new HttpSink({ endpoint, apiKey, warn }), { warn, deadlineMs: 20_000 });
 */
export class RetryingSink implements Sink {
  readonly name: string;
  readonly inner: Sink;
  private readonly warn: Warn;
  private readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly deadlineMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private inEpisode = false;
  private warnedRateLimit = false;
  private warnedGaveUp = false;
  // Time (on `now`) before which the ingest asked not to be sent to (Retry-After).
  private blockedUntil = 0;

  constructor(inner: Sink, options: RetryOptions) {
    this.inner = inner;
    this.name = inner.name;
    this.warn = options.warn;
    this.maxAttempts = positiveInt("maxAttempts", options.maxAttempts, DELIVERY_DEFAULTS.maxAttempts, 1);
    this.initialDelayMs = positiveInt("initialDelayMs", options.initialDelayMs, 500, 1);
    this.maxDelayMs = positiveInt("maxDelayMs", options.maxDelayMs, DELIVERY_DEFAULTS.maxRetryDelayMs, 1);
    this.maxRetryAfterMs = positiveInt("maxRetryAfterMs", options.maxRetryAfterMs, 60_000, 0);
    this.deadlineMs = positiveInt("deadlineMs", options.deadlineMs, DELIVERY_DEFAULTS.exportTimeoutMs, 0);
    this.sleep = options.sleep ?? unrefSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** The wait before retry number `attempt` (1-based): half fixed, half jitter, doubled each time, capped. */
  backoffMs(attempt: number, retryAfterMs?: number): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1));
    const jittered = base / 2 + this.random() * (base / 2);
    const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, this.maxRetryAfterMs);
    return Math.round(Math.max(jittered, floor));
  }

  async send(batch: readonly WireEvent[], options: SendOptions): Promise<SendResult> {
    const start = this.now();
    // A Retry-After outlives the batch that got it: later batches (and spool replays) wait too.
    const blockedFor = this.blockedUntil - start;
    if (blockedFor > 0) {
      const reason = `rate limited: the ingest asked to wait ${blockedFor} ms more`;
      this.warnRateLimited(reason, blockedFor);
      if (options.signal.aborted || blockedFor > this.deadlineMs) {
        return { status: "retryable", rateLimited: true, retryAfterMs: blockedFor, reason };
      }
      this.inEpisode = true;
      await this.sleep(blockedFor, options.signal);
      if (options.signal.aborted) return { status: "retryable", rateLimited: true, reason };
    }
    let attempt = 0;
    for (;;) {
      attempt += 1;
      let result: SendResult;
      try {
        result = await this.inner.send(batch, options);
      } catch (error) {
        result = { status: "retryable", reason: `sink threw: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (result.status !== "retryable") {
        if (result.status === "success") this.endEpisode();
        return result;
      }
      if (result.retryAfterMs !== undefined) {
        this.blockedUntil = Math.max(this.blockedUntil, this.now() + Math.min(result.retryAfterMs, this.maxRetryAfterMs));
      }
      const wait = this.backoffMs(attempt, result.retryAfterMs);
      const outOfTime = this.now() + wait - start > this.deadlineMs;
      // An abort is the caller's decision (deadline, shutdown): it reports that itself.
      if (options.signal.aborted) return result;
      if (result.rateLimited === true && outOfTime && attempt < this.maxAttempts) {
        // A Retry-After beyond the deadline: not a delivery failure, the ingest asked us to wait.
        this.warnRateLimited(result.reason, wait);
        this.inEpisode = true;
        return result;
      }
      if (attempt >= this.maxAttempts || outOfTime) {
        if (!this.warnedGaveUp) {
          this.warnedGaveUp = true;
          this.warn({
            code: "YAVIO-1201",
            message: `sink "${this.name}": a batch of ${batch.length} events was not delivered after ${attempt} attempts (${result.reason})`,
            details: { sink: this.name, attempts: attempt, events: batch.length },
          });
        }
        return result;
      }
      if (result.rateLimited === true) {
        this.warnRateLimited(result.reason, wait);
      } else if (!this.inEpisode) {
        this.warn({
          code: "YAVIO-1200",
          message: `sink "${this.name}" failed (${result.reason}): retrying in ${wait} ms`,
          details: { sink: this.name, waitMs: wait },
        });
      }
      this.inEpisode = true;
      await this.sleep(wait, options.signal);
    }
  }

  /** YAVIO-1202, once per failure episode. */
  private warnRateLimited(reason: string, waitMs: number): void {
    if (this.warnedRateLimit) return;
    this.warnedRateLimit = true;
    this.warn({
      code: "YAVIO-1202",
      message: `sink "${this.name}" is rate limited (${reason}): sending waits ${waitMs} ms; what cannot wait goes to the spool where there is one`,
      details: { sink: this.name, waitMs },
    });
  }

  private endEpisode(): void {
    this.blockedUntil = 0;
    this.inEpisode = false;
    this.warnedRateLimit = false;
    this.warnedGaveUp = false;
  }

  flush(): Promise<void> {
    return this.inner.flush?.() ?? Promise.resolve();
  }

  persistSync(batch: readonly WireEvent[]): void {
    this.inner.persistSync?.(batch);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown?.() ?? Promise.resolve();
  }
}
