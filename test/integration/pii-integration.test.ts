import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { WireEvent } from "../../src/index.js";
import { getYavio, hashUserId } from "../../src/index.js";
import { deriveSessionId } from "../../src/identity/index.js";
import { Runtime } from "../../src/core/index.js";
import { capture, connectClient, ofType, text, wrappedServers } from "../helpers.js";

const EMAIL = "jane.doe+billing@acme.io";
const CARD = "4111 1111 1111 1111";
const { setup } = wrappedServers("pii");

describe("PII in the middleware", () => {
  it("scrubs arguments, results, error messages, traits and custom properties, while the client gets everything unchanged", async () => {
    const { sink, server } = setup();
    const seenArgs: unknown[] = [];
    server.registerTool("add_note", { inputSchema: { body: z.string(), meta: z.object({ password: z.string() }) } }, (args, ctx) => {
      seenArgs.push(structuredClone(args));
      ctx.yavio.identify("user_1", { contact: `write to ${EMAIL}` });
      ctx.yavio.track("note_added", { preview: `card ${CARD}` });
      return { content: [{ type: "text", text: `saved for ${EMAIL}` }] };
    });
    server.registerTool("fail", {}, () => {
      throw new Error(`no account for ${EMAIL}`);
    });
    const client = await connectClient(server);
    const args = { body: `pay with ${CARD}, mail ${EMAIL}`, meta: { password: "hunter2" } };
    const result = await client.callTool({ name: "add_note", arguments: args });
    expect(text(result)).toBe(`saved for ${EMAIL}`);
    expect(seenArgs).toEqual([args]);
    const failed = await client.callTool({ name: "fail", arguments: {} });
    expect(text(failed)).toBe(`no account for ${EMAIL}`);
    await client.close();
    await getYavio(server).flush();

    const all = JSON.stringify(sink.events);
    expect(all).not.toContain("jane.doe");
    expect(all).not.toContain("4111");
    expect(all).not.toContain("hunter2");
    const [call] = ofType(sink.events, "tool_call", "add_note");
    expect(call!.input_values).toEqual({ body: "pay with [CC_REDACTED], mail [EMAIL_REDACTED]", meta: { password: "[REDACTED]" } });
    expect(call!.output_content).toEqual([{ type: "text", text: "saved for [EMAIL_REDACTED]" }]);
    expect(ofType(sink.events, "tool_call", "fail")[0]!.error_message).toBe("no account for [EMAIL_REDACTED]");
    expect(ofType(sink.events, "identify")[0]!.user_traits).toEqual({ contact: "write to [EMAIL_REDACTED]" });
    expect(ofType(sink.events, "track")[0]!.metadata).toEqual({ preview: "card [CC_REDACTED]" });
  });

  it("keeps argument names and their types: a token argument is typed string, its value redacted", async () => {
    const { sink, server } = setup();
    server.registerTool("connect_db", { inputSchema: { token: z.string(), password: z.string(), port: z.number() } }, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.callTool({ name: "connect_db", arguments: { token: "tok_live_abcdef", password: "hunter2", port: 5432 } });
    await client.close();
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call", "connect_db");
    expect(call!.input_keys).toEqual(["token", "password", "port"]);
    expect(call!.input_types).toEqual({ token: "string", password: "string", port: "number" });
    expect(JSON.stringify(call!.input_values)).not.toContain("hunter2");
    expect(JSON.stringify(call!.input_values)).not.toContain("tok_live_abcdef");
  });

  it("scrubs event names: a resource URI or a custom event name built from user data", async () => {
    const { sink, server } = setup();
    server.registerResource("user", new ResourceTemplate("user://{email}", { list: undefined }), {}, (uri) => ({ contents: [{ uri: uri.href, text: "profile" }] }));
    server.registerTool("signup", {}, (ctx) => {
      ctx.yavio.track(`signup ${EMAIL}`);
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.readResource({ uri: `user://${EMAIL}` });
    await client.callTool({ name: "signup", arguments: {} });
    await getYavio(server).flush();
    expect(JSON.stringify(sink.events)).not.toContain("jane.doe");
    expect(ofType(sink.events, "resource_access")[0]!.event_name).toBe("user://[EMAIL_REDACTED]");
    expect(ofType(sink.events, "track")[0]!.event_name).toBe("signup [EMAIL_REDACTED]");
    await client.close();
  });

  it("never scrubs ids, and keeps user_id as the join key", async () => {
    const { sink, server } = setup();
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify("4111111111111111");
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    await getYavio(server).flush();
    for (const event of sink.events) {
      expect(event.session_id).toMatch(/^ses_/);
      expect(event.event_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(ofType(sink.events, "identify")[0]!.user_id).toBe("4111111111111111");
    await client.close();
  });

  it("warns YAVIO-1305 once per session when the userId looks like an e-mail address", async () => {
    const { warnings, server } = setup();
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify(EMAIL, { n: Math.random() });
      return { content: [] };
    });
    const first = await connectClient(server);
    await first.callTool({ name: "login", arguments: {} });
    await first.callTool({ name: "login", arguments: {} });
    await first.close();
    expect(warnings.filter((w) => w.code === "YAVIO-1305")).toHaveLength(1);
    const second = await connectClient(server);
    await second.callTool({ name: "login", arguments: {} });
    await second.close();
    const perSession = warnings.filter((w) => w.code === "YAVIO-1305");
    expect(perSession).toHaveLength(2);
    expect(perSession[0]!.sessionId).not.toBe(perSession[1]!.sessionId);
  });

  it("hashes user_id with pii.hashUserIds", async () => {
    const { sink, server } = setup({ pii: { hashUserIds: true } });
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify(EMAIL);
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    await getYavio(server).flush();
    const ids = new Set(sink.events.map((e) => e.user_id).filter(Boolean));
    expect([...ids]).toEqual([hashUserId(EMAIL)]);
    expect(JSON.stringify(sink.events)).not.toContain("jane.doe");
    await client.close();
  });

  it("keys the user-id hash with hashSecret, and keeps raw ids out of YAVIO-1302 when hashing", async () => {
    const secret = "s3cret-for-tests-0123456789";
    const { sink, server, warnings } = setup({ pii: { hashUserIds: true }, hashSecret: secret });
    server.registerTool("login", {}, (ctx) => {
      ctx.yavio.identify(EMAIL);
      ctx.yavio.identify("other.person@acme.io");
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    await getYavio(server).flush();
    const ids = new Set(sink.events.map((e) => e.user_id).filter(Boolean));
    expect([...ids]).toEqual([hashUserId(EMAIL, secret)]);
    expect(hashUserId(EMAIL, secret)).not.toBe(hashUserId(EMAIL));
    const conflict = warnings.find((w) => w.code === "YAVIO-1302")!;
    expect(conflict.details).toEqual({ currentUserId: hashUserId(EMAIL, secret), attemptedUserId: hashUserId("other.person@acme.io", secret) });
    expect(JSON.stringify(warnings)).not.toContain("jane.doe");
    expect(JSON.stringify(warnings)).not.toContain("other.person");
    expect(warnings.some((w) => w.code === "YAVIO-1307")).toBe(false);
    await client.close();
  });

  it("derives sessionKey session ids with hashSecret, so a guessable anchor cannot be found from the id", async () => {
    const secret = "s3cret-for-tests-0123456789";
    const { sink, server } = setup({ sessionKey: () => EMAIL, hashSecret: secret });
    server.registerTool("who", {}, (ctx) => ({ content: [{ type: "text", text: ctx.yavio.sessionId ?? "" }] }));
    const client = await connectClient(server);
    const result = await client.callTool({ name: "who", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    expect(text(result)).toBe(deriveSessionId(EMAIL, "key", secret));
    expect(text(result)).not.toBe(deriveSessionId(EMAIL, "key"));
    expect(new Set(sink.events.map((e) => e.session_id))).toEqual(new Set([deriveSessionId(EMAIL, "key", secret)]));
  });

  it("warns YAVIO-1307 when user ids are hashed without a secret", () => {
    const { warnings } = setup({ pii: { hashUserIds: true } });
    expect(warnings.filter((w) => w.code === "YAVIO-1307")).toHaveLength(1);
  });

  it("sends values as they are with pii: false", async () => {
    const { sink, server } = setup({ pii: false });
    server.registerTool("echo", { inputSchema: { body: z.string() } }, ({ body }) => ({ content: [{ type: "text", text: body }] }));
    const client = await connectClient(server);
    await client.callTool({ name: "echo", arguments: { body: EMAIL } });
    await getYavio(server).flush();
    expect(ofType(sink.events, "tool_call")[0]!.input_values).toEqual({ body: EMAIL });
    await client.close();
  });

  it("applies beforeSend after scrubbing; null drops the event and a throw drops it with YAVIO-1306", async () => {
    const seen: WireEvent[] = [];
    const { sink, warnings, server } = setup({
      beforeSend: (event: WireEvent) => {
        seen.push(event);
        if (event.event_name === "drop_me") return null;
        if (event.event_name === "explode") throw new Error("hook bug");
        return { ...event, metadata: { ...event.metadata, tagged: true } };
      },
    });
    server.registerTool("t", { inputSchema: { body: z.string() } }, (_args, ctx) => {
      ctx.yavio.track("drop_me");
      ctx.yavio.track("explode");
      ctx.yavio.track("keep");
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "t", arguments: { body: EMAIL } });
    await getYavio(server).flush();
    expect(JSON.stringify(seen)).not.toContain("jane.doe");
    expect(ofType(sink.events, "track").map((e) => e.event_name)).toEqual(["keep"]);
    expect(ofType(sink.events, "track")[0]!.metadata).toEqual({ tagged: true });
    expect(warnings.map((w) => w.code)).toContain("YAVIO-1306");
    await client.close();
  });

  it("fails closed: an event whose scrubbing throws is dropped with YAVIO-1301, never sent unscrubbed", async () => {
    const cap = capture();
    const runtime = new Runtime({ ...cap.options, eventsFile: false, spoolDir: false, handleProcessExit: false });
    const hostile = {};
    Object.defineProperty(hostile, "secret", { enumerable: true, get: () => { throw new Error("getter exploded"); } });
    const base = { event_id: "00000000-0000-4000-8000-000000000000", event_type: "track" as const, trace_id: "tr_x", session_id: "ses_x", timestamp: new Date().toISOString(), source: "server" as const, sdk_version: "0.1.0" };
    runtime.pipeline.enqueue({ sessionId: "ses_x", toWire: () => ({ ...base, event_name: "bad", metadata: hostile }) });
    runtime.pipeline.enqueue({ sessionId: "ses_x", toWire: () => ({ ...base, event_id: "00000000-0000-4000-8000-000000000001", event_name: "good", metadata: { note: EMAIL } }) });
    await runtime.shutdown();
    expect(cap.sink.events.map((e) => e.event_name)).toEqual(["good"]);
    expect(cap.sink.events[0]!.metadata).toEqual({ note: "[EMAIL_REDACTED]" });
    expect(cap.warnings.map((w) => w.code)).toContain("YAVIO-1301");
  });
});
