import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, ofType, text } from "../helpers.js";

async function clientWithCapabilities(server: McpServer, failSampling = false): Promise<Client> {
  const client = new Client({ name: "claude-ai", version: "1" }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  client.setRequestHandler(CreateMessageRequestSchema, () => {
    if (failSampling) throw new Error("rate limit exceeded, try later");
    return { model: "test-model", role: "assistant", content: { type: "text", text: "a summary" }, stopReason: "endTurn" };
  });
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { plan: "pro" } }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  await client.connect(a);
  return client;
}

describe("server → client requests", () => {
  it("records sampling and elicitation made from a handler, in the handler's session and trace (ambientContext)", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, ambientContext: true });
    server.registerTool("summarize", {}, async (ctx) => {
      ctx.yavio.identify("u1");
      const sampled = await server.server.createMessage({ messages: [{ role: "user", content: { type: "text", text: "summarize my notes" } }], maxTokens: 100 });
      const answer = await server.server.elicitInput({ message: "Which plan?", requestedSchema: { type: "object", properties: { plan: { type: "string" } } } });
      return { content: [{ type: "text", text: `${(sampled.content as { text: string }).text}/${String(answer.content?.plan)}` }] };
    });
    const client = await clientWithCapabilities(server);
    expect(text(await client.callTool({ name: "summarize", arguments: {} }))).toBe("a summary/pro");
    await client.close();
    await getYavio(server).shutdown();
    const [sampling] = ofType(cap.sink.events, "sampling_call");
    const [elicitation] = ofType(cap.sink.events, "elicitation");
    const [call] = ofType(cap.sink.events, "tool_call");
    expect(sampling).toMatchObject({
      status: "success",
      user_id: "u1",
      input_values: [{ role: "user", content: { type: "text", text: "summarize my notes" } }],
      output_content: { type: "text", text: "a summary" },
      metadata: { model: "test-model", stop_reason: "endTurn", max_tokens: 100 },
    });
    expect(elicitation).toMatchObject({ status: "success", input_values: { message: "Which plan?" }, output_content: { plan: "pro" }, metadata: { action: "accept" } });
    expect(sampling!.trace_id).toBe(call!.trace_id);
    expect(elicitation!.session_id).toBe(call!.session_id);
    expect(sampling!.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("without ambientContext, a sampling request made after its tool answered is never put on another running request", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
    let sampled: Promise<unknown> | undefined;
    let release: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (release = resolve));
    server.registerTool("fire", {}, () => {
      // Answers at once; asks the client later, outside any request.
      setTimeout(() => {
        sampled = server.server.createMessage({ messages: [], maxTokens: 10 }).finally(release);
      }, 20);
      return { content: [{ type: "text", text: "fired" }] };
    });
    server.registerTool("wait", {}, async () => {
      await waiting;
      return { content: [{ type: "text", text: "waited" }] };
    });
    const client = await clientWithCapabilities(server);
    await client.callTool({ name: "fire", arguments: {} });
    await client.callTool({ name: "wait", arguments: {} });
    await sampled;
    await client.close();
    await getYavio(server).shutdown();
    const [sampling] = ofType(cap.sink.events, "sampling_call");
    const calls = ofType(cap.sink.events, "tool_call");
    expect(calls.map((c) => c.tool_name).sort()).toEqual(["fire", "wait"]);
    expect(sampling).toBeDefined();
    for (const call of calls) expect(sampling!.trace_id).not.toBe(call.trace_id);
    expect(sampling!.session_id).toBe(calls[0]!.session_id);
  });

  it("records a failed sampling request as an error and lets the error reach the handler unchanged", async () => {
    const cap = capture();
    const server = withYavio(new McpServer({ name: "s", version: "1" }), cap.options);
    server.registerTool("summarize", {}, async () => {
      try {
        await server.server.createMessage({ messages: [], maxTokens: 10 });
        return { content: [{ type: "text", text: "no error?" }] };
      } catch (error) {
        return { content: [{ type: "text", text: `caught: ${(error as Error).message}` }] };
      }
    });
    const client = await clientWithCapabilities(server, true);
    expect(text(await client.callTool({ name: "summarize", arguments: {} }))).toContain("rate limit exceeded");
    await client.close();
    await getYavio(server).shutdown();
    const [sampling] = ofType(cap.sink.events, "sampling_call");
    expect(sampling).toMatchObject({ status: "error", error_category: "rate_limit" });
    expect(sampling!.error_message).toContain("rate limit exceeded");
  });
});
