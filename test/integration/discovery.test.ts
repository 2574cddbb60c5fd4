import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { getYavio, withYavio } from "../../src/index.js";
import type { WireEvent } from "../../src/index.js";
import { capture, connectClient, ofType, wrappedServers } from "../helpers.js";

const { setup, cleanups } = wrappedServers("discovery");

function tools(events: readonly WireEvent[]): WireEvent[] {
  return ofType(events, "tool_discovery").filter((e) => (e.metadata as { kind?: unknown } | undefined)?.kind === "tool");
}

function meta(e: WireEvent | undefined): Record<string, unknown> {
  return (e?.metadata ?? {});
}

describe("tool discovery on tools/list", () => {
  it("records one tool_discovery per listed tool, with its description and schema fingerprint, once per session", async () => {
    const { server, sink } = setup();
    server.registerTool("search", { description: "Search the notes.", inputSchema: { query: z.string() } }, () => ({ content: [] }));
    server.registerTool("ping", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.listTools();
    await client.listTools();
    await client.listTools();
    await getYavio(server).flush();
    const events = tools(sink.events);
    expect(events.map((e) => e.tool_name)).toEqual(["search", "ping"]);
    const search = events[0]!;
    expect(search.event_name).toBe("search");
    expect(search.description).toBe("Search the notes.");
    expect(meta(search)).toMatchObject({ kind: "tool", list_position: 0, list_size: 2 });
    expect(meta(search).schema_fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(meta(events[1]).schema_fingerprint).not.toBe(meta(search).schema_fingerprint);
    // Every event of the session shares the session's id; the discovery events come after its start.
    expect(new Set(sink.events.map((e) => e.session_id)).size).toBe(1);
    expect(sink.events[0]!.event_name).toBe("session_start");
    await client.close();
  });

  it("records a tool again only when the list changed: a new tool, or a changed description or schema", async () => {
    const { server, sink } = setup();
    const search = server.registerTool("search", { description: "v1", inputSchema: { query: z.string() } }, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.listTools();
    // Registered after the first list (and after wrapping and connecting): listed next time.
    server.registerTool("late", { inputSchema: { n: z.number() } }, () => ({ content: [] }));
    await client.listTools();
    search.update({ description: "v2" });
    await client.listTools();
    search.update({ paramsSchema: { query: z.string(), limit: z.number().optional() } });
    await client.listTools();
    await client.listTools();
    await getYavio(server).flush();
    const events = tools(sink.events);
    expect(events.map((e) => [e.tool_name, e.description ?? null, meta(e).changed ?? false])).toEqual([
      ["search", "v1", false],
      ["late", null, false],
      ["search", "v2", true],
      ["search", "v2", true],
    ]);
    expect(meta(events[3]).schema_fingerprint).not.toBe(meta(events[2]).schema_fingerprint);
    expect(meta(events[2]).schema_fingerprint).toBe(meta(events[0]).schema_fingerprint);
    await client.close();
  });

  it("sends the full input_schema only on the first event of a configuration with that fingerprint", async () => {
    const cap = capture();
    const make = () => {
      const server = withYavio(new McpServer({ name: "per-session", version: "1.0.0" }), cap.options);
      server.registerTool("search", { inputSchema: { query: z.string().describe("words to look for") } }, () => ({ content: [] }));
      return server;
    };
    const first = make();
    const second = make();
    cleanups.push(() => getYavio(first).shutdown());
    const a = await connectClient(first);
    await a.listTools();
    const b = await connectClient(second);
    await b.listTools();
    await getYavio(first).flush();
    const [one, two] = tools(cap.sink.events);
    expect(one!.session_id).not.toBe(two!.session_id);
    expect(one!.input_schema).toMatchObject({ type: "object", properties: { query: { type: "string", description: "words to look for" } } });
    expect(two!.input_schema).toBeUndefined();
    expect(meta(two).schema_fingerprint).toBe(meta(one).schema_fingerprint);
    await a.close();
    await b.close();
  });

  it("records tools of zod 3 and zod 4 schemas and tools without an input schema", async () => {
    const { server, sink } = setup();
    server.registerTool("v4", { inputSchema: { a: z.string() } }, () => ({ content: [] }));
    server.registerTool("v3", { inputSchema: { a: z3.string() } }, () => ({ content: [] }));
    server.registerTool("none", { description: "no arguments" }, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.listTools();
    await getYavio(server).flush();
    const events = tools(sink.events);
    expect(events.map((e) => e.tool_name)).toEqual(["v4", "v3", "none"]);
    for (const e of events.slice(0, 2)) expect(e.input_schema).toMatchObject({ type: "object", properties: { a: { type: "string" } }, required: ["a"] });
    expect(events[2]!.input_schema).toEqual({ type: "object", properties: {} });
    await client.close();
  });

  it("keeps a sensitive-sounding argument's schema and scrubs PII in descriptions", async () => {
    const { server, sink } = setup();
    server.registerTool(
      "login",
      { description: "Sign in. Support: help.desk@example.com", inputSchema: { password: z.string().describe("ask jane.doe@example.com") } },
      () => ({ content: [] }),
    );
    const client = await connectClient(server);
    await client.listTools();
    await getYavio(server).flush();
    const [login] = tools(sink.events);
    const json = JSON.stringify(login);
    expect(json).not.toContain("@example.com");
    expect(login!.description).toContain("Sign in. Support:");
    expect(login!.input_schema).toMatchObject({ properties: { password: { type: "string" } } });
    await client.close();
  });

  it("records resources, resource templates and prompts as one event per list with the names new to the session", async () => {
    const { server, sink } = setup();
    server.registerResource("plans", "ledger://plans", {}, (uri) => ({ contents: [{ uri: uri.href, text: "" }] }));
    server.registerPrompt("reminder", { argsSchema: { id: z.string() } }, () => ({ messages: [] }));
    const client = await connectClient(server);
    await client.listResources();
    await client.listResources();
    await client.listPrompts();
    server.registerPrompt("summary", {}, () => ({ messages: [] }));
    await client.listPrompts();
    await getYavio(server).flush();
    const listed = ofType(sink.events, "tool_discovery").filter((e) => meta(e).kind !== "tool");
    expect(listed.map((e) => [e.event_name, meta(e).kind, meta(e).names, meta(e).list_size])).toEqual([
      ["resources/list", "resource", ["plans"], 1],
      ["prompts/list", "prompt", ["reminder"], 1],
      ["prompts/list", "prompt", ["summary"], 2],
    ]);
    await client.close();
  });

  it("records nothing with capture.discovery false, and the list is the host's", async () => {
    const { server, sink } = setup({ capture: { discovery: false } });
    server.registerTool("search", { inputSchema: { query: z.string() } }, () => ({ content: [] }));
    const client = await connectClient(server);
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(["search"]);
    await getYavio(server).flush();
    expect(ofType(sink.events, "tool_discovery")).toEqual([]);
    await client.close();
  });
});

describe("calls to tools the server does not expose", () => {
  it("records an unknown tool as a tool_call error flagged unexposed_tool: not_found, and a disabled one as disabled", async () => {
    const { server, sink } = setup();
    const old = server.registerTool("old", {}, () => ({ content: [] }));
    old.disable();
    server.registerTool("fails", {}, () => {
      // A tool whose own failure reads like the SDK's: still a failing tool, not an unknown one.
      throw new Error("Tool fails not found");
    });
    const client = await connectClient(server);
    const unknown = await client.callTool({ name: "summarize_inbox", arguments: {} });
    const disabled = await client.callTool({ name: "old", arguments: {} });
    const failing = await client.callTool({ name: "fails", arguments: {} });
    // What the client sees is the SDK's own answer.
    expect(unknown).toEqual({ content: [{ type: "text", text: "MCP error -32602: Tool summarize_inbox not found" }], isError: true });
    expect(disabled).toMatchObject({ isError: true, content: [{ text: "MCP error -32602: Tool old disabled" }] });
    expect(failing).toMatchObject({ isError: true });
    await getYavio(server).flush();
    const calls = ofType(sink.events, "tool_call");
    expect(calls.map((e) => [e.tool_name, e.status, e.error_category, meta(e).unexposed_tool ?? null, e.error_message])).toEqual([
      ["summarize_inbox", "error", "validation", "not_found", "Tool summarize_inbox not found"],
      ["old", "error", "validation", "disabled", "Tool old disabled"],
      ["fails", "error", "validation", null, "Tool fails not found"],
    ]);
    await client.close();
  });

  it("scrubs the name asked for and cuts it to 128 characters", async () => {
    const { server, sink } = setup();
    server.registerTool("real", {}, () => ({ content: [] }));
    const client = await connectClient(server);
    await client.callTool({ name: "mail jane.doe@example.com", arguments: {} });
    const long = `x${"y".repeat(5000)}`;
    await client.callTool({ name: long, arguments: {} });
    await getYavio(server).flush();
    const [pii, cut] = ofType(sink.events, "tool_call");
    expect(JSON.stringify(pii)).not.toContain("jane.doe@example.com");
    expect(pii!.tool_name).toMatch(/^mail /);
    expect(meta(pii).unexposed_tool).toBe("not_found");
    expect(cut!.tool_name!.length).toBe(128);
    expect(cut!.tool_name!.endsWith("…")).toBe(true);
    expect(cut!.event_name).toBe(cut!.tool_name);
    expect(cut!.error_message).toBe(`Tool ${cut!.tool_name} not found`);
    expect(cut!.output_content).toBeUndefined();
    expect(JSON.stringify(cut).length).toBeLessThan(2000);
    await client.close();
  });
});
