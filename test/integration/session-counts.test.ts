import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient } from "../helpers.js";

/** A server whose tools identify, reset, fail and succeed, plus a resource and a prompt. */
function buildServer(options: ReturnType<typeof capture>["options"]): McpServer {
  const server = withYavio(new McpServer({ name: "counts", version: "1.0.0" }), options);
  server.registerTool("ok", {}, () => ({ content: [{ type: "text", text: "ok" }] }));
  server.registerTool("is_error", {}, () => ({ content: [{ type: "text", text: "no" }], isError: true }));
  server.registerTool("throws", {}, () => {
    throw new Error("boom");
  });
  server.registerTool("login_a", {}, (extra) => {
    extra.yavio.identify("user_a", { plan: "pro" });
    return { content: [{ type: "text", text: "a" }] };
  });
  server.registerTool("login_b", {}, (extra) => {
    extra.yavio.identify("user_b");
    return { content: [{ type: "text", text: "b" }] };
  });
  server.registerTool("logout", {}, async (extra) => {
    extra.yavio.reset();
    await Promise.resolve();
    extra.yavio.track("after_logout");
    return { content: [{ type: "text", text: "bye" }] };
  });
  server.registerTool("step", {}, (extra) => {
    extra.yavio.step("next");
    return { content: [{ type: "text", text: "step" }] };
  });
  server.registerResource("doc", "doc://one", {}, (uri) => ({ contents: [{ uri: uri.href, text: "one" }] }));
  server.registerPrompt("p", {}, () => ({ messages: [{ role: "user", content: { type: "text", text: "hi" } }] }));
  return server;
}

type Op =
  | { kind: "tool"; name: string }
  | { kind: "resource" }
  | { kind: "prompt" }
  | { kind: "disconnect" };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("ok", "is_error", "throws", "login_a", "login_b", "logout", "step").map((name) => ({ kind: "tool" as const, name })) },
  { weight: 1, arbitrary: fc.constant({ kind: "resource" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "prompt" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "disconnect" as const }) },
);

/** Checks every ended session's counts against the session's own events, in delivery order. */
function checkCounts(events: readonly WireEvent[]): void {
  const bySession = new Map<string, WireEvent[]>();
  for (const event of events) {
    const list = bySession.get(event.session_id) ?? [];
    list.push(event);
    bySession.set(event.session_id, list);
  }
  for (const [sessionId, list] of bySession) {
    const starts = list.filter((e) => e.event_name === "session_start");
    const ends = list.filter((e) => e.event_name === "session_end");
    expect(starts.length, `${sessionId}: one session_start`).toBe(1);
    expect(ends.length, `${sessionId}: one session_end`).toBe(1);
    const end = ends[0]!;
    expect(list.at(-1), `${sessionId}: nothing after its session_end`).toBe(end);
    const meta = end.metadata as Record<string, unknown>;
    const counted = (type: string) => list.filter((e) => e.event_type === type).length;
    expect(meta.tool_calls, `${sessionId}: tool_calls`).toBe(counted("tool_call"));
    expect(meta.resource_reads, `${sessionId}: resource_reads`).toBe(counted("resource_access"));
    expect(meta.prompt_gets, `${sessionId}: prompt_gets`).toBe(counted("prompt_usage"));
    const errors = list.filter((e) => ["tool_call", "resource_access", "prompt_usage"].includes(e.event_type) && e.status === "error").length;
    expect(meta.errors, `${sessionId}: errors`).toBe(errors);
  }
}

describe("session_end counts", () => {
  it("equal the events of their session for random scripts of calls, identifies, resets and disconnects", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength: 25 }), async (script) => {
        const cap = capture();
        let server = buildServer(cap.options);
        let client = await connectClient(server);
        for (const op of script) {
          if (op.kind === "tool") await client.callTool({ name: op.name, arguments: {} });
          else if (op.kind === "resource") await client.readResource({ uri: "doc://one" });
          else if (op.kind === "prompt") await client.getPrompt({ name: "p" });
          else {
            await client.close();
            server = buildServer(cap.options);
            client = await connectClient(server);
          }
        }
        await client.close();
        await getYavio(server).shutdown();
        const events = cap.sink.events;
        checkCounts(events);
        // Every call the client made is an event of some session.
        const calls = script.filter((op) => op.kind !== "disconnect").length;
        expect(events.filter((e) => ["tool_call", "resource_access", "prompt_usage"].includes(e.event_type)).length).toBe(calls);
      }),
      { numRuns: 40 },
    );
  });

  it("puts the call that ran reset() in the old session, before its session_end", async () => {
    const cap = capture();
    const server = buildServer(cap.options);
    const client = await connectClient(server);
    await client.callTool({ name: "login_a", arguments: {} });
    await client.callTool({ name: "logout", arguments: {} });
    await client.callTool({ name: "ok", arguments: {} });
    await client.close();
    await getYavio(server).shutdown();
    const events = cap.sink.events;
    const logout = events.find((e) => e.event_type === "tool_call" && e.event_name === "logout")!;
    const ends = events.filter((e) => e.event_name === "session_end");
    const firstEnd = ends.find((e) => e.session_id === logout.session_id)!;
    expect(events.indexOf(logout)).toBeLessThan(events.indexOf(firstEnd));
    expect((firstEnd.metadata as Record<string, unknown>).tool_calls).toBe(2);
    expect((firstEnd.metadata as Record<string, unknown>).reason).toBe("reset");
    // What the handler recorded after reset() belongs to the new session.
    const after = events.find((e) => e.event_name === "after_logout")!;
    expect(after.session_id).not.toBe(logout.session_id);
    checkCounts(events);
  });
});
