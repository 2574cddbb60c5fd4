/**
 * Every delivery default, in one table. The option resolver, the batch processor and the sinks all
 * read their fallbacks here, so a default changes in one place. (Ingest limits — 1000 events and
 * 500 KB per batch, 50 KB per event — are the contract's, in ingest-limits.ts.)
 */
export const DELIVERY_DEFAULTS = {
  maxQueueSize: 10_000,
  maxExportBatchSize: 1000,
  scheduledDelayMs: 5000,
  exportTimeoutMs: 30_000,
  shutdownTimeoutMs: 30_000,
  exitTimeoutMs: 1000,
  requestTimeoutMs: 10_000,
  maxAttempts: 10,
  /** Longest wait between two retries of one batch. */
  maxRetryDelayMs: 30_000,
  spoolMaxBytes: 10 * 1024 * 1024,
  eventsFileMaxBytes: 10 * 1024 * 1024,
  eventsFileMaxFiles: 20,
} as const;
