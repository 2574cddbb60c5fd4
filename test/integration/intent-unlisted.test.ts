// Intent capture must never take a host's own argument away, even from a client that calls a tool
// without having listed the tools through this process (another replica, a cached list).
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport as InMemoryV1 } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { InMemoryTransport as InMemoryV2, McpServer as McpServerV2 } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getYavio, withYavio } from "../../src/index.js";
import { withYavio as withYavioV2 } from "../../src/v2.js";
import { capture } from "../helpers.js";

describe("intent capture and a tool with its own `context` argument, called before any tools/list", () => {
  it("SDK 2.x: the handler gets its argument", async () => {
    const cap = capture();
    const server = withYavioV2(new McpServerV2({ name: "i", version: "1" }), { ...cap.options, capture: { intent: true } });
    const seen: unknown[] = [];
    server.registerTool("ask", { inputSchema: z.object({ context: z.string(), n: z.number() }) }, (args) => {
      seen.push(args);
      return { content: [{ type: "text", text: "ok" }] };
    });
    const [a, b] = InMemoryV2.createLinkedPair();
    await server.connect(b);
    const client = new ClientV2({ name: "c", version: "1" });
    await client.connect(a);
    const result = await client.callTool({ name: "ask", arguments: { context: "mine", n: 1 } });
    await client.close();
    await getYavio(server).shutdown();
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([{ context: "mine", n: 1 }]);
  });

  it("SDK 1.x low-level-like case: a tool whose schema the adapter cannot read keeps the argument unless this configuration listed it with ours", async () => {
    const cap = capture();
    const server = withYavio(new McpServerV1({ name: "i", version: "1" }), { ...cap.options, capture: { intent: true } });
    const seen: unknown[] = [];
    // A refined zod object has no readable shape on the registered tool.
    const register = server.registerTool.bind(server) as unknown as (name: string, config: object, cb: (args: unknown) => object) => void;
    register("ask", { inputSchema: z.object({ context: z.string(), n: z.number() }).refine(() => true) }, (args: unknown) => {
      seen.push(args);
      return { content: [{ type: "text", text: "ok" }] };
    });
    const [a, b] = InMemoryV1.createLinkedPair();
    await server.connect(b);
    const client = new ClientV1({ name: "c", version: "1" });
    await client.connect(a);
    const result = await client.callTool({ name: "ask", arguments: { context: "mine", n: 1 } });
    await client.close();
    await getYavio(server).shutdown();
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([{ context: "mine", n: 1 }]);
  });
});
