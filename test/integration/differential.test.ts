import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient } from "../helpers.js";

/** A server with every kind of outcome a client can see. `runs` counts handler executions. */
function buildServer(runs: Map<string, number>): McpServer {
  const server = new McpServer({ name: "diff", version: "1.0.0" });
  const count = (name: string): void => {
    runs.set(name, (runs.get(name) ?? 0) + 1);
  };
  server.registerTool("ok", { inputSchema: { n: z.number() } }, ({ n }) => {
    count("ok");
    return { content: [{ type: "text", text: `n=${n}` }] };
  });
  server.registerTool("is_error", {}, () => {
    count("is_error");
    return { content: [{ type: "text", text: "handled failure" }], isError: true };
  });
  server.registerTool("throw_sync", {}, () => {
    count("throw_sync");
    throw new Error("sync failure");
  });
  server.registerTool("throw_async", {}, async () => {
    count("throw_async");
    await Promise.resolve();
    throw new TypeError("async failure");
  });
  server.registerTool(
    "structured",
    { outputSchema: { total: z.number() } },
    () => {
      count("structured");
      return { content: [{ type: "text", text: "{\"total\":3}" }], structuredContent: { total: 3 } };
    },
  );
  server.registerTool("bad_structured", { outputSchema: { total: z.number() } }, () => {
    count("bad_structured");
    return { content: [{ type: "text", text: "oops" }], structuredContent: { total: "three" } };
  });
  server.registerResource("doc", "doc://one", {}, (uri) => {
    count("doc");
    return { contents: [{ uri: uri.href, text: "one" }] };
  });
  server.registerPrompt("p", { argsSchema: { x: z.string() } }, ({ x }) => {
    count("p");
    return { messages: [{ role: "user", content: { type: "text", text: x } }] };
  });
  return server;
}

type Step =
  | { kind: "tool"; name: string; args: Record<string, unknown> }
  | { kind: "resource"; uri: string }
  | { kind: "prompt"; name: string; args: Record<string, string> };

const steps: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("tool" as const), name: fc.constantFrom("ok", "is_error", "throw_sync", "throw_async", "structured", "bad_structured", "missing"), args: fc.constant({ n: 1 }) }),
  fc.record({ kind: fc.constant("tool" as const), name: fc.constant("ok"), args: fc.oneof(fc.record({ n: fc.integer() }), fc.record({ n: fc.string() }), fc.constant({})) }),
  fc.record({ kind: fc.constant("resource" as const), uri: fc.constantFrom("doc://one", "doc://missing") }),
  fc.record({ kind: fc.constant("prompt" as const), name: fc.constantFrom("p", "nope"), args: fc.constant({ x: "hello" }) }),
);

async function play(client: Client, script: Step[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const step of script) {
    try {
      if (step.kind === "tool") out.push({ ok: await client.callTool({ name: step.name, arguments: step.args }) });
      else if (step.kind === "resource") out.push({ ok: await client.readResource({ uri: step.uri }) });
      else out.push({ ok: await client.getPrompt({ name: step.name, arguments: step.args }) });
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; data?: unknown };
      out.push({ error: { code: e.code, message: e.message, data: e.data } });
    }
  }
  return out;
}

describe("the middleware never changes what the client sees", () => {
  it("gives identical responses and handler run counts wrapped and unwrapped, for random call scripts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { minLength: 1, maxLength: 12 }), async (script) => {
        const bareRuns = new Map<string, number>();
        const bare = buildServer(bareRuns);
        const bareClient = await connectClient(bare);
        const expected = await play(bareClient, script);
        await bareClient.close();

        const wrappedRuns = new Map<string, number>();
        const cap = capture();
        const wrapped = withYavio(buildServer(wrappedRuns), cap.options);
        const wrappedClient = await connectClient(wrapped);
        const actual = await play(wrappedClient, script);
        await wrappedClient.close();
        await getYavio(wrapped).shutdown();

        expect(actual).toEqual(expected);
        expect(wrappedRuns).toEqual(bareRuns);
        const calls = cap.sink.events.filter((e) => ["tool_call", "resource_access", "prompt_usage"].includes(e.event_type));
        expect(calls).toHaveLength(script.length);
      }),
      { numRuns: 40 },
    );
  });
});
