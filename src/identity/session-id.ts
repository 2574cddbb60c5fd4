import { createHash, createHmac, randomFillSync } from "node:crypto";

/** The 64 URL-safe characters of the nanoid alphabet: 64 divides 256, so `byte & 63` is uniform. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ID_LENGTH = 21;

// Random bytes are drawn in blocks: one system call per ~256 ids instead of one per id.
const BYTES_PER_ID = 16;
const POOL_SIZE = BYTES_PER_ID * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * 21 random characters of the nanoid alphabet (126 bits), from the system CSPRNG. The alphabet is
 * base64url's: 16 random bytes encode to 22 characters, of which the first 21 carry 6 random bits
 * each. One native conversion instead of 21 string concatenations.
 */
function randomId(): string {
  if (offset + BYTES_PER_ID > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + BYTES_PER_ID).slice(0, ID_LENGTH);
  offset += BYTES_PER_ID;
  return id;
}

/**
 * A fresh analytics session id: `ses_` + 21 characters of the nanoid alphabet. Made here rather
 * than with the nanoid package, which is ESM-only and would break `require("yavio-mcp")` on
 * Node 20 releases before 20.19.
 */
export function newSessionId(): string {
  return `ses_${randomId()}`;
}

/**
 * A session id derived from an anchor (an `Mcp-Session-Id`, a header value, an auth principal).
 * Deterministic, so every replica behind a load balancer names the same session the same way;
 * one-way, so the anchor (which may be a credential) never leaves the process. With a `secret`
 * (HMAC-SHA-256) a guessable anchor — a user's e-mail, a tenant name — cannot be recovered from
 * the id by trying candidates; every replica must use the same secret.
 */
export function deriveSessionId(anchor: string, namespace = "mcp", secret?: string): string {
  const input = `yavio:${namespace}:${anchor}`;
  const digest = (secret === undefined ? createHash("sha256") : createHmac("sha256", secret)).update(input).digest();
  let id = "ses_";
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[digest[i]! & 63];
  return id;
}

/** A fresh trace id for one request: `tr_` + 21 nanoid characters. */
export function newTraceId(): string {
  return `tr_${randomId()}`;
}

/** `ses_` followed by exactly 21 nanoid-alphabet characters. */
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9_-]{21}$/;
