// The same behavioural questions asked of every SDK generation, protocol era and transport.
import { afterEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import type { Driver, Harness } from "./drivers.js";
import { DRIVERS } from "./drivers.js";

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

async function start(driver: Driver, wrapped = true, anchored = true): Promise<Harness> {
  const h = await driver.start({ wrapped, anchored });
  harnesses.push(h);
  return h;
}

function texts(result: unknown): string {
  const r = result as { content?: { text?: string }[]; contents?: { text?: string }[]; messages?: { content: { text?: string } }[] };
  if (r.content) return r.content.map((c) => c.text ?? "").join("");
  if (r.contents) return r.contents.map((c) => c.text ?? "").join("");
  return (r.messages ?? []).map((m) => m.content.text ?? "").join("");
}

function whoOf(text: string): { kind: string; sessionId: string | null; userId: string | null } {
  return JSON.parse(text.slice(text.indexOf("{"))) as { kind: string; sessionId: string | null; userId: string | null };
}

const SES = /^ses_[A-Za-z0-9_-]{21}$/;

/** Every session: one start, one end last, and counts equal to its own events. */
function checkSessions(events: readonly WireEvent[]): void {
  const bySession = new Map<string, WireEvent[]>();
  for (const e of events) bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e]);
  for (const [id, list] of bySession) {
    expect(list.filter((e) => e.event_name === "session_start"), `${id} starts once`).toHaveLength(1);
    const ends = list.filter((e) => e.event_name === "session_end");
    expect(ends, `${id} ends once`).toHaveLength(1);
    expect(list.at(-1), `${id}: nothing after its end`).toBe(ends[0]);
    const meta = ends[0]!.metadata as Record<string, number>;
    expect(meta.tool_calls, `${id} tool_calls`).toBe(list.filter((e) => e.event_type === "tool_call").length);
    expect(meta.resource_reads, `${id} resource_reads`).toBe(list.filter((e) => e.event_type === "resource_access").length);
    expect(meta.prompt_gets, `${id} prompt_gets`).toBe(list.filter((e) => e.event_type === "prompt_usage").length);
  }
}

describe.each(DRIVERS)("parity: $label", (driver) => {
  const anchor = driver.perConnection ? undefined : "conversation-1";

  it("gives ctx.yavio to every handler kind, all in the request's session", async () => {
    const h = await start(driver);
    const conn = await h.connect("cursor-vscode", anchor);
    const seen = [
      whoOf(texts(await conn.client.callTool({ name: "whoami", arguments: {} }))),
      whoOf(texts(await conn.client.readResource({ uri: "doc://one" }))),
      whoOf(texts(await conn.client.readResource({ uri: "user://7" }))),
      whoOf(texts(await conn.client.getPrompt({ name: "greet", arguments: { name: "ann" } }))),
    ];
    await conn.close();
    expect(seen.map((s) => s.kind)).toEqual(["tool", "resource", "template", "prompt"]);
    expect(seen[0]!.sessionId).toMatch(SES);
    expect(new Set(seen.map((s) => s.sessionId)).size).toBe(1);
    const events = await h.finish();
    expect(new Set(events.map((e) => e.session_id))).toEqual(new Set([seen[0]!.sessionId]));
    const resource = events.find((e) => e.event_type === "resource_access" && e.event_name === "user://7")!;
    expect(resource.metadata).toMatchObject({ resource_name: "user" });
  });

  it("keeps the identity rules: the first userId wins, a conflict is ignored with YAVIO-1302, later events carry the user", async () => {
    const h = await start(driver);
    const conn = await h.connect("cursor-vscode", anchor);
    await conn.client.callTool({ name: "login", arguments: { user: "ann" } });
    await conn.client.callTool({ name: "login", arguments: { user: "bob" } });
    const me = whoOf(texts(await conn.client.callTool({ name: "whoami", arguments: {} })));
    await conn.close();
    expect(me.userId).toBe("ann");
    const events = await h.finish();
    const identifies = events.filter((e) => e.event_type === "identify");
    expect(identifies).toHaveLength(1);
    expect(identifies[0]!.user_traits).toEqual({ plan: "pro" });
    expect(events.filter((e) => e.event_type === "tool_call").every((e) => e.user_id === "ann")).toBe(true);
    expect(events.some((e) => e.user_id === "bob")).toBe(false);
    expect(h.warnings.filter((w) => w.code === "YAVIO-1302")).toHaveLength(1);
  });

  it("records the client, the protocol version and the transport on session_start, and the call's fields", async () => {
    const h = await start(driver);
    const conn = await h.connect("cursor-vscode", anchor);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await conn.client.callTool({ name: "echo", arguments: { text: "hello" }, _meta: { traceparent } });
    await conn.close();
    const events = await h.finish();
    const start_ = events.find((e) => e.event_name === "session_start")!;
    expect(start_).toMatchObject({ client_name: "cursor-vscode", client_version: "1.0.0", platform: "cursor", protocol_version: driver.era, transport: driver.transport });
    const call = events.find((e) => e.event_type === "tool_call")!;
    expect(call).toMatchObject({ tool_name: "echo", status: "success", input_keys: ["text"], input_types: { text: "string" }, input_values: { text: "hello" }, platform: "cursor" });
    expect(call.latency_ms).toBeGreaterThanOrEqual(0);
    expect(call.metadata).toMatchObject({ traceparent });
  });

  it("sees a thrown tool error with its class, while the client gets the SDK's own error result", async () => {
    const h = await start(driver);
    const conn = await h.connect("cursor-vscode", anchor);
    const result = (await conn.client.callTool({ name: "fail", arguments: {} })) as { isError?: boolean };
    await conn.close();
    expect(result.isError).toBe(true);
    expect(texts(result)).toContain("upstream broke");
    const events = await h.finish();
    const call = events.find((e) => e.event_type === "tool_call" && e.event_name === "fail")!;
    expect(call).toMatchObject({ status: "error", error_message: "upstream broke" });
    expect(call.metadata).toMatchObject({ error_class: "TypeError", error_source: "thrown" });
  });

  it("ends every session once, with counts equal to its events, when clients disconnect", async () => {
    const h = await start(driver);
    for (const [i, name] of ["cursor-vscode", "claude-code"].entries()) {
      const conn = await h.connect(name, driver.perConnection ? undefined : `conversation-${i}`);
      await conn.client.callTool({ name: "login", arguments: { user: `user-${i}` } });
      await conn.client.callTool({ name: "step", arguments: { name: "one" } });
      await conn.client.callTool({ name: "step", arguments: { name: "two" } });
      await conn.client.callTool({ name: "is_error", arguments: {} });
      await conn.client.readResource({ uri: "doc://one" });
      await conn.client.getPrompt({ name: "greet", arguments: { name: "x" } });
      await conn.close();
    }
    const events = await h.finish();
    checkSessions(events);
    const sessions = new Set(events.map((e) => e.session_id));
    expect(sessions.size).toBe(2);
    for (const id of sessions) {
      const steps = events.filter((e) => e.session_id === id && e.event_type === "step").map((e) => e.step_sequence);
      expect(steps).toEqual([1, 2]);
      const end = events.find((e) => e.session_id === id && e.event_name === "session_end")!;
      // Per-connection sessions end with their connection; anchored ones live until idle or shutdown.
      expect((end.metadata as { reason: string }).reason).toBe(driver.perConnection ? "close" : "shutdown");
      expect((end.metadata as { errors: number }).errors).toBe(1);
    }
  });

  it("gives the client the same answers wrapped as bare", async () => {
    const script = async (h: Harness): Promise<unknown[]> => {
      const conn = await h.connect("cursor-vscode", anchor);
      const out: unknown[] = [];
      const attempt = async (fn: () => Promise<unknown>) => {
        try {
          out.push(await fn());
        } catch (error) {
          out.push({ thrown: (error as Error).message, code: (error as { code?: unknown }).code });
        }
      };
      await attempt(() => conn.client.callTool({ name: "echo", arguments: { text: "same" } }));
      await attempt(() => conn.client.callTool({ name: "is_error", arguments: {} }));
      await attempt(() => conn.client.callTool({ name: "fail", arguments: {} }));
      await attempt(() => conn.client.callTool({ name: "echo", arguments: { text: 42 } }));
      await attempt(() => conn.client.callTool({ name: "no_such_tool", arguments: {} }));
      await attempt(() => conn.client.getPrompt({ name: "no_such_prompt" }));
      await attempt(() => conn.client.readResource({ uri: "nothing://here" }));
      await conn.close();
      return out;
    };
    const wrapped = await script(await start(driver, true));
    const bare = await script(await start(driver, false));
    expect(wrapped).toEqual(bare);
    expect(wrapped).toHaveLength(7);
  });
});

describe.each(DRIVERS.filter((d) => !d.perConnection))("parity without an anchor: $label", (driver) => {
  it("makes each request its own session, marked session_scope: request, and says how to anchor once (YAVIO-1107)", async () => {
    const h = await start(driver, true, false);
    const conn = await h.connect("cursor-vscode");
    const a = whoOf(texts(await conn.client.callTool({ name: "whoami", arguments: {} })));
    const b = whoOf(texts(await conn.client.callTool({ name: "whoami", arguments: {} })));
    await conn.close();
    expect(a.sessionId).toMatch(SES);
    expect(a.sessionId).not.toBe(b.sessionId);
    const events = await h.finish();
    const calls = events.filter((e) => e.event_type === "tool_call");
    expect(calls).toHaveLength(2);
    expect(calls.every((e) => (e.metadata as { session_scope?: string }).session_scope === "request")).toBe(true);
    checkSessions(events);
  });
});

describe.each(DRIVERS.filter((d) => d.sdk === "v2"))("sampling and elicitation: $label", (driver) => {
  it("records what the tool asked of the client and what the client answered", async () => {
    const h = await start(driver);
    const conn = await h.connect("cursor-vscode", driver.perConnection ? undefined : "conversation-plan");
    const result = await conn.client.callTool({ name: "plan", arguments: { goal: "trip" } });
    await conn.close();
    const events = await h.finish();
    if (!driver.perConnection && driver.era === "2025-11-25") {
      // Per-request legacy HTTP cannot carry a request to the client: the SDK answers with an error
      // result, and that is what is recorded.
      expect((result as { isError?: boolean }).isError).toBe(true);
      expect(events.find((e) => e.event_type === "tool_call")).toMatchObject({ event_name: "plan", status: "error" });
      return;
    }
    expect(texts(result)).toBe("planned trip");
    const elicitations = events.filter((e) => e.event_type === "elicitation");
    const samplings = events.filter((e) => e.event_type === "sampling_call");
    expect(elicitations.length).toBeGreaterThanOrEqual(1);
    expect(samplings.length).toBeGreaterThanOrEqual(1);
    const sessionIds = new Set(events.map((e) => e.session_id));
    expect(sessionIds.size).toBe(1);
    if (driver.era === "2026-07-28") {
      // No server→client request exists on 2026-07-28: the input_required result and the retry carry them.
      expect(elicitations.map((e) => (e.metadata as { phase: string }).phase).sort()).toEqual(["answered", "requested"]);
      expect(elicitations.find((e) => (e.metadata as { phase: string }).phase === "answered")!.metadata).toMatchObject({ action: "accept", request_key: "confirm" });
      expect(samplings.find((e) => (e.metadata as { phase: string }).phase === "answered")!.metadata).toMatchObject({ model: "test-model", request_key: "draft" });
      const calls = events.filter((e) => e.event_type === "tool_call");
      expect(calls).toHaveLength(2);
      expect(calls[0]!.metadata).toMatchObject({ result_type: "input_required", input_requests: ["confirm", "draft"] });
    } else {
      expect(elicitations[0]!.metadata).toMatchObject({ action: "accept" });
      expect(samplings[0]!.metadata).toMatchObject({ model: "test-model" });
    }
  });
});
