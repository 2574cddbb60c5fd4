import { createHash, createHmac, randomFillSync } from "node:crypto";

/** The 64 URL-safe characters of the nanoid alphabet: 64 divides 256, so `byte & 63` is uniform. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ID_LENGTH = 21;

// Random bytes are drawn in blocks: one system call per ~195 ids instead of one per id.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** The character codes of the id being made. */
const codes: number[] = Array.from({ length: ID_LENGTH }, () => 0);

/**
 * 21 random characters of the nanoid alphabet (126 bits), from the system CSPRNG: one byte per
 * character, `byte & 63` (uniform, as 64 divides 256). Made as one flat string by a single
 * `String.fromCharCode`, without string concatenations or a native buffer conversion.
 */
function randomId(): string {
  if (offset + ID_LENGTH > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  for (let i = 0; i < ID_LENGTH; i++) codes[i] = ALPHABET_CODES[pool[offset + i]! & 63]!;
  offset += ID_LENGTH;
  return String.fromCharCode.apply(null, codes);
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
