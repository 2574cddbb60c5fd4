import type { WireEvent } from "../event/index.js";

/**
 * The outcome of one delivery attempt. Expected outcomes are values, not exceptions:
 * - `success`: delivered. `rejected` lists batch indexes the receiver refused for good (207).
 * - `retryable`: try again later, not before `retryAfterMs` when given; `rateLimited` for 429/503.
 * - `failure`: do not retry this batch. `permanent` means stop sending to this sink for good (401).
 */
export type SendResult =
  | { readonly status: "success"; readonly rejected?: readonly { index: number; issues: readonly string[] }[] }
  | { readonly status: "retryable"; readonly retryAfterMs?: number; readonly rateLimited?: boolean; readonly reason: string }
  | { readonly status: "failure"; readonly reason: string; readonly permanent?: boolean };

export interface SendOptions {
  /** Aborted when the export times out or the pipeline shuts down. */
  readonly signal: AbortSignal;
}

/** Where events go. Implementations must not throw; a thrown error is treated as `retryable`. */
export interface Sink {
  /** For warnings and logs. */
  readonly name: string;
  send(batch: readonly WireEvent[], options: SendOptions): Promise<SendResult>;
  /** Waits for background work of the sink itself (a spool replay). Called by the pipeline's flush. */
  flush?(): Promise<void>;
  /** True while such background work runs: the pipeline then drains at `beforeExit`, under the exit deadline. */
  busy?(): boolean;
  /**
   * Last-chance synchronous persistence, called from the process `exit` event when events are
   * still undelivered and no asynchronous work can run any more. Must not throw.
   */
  persistSync?(batch: readonly WireEvent[]): void;
  /** Releases resources (file handles, sockets). Called once by the pipeline's shutdown. */
  shutdown?(): Promise<void>;
}
