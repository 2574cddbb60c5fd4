// The differential property on SDK 2.x: for random call scripts, a wrapped server answers exactly
// as the bare one and runs each handler as often — with intent capture off, and on (the listed
// schemas aside, which is the point of it).
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport, McpServer } from "@modelcontextprotocol/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getYavio, withYavio } from "../../src/v2.js";
import { capture } from "../helpers.js";

function buildServer(runs: Map<string, number>): McpServer {
  const server = new McpServer({ name: "diff-v2", version: "1.0.0" });
  const count = (name: string): void => void runs.set(name, (runs.get(name) ?? 0) + 1);
  server.registerTool("ok", { inputSchema: z.object({ n: z.number() }) }, ({ n }) => {
    count("ok");
    return { content: [{ type: "text", text: `n=${n}` }] };
  });
  server.registerTool("strict", { inputSchema: z.object({ n: z.number() }).strict() }, ({ n }) => {
    count("strict");
    return { content: [{ type: "text", text: `strict ${n}` }] };
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
  server.registerTool("structured", { outputSchema: z.object({ total: z.number() }) }, () => {
    count("structured");
    return { content: [{ type: "text", text: '{"total":3}' }], structuredContent: { total: 3 } };
  });
  server.registerResource("doc", "doc://one", {}, (uri) => {
    count("doc");
    return { contents: [{ uri: uri.href, text: "one" }] };
  });
  server.registerPrompt("p", { argsSchema: z.object({ x: z.string() }) }, ({ x }) => {
    count("p");
    return { messages: [{ role: "user", content: { type: "text", text: x } }] };
  });
  return server;
}

type Step =
  | { kind: "tool"; name: string; args: Record<string, unknown> }
  | { kind: "resource"; uri: string }
  | { kind: "prompt"; name: string; args: Record<string, string> }
  | { kind: "list" };

const steps: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("tool" as const), name: fc.constantFrom("ok", "strict", "is_error", "throw_sync", "throw_async", "structured", "missing"), args: fc.constant({ n: 1 }) }),
  fc.record({
    kind: fc.constant("tool" as const),
    name: fc.constantFrom("ok", "strict"),
    args: fc.oneof(fc.record({ n: fc.integer() }), fc.record({ n: fc.string() }), fc.constant({}), fc.record({ n: fc.integer(), extra: fc.string() })),
  }),
  fc.record({ kind: fc.constant("resource" as const), uri: fc.constantFrom("doc://one", "doc://missing") }),
  fc.record({ kind: fc.constant("prompt" as const), name: fc.constantFrom("p", "nope"), args: fc.constant({ x: "hello" }) }),
  fc.constant({ kind: "list" as const }),
);

async function connect(server: McpServer): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "cursor-vscode", version: "1.0.0" });
  await client.connect(clientSide);
  return client;
}

/** Plays a script; with `intent`, every tool call also states why (the wrapped server takes it out). */
async function play(client: Client, script: Step[], intent: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const step of script) {
    try {
      if (step.kind === "tool") {
        const args = intent ? { ...step.args, context: "checking the numbers" } : step.args;
        out.push({ ok: await client.callTool({ name: step.name, arguments: args }) });
      } else if (step.kind === "resource") out.push({ ok: await client.readResource({ uri: step.uri }) });
      else if (step.kind === "prompt") out.push({ ok: await client.getPrompt({ name: step.name, arguments: step.args }) });
      else {
        const { tools } = await client.listTools();
        // The listed schemas are what intent capture changes on purpose: compare the names.
        out.push({ ok: tools.map((t) => t.name) });
      }
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      out.push({ error: { code: e.code, message: e.message } });
    }
  }
  return out;
}

describe("SDK 2.x: the middleware never changes what the client sees", () => {
  it.each([
    ["intent capture off", false],
    ["intent capture on (calls state an intent the host never sees)", true],
  ] as const)("gives identical answers and handler run counts wrapped and bare, for random call scripts — %s", async (_label, intent) => {
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { minLength: 1, maxLength: 10 }), async (script) => {
        const bareRuns = new Map<string, number>();
        const bareClient = await connect(buildServer(bareRuns));
        const expected = await play(bareClient, script, false);
        await bareClient.close();

        const wrappedRuns = new Map<string, number>();
        const cap = capture();
        const wrapped = withYavio(buildServer(wrappedRuns), { ...cap.options, ...(intent ? { capture: { intent: true } } : {}) });
        const client = await connect(wrapped);
        // Intent capture strips only what a listing added: the client lists first, as clients do.
        if (intent) await client.listTools();
        const actual = await play(client, script, intent);
        await client.close();
        await getYavio(wrapped).shutdown();

        expect(actual).toEqual(expected);
        expect(wrappedRuns).toEqual(bareRuns);
      }),
      { numRuns: 30 },
    );
  });
});
