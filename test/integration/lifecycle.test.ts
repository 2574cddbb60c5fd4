import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { getYavio, withYavio } from "../../src/index.js";
import { liveRuntimeCount } from "../../src/attach.js";
import type { YavioWarning } from "../../src/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

const SIGNALS = ["SIGTERM", "SIGINT", "beforeExit", "exit"] as const;
const listenerCounts = (): number[] => SIGNALS.map((s) => process.listenerCount(s));

describe("session lifecycle", () => {
  it("ends a session idle longer than sessionIdleTimeoutMs, and a later call starts a new one", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const cap = capture();
    const server = withYavio(new McpServer({ name: "idle", version: "1" }), { ...cap.options, sessionIdleTimeoutMs: 60_000 });
    server.registerTool("t", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.callTool({ name: "t", arguments: {} });
    await getYavio(server).flush();
    const first = ofType(cap.sink.events, "tool_call")[0]!.session_id;
    await vi.advanceTimersByTimeAsync(59_000);
    expect(getYavio(server).stats().openSessions).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    await getYavio(server).flush();
    expect(getYavio(server).stats().openSessions).toBe(0);
    const end = ofType(cap.sink.events, "connection", "session_end");
    expect(end).toHaveLength(1);
    expect(end[0]!.metadata).toMatchObject({ reason: "idle", tool_calls: 1 });
    expect(end[0]!.session_id).toBe(first);

    await client.callTool({ name: "t", arguments: {} });
    await getYavio(server).flush();
    const starts = ofType(cap.sink.events, "connection", "session_start");
    expect(starts).toHaveLength(2);
    expect(starts[1]!.session_id).not.toBe(starts[0]!.session_id);
    await client.close();
    await getYavio(server).shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("shares one pipeline among 10 000 wrapped servers: no new runtimes, timers or process listeners", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const cap = capture();
    const first = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options });
    const runtimes = liveRuntimeCount();
    const timers = vi.getTimerCount();
    const listeners = listenerCounts();
    for (let i = 0; i < 10_000; i++) {
      // A fresh but equal options object each time, as a per-request factory would build it.
      withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options });
    }
    expect(liveRuntimeCount()).toBe(runtimes);
    expect(vi.getTimerCount()).toBe(timers);
    expect(listenerCounts()).toEqual(listeners);
    await getYavio(first).shutdown();
  });

  it("frees the state of ended sessions: open sessions return to zero after many connections", async () => {
    const cap = capture();
    const server0 = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
    for (let i = 0; i < 200; i++) {
      const server = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
      server.registerTool("t", {}, () => ({ content: [] }));
      const client = await connectClient(server);
      await client.callTool({ name: "t", arguments: {} });
      await client.close();
    }
    expect(getYavio(server0).stats().openSessions).toBe(0);
    await getYavio(server0).flush();
    expect(ofType(cap.sink.events, "connection", "session_end")).toHaveLength(200);
    await getYavio(server0).shutdown();
  });

  it("after shutdown, handlers still run and answer unchanged while no event is recorded", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
    server.registerTool("t", {}, () => ({ content: [{ type: "text", text: "still here" }] }));
    const client = await connectClient(server);
    await getYavio(server).shutdown();
    const before = cap.sink.events.length;
    const result = await client.callTool({ name: "t", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "still here" }]);
    expect(cap.sink.events.length).toBe(before);
    await client.close();
  });

  it("a server wrapped after connect() still gets a session", async () => {
    const cap = capture();
    const server = new McpServer({ name: "late", version: "1" });
    server.registerTool("t", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    withYavio(server, cap.options);
    await client.callTool({ name: "t", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    expect(ofType(cap.sink.events, "tool_call")).toHaveLength(1);
    expect(ofType(cap.sink.events, "connection", "session_end")).toHaveLength(1);
    await getYavio(server).shutdown();
  });

  it("warns YAVIO-1100 instead of throwing when given something that is not an MCP server", async () => {
    const cap = capture();
    const notAServer = { hello: "world" };
    expect(withYavio(notAServer, cap.options)).toBe(notAServer);
    expect(cap.warnings.map((w) => w.code)).toEqual(["YAVIO-1100"]);
    await getYavio(withYavio(new McpServer({ name: "x", version: "1" }), cap.options)).shutdown();
  });
});

describe("lifecycle edges", () => {
  it("keeps ctx.yavio usable after shutdown: calls do nothing, the tool answers unchanged, YAVIO-1208 once", async () => {
    const cap = capture();
    const a = withYavio(new McpServer({ name: "a", version: "1" }), cap.options);
    const b = withYavio(new McpServer({ name: "b", version: "1" }), cap.options);
    b.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify("u1");
      ctx.yavio.track("after");
      return { content: [{ type: "text", text: `ok ${String(ctx.yavio.userId)}` }] };
    });
    const client = await connectClient(b);
    await getYavio(a).shutdown(); // one server's handle shuts the shared configuration down
    const before = cap.sink.events.length;
    for (let i = 0; i < 2; i++) {
      const result = await client.callTool({ name: "login", arguments: {} });
      expect(result).toEqual({ content: [{ type: "text", text: "ok undefined" }] });
    }
    expect(cap.sink.events.length).toBe(before);
    expect(cap.warnings.filter((w) => w.code === "YAVIO-1208")).toHaveLength(1);
    await client.close();
  });

  it("records what a handler does after its client disconnected into its own session, opening no new one", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => (done = r));
    server.registerTool("slow", {}, async (ctx) => {
      ctx.yavio.identify("alice");
      await gate;
      ctx.yavio.track("late_work");
      done();
      return { content: [] };
    });
    const client = await connectClient(server);
    void client.callTool({ name: "slow", arguments: {} }).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    await client.close();
    release();
    await finished;
    await getYavio(server).flush();
    const sessions = new Set(cap.sink.events.map((e) => e.session_id));
    expect(sessions.size).toBe(1);
    expect(ofType(cap.sink.events, "connection", "session_start")).toHaveLength(1);
    expect(ofType(cap.sink.events, "track", "late_work")[0]).toMatchObject({ user_id: "alice" });
    expect(getYavio(server).stats().openSessions).toBe(0);
    await getYavio(server).shutdown();
  });

  it("resumes a derived session after an idle timeout under the same id and the same user", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const cap = capture();
    const options = { ...cap.options, sessionIdleTimeoutMs: 60_000, sessionKey: () => "user-token-1" };
    const server = withYavio(new McpServer({ name: "s", version: "1" }), options);
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify("alice", { plan: "pro" });
      return { content: [] };
    });
    server.registerTool("who", {}, (ctx) => ({ content: [{ type: "text", text: `${ctx.yavio.sessionId}|${String(ctx.yavio.userId)}` }] }));
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    const before = (await client.callTool({ name: "who", arguments: {} })).content as { text: string }[];
    await vi.advanceTimersByTimeAsync(120_000);
    const after = (await client.callTool({ name: "who", arguments: {} })).content as { text: string }[];
    expect(after[0]!.text).toBe(before[0]!.text);
    expect(after[0]!.text.endsWith("|alice")).toBe(true);
    await getYavio(server).shutdown();
    const reasons = ofType(cap.sink.events, "connection", "session_end").map((e) => e.metadata?.reason);
    expect(reasons).toEqual(["idle", "shutdown"]);
    expect(new Set(cap.sink.events.map((e) => e.user_id))).toEqual(new Set(["alice"]));
    await client.close();
  });

  it("never ends a session by idle timeout while one of its requests is still running", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionIdleTimeoutMs: 60_000 });
    let release: () => void = () => undefined;
    server.registerTool("long", {}, async () => {
      await new Promise<void>((r) => (release = r));
      return { content: [] };
    });
    const client = await connectClient(server);
    const call = client.callTool({ name: "long", arguments: {} }, undefined, { timeout: 10 * 60_000 });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(getYavio(server).stats().openSessions).toBe(1);
    release();
    await call;
    await getYavio(server).flush();
    expect(ofType(cap.sink.events, "connection", "session_end")).toHaveLength(0);
    await client.close();
    await getYavio(server).shutdown();
  });
});

describe("session-end flushes", () => {
  it("gathers the ends of sessions closed within a short window into one export (off stdio)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const cap = capture();
    const servers = Array.from({ length: 20 }, () => {
      const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, scheduledDelayMs: 60_000 });
      server.registerTool("t", {}, () => ({ content: [] }));
      return server;
    });
    for (const server of servers) {
      const client = await connectClient(server);
      await client.callTool({ name: "t", arguments: {} });
      await client.close();
    }
    expect(cap.sink.batches).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(cap.sink.batches).toBe(1);
    expect(ofType(cap.sink.events, "connection", "session_end")).toHaveLength(20);
    await getYavio(servers[0]!).shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("sharing one configuration", () => {
  it("shares one pipeline among calls whose options are rebuilt inline around the same sink and hooks", () => {
    const cap = capture();
    const onWarning = (w: YavioWarning): void => void cap.warnings.push(w);
    const before = liveRuntimeCount();
    const servers = Array.from({ length: 50 }, () =>
      withYavio(new McpServer({ name: "s", version: "1" }), {
        sink: cap.sink,
        logLevel: "silent",
        onWarning,
        sessionKey: (extra) => extra.requestInfo?.headers?.["x-user"] as string | undefined,
        pii: { patterns: [{ name: "order", pattern: /ORD-\d+/ }] },
      }),
    );
    expect(liveRuntimeCount()).toBe(before + 1);
    return getYavio(servers[0]!).shutdown();
  });

  it("keeps configurations with different closures apart: each tenant's beforeSend applies to its own events", async () => {
    const cap = capture();
    const make = (tenant: string) => {
      const server = withYavio(new McpServer({ name: "s", version: "1" }), {
        sink: cap.sink,
        logLevel: "silent",
        beforeSend: (e) => ({ ...e, metadata: { ...e.metadata, tenant } }),
      });
      server.registerTool("t", {}, () => ({ content: [] }));
      return server;
    };
    const a = make("tenant-a");
    const b = make("tenant-b");
    for (const server of [a, b]) {
      const client = await connectClient(server);
      await client.callTool({ name: "t", arguments: {} });
      await client.close();
    }
    await getYavio(a).shutdown();
    await getYavio(b).shutdown();
    const tenants = ofType(cap.sink.events, "tool_call").map((e) => e.metadata?.tenant);
    expect(tenants.sort()).toEqual(["tenant-a", "tenant-b"]);
  });

  it("uses each call's own sessionKey, so closures over per-call state keep working", async () => {
    const cap = capture();
    const make = (anchor: string) => {
      const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionKey: () => anchor });
      server.registerTool("who", {}, (ctx) => ({ content: [{ type: "text", text: ctx.yavio.sessionId ?? "" }] }));
      return server;
    };
    const a = make("anchor-a");
    const b = make("anchor-b");
    const ca = await connectClient(a);
    const cb = await connectClient(b);
    const sa = ((await ca.callTool({ name: "who", arguments: {} })).content as { text: string }[])[0]!.text;
    const sb = ((await cb.callTool({ name: "who", arguments: {} })).content as { text: string }[])[0]!.text;
    expect(sa).not.toBe(sb);
    await ca.close();
    await cb.close();
    await getYavio(a).shutdown();
  });

  it("warns YAVIO-1104 once when many distinct configurations pile up", async () => {
    const warnings: string[] = [];
    const servers = Array.from({ length: 20 }, () =>
      withYavio(new McpServer({ name: "s", version: "1" }), { sink: { name: "fresh", send: () => Promise.resolve({ status: "success" as const }) }, logLevel: "silent", onWarning: (w) => warnings.push(w.code) }),
    );
    expect(warnings.filter((c) => c === "YAVIO-1104")).toHaveLength(1);
    for (const server of servers) await getYavio(server).shutdown();
  });
});

describe("identity across idle ends and logouts (second review)", () => {
  it("keeps the user of a connection over an idle end: a new session id, the same person", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionIdleTimeoutMs: 60_000 });
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify("alice");
      return { content: [] };
    });
    server.registerTool("who", {}, (ctx) => ({ content: [{ type: "text", text: `${ctx.yavio.sessionId}|${String(ctx.yavio.userId)}` }] }));
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    const first = ((await client.callTool({ name: "who", arguments: {} })).content as { text: string }[])[0]!.text;
    sweepLater(server);
    const second = ((await client.callTool({ name: "who", arguments: {} })).content as { text: string }[])[0]!.text;
    expect(second.split("|")[0]).not.toBe(first.split("|")[0]);
    expect(second.split("|")[1]).toBe("alice");
    await client.close();
    await getYavio(server).shutdown();
  });

  it("never lets a derived id name two users: after a logout the anchor derives no id again", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionKey: () => "conversation-1", sessionIdleTimeoutMs: 60_000 });
    server.registerTool("login", { inputSchema: { user: z.string() } }, ({ user }, ctx) => {
      ctx.yavio.identify(user);
      return { content: [] };
    });
    server.registerTool("logout", {}, (ctx) => {
      ctx.yavio.reset();
      return { content: [] };
    });
    server.registerTool("ping_tool", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: { user: "alice" } });
    await client.callTool({ name: "logout", arguments: {} });
    await client.callTool({ name: "login", arguments: { user: "bob" } });
    sweepLater(server);
    await client.callTool({ name: "ping_tool", arguments: {} });
    await client.callTool({ name: "login", arguments: { user: "carol" } });
    await getYavio(server).shutdown();
    const usersBySession = new Map<string, Set<string>>();
    for (const e of cap.sink.events) {
      if (e.user_id === undefined) continue;
      usersBySession.set(e.session_id, (usersBySession.get(e.session_id) ?? new Set()).add(e.user_id));
    }
    for (const users of usersBySession.values()) expect(users.size).toBe(1);
    await client.close();
  });

  it("resumes a derived session's funnel after an idle end (step_sequence goes on)", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionKey: () => "conversation-2", sessionIdleTimeoutMs: 60_000 });
    server.registerTool("step", {}, (ctx) => {
      ctx.yavio.step("next");
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "step", arguments: {} });
    await client.callTool({ name: "step", arguments: {} });
    sweepLater(server);
    await client.callTool({ name: "step", arguments: {} });
    await getYavio(server).shutdown();
    expect(ofType(cap.sink.events, "step").map((e) => e.step_sequence)).toEqual([1, 2, 3]);
    expect(ofType(cap.sink.events, "connection", "session_start")[1]!.metadata).toMatchObject({ resumed: true });
    await client.close();
  });
});

/** Runs the idle sweep as if the timeout had passed, without waiting. */
function sweepLater(server: object): void {
  const low = (server as { server: Record<symbol, { runtime: { sweep(now: number): void } }> }).server;
  low[Symbol.for("yavio-mcp.binding")]!.runtime.sweep(Date.now() + 10 * 60_000);
}

describe("configurations nothing uses any more", () => {
  it("are shut down and forgotten once their servers are garbage-collected (child process with --expose-gc)", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const script = fileURLToPath(new URL("../fixtures/runtime-release.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", import.meta.resolve("tsx"), script], { encoding: "utf8" });
    const { created, left } = JSON.parse(out) as { created: number; left: number };
    expect(created).toBe(200);
    expect(left).toBe(0);
  });
});
