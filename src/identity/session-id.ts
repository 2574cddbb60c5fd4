import { createHash } from "node:crypto";
import { nanoid } from "nanoid";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ID_LENGTH = 21;

/** A fresh analytics session id: `ses_` + 21 characters of the nanoid alphabet. */
export function newSessionId(): string {
  return `ses_${nanoid()}`;
}

/**
 * A session id derived from an anchor (an `Mcp-Session-Id`, a header value, an auth principal).
 * Deterministic, so every replica behind a load balancer names the same session the same way;
 * one-way, so the anchor (which may be a credential) never leaves the process.
 */
export function deriveSessionId(anchor: string, namespace = "mcp"): string {
  const digest = createHash("sha256").update(`yavio:${namespace}:${anchor}`).digest();
  let id = "ses_";
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[digest[i]! & 63];
  return id;
}

/** A fresh trace id for one request: `tr_` + 21 nanoid characters. */
export function newTraceId(): string {
  return `tr_${nanoid()}`;
}

/** `ses_` followed by exactly 21 nanoid-alphabet characters. */
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9_-]{21}$/;
