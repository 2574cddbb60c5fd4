import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, expect, it } from "vitest";
import { InMemorySessionStore } from "../../src/core/index.js";
import type { EndReply, IdentifyReply, SharedSessionBackend, TouchReply } from "../../src/core/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

/** A store whose answers the test gives by hand: the window before a claim returns, made still. */
class HandStore extends InMemorySessionStore {
  readonly calls: { kind: string; args: unknown[]; answer: (value: unknown) => void }[] = [];
  connectShared(): SharedSessionBackend {
    const ask = <T>(kind: string, ...args: unknown[]): Promise<T> =>
      new Promise<T>((resolve) => this.calls.push({ kind, args, answer: (v) => resolve(v as T) }));
    return {
      touch: (id, at) => ask<TouchReply>("touch", id, at),
      identify: (id, userId, traits) => ask<IdentifyReply>("identify", id, userId, traits),
      step: (id) => ask<number>("step", id),
      count: (id, deltas) => ask<void>("count", id, deltas),
      end: (id, at, idleSince) => ask<EndReply>("end", id, at, idleSince),
    };
  }
  /** Answers every open call of `kind` (in order) with `value`. */
  answer(kind: string, value: unknown): void {
    for (const call of this.calls.filter((c) => c.kind === kind)) call.answer(value);
    this.calls.splice(0, this.calls.length, ...this.calls.filter((c) => c.kind !== kind));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

it("before a claim returns a handler sees this replica's answer; the store's verdict is what reaches the sink", async () => {
  const store = new HandStore();
  const cap = capture();
  const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionStore: store, sessionKey: () => "anchor" });
  const seen: (string | undefined)[] = [];
  server.registerTool("login", {}, (ctx) => {
    ctx.yavio.identify("mallory", { evil: true });
    seen.push(ctx.yavio.userId);
    ctx.yavio.step("s");
    return { content: [] };
  });
  cleanups.push(() => getYavio(server).shutdown());
  const client = await connectClient(server);
  await client.callTool({ name: "login", arguments: {} });
  // The call returned while every claim is still open (they left, together, as it ended): the
  // handler saw its own identify.
  expect(seen).toEqual(["mallory"]);
  expect(store.calls.map((c) => c.kind)).toEqual(expect.arrayContaining(["touch", "identify", "step"]));
  // The store: the session is alice's (another replica identified it), this is step 4, and
  // another replica sent the start.
  store.answer("touch", { startWon: false, resumed: false, userId: "alice", step: 3, traits: [["plan", '"pro"']] });
  store.answer("identify", { accepted: false, userId: "alice", userIdSet: false, traitsChanged: false, traits: [["plan", '"pro"']] });
  store.answer("step", 4);
  store.answer("count", undefined);
  await getYavio(server).flush();
  const events = cap.sink.events;
  expect(ofType(events, "identify")).toEqual([]);
  expect(ofType(events, "connection", "session_start")).toEqual([]);
  expect(ofType(events, "step").map((e) => [e.user_id, e.step_sequence, e.user_traits])).toEqual([["alice", 4, { plan: "pro" }]]);
  expect(ofType(events, "tool_call").map((e) => [e.user_id, e.user_traits])).toEqual([["alice", { plan: "pro" }]]);
  expect(cap.warnings.filter((w) => w.code === "YAVIO-1302")).toHaveLength(1);
  // From now on the replica answers with the store's user.
  await client.callTool({ name: "login", arguments: {} });
  expect(seen).toEqual(["mallory", "alice"]);
  await new Promise((resolve) => setImmediate(resolve));
  store.answer("touch", { startWon: false, resumed: false, userId: "alice", step: 4, traits: [["plan", '"pro"']] });
  store.answer("step", 5);
  store.answer("count", undefined);
  store.answer("end", { won: true, alive: false, userId: "alice", startedAt: 0, counts: { toolCalls: 2, resourceReads: 0, promptGets: 0, errors: 0 }, traits: [] });
});

it("a session_end is recorded only by the replica that claims the end, with the store's counts", async () => {
  const store = new HandStore();
  const cap = capture();
  const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionStore: store, sessionKey: () => "anchor" });
  server.registerTool("work", {}, () => ({ content: [] }));
  const client = await connectClient(server);
  await client.callTool({ name: "work", arguments: {} });
  await new Promise((resolve) => setImmediate(resolve));
  store.answer("touch", { startWon: true, resumed: false, userId: undefined, step: 0, traits: [] });
  store.answer("count", undefined);
  const done = getYavio(server).shutdown();
  await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
  store.answer("end", { won: true, alive: false, userId: undefined, startedAt: 1000, counts: { toolCalls: 7, resourceReads: 1, promptGets: 0, errors: 2 }, traits: [] });
  await done;
  const ends = ofType(cap.sink.events, "connection", "session_end");
  expect(ends).toHaveLength(1);
  expect(ends[0]!.metadata).toMatchObject({ tool_calls: 7, resource_reads: 1, errors: 2, reason: "shutdown" });
  expect(ofType(cap.sink.events, "connection", "session_start")).toHaveLength(1);
});
