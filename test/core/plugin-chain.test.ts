import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { YavioPlugin } from "../../src/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient, text } from "../helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

function serverWith(plugins: YavioPlugin[]) {
  const cap = capture();
  let runs = 0;
  const server = withYavio(new McpServer({ name: "plugins", version: "1" }), { ...cap.options, plugins });
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text: t }) => {
    runs += 1;
    return { content: [{ type: "text", text: t }] };
  });
  server.registerTool("boom", {}, () => {
    runs += 1;
    throw new RangeError("out of range");
  });
  cleanups.push(() => getYavio(server).shutdown());
  return { ...cap, server, runs: () => runs };
}

const boom = (): never => {
  throw new Error("plugin bug");
};

/** Plugins that misbehave in every way a plugin can. */
const misbehaving: Record<string, YavioPlugin> = {
  "throws in requestStarted": { name: "p", requestStarted: boom },
  "throws before starting the handler": { name: "p", runWithin: boom },
  "throws after starting the handler": {
    name: "p",
    runWithin: (_s, run) => {
      run();
      throw new Error("after");
    },
  },
  "never starts the handler": { name: "p", runWithin: <T>() => undefined as T },
  "starts the handler twice": {
    name: "p",
    runWithin: (_s, run) => {
      run();
      return run();
    },
  },
  "returns something else": { name: "p", runWithin: <T>(_s: unknown, run: () => T) => (run(), Promise.resolve({ content: [] }) as T) },
  "throws in requestEnded": { name: "p", requestEnded: boom },
  "throws in sessionStarted and sessionEnded": { name: "p", sessionStarted: boom, sessionEnded: boom },
};

describe("the plugin chain", () => {
  it("runs hooks in order around the handler: requestStarted, runWithin (handler inside), requestEnded", async () => {
    const calls: string[] = [];
    const { server, runs } = serverWith([
      {
        name: "outer",
        requestStarted: (r) => (calls.push(`outer start ${r.method} ${r.target}`), "outer-state"),
        runWithin: (state, run) => {
          calls.push(`outer within ${String(state)}`);
          return run();
        },
        requestEnded: (_r, outcome, state) => void calls.push(`outer end ${String(state)} ${outcome.isError}`),
      },
      { name: "inner", runWithin: (_s, run) => (calls.push("inner within"), run()), requestEnded: () => void calls.push("inner end") },
    ]);
    const client = await connectClient(server);
    await client.callTool({ name: "echo", arguments: { text: "a" } });
    await client.close();
    expect(calls).toEqual(["outer start tools/call echo", "outer within outer-state", "inner within", "outer end outer-state false", "inner end"]);
    expect(runs()).toBe(1);
  });

  it("tells plugins the outcome: the thrown error with its class, and isError", async () => {
    const outcomes: { isError: boolean; error: unknown }[] = [];
    const { server } = serverWith([{ name: "watch", requestEnded: (_r, o) => void outcomes.push({ isError: o.isError, error: o.error }) }]);
    const client = await connectClient(server);
    await client.callTool({ name: "boom", arguments: {} });
    await client.close();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.isError).toBe(true);
    expect(outcomes[0]!.error).toBeInstanceOf(RangeError);
  });

  it.each(Object.keys(misbehaving))("is fail-open when a plugin %s: the handler runs once, the answer is unchanged, YAVIO-1108", async (label) => {
    const plugin = misbehaving[label]!;
    const { server, runs, warnings, sink } = serverWith([plugin]);
    const client = await connectClient(server);
    const ok = await client.callTool({ name: "echo", arguments: { text: "same" } });
    const failed = await client.callTool({ name: "boom", arguments: {} });
    await client.close();
    await getYavio(server).flush();
    expect(text(ok)).toBe("same");
    expect(failed.isError).toBe(true);
    expect(text(failed)).toBe("out of range");
    expect(runs()).toBe(2);
    expect(warnings.some((w) => w.code === "YAVIO-1108")).toBe(true);
    // Said once per plugin and hook, however often it fails.
    const keys = warnings.filter((w) => w.code === "YAVIO-1108").map((w) => JSON.stringify(w.details));
    expect(new Set(keys).size).toBe(keys.length);
    // The event plugin is not affected by another plugin's failure.
    expect(sink.events.filter((e) => e.event_type === "tool_call")).toHaveLength(2);
  });

  it("never changes what the client receives, whatever a random chain of plugins does", async () => {
    const behaviours = fc.constantFrom(...Object.keys(misbehaving), "well-behaved");
    await fc.assert(
      fc.asyncProperty(fc.array(behaviours, { maxLength: 4 }), fc.string({ maxLength: 20 }), async (chain, input) => {
        const plugins = chain.map((b, i) => ({ ...(misbehaving[b] ?? { runWithin: <T>(_s: unknown, run: () => T) => run() }), name: `p${i}` }));
        const { server, runs } = serverWith(plugins);
        const client = await connectClient(server);
        const ok = await client.callTool({ name: "echo", arguments: { text: input } });
        await client.close();
        expect(text(ok)).toBe(input);
        expect(runs()).toBe(1);
        await getYavio(server).shutdown();
      }),
      { numRuns: 25 },
    );
  });
});
