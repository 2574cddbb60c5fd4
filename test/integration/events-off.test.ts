import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import type { YavioPlugin } from "../../src/core/index.js";
import type { YavioContext, YavioWarning } from "../../src/index.js";
import { getYavio, withYavio, YavioConfigError } from "../../src/index.js";
import { MemorySink } from "../../src/testing.js";

describe("events: false", () => {
  it("builds and queues no event, picks no destination, and still runs sessions, ctx.yavio and plugins", async () => {
    const sink = new MemorySink();
    const warnings: YavioWarning[] = [];
    const seen: string[] = [];
    const plugin: YavioPlugin = {
      name: "probe",
      requestEnded: (request) => seen.push(`${request.method} ${request.target} ${request.startSession.id.slice(0, 4)}`),
      analytics: (call) => seen.push(`${call.kind} ${call.name ?? ""}`),
      sessionEnded: (_session, reason) => seen.push(`end ${reason}`),
    };
    // No file, sink or endpoint is used: not even the default file's YAVIO-1000 notice.
    const server = withYavio(new McpServer({ name: "off", version: "1.0.0" }), { events: false, sink, onWarning: (w) => warnings.push(w), logLevel: "silent", plugins: [plugin] });
    server.registerTool("hello", {}, (extra) => {
      (extra as unknown as { yavio: YavioContext }).yavio.track("greeted");
      return { content: [{ type: "text", text: "hi" }] };
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: "c", version: "1" });
    await client.connect(a);
    expect((await client.callTool({ name: "hello", arguments: {} })).content).toEqual([{ type: "text", text: "hi" }]);
    await client.close();
    await getYavio(server).flush();
    expect(sink.events).toEqual([]);
    expect(seen).toEqual(["track greeted", "tools/call hello ses_", "end close"]);
    expect(warnings).toEqual([]);
  });

  it("refuses a non-boolean with YavioConfigError", () => {
    expect(() => withYavio(new McpServer({ name: "x", version: "1" }), { events: "no" as never })).toThrow(YavioConfigError);
  });
});
