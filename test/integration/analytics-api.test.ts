import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WireEvent, YavioContext, YavioMcpServer } from "../../src/index.js";
import { getYavio, withYavio, yavio } from "../../src/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

const SES = /^ses_[A-Za-z0-9_-]{21}$/;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

/** A server with one tool that runs whatever the test puts in `act` with ctx.yavio. */
function harness(options: Record<string, unknown> = {}) {
  const cap = capture();
  const server: YavioMcpServer = withYavio(new McpServer({ name: "api", version: "1" }), { ...cap.options, ...options });
  let act: (y: YavioContext) => void = () => undefined;
  server.registerTool("act", { inputSchema: { label: z.string().optional() } }, (_args, ctx) => {
    act(ctx.yavio);
    return { content: [{ type: "text", text: ctx.yavio.sessionId ?? "" }] };
  });
  cleanups.push(() => getYavio(server).shutdown());
  let client: Client | undefined;
  const run = async (fn: (y: YavioContext) => void, label = "act"): Promise<string> => {
    client ??= await connectClient(server);
    act = fn;
    const result = await client.callTool({ name: "act", arguments: { label } });
    return (result.content as { text: string }[])[0]!.text;
  };
  const events = async (): Promise<WireEvent[]> => {
    await getYavio(server).flush();
    return cap.sink.events;
  };
  const close = async () => {
    await client?.close();
    await getYavio(server).flush();
  };
  return { ...cap, server, run, events, close };
}

describe("custom events", () => {
  it("records funnel steps with step_sequence counting from 1 per session", async () => {
    const h = harness();
    await h.run((y) => y.step("opened", { source: "search" }));
    await h.run((y) => {
      y.step("drafted");
      y.step("sent");
    });
    const steps = ofType(await h.events(), "step");
    expect(steps.map((s) => [s.event_name, s.step_sequence])).toEqual([
      ["opened", 1],
      ["drafted", 2],
      ["sent", 3],
    ]);
    expect(steps[0]!.metadata).toEqual({ source: "search" });
  });

  it("records a conversion with its value and the currency in upper case", async () => {
    const h = harness();
    await h.run((y) => y.conversion("invoice_paid", { value: 49.9, currency: "eur", meta: { plan: "pro" } }));
    const [conv] = ofType(await h.events(), "conversion");
    expect(conv).toMatchObject({ event_name: "invoice_paid", conversion_value: 49.9, conversion_currency: "EUR", metadata: { plan: "pro" } });
  });

  it.each([
    ["a NaN value", { value: Number.NaN, currency: "USD" }],
    ["an infinite value", { value: Number.POSITIVE_INFINITY, currency: "USD" }],
    ["a string value", { value: "10", currency: "USD" }],
    ["no currency", { value: 10 }],
    ["a 4-letter currency", { value: 10, currency: "EURO" }],
    ["a currency that is not ISO 4217", { value: 10, currency: "QQQ" }],
    ["a numeric currency", { value: 10, currency: 978 }],
  ])("refuses a conversion with %s: YAVIO-1303 and no event", async (_label, data) => {
    const h = harness();
    await h.run((y) => y.conversion("paid", data as never));
    expect(ofType(await h.events(), "conversion")).toHaveLength(0);
    expect(h.warnings.map((w) => w.code)).toEqual(["YAVIO-1303"]);
  });

  it.each([
    ["track with an empty name", (y: YavioContext) => y.track("")],
    ["track with a 257-character name", (y: YavioContext) => y.track("e".repeat(257))],
    ["track with a non-string name", (y: YavioContext) => y.track(42 as never)],
    ["step with a blank name", (y: YavioContext) => y.step("  ")],
    ["walletAddress with an empty address", (y: YavioContext) => y.walletAddress("")],
    ["walletAddress with a number", (y: YavioContext) => y.walletAddress(12 as never)],
  ])("ignores %s with YAVIO-1300 and records nothing", async (_label, call) => {
    const h = harness();
    await h.run(call);
    const events = await h.events();
    expect(events.filter((e) => !["connection", "tool_call"].includes(e.event_type))).toHaveLength(0);
    expect(h.warnings.map((w) => w.code)).toEqual(["YAVIO-1300"]);
  });

  it("keeps a track event but drops properties that are not a plain object, with YAVIO-1300", async () => {
    const h = harness();
    await h.run((y) => y.track("ok_event", ["not", "an", "object"] as never));
    const [track] = ofType(await h.events(), "track");
    expect(track!.event_name).toBe("ok_event");
    expect(track!.metadata).toBeUndefined();
    expect(h.warnings.map((w) => w.code)).toEqual(["YAVIO-1300"]);
  });

  it("makes track properties JSON-safe and cuts an oversized event with YAVIO-1304", async () => {
    const h = harness();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await h.run((y) => y.track("safe", { big: 12n, when: new Date(0), circular, fn: () => 1 }));
    await h.run((y) => y.track("huge", { blob: "a".repeat(80_000) }));
    const events = await h.events();
    expect(ofType(events, "track", "safe")[0]!.metadata).toEqual({ big: "12", when: "1970-01-01T00:00:00.000Z", circular: { self: "[Circular]" } });
    const huge = ofType(events, "track", "huge")[0]!;
    expect(JSON.stringify(huge).length).toBeLessThanOrEqual(50_000);
    expect(huge.metadata).toMatchObject({ truncated: true });
    expect(h.warnings.map((w) => w.code)).toContain("YAVIO-1304");
  });

  it("captures an Error with class, message, category, severity and a trimmed stack", async () => {
    const h = harness();
    class PaymentDeclined extends Error {
      override name = "PaymentDeclined";
    }
    await h.run((y) => y.captureError(new PaymentDeclined("card declined: insufficient funds"), { severity: "critical", properties: { attempt: 2 } }));
    const [err] = ofType(await h.events(), "track", "$exception");
    expect(err).toMatchObject({ error_message: "card declined: insufficient funds", metadata: { error_class: "PaymentDeclined", severity: "critical", attempt: 2 } });
    const stack = String(err!.metadata!.stack);
    expect(stack.split("\n").length).toBeLessThanOrEqual(12);
    expect(stack).toMatch(/^at /);
  });

  it.each([
    ["a string", "plain failure", "string", "plain failure"],
    ["an object with a message", { message: "object failure", code: 7 }, "Object", "object failure"],
    ["a number", 404, "number", "404"],
    ["null", null, "object", "null"],
  ])("captures %s thrown as a non-Error value", async (_label, value, errorClass, message) => {
    const h = harness();
    await h.run((y) => y.captureError(value));
    const [err] = ofType(await h.events(), "track", "$exception");
    expect(err).toMatchObject({ error_message: message, metadata: { error_class: errorClass, severity: "error" } });
  });

  it("warns on an unknown severity and records the error as severity error", async () => {
    const h = harness();
    await h.run((y) => y.captureError(new Error("x"), { severity: "fatal" as never }));
    const [err] = ofType(await h.events(), "track", "$exception");
    expect(err!.metadata!.severity).toBe("error");
    expect(h.warnings.map((w) => w.code)).toEqual(["YAVIO-1300"]);
  });

  it("stores a wallet address with the traits and emits identify only when it changes", async () => {
    const h = harness();
    await h.run((y) => {
      y.walletAddress("0xabc123");
      y.walletAddress("0xabc123");
    });
    await h.run((y) => y.track("after"));
    const events = await h.events();
    expect(ofType(events, "identify")).toHaveLength(1);
    expect(ofType(events, "track", "after")[0]!.user_traits).toEqual({ wallet_address: "0xabc123" });
  });
});

describe("retroactive stitching", () => {
  it("gives undelivered anonymous events the userId and metadata.stitched once identify runs", async () => {
    const h = harness();
    await h.run((y) => y.track("browse"));
    await h.run((y) => y.identify("u1"));
    const events = await h.events();
    const browse = ofType(events, "track", "browse")[0]!;
    expect(browse).toMatchObject({ user_id: "u1", metadata: { stitched: true } });
    const start = ofType(events, "connection", "session_start")[0]!;
    expect(start).toMatchObject({ user_id: "u1", metadata: { stitched: true } });
    const identifyEvent = ofType(events, "identify")[0]!;
    expect(identifyEvent.metadata).toMatchObject({ session_user_link: true });
    expect(identifyEvent.metadata!.stitched).toBeUndefined();
  });

  it("leaves already delivered events as they were; the identify event carries the session→user link", async () => {
    const h = harness();
    await h.run((y) => y.track("browse"));
    await getYavio(h.server).flush(); // delivered before identify
    await h.run((y) => y.identify("u1"));
    const events = await h.events();
    expect(ofType(events, "track", "browse")[0]!.user_id).toBeUndefined();
    const identifyEvent = ofType(events, "identify")[0]!;
    expect(identifyEvent).toMatchObject({ user_id: "u1", session_id: ofType(events, "track", "browse")[0]!.session_id });
  });

  it("does not stitch with stitching: off", async () => {
    const h = harness({ stitching: "off" });
    await h.run((y) => y.track("browse"));
    await h.run((y) => y.identify("u1"));
    const browse = ofType(await h.events(), "track", "browse")[0]!;
    expect(browse.user_id).toBeUndefined();
    expect(browse.metadata?.stitched).toBeUndefined();
  });
});

describe("reset (logout within a connection)", () => {
  it("follows a scripted session event by event: anonymous, identify, steps, conversion, logout, another user", async () => {
    const h = harness();
    const s1 = await h.run((y) => y.track("landing"));
    await h.run((y) => y.identify("alice", { plan: "free" }));
    await h.run((y) => y.step("cart"));
    await h.run((y) => {
      y.identify("alice", { plan: "pro" });
      y.step("checkout");
      y.conversion("upgrade", { value: 20, currency: "usd" });
    });
    await h.run((y) => y.reset(), "logout");
    const s2 = await h.run((y) => y.identify("bob"));
    await h.run((y) => y.step("cart"));
    await h.close();
    expect(s1).toMatch(SES);
    expect(s2).toMatch(SES);
    expect(s2).not.toBe(s1);
    const rows = (await h.events())
      .filter((e) => e.event_type !== "tool_call")
      .map((e) => ({
        session: e.session_id === s1 ? "s1" : e.session_id === s2 ? "s2" : "?",
        what: `${e.event_type}:${e.event_name ?? ""}`,
        user: e.user_id ?? "-",
        plan: (e.user_traits?.plan as string | undefined) ?? "-",
        step: e.step_sequence ?? "-",
        stitched: e.metadata?.stitched === true,
      }));
    expect(rows).toEqual([
      { session: "s1", what: "connection:session_start", user: "alice", plan: "-", step: "-", stitched: true },
      { session: "s1", what: "track:landing", user: "alice", plan: "-", step: "-", stitched: true },
      { session: "s1", what: "identify:", user: "alice", plan: "free", step: "-", stitched: false },
      { session: "s1", what: "step:cart", user: "alice", plan: "free", step: 1, stitched: false },
      { session: "s1", what: "identify:", user: "alice", plan: "pro", step: "-", stitched: false },
      { session: "s1", what: "step:checkout", user: "alice", plan: "pro", step: 2, stitched: false },
      { session: "s1", what: "conversion:upgrade", user: "alice", plan: "pro", step: "-", stitched: false },
      { session: "s1", what: "connection:session_end", user: "alice", plan: "pro", step: "-", stitched: false },
      { session: "s2", what: "connection:session_start", user: "bob", plan: "-", step: "-", stitched: true },
      { session: "s2", what: "identify:", user: "bob", plan: "-", step: "-", stitched: false },
      { session: "s2", what: "step:cart", user: "bob", plan: "-", step: 1, stitched: false },
      { session: "s2", what: "connection:session_end", user: "bob", plan: "-", step: "-", stitched: false },
    ]);
    // The logout call itself belongs to the session it started in.
    const logout = ofType(await h.events(), "tool_call").find((e) => (e.input_values as { label?: string }).label === "logout")!;
    expect(logout).toMatchObject({ session_id: s1, user_id: "alice" });
    expect(ofType(await h.events(), "connection", "session_end")[0]!.metadata).toMatchObject({ reason: "reset" });
  });

  it("leaves no empty session behind when the client disconnects right after a logout", async () => {
    const h = harness();
    const s1 = await h.run((y) => y.identify("alice"));
    await h.run((y) => y.reset(), "logout");
    await h.close();
    const events = await h.events();
    expect(new Set(events.map((e) => e.session_id))).toEqual(new Set([s1]));
    expect(ofType(events, "connection", "session_start")).toHaveLength(1);
    expect(getYavio(h.server).stats().openSessions).toBe(0);
  });

  it("lets a new identify after reset set a different user without YAVIO-1302", async () => {
    const h = harness();
    await h.run((y) => {
      y.identify("alice");
      y.reset();
      y.identify("bob");
    });
    expect(h.warnings.map((w) => w.code)).not.toContain("YAVIO-1302");
    await h.close();
    const identifies = ofType(await h.events(), "identify");
    expect(identifies.map((e) => e.user_id)).toEqual(["alice", "bob"]);
    expect(identifies[0]!.session_id).not.toBe(identifies[1]!.session_id);
  });
});

describe("forUser contexts outside handlers", () => {
  it("records events with the identity pre-set, in a session of its own, without connection events", async () => {
    const h = harness();
    const ctx = getYavio(h.server).forUser("user_42");
    ctx.track("webhook_received", { provider: "stripe" });
    ctx.conversion("renewal", { value: 99, currency: "usd" });
    expect(ctx.userId).toBe("user_42");
    expect(ctx.sessionId).toMatch(SES);
    const events = (await h.events()).filter((e) => e.session_id === ctx.sessionId);
    expect(events.map((e) => `${e.event_type}:${e.event_name}`)).toEqual(["track:webhook_received", "conversion:renewal"]);
    expect(events.every((e) => e.user_id === "user_42")).toBe(true);
    expect(new Set(events.map((e) => e.trace_id)).size).toBe(2);
  });

  it("caches contexts per key: the same distinctId gives the same context and session", async () => {
    const h = harness();
    const a = getYavio(h.server).forUser("u1");
    expect(getYavio(h.server).forUser("u1")).toBe(a);
    expect(yavio.forUser("u1")).toBe(a);
    expect(getYavio(h.server).forUser("u2")).not.toBe(a);
    expect(getYavio(h.server).forUser("u1", { sessionId: "browser-7" })).not.toBe(a);
  });

  it("bounds the cache: the least recently used context is evicted", () => {
    const h = harness();
    const handle = getYavio(h.server);
    const first = handle.forUser("user-0");
    for (let i = 1; i <= 1000; i++) handle.forUser(`user-${i}`);
    expect(handle.forUser("user-0")).not.toBe(first);
  });

  it("after reset() on a cached context, forUser gives a fresh context identified as the user again", async () => {
    const h = harness();
    const handle = getYavio(h.server);
    const first = handle.forUser("user_42");
    first.reset();
    expect(first.userId).toBeUndefined();
    const again = handle.forUser("user_42");
    expect(again).not.toBe(first);
    expect(again.userId).toBe("user_42");
    again.track("after_logout_job");
    expect(ofType(await h.events(), "track", "after_logout_job")[0]!.user_id).toBe("user_42");
  });

  it("ends the session of a context evicted from the cache, so open sessions stay bounded", () => {
    const h = harness();
    const handle = getYavio(h.server);
    for (let i = 0; i < 3000; i++) handle.forUser(`user-${i}`).track("job");
    expect(handle.stats().openSessions).toBeLessThanOrEqual(1000);
  });

  it("correlates with a given sessionId, for example a browser's", async () => {
    const h = harness();
    h.server.registerTool("noop", {}, () => ({ content: [] }));
    const ctx = yavio.forUser("u5", { sessionId: "web_abc123" });
    ctx.step("viewed_pricing");
    const [step] = ofType(await h.events(), "step");
    expect(step).toMatchObject({ session_id: "web_abc123", user_id: "u5", step_sequence: 1 });
  });

  it("joins a live anonymous MCP session by its id and identifies it", async () => {
    const h = harness();
    const sid = await h.run(() => undefined);
    getYavio(h.server).forUser("bob", { sessionId: sid }).conversion("renewal", { value: 99, currency: "USD" });
    const [conversion] = ofType(await h.events(), "conversion");
    expect(conversion).toMatchObject({ session_id: sid, user_id: "bob" });
  });

  it("never books a user's events to a live session identified as someone else (YAVIO-1302, own session)", async () => {
    const h = harness();
    const sid = await h.run((y) => y.identify("alice"));
    const a = getYavio(h.server).forUser("bob", { sessionId: sid });
    a.conversion("renewal", { value: 99, currency: "USD" });
    const b = getYavio(h.server).forUser("bob", { sessionId: sid });
    expect(b).toBe(a);
    expect(h.warnings.filter((w) => w.code === "YAVIO-1302")).toHaveLength(1);
    const [conversion] = ofType(await h.events(), "conversion");
    expect(conversion!.user_id).toBe("bob");
    expect(conversion!.session_id).not.toBe(sid);
  });

  it("warns YAVIO-1300 for an invalid distinctId and records nothing through that context", async () => {
    const h = harness();
    const bad = getYavio(h.server).forUser("");
    bad.identify("carol");
    bad.track("anon_job");
    expect(bad.userId).toBeUndefined();
    expect(ofType(await h.events(), "track", "anon_job")).toHaveLength(0);
    expect(ofType(await h.events(), "identify")).toHaveLength(0);
    expect(h.warnings.every((w) => w.code === "YAVIO-1300")).toBe(true);
  });
});

describe("identity over random sequences (property)", () => {
  type Op = { op: "identify"; user: string } | { op: "track" } | { op: "reset" } | { op: "flush" };
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant("identify" as const), user: fc.constantFrom("u1", "u2", "u3") }),
      fc.record({ op: fc.constant("track" as const) }),
      fc.record({ op: fc.constant("reset" as const) }),
      fc.record({ op: fc.constant("flush" as const) }),
    ),
    { maxLength: 25 },
  );

  it("every delivered event's user_id follows the rules (stitched or not) and no event is lost or duplicated", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (script: Op[]) => {
        const h = harness({ scheduledDelayMs: 60_000 });
        // The model: per analytics session, the userId once set, and which tracks were delivered before it was.
        const expected: { n: number; session: number; user: string | undefined; delivered: boolean }[] = [];
        const sessionUser: (string | undefined)[] = [undefined];
        let session = 0;
        let n = 0;
        for (const step of script) {
          if (step.op === "identify") {
            await h.run((y) => y.identify(step.user));
            sessionUser[session] ??= step.user;
            // Events of this session not yet delivered get the user by stitching.
            for (const e of expected) if (e.session === session && !e.delivered && e.user === undefined) e.user = sessionUser[session];
          } else if (step.op === "track") {
            const id = n++;
            await h.run((y) => y.track("t", { n: id }));
            expected.push({ n: id, session, user: sessionUser[session], delivered: false });
          } else if (step.op === "reset") {
            await h.run((y) => y.reset());
            // reset flushes: everything recorded so far is delivered.
            for (const e of expected) e.delivered = true;
            session += 1;
            sessionUser[session] = undefined;
          } else {
            await getYavio(h.server).flush();
            for (const e of expected) e.delivered = true;
          }
        }
        const tracks = ofType(await h.events(), "track", "t");
        expect(tracks.map((t) => t.metadata!.n)).toEqual(expected.map((e) => e.n));
        expect(new Set(tracks.map((t) => t.event_id)).size).toBe(tracks.length);
        for (const [i, track] of tracks.entries()) expect(track.user_id).toBe(expected[i]!.user);
        const sessions = new Set(tracks.map((t) => t.session_id));
        expect(sessions.size).toBe(new Set(expected.map((e) => e.session)).size);
        await getYavio(h.server).shutdown();
      }),
      { numRuns: 60 },
    );
  });
});
