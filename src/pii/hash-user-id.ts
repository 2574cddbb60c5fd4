import { createHash } from "node:crypto";

/**
 * A stable one-way pseudonym for a user id: `uh_` and the first 32 hex digits of its SHA-256.
 * The same input always gives the same output, so sessions still join. It is unsalted: it hides
 * the id from casual readers of the analytics store, not from someone who can guess candidates.
 *
 * @example hashUserId("jane@acme.io") // "uh_…" (35 characters)
 */
export function hashUserId(value: string): string {
  return `uh_${createHash("sha256").update(value, "utf8").digest("hex").slice(0, 32)}`;
}
