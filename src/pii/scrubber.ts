import { resolveOptions } from "./options.js";
import type { PiiOptions } from "./options.js";
import { createKeyClassifier } from "./sensitive-keys.js";
import { createTextScrubber } from "./text-scrubber.js";
import { createValueScrubber } from "./value-scrubber.js";

/** Scrubs strings and whole values. Never mutates its input; safe to share across sessions. */
export interface Scrubber {
  /** Free text: every detected item replaced by its placeholder (`[EMAIL_REDACTED]`, …). */
  text(input: string): string;
  /**
   * Any value: strings scanned, values under sensitive keys replaced by `[REDACTED]`, binary data by
   * `[binary:<mime>:<bytes>]`. Copy-on-write: the same reference comes back when nothing changed.
   */
  value<T>(input: T): T;
  /** `pii.hashUserIds`, carried for the middleware. */
  readonly hashUserIds: boolean;
}

/**
 * Builds a scrubber. Options are validated here; a bad option or pattern throws
 * `YavioConfigError` with code `YAVIO-1003`. Rules compile once per scrubber.
 *
 * @example
 * const scrub = createScrubber();
 * scrub.text("mail jane.doe+billing@acme.io"); // "mail [EMAIL_REDACTED]"
 * scrub.value({ password: "hunter2", plan: "pro" }); // { password: "[REDACTED]", plan: "pro" }
 */
export function createScrubber(options?: PiiOptions): Scrubber {
  const resolved = resolveOptions(options);
  const keys = createKeyClassifier(resolved.addKeys, resolved.removeKeys);
  const text = createTextScrubber(resolved, keys);
  const value = createValueScrubber({ text, keys, maxDepth: resolved.maxDepth });
  return {
    text: (input) => (typeof input === "string" ? text(input) : input),
    value: <T>(input: T): T => value(input) as T,
    hashUserIds: resolved.hashUserIds,
  };
}
