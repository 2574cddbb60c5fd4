/**
 * What Redis holds of a user when events carry raw ids (pii.hashUserIds off): with a hashSecret,
 * the pseudonym (which replicas compare) and the id sealed under a key from the secret, so that
 * another replica puts the right user on its events while Redis holds no raw id; without one, the
 * raw id, said by YAVIO-1315.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";
import type { YavioWarning } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { redisSessionStore } from "../../src/redis.js";
import { MemorySink } from "../../src/testing.js";
import { connectClient, ofType } from "../helpers.js";
import { describeRedis, dumpKeys, testPrefix } from "./redis-env.js";

const SECRET = "user-ids-test-secret-0123456789";
const EMAIL = "jane.doe@example.com";

function replica(url: string, prefix: string, hashSecret: string | undefined) {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  const sessionStore = redisSessionStore({ url, keyPrefix: prefix });
  const server = withYavio(new McpServer({ name: "replica", version: "1" }), {
    sink,
    onWarning: (w) => warnings.push(w),
    logLevel: "silent",
    hashSecret,
    sessionStore,
    sessionKey: () => "conversation-1",
  });
  server.registerTool("login", {}, (ctx) => {
    ctx.yavio.identify(EMAIL, { email: EMAIL, note: `reach me at ${EMAIL}`, plan: "pro" });
    return { content: [] };
  });
  server.registerTool("work", {}, () => ({ content: [] }));
  return { sink, warnings, server, handle: getYavio(server), ready: () => sessionStore.ready() };
}

type Replica = ReturnType<typeof replica>;
const open: Replica[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.handle.shutdown();
});

/** Replica A, where the user logs in; `second()` starts replica B, which learns the user only from Redis. */
async function pair(url: string, secret: string | undefined) {
  const prefix = testPrefix();
  const a = replica(url, prefix, secret);
  open.push(a);
  expect(await a.ready()).toBe(true);
  const second = async () => {
    const b = replica(url, prefix, secret);
    open.push(b);
    expect(await b.ready()).toBe(true);
    return { b, cb: await connectClient(b.server) };
  };
  return { a, prefix, second, ca: await connectClient(a.server) };
}

describeRedis("Redis session store: user ids with pii.hashUserIds off", (url) => {
  it("with a hashSecret: no key or value holds the id or a trait's PII, and another replica puts the right user on its events", async () => {
    const { a, prefix, second, ca } = await pair(url, SECRET);
    await ca.callTool({ name: "login", arguments: {} });
    await a.handle.flush();
    // B never saw the identify: it learns the user from Redis.
    const { b, cb } = await second();
    await cb.callTool({ name: "work", arguments: {} });
    await b.handle.flush();
    const keys = await dumpKeys(url, prefix);
    expect(keys.length).toBeGreaterThan(0);
    const text = keys.flatMap((k) => [k.key, ...k.values]).join(" ");
    expect(text).not.toContain("jane");
    expect(text).not.toContain("example.com");
    expect(text).toContain("pro");
    const session = keys.find((k) => k.key.endsWith(":s"))!;
    const fields = Object.fromEntries(session.values.flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])) as [string, string][]);
    expect(fields.user).toMatch(/^uh_[0-9a-f]{32}$/);
    expect(fields.sealed).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const work = ofType(b.sink.events, "tool_call", "work")[0]!;
    expect(work.user_id).toBe(EMAIL);
    expect(work.user_traits).toMatchObject({ plan: "pro" });
    expect(JSON.stringify(work.user_traits)).not.toContain("jane");
    expect([...a.warnings, ...b.warnings].map((w) => w.code)).not.toContain("YAVIO-1315");
  });

  it("a sealed id that does not open (changed in Redis): events carry the pseudonym, never a wrong id, and YAVIO-1316 is said once", async () => {
    const { a, prefix, second, ca } = await pair(url, SECRET);
    await ca.callTool({ name: "login", arguments: {} });
    await a.handle.flush();
    const probe = new Redis(url);
    try {
      const key = (await probe.keys(`${prefix}*:s`))[0]!;
      await probe.hset(key, "sealed", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    } finally {
      probe.disconnect();
    }
    const { b, cb } = await second();
    await cb.callTool({ name: "work", arguments: {} });
    await cb.callTool({ name: "work", arguments: {} });
    await b.handle.flush();
    const users = new Set(ofType(b.sink.events, "tool_call", "work").map((e) => e.user_id));
    expect([...users]).toHaveLength(1);
    expect([...users][0]).toMatch(/^uh_[0-9a-f]{32}$/);
    expect(b.warnings.filter((w) => w.code === "YAVIO-1316")).toHaveLength(1);
  });

  it("without a hashSecret: the raw id is stored, and YAVIO-1315 says so once per configuration", async () => {
    const { a, prefix, second, ca } = await pair(url, undefined);
    await ca.callTool({ name: "login", arguments: {} });
    await a.handle.flush();
    const { b } = await second();
    const text = (await dumpKeys(url, prefix)).flatMap((k) => [k.key, ...k.values]).join(" ");
    expect(text).toContain(EMAIL);
    expect(a.warnings.filter((w) => w.code === "YAVIO-1315")).toHaveLength(1);
    expect(b.warnings.filter((w) => w.code === "YAVIO-1315")).toHaveLength(1);
  });
});
