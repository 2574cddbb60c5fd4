import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport, McpServer } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WireEvent } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/v2.js";
import { capture } from "../helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

function build(seen: unknown[]): McpServer {
  const server = new McpServer({ name: "v2-discovery", version: "1.0.0" });
  server.registerTool("search", { description: "Search notes.", inputSchema: z.object({ query: z.string() }).strict() }, (args) => {
    seen.push(args);
    return { content: [{ type: "text", text: `found ${args.query}` }] };
  });
  server.registerTool("bare", { description: "no input schema" }, () => {
    seen.push("bare");
    return { content: [{ type: "text", text: "bare" }] };
  });
  const old = server.registerTool("old", {}, () => ({ content: [] }));
  old.disable();
  return server;
}

async function connect(server: McpServer): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "v2-client", version: "1.0.0" });
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return client;
}

function wrapped(options: Record<string, unknown>, seen: unknown[]) {
  const cap = capture();
  const server = withYavio(build(seen), { ...cap.options, ...options });
  cleanups.push(() => getYavio(server).shutdown());
  return { ...cap, server };
}

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await run() };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return { error: { code: e.code, message: e.message } };
  }
}

const meta = (e: WireEvent | undefined): Record<string, unknown> => (e?.metadata ?? {});

describe("SDK 2.x: discovery, unexposed tools and intent", () => {
  it("records each listed tool once per session", async () => {
    const { server, sink } = wrapped({}, []);
    const client = await connect(server);
    await client.listTools();
    await client.listTools();
    await getYavio(server).flush();
    const shown = sink.events.filter((e) => e.event_type === "tool_discovery");
    expect(shown.map((e) => [e.tool_name, meta(e).kind])).toEqual([
      ["search", "tool"],
      ["bare", "tool"],
    ]);
    expect(shown[0]!.input_schema).toMatchObject({ type: "object", properties: { query: { type: "string" } } });
  });

  it("flags a thrown 'Tool X not found' / 'disabled' as an unexposed tool, and the client still gets the SDK's error", async () => {
    const bareClient = await connect(build([]));
    const expected = [await outcome(() => bareClient.callTool({ name: "nope", arguments: {} })), await outcome(() => bareClient.callTool({ name: "old", arguments: {} }))];
    const { server, sink } = wrapped({}, []);
    const client = await connect(server);
    const actual = [await outcome(() => client.callTool({ name: "nope", arguments: {} })), await outcome(() => client.callTool({ name: "old", arguments: {} }))];
    expect(actual).toEqual(expected);
    expect(expected[0]).toMatchObject({ error: { code: -32602 } });
    await getYavio(server).flush();
    const calls = sink.events.filter((e) => e.event_type === "tool_call");
    expect(calls.map((e) => [e.tool_name, e.status, meta(e).unexposed_tool])).toEqual([
      ["nope", "error", "not_found"],
      ["old", "error", "disabled"],
    ]);
  });

  it("intent off: tools/list is the bare server's, byte for byte", async () => {
    const bareClient = await connect(build([]));
    const expected = JSON.stringify(await bareClient.listTools());
    const { server } = wrapped({}, []);
    const client = await connect(server);
    expect(JSON.stringify(await client.listTools())).toBe(expected);
  });

  it("intent on: the argument is listed, taken out before the strict schema sees it, and recorded", async () => {
    const bareSeen: unknown[] = [];
    const bareClient = await connect(build(bareSeen));
    const seen: unknown[] = [];
    const { server, sink } = wrapped({ capture: { intent: true } }, seen);
    const client = await connect(server);
    const listed = await client.listTools();
    expect(listed.tools.map((t) => Object.keys(t.inputSchema.properties ?? {}))).toEqual([["query", "context"], ["context"]]);
    const calls = [
      { name: "search", arguments: { query: "q" } },
      { name: "search", arguments: { query: "q", extra: true } },
      { name: "bare", arguments: {} },
    ];
    for (const call of calls) {
      const expected = await outcome(() => bareClient.callTool(call));
      const actual = await outcome(() => client.callTool({ ...call, arguments: { ...call.arguments, context: `why ${call.name}` } }));
      expect(actual).toEqual(expected);
    }
    expect(seen).toEqual(bareSeen);
    expect(seen).toEqual([{ query: "q" }, "bare"]);
    await getYavio(server).flush();
    expect(sink.events.filter((e) => e.event_type === "tool_call").map((e) => [e.tool_name, e.status, e.intent])).toEqual([
      ["search", "success", "why search"],
      ["search", "error", "why search"],
      ["bare", "success", "why bare"],
    ]);
  });
});
