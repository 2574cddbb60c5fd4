import type { Sink } from "../sink.js";

/**
 * Where and how events are delivered. These keys sit at the top level of `withYavio(server, options)`.
 * Precedence per key: these code options > environment (`YAVIO_*`) > `.yaviorc.json` (the nearest
 * one from the working directory up to the project root) > defaults. The API key and the endpoint
 * it is sent to travel together: an endpoint from a lower source than the key is ignored unless
 * `trustConfigEndpoint` (YAVIO-1005). Paths in `.yaviorc.json` must stay inside its folder (YAVIO-1006).
 *
 * Sinks: an HTTP sink when `apiKey` or `endpoint` is set; the user's `sink`s; the event file when
 * `eventsFile` is a path, or by default when there is neither HTTP nor a user sink (then an info
 * warning YAVIO-1000 says where events go). All of them receive every batch (fan-out).
 *
 * @example
 * const options: DeliveryOptions = { apiKey: "yav_live_123", maxQueueSize: 20_000 };
 */
export interface DeliveryOptions {
  /** Yavio project key (`yav_…`), sent as a Bearer token, never logged. Env `YAVIO_API_KEY`. */
  apiKey?: string | undefined;
  /** Ingest URL; a bare origin gets `/v1/events`. Default `https://ingest.yavio.ai/v1/events` when an apiKey is set. Env `YAVIO_ENDPOINT`. */
  endpoint?: string | undefined;
  /** Extra sinks that receive every batch, e.g. `new ConsoleSink()` or a `MemorySink` in tests. */
  sink?: Sink | readonly Sink[] | undefined;
  /** JSON-lines event file, or `false` for none. Default `<cwd>/.yavio/events.jsonl` when there is no other destination. Env `YAVIO_EVENTS_FILE`. */
  eventsFile?: string | false | undefined;
  /** Size at which the event file rotates. Default 10 MiB. Env `YAVIO_EVENTS_FILE_MAX_BYTES`. */
  eventsFileMaxBytes?: number | undefined;
  /**
   * Rotated event files kept (`events.jsonl.1` newest … `.N` oldest), 1 to 1000. Default 20 (200 MiB
   * at the default size). Deleting the oldest warns YAVIO-1213 with its event count. Env `YAVIO_EVENTS_FILE_MAX_FILES`.
   */
  eventsFileMaxFiles?: number | undefined;
  /** Also print one readable line per event on stderr. Default false. Env `YAVIO_CONSOLE`. */
  console?: boolean | undefined;
  /** Gzip HTTP bodies. Default true. Env `YAVIO_GZIP`. */
  gzip?: boolean | undefined;
  /** Events held in memory before new ones are dropped (YAVIO-1206). Default 10 000. Env `YAVIO_MAX_QUEUE_SIZE`. */
  maxQueueSize?: number | undefined;
  /** Events per batch, ≤ 1000; batches are also cut at 500 KB. Default 1000. Env `YAVIO_MAX_EXPORT_BATCH_SIZE`. */
  maxExportBatchSize?: number | undefined;
  /** Wait before a partial batch is sent. Default 5000. Env `YAVIO_SCHEDULED_DELAY_MS`. */
  scheduledDelayMs?: number | undefined;
  /** Time one batch may take, retries included. Default 30 000. Env `YAVIO_EXPORT_TIMEOUT_MS`. */
  exportTimeoutMs?: number | undefined;
  /** Time `shutdown()` may take before the rest is spooled. Default 30 000. Env `YAVIO_SHUTDOWN_TIMEOUT_MS`. */
  shutdownTimeoutMs?: number | undefined;
  /** Drain deadline on SIGTERM/SIGINT. Default 1000. Env `YAVIO_EXIT_TIMEOUT_MS`. */
  exitTimeoutMs?: number | undefined;
  /** Time one HTTP request may take. Default 10 000. Env `YAVIO_REQUEST_TIMEOUT_MS`. */
  requestTimeoutMs?: number | undefined;
  /** HTTP attempts per batch, the first included. Default 10. Env `YAVIO_MAX_ATTEMPTS`. */
  maxAttempts?: number | undefined;
  /** Where undeliverable events wait for the next start, or `false`. Default `<cwd>/.yavio/spool`. Env `YAVIO_SPOOL_DIR`. */
  spoolDir?: string | false | undefined;
  /** Spool size bound; the oldest files go first (YAVIO-1210). Default 10 MiB. Env `YAVIO_SPOOL_MAX_BYTES`. */
  spoolMaxBytes?: number | undefined;
  /** Flush on `beforeExit`, SIGTERM and SIGINT without taking over the exit. Default true. */
  handleProcessExit?: boolean | undefined;
  /**
   * Lets an endpoint from a lower-precedence source (the environment, `.yaviorc.json`) receive an
   * API key given at a higher one (these options, the environment), with a warning (YAVIO-1005).
   * Without it such an endpoint is ignored and HTTP delivery is off. Default false. Env
   * `YAVIO_TRUST_CONFIG_ENDPOINT` (counts for a key from the environment or the file only); never
   * read from `.yaviorc.json`.
   */
  trustConfigEndpoint?: boolean | undefined;
}

/** Every option resolved: defaults applied, sources merged, values checked. */
export interface ResolvedDeliveryOptions {
  apiKey: string | undefined;
  /** Set when events go over HTTP. */
  endpoint: string | undefined;
  sinks: Sink[];
  eventsFile: string | undefined;
  eventsFileMaxBytes: number;
  eventsFileMaxFiles: number;
  console: boolean;
  gzip: boolean;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
  shutdownTimeoutMs: number;
  exitTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  spoolDir: string | undefined;
  spoolMaxBytes: number;
  handleProcessExit: boolean;
}
