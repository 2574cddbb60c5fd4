import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, expect, it, vi } from "vitest";
import { InMemorySessionStore } from "../../src/core/index.js";
import type { EndReply, IdentifyReply, SharedSessionBackend, TouchReply } from "../../src/core/index.js";
import { SharedSessions } from "../../src/core/shared-sessions.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

/** A store that answers every claim `delayMs` after it was asked. */
class SlowStore extends InMemorySessionStore {
  constructor(private readonly delayMs: number) {
    super();
  }
  connectShared(): SharedSessionBackend {
    const later = <T>(value: T): Promise<T> => new Promise<T>((resolve) => setTimeout(() => resolve(value), this.delayMs));
    return {
      claimTimeoutMs: 1000,
      touch: () => later<TouchReply>({ startWon: true, resumed: false, userId: undefined, step: 0, traits: [] }),
      identify: () => later<IdentifyReply>({ accepted: true, userId: undefined, userIdSet: false, traitsChanged: false, traits: [] }),
      step: () => later(1),
      count: () => later(undefined),
      end: () => later<EndReply>({ won: true, alive: false, userId: undefined, startedAt: undefined, counts: { toolCalls: 0, resourceReads: 0, promptGets: 0, errors: 0 }, traits: [] }),
    };
  }
}

afterEach(() => {
  vi.useRealTimers();
});

it("settled() waits only for the claims out when it is called (and what their answers start), though new claims keep coming", async () => {
  vi.useFakeTimers();
  const backend = new SlowStore(20).connectShared();
  const warnings: unknown[] = [];
  const shared = new SharedSessions(backend, {
    warn: (w) => warnings.push(w),
    timeoutMs: 1000,
    maxPending: 1000,
    sessionIdleTimeoutMs: 60_000,
    storedUserId: (id) => id,
    shownUserId: (id) => id,
    scrubValue: (v) => v,
    lateStart: () => undefined,
    ended: () => undefined,
  });
  let reclaimAnswered = false;
  // One of the claims out at the snapshot starts another claim from its answer (a re-claim).
  shared.call(
    () => backend.step("a"),
    () => shared.call(() => backend.step("a"), () => (reclaimAnswered = true)),
  );
  // Steady traffic: a claim every 3 ms, each answered 20 ms later.
  const traffic = setInterval(() => shared.call(() => backend.step("b"), () => undefined), 3);
  await vi.advanceTimersByTimeAsync(30);
  let done = false;
  void shared.settled()!.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(100);
  expect(done).toBe(true);
  expect(reclaimAnswered).toBe(true);
  // Claims started after the call were still out when it settled.
  expect(shared.pending).toBeGreaterThan(0);
  clearInterval(traffic);
  expect(warnings).toEqual([]);
});

it("settled() is bounded by twice the claim timeout even when answers keep starting claims", async () => {
  vi.useFakeTimers();
  const backend = new SlowStore(20).connectShared();
  const shared = new SharedSessions(backend, {
    warn: () => undefined,
    timeoutMs: 50,
    maxPending: 1000,
    sessionIdleTimeoutMs: 60_000,
    storedUserId: (id) => id,
    shownUserId: (id) => id,
    scrubValue: (v) => v,
    lateStart: () => undefined,
    ended: () => undefined,
  });
  const again = (): void => shared.call(() => backend.step("a"), again);
  again();
  let done = false;
  void shared.settled()!.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(99);
  expect(done).toBe(false);
  await vi.advanceTimersByTimeAsync(2);
  expect(done).toBe(true);
  shared.close();
  await vi.advanceTimersByTimeAsync(100);
  expect(shared.pending).toBe(0);
});

it("under steady traffic on a shared session, batches are still cut and flush() returns", async () => {
  const store = new SlowStore(50);
  const cap = capture();
  const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionStore: store, sessionKey: () => "anchor" });
  server.registerTool("work", {}, (ctx) => {
    ctx.yavio.step("s");
    return { content: [] };
  });
  const client = await connectClient(server);
  let running = true;
  let calls = 0;
  const traffic = (async () => {
    while (running) {
      await client.callTool({ name: "work", arguments: {} });
      calls += 1;
      // A host that yields between calls, as a real one over a network does.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  while (calls < 5) await new Promise((resolve) => setTimeout(resolve, 5));
  // Traffic goes on while the flush runs: it returns all the same (the test's timeout is the bound).
  await getYavio(server).flush();
  const exported = ofType(cap.sink.events, "tool_call").length;
  expect(exported).toBeGreaterThanOrEqual(5);
  running = false;
  await traffic;
  await getYavio(server).shutdown();
  expect(ofType(cap.sink.events, "tool_call")).toHaveLength(calls);
});
