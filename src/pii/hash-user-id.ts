import { createHash, createHmac } from "node:crypto";

/**
 * A stable one-way pseudonym for a user id: `uh_` and the first 32 hex digits of its SHA-256, or
 * of its HMAC-SHA-256 under `secret` when one is given. The same input (and secret) always gives
 * the same output, so sessions still join. Without a secret the hash only hides the id from casual
 * readers: anyone who can guess candidates (a dictionary of e-mail addresses) can find it. With a
 * secret that stays out of the analytics store, they cannot; use the same secret on every replica.
 *
 * @example hashUserId("jane@acme.io") // "uh_…" (35 characters)
 * @example hashUserId("jane@acme.io", process.env.YAVIO_HASH_SECRET)
 */
export function hashUserId(value: string, secret?: string): string {
  const hash = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  return `uh_${hash.update(value, "utf8").digest("hex").slice(0, 32)}`;
}
