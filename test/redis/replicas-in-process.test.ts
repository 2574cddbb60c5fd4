import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";
import { z } from "zod";
import type { WireEvent, YavioWarning } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { redisSessionStore } from "../../src/redis.js";
import { MemorySink } from "../../src/testing.js";
import { connectClient, ofType } from "../helpers.js";
import { describeRedis, dumpKeys, testPrefix } from "./redis-env.js";

const SECRET = "replica-test-secret-0123456789";

/** One replica: its own runtime (its own store object), its own sink, the shared Redis. */
function replica(url: string, prefix: string, extra: Record<string, unknown> = {}) {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  const sessionStore = redisSessionStore({ url, keyPrefix: prefix });
  const options = {
    sink,
    onWarning: (w: YavioWarning) => warnings.push(w),
    logLevel: "silent" as const,
    hashSecret: SECRET,
    sessionStore,
    sessionKey: () => "conversation-1",
    ...extra,
  };
  const server = withYavio(new McpServer({ name: "replica", version: "1" }), options);
  server.registerTool("login", { inputSchema: { user: z.string(), plan: z.string().optional() } }, (args, ctx) => {
    ctx.yavio.identify(args.user, args.plan === undefined ? undefined : { plan: args.plan });
    return { content: [{ type: "text", text: String(ctx.yavio.userId) }] };
  });
  server.registerTool("step", { inputSchema: { name: z.string() } }, (args, ctx) => {
    ctx.yavio.step(args.name);
    return { content: [] };
  });
  server.registerTool("work", {}, () => ({ content: [{ type: "text", text: "ok" }] }));
  server.registerTool("profile", {}, (ctx) => {
    ctx.yavio.identify("u1", { password: "hunter2", contact: "jane.doe@example.com", "jane.doe@example.com": "reachable", plan: "pro" });
    return { content: [] };
  });
  return { sink, warnings, server, handle: getYavio(server), ready: () => sessionStore.ready() };
}

type Replica = ReturnType<typeof replica>;
const open: Replica[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.handle.shutdown();
});

describeRedis("Redis session store: two replicas in one process", (url) => {
  /**
   * Over the in-memory transport a call is answered within the same turn of the event loop, before
   * the replica's claims are even written to Redis's socket; over HTTP the answer goes out after
   * them. `call` waits for the claims of both replicas to settle after each call, as a real round
   * trip through a network would.
   */
  async function settle(...rs: Replica[]): Promise<void> {
    await Promise.all(rs.map((r) => r.handle.flush()));
  }

  async function pair(extra: Record<string, unknown> = {}) {
    const prefix = testPrefix();
    const a = replica(url, prefix, extra);
    const b = replica(url, prefix, extra);
    open.push(a, b);
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    const ca = await connectClient(a.server);
    const cb = await connectClient(b.server);
    const call = async (client: typeof ca, name: string, args: Record<string, unknown> = {}) => {
      const result = await client.callTool({ name, arguments: args });
      await settle(a, b);
      return result;
    };
    return { a, b, ca, cb, prefix, call };
  }

  function all(...rs: Replica[]): WireEvent[] {
    return rs.flatMap((r) => r.sink.events);
  }

  it("the first userId wins on every replica; the loser's identify never reaches the sink and YAVIO-1302 is said once", async () => {
    const { a, b, ca, cb, call } = await pair();
    await call(ca, "login", { user: "alice", plan: "free" });
    await call(cb, "login", { user: "mallory", plan: "evil" });
    await call(cb, "work", {});
    await a.handle.shutdown();
    await b.handle.shutdown();
    const events = all(a, b);
    expect(events.some((e) => e.user_id === "mallory")).toBe(false);
    expect(events.some((e) => JSON.stringify(e.user_traits ?? {}).includes("evil"))).toBe(false);
    expect(ofType(events, "identify")).toHaveLength(1);
    const work = ofType(events, "tool_call", "work")[0]!;
    expect(work.user_id).toBe("alice");
    expect(work.user_traits).toEqual({ plan: "free" });
    const conflicts = [...a.warnings, ...b.warnings].filter((w) => w.code === "YAVIO-1302");
    expect(conflicts).toHaveLength(1);
  });

  it("step_sequence counts on across replicas without gaps or repeats", async () => {
    const { a, b, ca, cb, call } = await pair();
    const clients = [ca, cb];
    for (let i = 0; i < 6; i++) await call(clients[i % 2]!, "step", { name: `s${i}` });
    await a.handle.shutdown();
    await b.handle.shutdown();
    const steps = ofType(all(a, b), "step").map((e) => [e.event_name, e.step_sequence]);
    steps.sort((x, y) => Number(x[1]) - Number(y[1]));
    expect(steps).toEqual([0, 1, 2, 3, 4, 5].map((i) => [`s${i}`, i + 1]));
  });

  it("exactly one session_start and one session_end across replicas, the end with every replica's counts", async () => {
    const { a, b, ca, cb, call } = await pair();
    await call(ca, "work", {});
    await call(cb, "work", {});
    await call(cb, "work", {});
    await a.handle.shutdown();
    await b.handle.shutdown();
    const events = all(a, b);
    expect(ofType(events, "connection", "session_start")).toHaveLength(1);
    const ends = ofType(events, "connection", "session_end");
    expect(ends).toHaveLength(1);
    expect(ends[0]!.metadata).toMatchObject({ tool_calls: 3, reason: "shutdown" });
  });

  it("traits merge across replicas, the later value winning per key", async () => {
    const { a, b, ca, cb, call } = await pair();
    await call(ca, "login", { user: "alice", plan: "free" });
    await call(cb, "login", { user: "alice", plan: "pro" });
    await call(ca, "work", {});
    await a.handle.shutdown();
    await b.handle.shutdown();
    const events = all(a, b);
    expect(ofType(events, "tool_call", "work")[0]!.user_traits).toEqual({ plan: "pro" });
    const identifies = ofType(events, "identify").map((e) => [e.user_traits, e.metadata?.first_identify]);
    expect(identifies).toEqual([[{ plan: "free" }, true], [{ plan: "pro" }, false]]);
  });

  it("an event recorded on a replica that never saw the identify carries that user or none, never another", async () => {
    const { a, b, ca, cb } = await pair();
    // No flush in between: the work event is still queued when alice logs in on the other replica.
    await cb.callTool({ name: "work", arguments: {} });
    await ca.callTool({ name: "login", arguments: { user: "alice" } });
    await b.handle.shutdown();
    await a.handle.shutdown();
    const work = ofType(b.sink.events, "tool_call", "work")[0]!;
    // Known from the store if B's claim was answered after alice's identify reached it; otherwise
    // anonymous (the identify event links the session to alice for the backend). Which one depends
    // on the order the two replicas' claims reach Redis: both are correct, another user never is.
    expect([undefined, "alice"]).toContain(work.user_id);
    const identify = ofType(a.sink.events, "identify")[0]!;
    expect(identify).toMatchObject({ session_id: work.session_id, user_id: "alice", metadata: { session_user_link: true } });
  });

  it("keys expire with the idle timeout and hold no raw user id or trait value", async () => {
    const { a, b, ca, prefix, call } = await pair({ sessionIdleTimeoutMs: 60_000, pii: { hashUserIds: true } });
    await call(ca, "login", { user: "jane.doe@example.com", plan: "call me at jane.doe@example.com" });
    await a.handle.flush();
    const keys = await dumpKeys(url, prefix);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.ttlMs).toBeGreaterThan(0);
      expect(key.ttlMs).toBeLessThanOrEqual(120_000);
      expect(key.key).not.toContain("jane");
      expect(key.values.join(" ")).not.toContain("jane.doe");
    }
    await a.handle.shutdown();
    await b.handle.shutdown();
    expect(a.sink.events.every((e) => e.user_id === undefined || e.user_id.startsWith("uh_"))).toBe(true);
  });
});

describeRedis("Redis session store: traits in Redis", (url) => {
  it("are scrubbed as an object, as on events: a sensitive key's value is redacted and keys are scrubbed", async () => {
    const prefix = testPrefix();
    const a = replica(url, prefix);
    open.push(a);
    expect(await a.ready()).toBe(true);
    const client = await connectClient(a.server);
    await client.callTool({ name: "profile", arguments: {} });
    await a.handle.flush();
    const keys = await dumpKeys(url, prefix);
    const text = keys.flatMap((k) => [k.key, ...k.values]).join(" ");
    expect(text).toContain("pro");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("jane.doe");
    // What Redis holds is what the event says.
    const identify = ofType(a.sink.events, "identify")[0]!;
    expect(JSON.stringify(identify.user_traits)).not.toContain("hunter2");
    expect(identify.user_traits).toMatchObject({ plan: "pro" });
  });
});

describeRedis("Redis session store: shutdown", (url) => {
  async function connections(name: string): Promise<number> {
    const probe = new Redis(url);
    try {
      const list = (await probe.call("CLIENT", "LIST")) as string;
      return list.split("\n").filter((line) => line.includes(`name=${name} `)).length;
    } finally {
      probe.disconnect();
    }
  }

  it("closes the client it opened from a URL, and never a client the host passed in", async () => {
    const host = new Redis(url, { connectionName: "yavio-test-host" });
    const name = `yavio-test-${Math.random().toString(36).slice(2)}`;
    const owned = redisSessionStore({ url, connectionName: name });
    const withHost = redisSessionStore({ client: host });
    const a = withYavio(new McpServer({ name: "a", version: "1" }), { sink: new MemorySink(), logLevel: "silent", sessionStore: withHost, sessionKey: () => "k" });
    const b = withYavio(new McpServer({ name: "b", version: "1" }), { sink: new MemorySink(), logLevel: "silent", sessionStore: owned, sessionKey: () => "k" });
    expect(await owned.ready()).toBe(true);
    expect(await withHost.ready()).toBe(true);
    expect(await connections(name)).toBe(1);
    await getYavio(a).shutdown();
    await getYavio(b).shutdown();
    // The host's client still works; the store's own connection is gone.
    expect(await host.ping()).toBe("PONG");
    expect(await connections(name)).toBe(0);
    host.disconnect();
  });

  it("a claim after close() fails and opens no connection again", async () => {
    const name = `yavio-test-${Math.random().toString(36).slice(2)}`;
    const store = redisSessionStore({ url, connectionName: name, keyPrefix: testPrefix() });
    const backend = store.connectShared!({ sessionIdleTimeoutMs: 60_000, warn: () => undefined });
    expect(await store.ready()).toBe(true);
    await store.close!();
    expect(await connections(name)).toBe(0);
    await expect(backend.touch("ses_after_close", Date.now())).rejects.toThrow(/closed/);
    expect(await connections(name)).toBe(0);
  });
});
