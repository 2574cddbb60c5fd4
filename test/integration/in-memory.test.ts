import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getYavio, withYavio, yavio } from "../../src/index.js";
import type { YavioContext } from "../../src/index.js";
import { capture, connectClient, ofType, text, wrappedServers } from "../helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SES = /^ses_[A-Za-z0-9_-]{21}$/;

type Extra = { yavio: YavioContext };

const { setup, cleanups } = wrappedServers("notes");

describe("withYavio over the in-memory transport", () => {
  it("returns the same server instance, not a proxy", () => {
    const server = new McpServer({ name: "s", version: "1" });
    const cap = capture();
    const wrapped = withYavio(server, cap.options);
    cleanups.push(() => getYavio(server).shutdown());
    expect(wrapped).toBe(server);
    expect(Object.getPrototypeOf(wrapped)).toBe(McpServer.prototype);
  });

  it("records a connection event with client info, platform and transport at session start", async () => {
    const { sink, server } = setup();
    server.registerTool("noop", {}, () => ({ content: [] }));
    const client = await connectClient(server, "claude-code", "2.1.0");
    await client.close();
    await getYavio(server).flush();
    const [start] = ofType(sink.events, "connection", "session_start");
    expect(start).toMatchObject({
      client_name: "claude-code",
      client_version: "2.1.0",
      platform: "claude-code",
      transport: "in-memory",
      source: "server",
      sdk_version: expect.any(String),
    });
    expect(start!.protocol_version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(start!.session_id).toMatch(SES);
  });

  it("gives every event a uuid, a trace id, the session id, an ISO timestamp, source and sdk_version", async () => {
    const { sink, server } = setup();
    server.registerTool("echo", { inputSchema: { msg: z.string() } }, ({ msg }) => ({ content: [{ type: "text", text: msg }] }));
    const client = await connectClient(server);
    await client.callTool({ name: "echo", arguments: { msg: "hi" } });
    await client.close();
    await getYavio(server).flush();
    expect(sink.events.length).toBe(3);
    const ids = new Set<string>();
    for (const event of sink.events) {
      expect(event.event_id).toMatch(UUID);
      ids.add(event.event_id);
      expect(event.session_id).toMatch(SES);
      expect(typeof event.trace_id).toBe("string");
      expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
      expect(event.source).toBe("server");
      expect(event.sdk_version).toBe("0.1.0");
    }
    expect(ids.size).toBe(3);
  });

  it("records a tool_call with name, latency, status, input keys/types, arguments and result", async () => {
    const { sink, server } = setup();
    server.registerTool("search", { inputSchema: { query: z.string(), limit: z.number().optional() } }, ({ query }) => ({
      content: [{ type: "text", text: `found ${query}` }],
    }));
    const client = await connectClient(server);
    const result = await client.callTool({ name: "search", arguments: { query: "notes", limit: 5 } });
    expect(text(result)).toBe("found notes");
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call");
    expect(call).toMatchObject({
      event_name: "search",
      tool_name: "search",
      status: "success",
      input_keys: ["query", "limit"],
      input_types: { query: "string", limit: "number" },
      input_values: { query: "notes", limit: 5 },
      output_content: [{ type: "text", text: "found notes" }],
    });
    expect(call!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(call!.error_message).toBeUndefined();
    await client.close();
  });

  it("keeps only a marker of a result over the event limit, taken when the call ends", async () => {
    const { sink, warnings, server } = setup();
    const big = "y".repeat(1_000_000);
    server.registerTool("dump", { inputSchema: { blob: z.string() } }, () => ({ content: [{ type: "text", text: big }] }));
    const client = await connectClient(server);
    const result = await client.callTool({ name: "dump", arguments: { blob: "z".repeat(200_000) } });
    expect(text(result)).toHaveLength(1_000_000);
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call");
    expect(call!.output_content).toMatchObject({ truncated: true });
    expect((call!.output_content as { bytes: number }).bytes).toBeGreaterThan(50_000);
    expect(call!.input_values).toMatchObject({ truncated: true });
    expect(call!.input_keys).toEqual(["blob"]);
    expect(JSON.stringify(call).length).toBeLessThan(50_000);
    expect(warnings.map((w) => w.code)).not.toContain("YAVIO-1301");
    await client.close();
  });

  it("does not record arguments or results when capture.inputs/outputs are false", async () => {
    const { sink, server } = setup({ capture: { inputs: false, outputs: false } });
    server.registerTool("search", { inputSchema: { query: z.string() } }, () => ({ content: [{ type: "text", text: "secret result" }] }));
    const client = await connectClient(server);
    await client.callTool({ name: "search", arguments: { query: "private" } });
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call");
    expect(call!.input_keys).toEqual(["query"]);
    expect(call!.input_values).toBeUndefined();
    expect(call!.output_content).toBeUndefined();
    expect(JSON.stringify(sink.events)).not.toContain("secret result");
    expect(JSON.stringify(sink.events)).not.toContain("private");
    await client.close();
  });

  it("records a thrown tool error as status error with message, category and class, and the client gets the SDK's error result", async () => {
    const { sink, server } = setup();
    class RateLimitError extends Error {
      override name = "RateLimitError";
      status = 429;
    }
    server.registerTool("flaky", {}, () => {
      throw new RateLimitError("slow down");
    });
    const client = await connectClient(server);
    const result = await client.callTool({ name: "flaky", arguments: {} });
    expect(result).toEqual({ content: [{ type: "text", text: "slow down" }], isError: true });
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call");
    expect(call).toMatchObject({ status: "error", error_message: "slow down", error_category: "rate_limit" });
    expect(call!.metadata).toMatchObject({ error_class: "RateLimitError", error_source: "thrown" });
    await client.close();
  });

  it("records an isError result as status error", async () => {
    const { sink, server } = setup();
    server.registerTool("deny", {}, () => ({ content: [{ type: "text", text: "Unauthorized: token expired" }], isError: true }));
    const client = await connectClient(server);
    await client.callTool({ name: "deny", arguments: {} });
    await getYavio(server).flush();
    expect(ofType(sink.events, "tool_call")[0]).toMatchObject({ status: "error", error_category: "auth", error_message: "Unauthorized: token expired" });
    await client.close();
  });

  it("records calls of an unknown tool and of invalid arguments as validation errors", async () => {
    const { sink, server } = setup();
    server.registerTool("typed", { inputSchema: { n: z.number() } }, () => ({ content: [] }));
    const client = await connectClient(server);
    const unknown = await client.callTool({ name: "missing", arguments: {} });
    const invalid = await client.callTool({ name: "typed", arguments: { n: "not a number" } });
    expect(unknown.isError).toBe(true);
    expect(invalid.isError).toBe(true);
    await getYavio(server).flush();
    const calls = ofType(sink.events, "tool_call");
    expect(calls.map((c) => [c.tool_name, c.status, c.error_category])).toEqual([
      ["missing", "error", "validation"],
      ["typed", "error", "validation"],
    ]);
    await client.close();
  });

  it("instruments tools registered before and after wrapping, and the deprecated tool() path", async () => {
    const cap = capture();
    const server = new McpServer({ name: "s", version: "1" });
    server.registerTool("before", {}, (extra) => ({ content: [{ type: "text", text: String(typeof (extra as unknown as Extra).yavio?.identify) }] }));
    withYavio(server, cap.options);
    cleanups.push(() => getYavio(server).shutdown());
    server.registerTool("after", {}, (extra) => ({ content: [{ type: "text", text: String(typeof (extra as unknown as Extra).yavio?.identify) }] }));
    server.tool("legacy", "a deprecated-style tool", { v: z.string() }, ({ v }, extra) => ({
      content: [{ type: "text", text: `${v}:${typeof (extra as unknown as Extra).yavio?.identify}` }],
    }));
    const client = await connectClient(server);
    expect(text(await client.callTool({ name: "before", arguments: {} }))).toBe("function");
    expect(text(await client.callTool({ name: "after", arguments: {} }))).toBe("function");
    expect(text(await client.callTool({ name: "legacy", arguments: { v: "x" } }))).toBe("x:function");
    await getYavio(server).flush();
    expect(ofType(cap.sink.events, "tool_call").map((e) => e.tool_name)).toEqual(["before", "after", "legacy"]);
    await client.close();
  });

  it("instruments experimental.tasks.registerToolTask tools", async () => {
    const { InMemoryTaskStore } = await import("@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js");
    const cap = capture();
    const taskStore = new InMemoryTaskStore();
    const server = new McpServer({ name: "s", version: "1" }, { capabilities: { tasks: { requests: { tools: { call: {} } } } }, taskStore });
    withYavio(server, cap.options);
    cleanups.push(async () => {
      await getYavio(server).shutdown();
      taskStore.cleanup();
    });
    let sawYavio = false;
    server.experimental.tasks.registerToolTask(
      "long_job",
      { inputSchema: { n: z.number() }, execution: { taskSupport: "optional" } },
      {
        createTask: async ({ n }, extra) => {
          sawYavio = typeof (extra as unknown as Extra).yavio?.track === "function";
          const task = await extra.taskStore.createTask({ ttl: 60_000, pollInterval: 10 });
          await extra.taskStore.storeTaskResult(task.taskId, "completed", { content: [{ type: "text", text: `done ${n}` }] });
          return { task };
        },
        getTask: async (_args, extra) => (await extra.taskStore.getTask(extra.taskId)),
        getTaskResult: async (_args, extra) => (await extra.taskStore.getTaskResult(extra.taskId)) as never,
      },
    );
    const client = await connectClient(server);
    const result = await client.callTool({ name: "long_job", arguments: { n: 7 } });
    expect(text(result)).toBe("done 7");
    expect(sawYavio).toBe(true);
    await getYavio(server).flush();
    expect(ofType(cap.sink.events, "tool_call").map((e) => [e.tool_name, e.status])).toEqual([["long_job", "success"]]);
    await client.close();
  });

  it("records resource reads (fixed and templated) and prompt gets, with ctx.yavio in their handlers", async () => {
    const { sink, server } = setup();
    const seen: string[] = [];
    server.registerResource("readme", "notes://readme", { mimeType: "text/plain" }, (uri, extra) => {
      seen.push(`resource:${typeof (extra as unknown as Extra).yavio.identify}`);
      return { contents: [{ uri: uri.href, text: "read me" }] };
    });
    server.registerResource("note", new ResourceTemplate("notes://{id}", { list: undefined }), {}, (uri, { id }, extra) => {
      seen.push(`template:${typeof (extra as unknown as Extra).yavio.identify}`);
      return { contents: [{ uri: uri.href, text: `note ${String(id)}` }] };
    });
    server.registerPrompt("summarize", { argsSchema: { topic: z.string() } }, ({ topic }, extra) => {
      seen.push(`prompt:${typeof (extra as unknown as Extra).yavio.identify}`);
      return { messages: [{ role: "user", content: { type: "text", text: `Summarize ${topic}` } }] };
    });
    const client = await connectClient(server);
    await client.readResource({ uri: "notes://readme" });
    await client.readResource({ uri: "notes://42" });
    await client.getPrompt({ name: "summarize", arguments: { topic: "sales" } });
    await client.close();
    await getYavio(server).flush();
    expect(seen).toEqual(["resource:function", "template:function", "prompt:function"]);
    expect(ofType(sink.events, "resource_access").map((e) => [e.event_name, e.status, e.metadata?.resource_name])).toEqual([
      ["notes://readme", "success", "readme"],
      ["notes://42", "success", "note"],
    ]);
    expect(ofType(sink.events, "prompt_usage")[0]).toMatchObject({ event_name: "summarize", status: "success", input_keys: ["topic"] });
    expect(ofType(sink.events, "connection", "session_end")[0]!.metadata).toMatchObject({ tool_calls: 0, resource_reads: 2, prompt_gets: 1, errors: 0 });
  });

  it("instruments a low-level Server's own request handlers", async () => {
    const cap = capture();
    const server = new Server({ name: "low", version: "1" }, { capabilities: { tools: {} } });
    withYavio(server, cap.options);
    cleanups.push(() => getYavio(server).shutdown());
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      (extra as unknown as Extra).yavio.identify("low-user");
      return { content: [{ type: "text", text: `called ${request.params.name}` }] };
    });
    const client = await connectClient(server);
    expect(text(await client.callTool({ name: "anything", arguments: { a: 1 } }))).toBe("called anything");
    await client.close();
    await getYavio(server).flush();
    expect(ofType(cap.sink.events, "tool_call")[0]).toMatchObject({ tool_name: "anything", user_id: "low-user", status: "success" });
    expect(ofType(cap.sink.events, "connection", "session_end")).toHaveLength(1);
  });

  it("is a no-op when wrapping twice: one event per call", async () => {
    const cap = capture();
    const server = new McpServer({ name: "s", version: "1" });
    withYavio(server, cap.options);
    withYavio(server, cap.options);
    cleanups.push(() => getYavio(server).shutdown());
    let runs = 0;
    server.registerTool("count", {}, () => {
      runs += 1;
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "count", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    expect(runs).toBe(1);
    expect(ofType(cap.sink.events, "tool_call")).toHaveLength(1);
    expect(ofType(cap.sink.events, "connection")).toHaveLength(2);
  });

  it("runs a synchronously throwing handler exactly once", async () => {
    const { server } = setup();
    let runs = 0;
    server.registerTool("sync_throw", {}, () => {
      runs += 1;
      throw new Error("boom");
    });
    const client = await connectClient(server);
    const result = await client.callTool({ name: "sync_throw", arguments: {} });
    expect(result.isError).toBe(true);
    expect(runs).toBe(1);
    await client.close();
  });
});

describe("ctx.yavio and the yavio export", () => {
  it("identify sets the user; every later event carries user_id and the traits of that moment", async () => {
    const { sink, server } = setup({ stitching: "off" });
    server.registerTool("login", { inputSchema: { user: z.string(), plan: z.string() } }, ({ user, plan }, extra) => {
      (extra as unknown as Extra).yavio.identify(user, { plan });
      return { content: [] };
    });
    server.registerTool("work", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.callTool({ name: "work", arguments: {} });
    await client.callTool({ name: "login", arguments: { user: "u1", plan: "free" } });
    await client.callTool({ name: "work", arguments: {} });
    await client.callTool({ name: "login", arguments: { user: "u1", plan: "pro" } });
    await client.callTool({ name: "work", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    const rows = sink.events
      .filter((e) => e.event_type === "tool_call" || e.event_type === "identify")
      .map((e) => [e.event_type, e.event_name ?? "", e.user_id ?? "-", (e.user_traits?.plan as string | undefined) ?? "-"]);
    expect(rows).toEqual([
      ["tool_call", "work", "-", "-"],
      ["identify", "", "u1", "free"],
      ["tool_call", "login", "u1", "free"],
      ["tool_call", "work", "u1", "free"],
      ["identify", "", "u1", "pro"],
      ["tool_call", "login", "u1", "pro"],
      ["tool_call", "work", "u1", "pro"],
    ]);
  });

  it("ignores a second identify with a different userId and warns YAVIO-1302 with both ids", async () => {
    const { sink, warnings, server } = setup();
    server.registerTool("login", { inputSchema: { user: z.string() } }, ({ user }, extra) => {
      (extra as unknown as Extra).yavio.identify(user, { via: user });
      return { content: [{ type: "text", text: (extra as unknown as Extra).yavio.userId ?? "" }] };
    });
    const client = await connectClient(server);
    expect(text(await client.callTool({ name: "login", arguments: { user: "alice" } }))).toBe("alice");
    expect(text(await client.callTool({ name: "login", arguments: { user: "mallory" } }))).toBe("alice");
    await getYavio(server).flush();
    const conflict = warnings.filter((w) => w.code === "YAVIO-1302");
    expect(conflict).toHaveLength(1);
    expect(conflict[0]).toMatchObject({ level: "warn", details: { currentUserId: "alice", attemptedUserId: "mallory" } });
    expect(conflict[0]!.sessionId).toMatch(SES);
    expect(typeof conflict[0]!.time).toBe("string");
    expect(ofType(sink.events, "identify")).toHaveLength(1);
    expect(sink.events.every((e) => e.user_traits === undefined || e.user_traits.via === "alice")).toBe(true);
    await client.close();
  });

  it("emits no identify event for a call that changes nothing", async () => {
    const { sink, server } = setup();
    server.registerTool("login", {}, (extra) => {
      (extra as unknown as Extra).yavio.identify("u1", { plan: "pro" });
      return { content: [] };
    });
    const client = await connectClient(server);
    for (let i = 0; i < 3; i++) await client.callTool({ name: "login", arguments: {} });
    await getYavio(server).flush();
    expect(ofType(sink.events, "identify")).toHaveLength(1);
    await client.close();
  });

  it.each([
    ["an empty userId", ""],
    ["a numeric userId", 7],
    ["a 300-character userId", "x".repeat(300)],
  ])("ignores %s with YAVIO-1300", async (_label, userId) => {
    const { sink, warnings, server } = setup();
    server.registerTool("login", {}, (extra) => {
      (extra as unknown as Extra).yavio.identify(userId as string);
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "login", arguments: {} });
    await getYavio(server).flush();
    expect(warnings.map((w) => w.code)).toContain("YAVIO-1300");
    expect(ofType(sink.events, "identify")).toHaveLength(0);
    expect(sink.events.every((e) => e.user_id === undefined)).toBe(true);
    await client.close();
  });

  it("resolves the session through AsyncLocalStorage in code called from a handler (ambientContext: true)", async () => {
    const { sink, server } = setup({ ambientContext: true });
    async function deepHelper(): Promise<string | undefined> {
      await new Promise((r) => setTimeout(r, 1));
      yavio.track("report_generated", { pages: 3 });
      return yavio.sessionId;
    }
    server.registerTool("report", {}, async (extra) => {
      (extra as unknown as Extra).yavio.identify("u9");
      const sid = await deepHelper();
      return { content: [{ type: "text", text: `${sid}|${yavio.userId}` }] };
    });
    const client = await connectClient(server);
    const [sid, user] = text(await client.callTool({ name: "report", arguments: {} })).split("|");
    await getYavio(server).flush();
    const [track] = ofType(sink.events, "track", "report_generated");
    expect(track).toMatchObject({ session_id: sid, user_id: "u9", metadata: { pages: 3 } });
    expect(user).toBe("u9");
    const [call] = ofType(sink.events, "tool_call");
    expect(track!.trace_id).toBe(call!.trace_id);
    await client.close();
  });

  it("does nothing outside a handler and warns YAVIO-1105 once", async () => {
    const { sink, warnings, server } = setup();
    yavio.track("outside");
    yavio.identify("nobody");
    expect(yavio.sessionId).toBeUndefined();
    expect(yavio.traits).toEqual({});
    await getYavio(server).flush();
    const outside = warnings.filter((w) => w.code === "YAVIO-1105");
    expect(outside).toHaveLength(1);
    expect(outside[0]!.message).toContain("outside an MCP handler");
    expect(sink.events).toHaveLength(0);
  });
});
