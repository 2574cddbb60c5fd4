import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createNetServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, expect, it } from "vitest";
import type { YavioWarning } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { redisSessionStore } from "../../src/redis.js";
import { MemorySink } from "../../src/testing.js";
import { connectClient, ofType } from "../helpers.js";
import { describeRedis, testPrefix } from "./redis-env.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

function replica(url: string, prefix: string, anchor = "conversation-1") {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  const sessionStore = redisSessionStore({ url, keyPrefix: prefix });
  const server = withYavio(new McpServer({ name: "replica", version: "1" }), {
    sink,
    onWarning: (w: YavioWarning) => warnings.push(w),
    logLevel: "silent",
    hashSecret: "fault-test-secret-0123456789",
    sessionStore,
    sessionKey: () => anchor,
  });
  server.registerTool("login", {}, (ctx) => {
    ctx.yavio.identify("alice", { plan: "pro" });
    return { content: [{ type: "text", text: String(ctx.yavio.userId) }] };
  });
  server.registerTool("step", {}, (ctx) => {
    ctx.yavio.step("s");
    return { content: [] };
  });
  const handle = getYavio(server);
  cleanups.push(() => handle.shutdown());
  return { sink, warnings, server, handle, sessionStore };
}

const codes = (warnings: readonly YavioWarning[]): string[] => warnings.map((w) => w.code).filter((c) => c.startsWith("YAVIO-122"));

/** A private redis-server (it gets killed), on a free port, in a temp dir. */
async function privateRedis(port: number): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "yavio-redis-"));
  const bin = process.env.YAVIO_TEST_REDIS_SERVER ?? "redis-server";
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", dir, "--pidfile", join(dir, "redis.pid")]);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`redis-server exited ${String(code)}`))));
    child.once("error", reject);
  });
  // Wait until it accepts connections (a connect attempt, not a timer).
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setImmediate(r));
  }
  return {
    async stop() {
      let pid: number;
      try {
        pid = Number(readFileSync(join(dir, "redis.pid"), "utf8"));
      } catch {
        return;
      }
      process.kill(pid, "SIGKILL");
      for (;;) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setImmediate(r));
        } catch {
          return;
        }
      }
    },
  };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

/** A TCP proxy to Redis that holds every byte, both ways, until `release()`: a Redis as slow as the test wants. */
async function holdingProxy(target: number): Promise<{ port: number; forwarded(): number; hold(): void; release(): void; close(): Promise<void> }> {
  let held = false;
  let forwarded = 0;
  const queued: (() => void)[] = [];
  const sockets: Socket[] = [];
  const pass = (from: Socket, to: Socket): void => {
    from.on("data", (chunk: Buffer) => {
      const send = (): void => {
        forwarded += chunk.length;
        to.write(chunk);
      };
      if (held) queued.push(send);
      else send();
    });
  };
  const server: Server = createNetServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    sockets.push(client, upstream);
    pass(client, upstream);
    pass(upstream, client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    forwarded: () => forwarded,
    hold() {
      held = true;
      forwarded = 0;
    },
    release() {
      held = false;
      for (const send of queued.splice(0)) send();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describeRedis("Redis session store faults", () => {
  it("Redis never started: tools answer, events flow with local identity, YAVIO-1220 once, no unhandled rejection", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const r = replica(url, testPrefix());
    expect(await r.sessionStore.ready()).toBe(false);
    const client = await connectClient(r.server);
    const answer = await client.callTool({ name: "login", arguments: {} });
    expect((answer.content as { text: string }[])[0]!.text).toBe("alice");
    for (let i = 0; i < 3; i++) await client.callTool({ name: "step", arguments: {} });
    await r.handle.shutdown();
    const events = r.sink.events;
    expect(ofType(events, "connection", "session_start")).toHaveLength(1);
    expect(ofType(events, "connection", "session_end")).toHaveLength(1);
    expect(ofType(events, "step").map((e) => e.step_sequence)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.user_id === "alice")).toBe(true);
    expect(codes(r.warnings)).toEqual(["YAVIO-1220"]);
    expect(unhandled).toEqual([]);
  });

  it("Redis killed and restarted mid-run: events keep flowing, one YAVIO-1220 for the outage, YAVIO-1221 when it is back, claims work again", async () => {
    const port = await freePort();
    let redis = await privateRedis(port);
    cleanups.push(() => redis.stop());
    const url = `redis://127.0.0.1:${port}`;
    const prefix = testPrefix();
    const a = replica(url, prefix);
    const b = replica(url, prefix);
    expect(await a.sessionStore.ready()).toBe(true);
    expect(await b.sessionStore.ready()).toBe(true);
    const ca = await connectClient(a.server);
    const cb = await connectClient(b.server);
    await ca.callTool({ name: "login", arguments: {} });
    await ca.callTool({ name: "step", arguments: {} });
    await a.handle.flush();

    await redis.stop();
    for (let i = 0; i < 3; i++) await ca.callTool({ name: "step", arguments: {} });
    await a.handle.flush();
    expect(codes(a.warnings)).toEqual(["YAVIO-1220"]);
    const during = ofType(a.sink.events, "step").map((e) => e.step_sequence);
    expect(during).toEqual([1, 2, 3, 4]);
    expect(a.sink.events.every((e) => e.user_id === "alice")).toBe(true);

    redis = await privateRedis(port);
    // The client reconnects on its own backoff (at most 2 s between attempts).
    while (!(await a.sessionStore.ready()) || !(await b.sessionStore.ready())) await new Promise((resolve) => setTimeout(resolve, 100));
    await ca.callTool({ name: "step", arguments: {} });
    await a.handle.flush();
    expect(codes(a.warnings)).toEqual(["YAVIO-1220", "YAVIO-1221"]);
    // The store lost everything; the replica that knew the user claimed it again: B, which never
    // saw the identify, learns alice from the store.
    await cb.callTool({ name: "step", arguments: {} });
    await b.handle.flush();
    expect(ofType(b.sink.events, "step").every((e) => e.user_id === "alice")).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it("a slow Redis: tools answer while every claim is still held, events go out with local identity after the claim timeout", async () => {
    const url = process.env.YAVIO_TEST_REDIS_URL!;
    const slow = await holdingProxy(Number(new URL(url).port));
    cleanups.push(() => slow.close());
    const s = replica(`redis://127.0.0.1:${slow.port}`, testPrefix());
    // Connected through the proxy first; from here on it holds every byte.
    expect(await s.sessionStore.ready()).toBe(true);
    slow.hold();
    const client = await connectClient(s.server);
    const answer = await client.callTool({ name: "login", arguments: {} });
    await client.callTool({ name: "step", arguments: {} });
    // Both calls answered while nothing at all reached Redis: nothing on the tool's path waited.
    expect((answer.content as { text: string }[])[0]!.text).toBe("alice");
    expect(slow.forwarded()).toBe(0);
    await s.handle.flush();
    expect(ofType(s.sink.events, "step").map((e) => [e.user_id, e.step_sequence])).toEqual([["alice", 1]]);
    expect(codes(s.warnings)).toEqual(["YAVIO-1220"]);
    slow.release();
    expect(unhandled).toEqual([]);
  });
});
