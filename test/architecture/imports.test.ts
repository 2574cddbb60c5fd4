// The shape of the house, checked: data flows one way (adapters → core → identity/event → pii →
// delivery), no module imports itself back through others, and only the adapters (and the typed
// entry points, for types) name an MCP SDK.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gm;

function edges(): { internal: Edge[]; external: Edge[] } {
  const internal: Edge[] = [];
  const external: Edge[] = [];
  for (const file of files(src)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[3]!;
      const typeOnly = match[2] !== undefined;
      const from = relative(src, file);
      if (spec.startsWith(".")) internal.push({ from, to: relative(src, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))), typeOnly });
      else external.push({ from, to: spec, typeOnly });
    }
  }
  return { internal, external };
}

const top = (path: string): string => (path.includes("/") ? path.slice(0, path.indexOf("/")) : path);

describe("module boundaries", () => {
  const { internal, external } = edges();

  it("finds the sources it checks", () => {
    expect(internal.length).toBeGreaterThan(100);
  });

  it.each([
    ["pii", ["core", "adapters", "identity", "event", "delivery", "report"]],
    ["delivery", ["core", "adapters", "identity", "pii", "report"]],
    ["event", ["core", "adapters", "identity", "delivery", "report"]],
    ["identity", ["core", "adapters", "delivery", "report"]],
    ["warnings", ["core", "adapters", "identity", "event", "pii", "delivery", "report"]],
    ["core", ["adapters", "report"]],
    ["report", ["core", "adapters", "identity", "pii", "delivery"]],
  ])("src/%s imports none of %j", (folder, forbidden) => {
    const offending = internal.filter((e) => top(e.from) === folder && forbidden.includes(top(e.to)));
    expect(offending).toEqual([]);
  });

  it("lets only the adapters and the typed entry points name an MCP SDK, and the entry points only for types", () => {
    const sdk = external.filter((e) => e.to.startsWith("@modelcontextprotocol/"));
    const outside = sdk.filter((e) => top(e.from) !== "adapters" && !(["v2.ts", "with-yavio.ts"].includes(e.from) && e.typeOnly));
    expect(outside).toEqual([]);
    // Not even the adapters load an SDK at run time: they duck-type the server they are given.
    expect(sdk.filter((e) => !e.typeOnly)).toEqual([]);
  });

  it("has no import cycles", () => {
    const graph = new Map<string, string[]>();
    for (const e of internal) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const cycles: string[][] = [];
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, "visiting");
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
        else if (state.get(next) === undefined) visit(next);
      }
      stack.pop();
      state.set(node, "done");
    };
    for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
    expect(cycles).toEqual([]);
  });
});
