/**
 * The Redis session store: added latency and CPU per tool call against the in-memory store (the
 * same server, interleaved rounds, over the in-memory transport with a sessionKey anchor, each call
 * on a turn of the event loop of its own as over a network), and Redis round trips per session
 * (writes to Redis's socket; each carries every claim sent together) with the script calls they
 * carry (from Redis's own command counts).
 *
 * Needs a Redis: `YAVIO_TEST_REDIS_URL` (default redis://127.0.0.1:6390, which `.ci/run` starts).
 * Run with `npm run bench -- redis`.
 */
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Socket } from "node:net";
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

async function serverWith(store: SessionStore | undefined, anchor: string, inHandler: () => void = () => undefined) {
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
    inHandler();
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

/** The next turn of the event loop: a request over a network arrives on one of its own. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Script calls Redis ran (EVALSHA and EVAL) and the time it spent in them, from its own command counts. */
async function scriptCalls(probe: Redis): Promise<{ calls: number; usec: number }> {
  const info = await probe.info("commandstats");
  const total = { calls: 0, usec: 0 };
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/g)) {
    if (match[1] === "evalsha" || match[1] === "eval") {
      total.calls += Number(match[2]);
      total.usec += Number(match[3]);
    }
  }
  return total;
}

/**
 * Writes to Redis's port from this process: each is one round trip (a batch of commands sent
 * together, answered together), however many commands it carries.
 */
function countWrites(port: number): { readonly count: number } {
  const counter = { count: 0 };
  const proto = Socket.prototype as unknown as { write: (this: Socket, ...args: unknown[]) => boolean };
  const write = proto.write;
  proto.write = function (this: Socket, ...args: unknown[]): boolean {
    if (this.remotePort === port) counter.count += 1;
    return write.apply(this, args);
  };
  return counter;
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
  const writes = countWrites(Number(new URL(url).port || 6379));
  const store = redisSessionStore({ url, keyPrefix: `yavio-bench:${Date.now()}:` });
  await store.ready();
  // The controls: the in-memory store, and one unrelated PING to the same Redis per call, not
  // awaited — after the answer (as the claims of the earlier version left), or within the handler,
  // before the answer (as the claims leave now). On a machine where Redis shares the CPUs, any
  // such write costs: the second control is the floor of a write made before the answer.
  const control = new Redis(url, { maxRetriesPerRequest: 0 });
  let pingInHandler = false;
  const memory = await serverWith(undefined, "bench-memory", () => {
    if (pingInHandler) void control.ping();
  });
  const redis = await serverWith(store, "bench-redis");
  const rounds = 20;
  const perRound = 250;
  type Kind = "memory" | "memory + PING" | "memory + PING before the answer" | "redis";
  const kinds: readonly Kind[] = ["memory", "memory + PING", "memory + PING before the answer", "redis"];
  const times: Record<Kind, number[]> = { memory: [], "memory + PING": [], "memory + PING before the answer": [], redis: [] };
  const cpu: Record<Kind, number> = { memory: 0, "memory + PING": 0, "memory + PING before the answer": 0, redis: 0 };
  // Each call on a turn of its own, as over a network (the claims of a call leave on the next turn);
  // the CPU of a block includes its claims' answers and the export of its events.
  const block = async (kind: Kind, n: number, timed: boolean): Promise<void> => {
    const target = kind === "redis" ? redis : memory;
    const ping = kind === "memory + PING" || kind === "memory + PING before the answer";
    pingInHandler = kind === "memory + PING before the answer";
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await target.client.callTool({ name: "work", arguments: {} });
      if (timed) times[kind].push(performance.now() - t0);
      if (kind === "memory + PING") process.nextTick(() => void control.ping());
      await nextTurn();
    }
    if (ping) await control.ping();
    await getYavio(target.server).flush();
    const used = process.cpuUsage(c0);
    if (timed) cpu[kind] += used.user + used.system;
  };
  for (let i = 0; i < 4; i++) for (const kind of kinds) await block(kind, 100, false);
  for (let r = 0; r < rounds; r++) {
    // Interleaved, each kind first in turn.
    for (let k = 0; k < kinds.length; k++) await block(kinds[(r + k) % kinds.length]!, perRound, true);
  }
  process.stdout.write("| store | calls | p50 µs | p90 µs | p99 µs | CPU µs per call |\n|---|---|---|---|---|---|\n");
  const p50: Record<string, number> = {};
  const perCall: Record<string, number> = {};
  for (const kind of kinds) {
    const sorted = [...times[kind]].sort((a, b) => a - b);
    p50[kind] = quantile(sorted, 0.5);
    perCall[kind] = cpu[kind] / sorted.length;
    const us = (q: number) => (quantile(sorted, q) * 1000).toFixed(0);
    process.stdout.write(`| ${kind} | ${sorted.length} | ${us(0.5)} | ${us(0.9)} | ${us(0.99)} | ${perCall[kind].toFixed(1)} |\n`);
  }
  const added = (kind: Kind, base: Kind): string =>
    `p50 ${((p50[kind]! - p50[base]!) * 1000).toFixed(0)} µs, CPU ${(perCall[kind]! - perCall[base]!).toFixed(1)} µs`;
  process.stdout.write(`\nadded per call, redis − memory: ${added("redis", "memory")} (claims and their answers included)\n`);
  process.stdout.write(`added per call, redis − (memory + PING): ${added("redis", "memory + PING")} (what the claims cost beyond any Redis I/O between calls)\n`);
  process.stdout.write(
    `added per call, redis − (memory + PING before the answer): ${added("redis", "memory + PING before the answer")} (what the claims cost beyond one write to Redis made before the answer, as theirs is)\n`,
  );
  control.disconnect();
  await getYavio(memory.server).shutdown();

  // Round trips per session: 1 identify, 10 tool calls (each on its own turn) and 2 steps, then its end.
  const sessions = 50;
  await nextTurn();
  const scriptsBefore = await scriptCalls(probe);
  const writesBefore = writes.count;
  for (let s = 0; s < sessions; s++) {
    const one = await serverWith(store, `rt-${s}`);
    for (let i = 0; i < 10; i++) {
      await one.client.callTool({ name: "work", arguments: {} });
      await nextTurn();
    }
    await getYavio(one.server).shutdown();
  }
  const roundTrips = writes.count - writesBefore;
  const scriptsAfter = await scriptCalls(probe);
  const scripts = scriptsAfter.calls - scriptsBefore.calls;
  const scriptUsec = scriptsAfter.usec - scriptsBefore.usec;
  // Last: while it lives, the store keeps its one connection for the sessions above.
  await getYavio(redis.server).shutdown();
  process.stdout.write(
    `\nper session of 1 identify, 10 tool calls and 2 steps, with its start and end (none awaited on the tool's path): ${(roundTrips / sessions).toFixed(1)} Redis round trips (writes to Redis, each a batch answered together), carrying ${(scripts / sessions).toFixed(1)} script calls; Redis spent ${(scriptUsec / scripts).toFixed(1)} µs per script call (its own count)\n`,
  );
  probe.disconnect();
  clearInterval(keep);
}

void main();
