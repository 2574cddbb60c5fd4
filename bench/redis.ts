/**
 * The Redis session store: added latency per tool call against the in-memory store (the same
 * server, interleaved rounds, over the in-memory transport with a sessionKey anchor), and Redis
 * round trips per session (from Redis's own command counts).
 *
 * Needs a Redis: `YAVIO_TEST_REDIS_URL` (default redis://127.0.0.1:6390, which `.ci/run` starts).
 * Run with `npm run bench -- redis`.
 */
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Redis } from "ioredis";
import type { SessionStore, Sink, WireEvent } from "../src/index.js";
import { getYavio, withYavio } from "../src/index.js";
import { redisSessionStore } from "../src/redis.js";

const url = process.env.YAVIO_TEST_REDIS_URL ?? "redis://127.0.0.1:6390";
const keep = setInterval(() => undefined, 1000);

class CountingSink implements Sink {
  readonly name = "counting";
  count = 0;
  send(batch: readonly WireEvent[]) {
    this.count += batch.length;
    return Promise.resolve({ status: "success" as const });
  }
}

async function serverWith(store: SessionStore | undefined, anchor: string) {
  const server = withYavio(new McpServer({ name: "bench", version: "1" }), {
    sink: new CountingSink(),
    logLevel: "silent",
    sessionStore: store,
    sessionKey: () => anchor,
  });
  let n = 0;
  server.registerTool("work", {}, (ctx) => {
    n += 1;
    if (n === 1) ctx.yavio.identify("user_1", { plan: "pro" });
    if (n % 5 === 0) ctx.yavio.step(`step_${n}`);
    return { content: [{ type: "text", text: "ok" }] };
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(a);
  return { server, client };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function commandCalls(probe: Redis): Promise<number> {
  const info = await probe.info("commandstats");
  let total = 0;
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) {
    // Commands run inside scripts are counted too: only the calls a client sent are round trips.
    if (match[1] === "evalsha" || match[1] === "eval") total += Number(match[2]);
  }
  return total;
}

async function main(): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await probe.connect();
  } catch {
    process.stdout.write(`no Redis at ${url}: set YAVIO_TEST_REDIS_URL (skipped)\n`);
    clearInterval(keep);
    return;
  }
  const store = redisSessionStore({ url, keyPrefix: `yavio-bench:${Date.now()}:` });
  await store.ready();
  const memory = await serverWith(undefined, "bench-memory");
  const redis = await serverWith(store, "bench-redis");
  const rounds = 20;
  const perRound = 250;
  const times: Record<"memory" | "redis", number[]> = { memory: [], redis: [] };
  for (let i = 0; i < 200; i++) {
    await memory.client.callTool({ name: "work", arguments: {} });
    await redis.client.callTool({ name: "work", arguments: {} });
  }
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 === 0 ? (["memory", "redis"] as const) : (["redis", "memory"] as const)) {
      const target = kind === "memory" ? memory : redis;
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await target.client.callTool({ name: "work", arguments: {} });
        times[kind].push(performance.now() - t0);
      }
    }
  }
  process.stdout.write("| store | calls | p50 µs | p90 µs | p99 µs |\n|---|---|---|---|---|\n");
  const p50: Record<string, number> = {};
  for (const kind of ["memory", "redis"] as const) {
    const sorted = [...times[kind]].sort((a, b) => a - b);
    p50[kind] = quantile(sorted, 0.5);
    const us = (q: number) => (quantile(sorted, q) * 1000).toFixed(0);
    process.stdout.write(`| ${kind} | ${sorted.length} | ${us(0.5)} | ${us(0.9)} | ${us(0.99)} |\n`);
  }
  process.stdout.write(`\nadded latency per call at p50 (redis − memory): ${((p50.redis! - p50.memory!) * 1000).toFixed(0)} µs\n`);
  await getYavio(memory.server).shutdown();

  // Round trips per session: one session of 1 identify, 10 tool calls and 2 steps, then its end.
  const sessions = 50;
  const before = await commandCalls(probe);
  for (let s = 0; s < sessions; s++) {
    const one = await serverWith(store, `rt-${s}`);
    for (let i = 0; i < 10; i++) await one.client.callTool({ name: "work", arguments: {} });
    await getYavio(one.server).shutdown();
  }
  const after = await commandCalls(probe);
  // Last: while it lives, the store keeps its one connection for the sessions above.
  await getYavio(redis.server).shutdown();
  process.stdout.write(
    `\nRedis round trips (script calls) per session of 1 identify, 10 tool calls and 2 steps, with its start and end; none awaited on the tool's path: ${((after - before) / sessions).toFixed(1)}\n`,
  );
  probe.disconnect();
  clearInterval(keep);
}

void main();
