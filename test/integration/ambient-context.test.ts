import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { getYavio, withYavio, YavioConfigError, yavio } from "../../src/index.js";
import type { YavioContext } from "../../src/index.js";
import { capture, connectClient, ofType, text, wrappedServers } from "../helpers.js";

type Extra = { yavio: YavioContext };

const { setup } = wrappedServers("ambient");

// The YAVIO-1109 warning is said once per process: this file has it to itself.
describe("ambient context (the `yavio` export) is off by default", () => {
  it("ignores yavio.* inside a handler with one YAVIO-1109, while ctx.yavio and the tool_call are recorded", async () => {
    const { sink, warnings, server } = setup();
    server.registerTool("report", {}, async (extra) => {
      (extra as unknown as Extra).yavio.track("via_ctx");
      yavio.track("via_export");
      await new Promise((r) => setTimeout(r, 1));
      yavio.track("via_export_later");
      return { content: [{ type: "text", text: String(yavio.sessionId) }] };
    });
    const client = await connectClient(server);
    expect(text(await client.callTool({ name: "report", arguments: {} }))).toBe("undefined");
    expect(text(await client.callTool({ name: "report", arguments: {} }))).toBe("undefined");
    await getYavio(server).flush();
    expect(ofType(sink.events, "track", "via_ctx")).toHaveLength(2);
    expect(ofType(sink.events, "track", "via_export")).toHaveLength(0);
    expect(ofType(sink.events, "track", "via_export_later")).toHaveLength(0);
    expect(ofType(sink.events, "tool_call")).toHaveLength(2);
    const ambient = warnings.filter((w) => w.code === "YAVIO-1109");
    expect(ambient).toHaveLength(1);
    expect(ambient[0]!.message).toContain("ambientContext");
    expect(warnings.filter((w) => w.code === "YAVIO-1105")).toHaveLength(0);
    await client.close();
  });

  it("keeps a thrown tool error's class without ambient context", async () => {
    const { sink, server } = setup();
    server.registerTool("fails", {}, async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new RangeError("out of range");
    });
    const client = await connectClient(server);
    const result = await client.callTool({ name: "fails", arguments: {} });
    expect(result.isError).toBe(true);
    await getYavio(server).flush();
    const [call] = ofType(sink.events, "tool_call");
    expect(call).toMatchObject({ status: "error", metadata: { error_class: "RangeError", error_source: "thrown" } });
    await client.close();
  });

  it("with ambientContext: true resolves the request in code called from the handler", async () => {
    const { sink, server } = setup({ ambientContext: true });
    server.registerTool("report", {}, async () => {
      await new Promise((r) => setTimeout(r, 1));
      yavio.track("via_export");
      return { content: [{ type: "text", text: String(yavio.sessionId) }] };
    });
    const client = await connectClient(server);
    const sid = text(await client.callTool({ name: "report", arguments: {} }));
    await getYavio(server).flush();
    const [track] = ofType(sink.events, "track", "via_export");
    expect(track?.session_id).toBe(sid);
    expect(track?.trace_id).toBe(ofType(sink.events, "tool_call")[0]!.trace_id);
    await client.close();
  });

  it("refuses an ambientContext that is not a boolean", () => {
    const cap = capture();
    expect(() => withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, ambientContext: "yes" as unknown as boolean })).toThrow(YavioConfigError);
  });
});
