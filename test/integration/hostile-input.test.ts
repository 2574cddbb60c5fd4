import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import type { YavioContext, YavioMcpServer } from "../../src/index.js";
import { getYavio, withYavio, yavio } from "../../src/index.js";
import { MAX_TRAITS_BYTES } from "../../src/identity/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

function harness(options: Record<string, unknown> = {}) {
  const cap = capture();
  const server: YavioMcpServer = withYavio(new McpServer({ name: "hostile", version: "1" }), { ...cap.options, ...options });
  let act: (y: YavioContext) => void = () => undefined;
  server.registerTool("act", {}, (ctx) => {
    act(ctx.yavio);
    return { content: [{ type: "text", text: "done" }] };
  });
  cleanups.push(() => getYavio(server).shutdown());
  return { ...cap, server, setAct: (fn: (y: YavioContext) => void) => (act = fn) };
}

function hostile(): object {
  return new Proxy(
  {},
  {
    get() {
      throw new Error("trap: get");
    },
    getPrototypeOf() {
      throw new Error("trap: getPrototypeOf");
    },
    ownKeys() {
      throw new Error("trap: ownKeys");
    },
  },
  );
}

describe("nothing in the public API throws into the host", () => {
  it.each([
    ["a Proxy id", () => hostile(), () => undefined],
    ["an object with a throwing getter as id", () => ({ get length() { throw new Error("getter"); } }), () => undefined],
    ["Proxy options", () => "user_1", () => hostile()],
    ["options with a throwing sessionId getter", () => "user_1", () => ({ get sessionId() { throw new Error("getter"); } })],
  ])("forUser with %s returns a context that works as a no-op", (_label, makeId, makeOptions) => {
    const id = makeId();
    const options = makeOptions();
    const { server, warnings } = harness();
    const viaHandle = getYavio(server).forUser(id as string, options);
    const viaExport = yavio.forUser(id as string, options);
    for (const context of [viaHandle, viaExport]) {
      expect(() => context.track("x")).not.toThrow();
      expect(() => context.identify("u")).not.toThrow();
    }
    expect(warnings.some((w) => w.code === "YAVIO-1300")).toBe(true);
  });

  it("withYavio(null) and withYavio(a throwing Proxy) warn YAVIO-1100 and return what they were given", () => {
    const { options, warnings } = capture();
    expect(withYavio(null as unknown as object, options)).toBeNull();
    const proxy = hostile();
    expect(withYavio(proxy, options)).toBe(proxy);
    expect(warnings.filter((w) => w.code === "YAVIO-1100")).toHaveLength(2);
  });

  it.each([["undefined", () => undefined], ["null", () => null], ["a number", () => 42], ["a throwing Proxy", () => hostile()]])("getYavio(%s) gives the no-op handle", async (_label, make) => {
    const handle = getYavio(make() as object);
    expect(handle.stats()).toEqual({ openSessions: 0, droppedEvents: 0 });
    await expect(handle.flush()).resolves.toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });

  it("track with Proxy properties warns and records nothing, and the tool still answers", async () => {
    const { server, sink, warnings, setAct } = harness();
    setAct((y) => y.track("x", hostile() as Record<string, unknown>));
    const client = await connectClient(server);
    const result = await client.callTool({ name: "act", arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
    await getYavio(server).flush();
    expect(ofType(sink.events, "track")).toHaveLength(0);
    expect(warnings.some((w) => w.code === "YAVIO-1300")).toBe(true);
  });
});

function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("custom-event properties are bounded when queued", () => {
  it.each(["track", "step", "conversion", "captureError"] as const)("%s with 1 MB properties records a truncation marker and warns YAVIO-1304", async (method) => {
    const { server, sink, warnings, setAct } = harness();
    const big = { blob: "x".repeat(1_000_000), note: "hello" };
    setAct((y) => {
      if (method === "track") y.track("big", big);
      else if (method === "step") y.step("big", big);
      else if (method === "conversion") y.conversion("big", { value: 1, currency: "EUR", meta: big });
      else y.captureError(new Error("e"), { properties: big });
    });
    const client = await connectClient(server);
    await client.callTool({ name: "act", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    const event = sink.events.find((e) => ["track", "step", "conversion"].includes(e.event_type) && e.event_name !== undefined && e.event_type !== "connection")!;
    expect(event.metadata).toMatchObject({ truncated: true });
    expect((event.metadata as { bytes: number }).bytes).toBeGreaterThanOrEqual(1_000_000);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(50_000);
    expect(warnings.some((w) => w.code === "YAVIO-1304")).toBe(true);
  });

  it("queued events do not retain the host's large properties: heap grows by far less than what was tracked", async () => {
    const gc = collectGarbage();
    // A long delay keeps every event in the queue while the heap is measured.
    const { server, setAct } = harness({ scheduledDelayMs: 60_000, maxQueueSize: 10_000 });
    const client = await connectClient(server);
    gc();
    const before = process.memoryUsage().heapUsed;
    const count = 40;
    setAct((y) => y.track("big", { blob: `${Math.random()}`.repeat(100_000) })); // ~1.8 MB each
    for (let i = 0; i < count; i++) await client.callTool({ name: "act", arguments: {} });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Tracked: ~70 MB of properties. Retained: markers of ~600 bytes each plus the call events.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    await client.close();
  });
});

describe("identify with huge traits", () => {
  it("keeps the leading keys that fit and reports the count of dropped ones, listing only a few", async () => {
    const { server, sink, warnings, setAct } = harness();
    const traits: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) traits[`key_${i}`] = i;
    setAct((y) => y.identify("user_1", traits));
    const client = await connectClient(server);
    await client.callTool({ name: "act", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    const identify = ofType(sink.events, "identify")[0]!;
    const kept = Object.keys(identify.user_traits!);
    expect(kept[0]).toBe("key_0");
    expect(Buffer.byteLength(JSON.stringify(identify.user_traits))).toBeLessThanOrEqual(MAX_TRAITS_BYTES);
    const warning = warnings.find((w) => w.code === "YAVIO-1304")!;
    const details = warning.details as { droppedKeys: string[]; droppedCount: number };
    expect(details.droppedCount).toBe(200_000 - kept.length);
    expect(details.droppedKeys.length).toBeLessThanOrEqual(20);
    expect(warnings.filter((w) => w.code === "YAVIO-1304")).toHaveLength(1);
  });

  it("drops a trait whose value is a 5 MB object without walking it", async () => {
    const { server, sink, setAct } = harness();
    const huge = { rows: Array.from({ length: 500_000 }, (_, i) => ({ i })) };
    setAct((y) => y.identify("user_1", { plan: "pro", huge }));
    const client = await connectClient(server);
    await client.callTool({ name: "act", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    expect(ofType(sink.events, "identify")[0]!.user_traits).toEqual({ plan: "pro" });
  });
});
