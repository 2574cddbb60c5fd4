import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { describe, it } from "vitest";

/**
 * The Redis the tests use: `YAVIO_TEST_REDIS_URL` (`.ci/run` starts a redis-server on 127.0.0.1 and
 * sets it). Without it the tests that need Redis are skipped with a message — except under CI,
 * where they fail: a CI run that skipped them proved nothing.
 */
export const REDIS_URL = process.env.YAVIO_TEST_REDIS_URL;

const MISSING = "YAVIO_TEST_REDIS_URL is not set: start a redis-server (see .ci/run) and set it to run the Redis session store tests";

/** `describe` for tests that need Redis. */
export function describeRedis(name: string, body: (url: string) => void): void {
  if (REDIS_URL !== undefined && REDIS_URL !== "") {
    describe(name, () => body(REDIS_URL));
    return;
  }
  if (process.env.CI === "true" || process.env.CI === "1") {
    describe(name, () => {
      it("needs a Redis server", () => {
        throw new Error(MISSING);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${MISSING})`, () => body(""));
}

/** A key prefix of its own per test, so tests never see each other's keys. */
export function testPrefix(): string {
  return `yavio-test:${randomUUID().slice(0, 8)}:`;
}

/** Every key under `prefix`, with its TTL and its values, read straight from Redis. */
export async function dumpKeys(url: string, prefix: string): Promise<{ key: string; ttlMs: number; values: string[] }[]> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${prefix}*`);
    const out: { key: string; ttlMs: number; values: string[] }[] = [];
    for (const key of keys) {
      const ttlMs = await client.pttl(key);
      const hash = await client.hgetall(key);
      out.push({ key, ttlMs, values: Object.entries(hash).flat() });
    }
    return out;
  } finally {
    client.disconnect();
  }
}
