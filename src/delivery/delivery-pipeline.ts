import { resolveDeliveryOptions } from "./config/index.js";
import type { DeliveryOptions } from "./config/index.js";
import type { WireEvent } from "../event/index.js";
import type { Warn } from "../warnings/index.js";
import { createPipeline } from "./batch-processor.js";
import type { Pipeline } from "./batch-processor.js";
import { ConsoleSink } from "./console-sink.js";
import { FileSink } from "./file-sink.js";
import { HttpSink } from "./http-sink.js";
import { RetryingSink } from "./retrying-sink.js";
import type { Sink } from "./sink.js";
import { SpoolingSink } from "./spooling-sink.js";

export interface DeliveryPipelineOptions<T> {
  /** The user's delivery options (code level; env and `.yaviorc.json` fill the gaps). */
  options: DeliveryOptions;
  /** Builds the wire event off the tool's path; `null` drops the item. */
  prepare: (item: T) => WireEvent | null;
  warn: Warn;
  /** See `PipelineOptions.beforeExport`. */
  beforeExport?: (() => Promise<void> | undefined) | undefined;
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Default `process.cwd()`. */
  cwd?: string | undefined;
}

/**
 * The one factory the middleware calls: resolves the configuration, builds the sinks (HTTP with
 * retries and a spool, the event file, the console, the user's own) and the batch processor that
 * fans every batch out to them. Throws YavioConfigError for a bad code option.
 *
 * @example
 * const pipeline = createDeliveryPipeline<WireEvent>({ options: { apiKey: "yav_…" }, prepare: (e) => e, warn });
 */
export function createDeliveryPipeline<T>(input: DeliveryPipelineOptions<T>): Pipeline<T> {
  const { warn } = input;
  const resolved = resolveDeliveryOptions(input.options, { warn, env: input.env, cwd: input.cwd });
  const sinks: Sink[] = [];
  if (resolved.endpoint !== undefined) {
    const http = new HttpSink({
      endpoint: resolved.endpoint,
      apiKey: resolved.apiKey,
      gzip: resolved.gzip,
      requestTimeoutMs: resolved.requestTimeoutMs,
      warn,
    });
    const retrying = new RetryingSink(http, { warn, maxAttempts: resolved.maxAttempts, deadlineMs: resolved.exportTimeoutMs });
    sinks.push(
      resolved.spoolDir === undefined
        ? retrying
        : new SpoolingSink(retrying, { dir: resolved.spoolDir, maxBytes: resolved.spoolMaxBytes, warn, replayTimeoutMs: resolved.exportTimeoutMs }),
    );
  }
  if (resolved.eventsFile !== undefined) {
    sinks.push(new FileSink({ path: resolved.eventsFile, maxBytes: resolved.eventsFileMaxBytes, maxFiles: resolved.eventsFileMaxFiles, warn }));
  }
  if (resolved.console) sinks.push(new ConsoleSink());
  sinks.push(...resolved.sinks);
  return createPipeline<T>({
    sinks,
    prepare: input.prepare,
    beforeExport: input.beforeExport,
    warn,
    maxQueueSize: resolved.maxQueueSize,
    maxExportBatchSize: resolved.maxExportBatchSize,
    scheduledDelayMs: resolved.scheduledDelayMs,
    exportTimeoutMs: resolved.exportTimeoutMs,
    shutdownTimeoutMs: resolved.shutdownTimeoutMs,
    exitTimeoutMs: resolved.exitTimeoutMs,
    handleProcessExit: resolved.handleProcessExit,
  });
}
