import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { getYavio, withYavio } from "../../src/index.js";
import type { WireEvent } from "../../src/index.js";
import { capture, connectClient, ofType, wrappedServers } from "../helpers.js";

const { setup, cleanups } = wrappedServers("intent");

const INTENT = { intent: true };

/**
 * Tools of every schema kind. `seen` gets the arguments each handler was called with (the
 * argument-less tool records its `extra`'s absence of arguments as null).
 */
function registerAll(server: McpServer, seen: Map<string, unknown>): void {
  server.registerTool("v4", { description: "zod 4 shape", inputSchema: { n: z.number() } }, (args) => {
    seen.set("v4", args);
    return { content: [{ type: "text", text: `n=${args.n}` }] };
  });
  server.registerTool("v3", { inputSchema: { n: z3.number() } }, (args) => {
    seen.set("v3", args);
    return { content: [{ type: "text", text: `n=${args.n}` }] };
  });
  server.registerTool("strict4", { inputSchema: z.object({ n: z.number() }).strict() }, (args) => {
    seen.set("strict4", args);
    return { content: [{ type: "text", text: "ok" }] };
  });
  server.registerTool("strict3", { inputSchema: z3.object({ n: z3.number() }).strict() }, (args) => {
    seen.set("strict3", args);
    return { content: [{ type: "text", text: "ok" }] };
  });
  server.registerTool("loose4", { inputSchema: z.object({ n: z.number() }).passthrough() }, (args) => {
    seen.set("loose4", args);
    return { content: [{ type: "text", text: JSON.stringify(args) }] };
  });
  server.registerTool("loose3", { inputSchema: z3.object({ n: z3.number() }).passthrough() }, (args) => {
    seen.set("loose3", args);
    return { content: [{ type: "text", text: JSON.stringify(args) }] };
  });
  server.registerTool("bare", { description: "no input schema" }, (extra) => {
    seen.set("bare", "signal" in extra ? null : extra);
    return { content: [{ type: "text", text: "bare" }] };
  });
  server.registerTool(
    "structured",
    { inputSchema: { n: z.number() }, outputSchema: { total: z.number() } },
    ({ n }) => ({ content: [{ type: "text", text: String(n) }], structuredContent: { total: n } }),
  );
}

function bareServer(seen = new Map<string, unknown>()): McpServer {
  const server = new McpServer({ name: "intent", version: "1.0.0" });
  registerAll(server, seen);
  return server;
}

function intentOf(events: readonly WireEvent[]): (string | undefined)[] {
  return ofType(events, "tool_call").map((e) => e.intent as string | undefined);
}

describe("intent capture off (the default)", () => {
  it("lists tools byte for byte as the bare server does", async () => {
    const bareClient = await connectClient(bareServer());
    const expected = JSON.stringify(await bareClient.listTools());
    await bareClient.close();
    const { server } = setup();
    registerAll(server, new Map());
    const client = await connectClient(server);
    expect(JSON.stringify(await client.listTools())).toBe(expected);
    await client.close();
  });

  it("passes a context argument to the host like any other argument", async () => {
    const { server, sink } = setup();
    const seen = new Map<string, unknown>();
    registerAll(server, seen);
    const client = await connectClient(server);
    const strict = await client.callTool({ name: "strict4", arguments: { n: 1, context: "why" } });
    expect(strict.isError).toBe(true);
    await client.callTool({ name: "loose4", arguments: { n: 1, context: "why" } });
    expect(seen.get("loose4")).toEqual({ n: 1, context: "why" });
    await getYavio(server).flush();
    expect(intentOf(sink.events)).toEqual([undefined, undefined]);
    await client.close();
  });
});

describe("intent capture on", () => {
  it("lists every tool with an optional context argument, and nothing else changed", async () => {
    const bareClient = await connectClient(bareServer());
    const expected = await bareClient.listTools();
    await bareClient.close();
    const { server } = setup({ capture: INTENT });
    registerAll(server, new Map());
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(expected.tools.map((t) => t.name));
    listed.tools.forEach((tool, i) => {
      const host = expected.tools[i]!;
      const { context, ...rest } = tool.inputSchema.properties as Record<string, unknown>;
      expect(context).toEqual({ type: "string", description: expect.stringMatching(/why you are calling this tool/) as unknown });
      expect({ ...tool, inputSchema: { ...tool.inputSchema, properties: rest } }).toEqual(host);
      expect(tool.inputSchema.required ?? []).not.toContain("context");
    });
    await client.close();
  });

  it("takes the argument out before the SDK validates: handlers get exactly the host's arguments, strict schemas accept it", async () => {
    const { server, sink } = setup({ capture: INTENT });
    const seen = new Map<string, unknown>();
    registerAll(server, seen);
    const client = await connectClient(server);
    for (const name of ["v4", "v3", "strict4", "strict3", "loose4", "loose3", "structured"]) {
      const result = await client.callTool({ name, arguments: { n: 2, context: `checking ${name}` } });
      expect(result.isError, name).toBeFalsy();
    }
    await client.callTool({ name: "bare", arguments: { context: "no schema at all" } });
    expect(Object.fromEntries(seen)).toEqual({
      v4: { n: 2 },
      v3: { n: 2 },
      strict4: { n: 2 },
      strict3: { n: 2 },
      loose4: { n: 2 },
      loose3: { n: 2 },
      bare: null,
    });
    await getYavio(server).flush();
    const calls = ofType(sink.events, "tool_call");
    expect(calls.map((e) => e.intent)).toEqual([
      "checking v4",
      "checking v3",
      "checking strict4",
      "checking strict3",
      "checking loose4",
      "checking loose3",
      "checking structured",
      "no schema at all",
    ]);
    for (const e of calls) {
      expect(e.input_keys).not.toContain("context");
      expect(JSON.stringify(e.input_values ?? {})).not.toContain("checking");
    }
    await client.close();
  });

  it("strict schemas still reject what they rejected, with the same answer as the bare server", async () => {
    const calls = [
      { name: "strict4", arguments: { n: 1, extra: true } },
      { name: "strict3", arguments: { n: 1, extra: true, context: "why" } },
      { name: "strict4", arguments: { n: "one", context: "why" } },
      { name: "v4", arguments: { context: "missing n" } },
    ];
    const bareClient = await connectClient(bareServer());
    const expected = [];
    for (const call of calls) expected.push(await bareClient.callTool({ ...call, arguments: withoutContext(call.arguments) }));
    await bareClient.close();
    const { server } = setup({ capture: INTENT });
    registerAll(server, new Map());
    const client = await connectClient(server);
    const actual = [];
    for (const call of calls) actual.push(await client.callTool(call));
    expect(actual).toEqual(expected);
    expect(actual.every((r) => r.isError === true)).toBe(true);
    await client.close();
  });

  it("records the intent scrubbed and cut, and nothing for a missing, empty or non-string one (still taken out)", async () => {
    const { server, sink } = setup({ capture: INTENT });
    const seen = new Map<string, unknown>();
    registerAll(server, seen);
    const client = await connectClient(server);
    await client.callTool({ name: "loose4", arguments: { n: 1, context: "user jane.doe@example.com asked for her invoices" } });
    await client.callTool({ name: "loose4", arguments: { n: 1 } });
    await client.callTool({ name: "loose4", arguments: { n: 1, context: "   " } });
    await client.callTool({ name: "loose4", arguments: { n: 1, context: { nested: "object" } } });
    expect(seen.get("loose4")).toEqual({ n: 1 });
    await client.callTool({ name: "loose4", arguments: { n: 1, context: "w".repeat(100_000) } });
    await getYavio(server).flush();
    const intents = intentOf(sink.events);
    expect(intents[0]).toMatch(/^user .* asked for her invoices$/);
    expect(intents[0]).not.toContain("jane.doe@example.com");
    expect(intents.slice(1, 4)).toEqual([undefined, undefined, undefined]);
    expect(intents[4]!.length).toBe(500);
    expect(intents[4]!.endsWith("…")).toBe(true);
    await client.close();
  });

  it("uses a configured argument name and description", async () => {
    const { server, sink } = setup({ capture: { intent: { argument: "why", description: "Say why." } } });
    const seen = new Map<string, unknown>();
    registerAll(server, seen);
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools[0]!.inputSchema.properties).toEqual({ n: { type: "number" }, why: { type: "string", description: "Say why." } });
    await client.callTool({ name: "strict4", arguments: { n: 3, why: "testing" } });
    expect(seen.get("strict4")).toEqual({ n: 3 });
    await getYavio(server).flush();
    expect(intentOf(sink.events)).toEqual(["testing"]);
    await client.close();
  });

  it("leaves a tool that has a context argument of its own alone, and warns YAVIO-1313 once", async () => {
    const { server, sink, warnings } = setup({ capture: INTENT });
    const seen: unknown[] = [];
    server.registerTool("own", { inputSchema: { context: z.string(), n: z.number() } }, (args) => {
      seen.push(args);
      return { content: [] };
    });
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools[0]!.inputSchema.properties).toEqual({ context: { type: "string" }, n: { type: "number" } });
    await client.callTool({ name: "own", arguments: { context: "the host's own", n: 1 } });
    await client.callTool({ name: "own", arguments: { context: "again", n: 2 } });
    expect(seen).toEqual([
      { context: "the host's own", n: 1 },
      { context: "again", n: 2 },
    ]);
    expect(warnings.filter((w) => w.code === "YAVIO-1313")).toHaveLength(1);
    await getYavio(server).flush();
    expect(intentOf(sink.events)).toEqual([undefined, undefined]);
    expect(ofType(sink.events, "tool_call")[0]!.input_keys).toEqual(["context", "n"]);
    await client.close();
  });

  it("works for tools registered before wrapping", async () => {
    const seen = new Map<string, unknown>();
    const host = bareServer(seen);
    const cap = capture();
    const server = withYavio(host, { ...cap.options, capture: INTENT });
    cleanups.push(() => getYavio(server).shutdown());
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools.every((t) => "context" in (t.inputSchema.properties ?? {}))).toBe(true);
    expect((await client.callTool({ name: "strict3", arguments: { n: 5, context: "before wrapping" } })).isError).toBeFalsy();
    expect(seen.get("strict3")).toEqual({ n: 5 });
    await getYavio(server).flush();
    expect(intentOf(cap.sink.events)).toEqual(["before wrapping"]);
    await client.close();
  });

  it("never changes the request object the SDK handed in (copy-on-write)", async () => {
    const { server } = setup({ capture: INTENT });
    const seen = new Map<string, unknown>();
    registerAll(server, seen);
    const client = await connectClient(server);
    const handler = (server.server as unknown as { _requestHandlers: Map<string, (r: unknown, e: unknown) => Promise<unknown>> })._requestHandlers.get("tools/call")!;
    const request = deepFreeze({ jsonrpc: "2.0", id: 99, method: "tools/call", params: { name: "loose4", arguments: { n: 7, context: "frozen" } } });
    const result = await handler(request, { signal: new AbortController().signal, requestId: 99, sendNotification: () => Promise.resolve(), sendRequest: () => Promise.resolve() });
    expect(result).toEqual({ content: [{ type: "text", text: '{"n":7}' }] });
    expect(request.params.arguments).toEqual({ n: 7, context: "frozen" });
    await client.close();
  });

  it("on a low-level Server, leaves a tool alone whose listed schema has the argument", async () => {
    const cap = capture();
    const low = new Server({ name: "low", version: "1.0.0" }, { capabilities: { tools: {} } });
    const got: unknown[] = [];
    low.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [
        { name: "own", inputSchema: { type: "object", properties: { context: { type: "string" } } } },
        { name: "plain", inputSchema: { type: "object", properties: { q: { type: "string" } } } },
      ],
    }));
    low.setRequestHandler(CallToolRequestSchema, (request) => {
      got.push(request.params.arguments);
      return { content: [] };
    });
    const server = withYavio(low, { ...cap.options, capture: INTENT });
    cleanups.push(() => getYavio(server).shutdown());
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools.map((t) => Object.keys(t.inputSchema.properties ?? {}))).toEqual([["context"], ["q", "context"]]);
    await client.callTool({ name: "own", arguments: { context: "host's" } });
    await client.callTool({ name: "plain", arguments: { q: "x", context: "ours" } });
    expect(got).toEqual([{ context: "host's" }, { q: "x" }]);
    await client.close();
  });
});

function withoutContext(args: Record<string, unknown>): Record<string, unknown> {
  const { context: _context, ...rest } = args;
  return rest;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

type Step = { name: string; args: Record<string, unknown>; intent: string | undefined };

const steps: fc.Arbitrary<Step> = fc.record({
  name: fc.constantFrom("v4", "v3", "strict4", "strict3", "loose4", "loose3", "bare", "structured", "missing"),
  args: fc.oneof(fc.constant({ n: 1 }), fc.record({ n: fc.integer() }), fc.record({ n: fc.string() }), fc.constant({}), fc.constant({ n: 1, other: true })),
  intent: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
});

async function play(client: Client, script: Step[], withIntent: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const step of script) {
    const args = withIntent && step.intent !== undefined ? { ...step.args, context: step.intent } : step.args;
    try {
      out.push({ ok: await client.callTool({ name: step.name, arguments: args }) });
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      out.push({ error: { code: e.code, message: e.message } });
    }
  }
  return out;
}

describe("with intent on, the client sees what the bare server answers", () => {
  it("gives identical responses and handler arguments for random call scripts (the listed schemas aside)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { minLength: 1, maxLength: 10 }), async (script) => {
        const bareSeen = new Map<string, unknown>();
        const bareClient = await connectClient(bareServer(bareSeen));
        const expected = await play(bareClient, script, false);
        await bareClient.close();

        const cap = capture();
        const wrappedSeen = new Map<string, unknown>();
        const wrapped = withYavio(bareServer(wrappedSeen), { ...cap.options, capture: INTENT });
        const wrappedClient = await connectClient(wrapped);
        const actual = await play(wrappedClient, script, true);
        await wrappedClient.close();
        await getYavio(wrapped).shutdown();

        expect(actual).toEqual(expected);
        expect(wrappedSeen).toEqual(bareSeen);
        const calls = ofType(cap.sink.events, "tool_call");
        expect(calls).toHaveLength(script.length);
        expect(calls.map((e) => e.intent)).toEqual(script.map((s) => (s.intent?.trim() ? s.intent.trim() : undefined)));
      }),
      { numRuns: 30 },
    );
  });
});
