// Type-checked by `npm run typecheck` (tsc over test/): ctx.yavio needs no cast in any handler kind.
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { YavioContext, YavioExtra, YavioMcpServer, YavioToolCallback } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient, ofType } from "../helpers.js";

describe("typed handlers", () => {
  it("types ctx.yavio in tool, resource, template and prompt handlers without casts", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "typed", version: "1" }), cap.options);
    expectTypeOf(server).toExtend<YavioMcpServer>();
    // The handler's extra argument is the SDK's plus yavio, in every typed registration path.
    expectTypeOf<Parameters<YavioToolCallback>[0]>().toEqualTypeOf<YavioExtra>();
    expectTypeOf<YavioExtra["yavio"]>().toEqualTypeOf<YavioContext>();
    expectTypeOf<YavioExtra["signal"]>().toEqualTypeOf<AbortSignal>();
    server.registerTool("with_args", { inputSchema: { n: z.number() } }, ({ n }, ctx) => {
      expectTypeOf(ctx.yavio).toEqualTypeOf<YavioContext>();
      expectTypeOf(n).toEqualTypeOf<number>();
      ctx.yavio.track("typed_tool", { n });
      return { content: [] };
    });
    server.registerTool("no_args", {}, (ctx) => {
      ctx.yavio.track("typed_no_args");
      return { content: [] };
    });
    server.registerResource("r", "typed://r", {}, (uri, ctx) => {
      ctx.yavio.track("typed_resource");
      return { contents: [{ uri: uri.href, text: "r" }] };
    });
    server.registerResource("t", new ResourceTemplate("typed://t/{id}", { list: undefined }), {}, (uri, vars, ctx) => {
      ctx.yavio.track("typed_template", { id: String(vars.id) });
      return { contents: [{ uri: uri.href, text: "t" }] };
    });
    server.tool("legacy", { n: z.number() }, ({ n }, ctx) => {
      ctx.yavio.track("typed_legacy", { n });
      return { content: [] };
    });
    server.registerPrompt("p", { argsSchema: { topic: z.string() } }, ({ topic }, ctx) => {
      ctx.yavio.track("typed_prompt", { topic });
      return { messages: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "with_args", arguments: { n: 1 } });
    await client.callTool({ name: "no_args", arguments: {} });
    await client.readResource({ uri: "typed://r" });
    await client.readResource({ uri: "typed://t/9" });
    await client.getPrompt({ name: "p", arguments: { topic: "x" } });
    await client.callTool({ name: "legacy", arguments: { n: 2 } });
    await client.close();
    await getYavio(server).shutdown();
    expect(ofType(cap.sink.events, "track").map((e) => e.event_name)).toEqual([
      "typed_tool",
      "typed_no_args",
      "typed_resource",
      "typed_template",
      "typed_prompt",
      "typed_legacy",
    ]);
  });
});

describe("typed subclasses", () => {
  it("keeps the members of an McpServer subclass on the wrapped type", async () => {
    class NotesServer extends McpServer {
      readonly notes: string[] = [];
      addNote(note: string): number {
        return this.notes.push(note);
      }
    }
    const cap = capture();
    const server = withYavio(new NotesServer({ name: "sub", version: "1" }), cap.options);
    expect(server.addNote("hello")).toBe(1);
    server.registerTool("count", {}, (ctx) => {
      ctx.yavio.track("counted", { n: server.notes.length });
      return { content: [] };
    });
    const client = await connectClient(server);
    await client.callTool({ name: "count", arguments: {} });
    await client.close();
    await getYavio(server).shutdown();
    expect(ofType(cap.sink.events, "track", "counted")[0]!.metadata).toEqual({ n: 1 });
  });
});
