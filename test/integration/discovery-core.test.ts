import { describe, expect, it } from "vitest";
import { fingerprint, IntentCapture, unexposedReason } from "../../src/core/index.js";
import { resolveCoreOptions } from "../../src/core/options.js";
import { fieldPolicy, scrubEvent } from "../../src/event/index.js";
import type { WireEvent, YavioWarning } from "../../src/index.js";
import { createScrubber, YavioConfigError } from "../../src/index.js";

describe("schema fingerprints", () => {
  it("are equal for equal schemas whatever the key order, and differ for a changed one", () => {
    const a = { type: "object", properties: { q: { type: "string" }, n: { type: "number" } }, required: ["q"] };
    const b = { required: ["q"], properties: { n: { type: "number" }, q: { type: "string" } }, type: "object" };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint({ ...a, required: ["q", "n"] })).not.toBe(fingerprint(a));
    expect(fingerprint(["q", "n"])).not.toBe(fingerprint(["n", "q"]));
  });

  it("handle deep, huge and odd values without throwing", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(fingerprint(deep)).toMatch(/^[0-9a-f]{16}$/);
    const huge = { s: "x".repeat(3_000_000) };
    expect(fingerprint(huge)).not.toBe(fingerprint({ s: "x".repeat(2_000_000) }));
    expect(fingerprint({ n: NaN, u: undefined, f: () => 1 })).toBe(fingerprint({ n: null, f: null }));
  });
});

describe("unexposedReason", () => {
  const result = (text: string) => ({ content: [{ type: "text", text }], isError: true });
  it.each([
    ["v1 not found", "nope", { result: result("MCP error -32602: Tool nope not found"), error: undefined, threw: false, isError: true }, "not_found"],
    ["v1 disabled", "old", { result: result("MCP error -32602: Tool old disabled"), error: undefined, threw: false, isError: true }, "disabled"],
    ["v2 thrown", "nope", { result: undefined, error: Object.assign(new Error("Tool nope not found"), { code: -32602 }), threw: true, isError: true }, "not_found"],
    ["a tool's own result without the SDK prefix", "t", { result: result("Tool t not found"), error: undefined, threw: false, isError: true }, undefined],
    ["a tool that threw (the handler ran)", "t", { result: result("MCP error -32602: Tool t not found"), error: new Error("x"), threw: false, isError: true }, undefined],
    ["another name in the message", "a", { result: result("MCP error -32602: Tool b not found"), error: undefined, threw: false, isError: true }, undefined],
    ["a thrown error with another code", "nope", { result: undefined, error: Object.assign(new Error("Tool nope not found"), { code: -32603 }), threw: true, isError: true }, undefined],
    ["validation", "t", { result: result("MCP error -32602: Input validation error: Invalid arguments for tool t"), error: undefined, threw: false, isError: true }, undefined],
    ["a success", "t", { result: { content: [] }, error: undefined, threw: false, isError: false }, undefined],
  ] as const)("%s", (_label, name, outcome, expected) => {
    expect(unexposedReason(name, outcome)).toBe(expected);
  });
});

describe("IntentCapture", () => {
  const warnings: YavioWarning[] = [];
  const intent = () => new IntentCapture({ argument: "context", description: "why" }, (w) => void warnings.push(w as YavioWarning));

  it("never changes the host's list result, and returns it as is when nothing is added", () => {
    const host = Object.freeze({ tools: Object.freeze([Object.freeze({ name: "t", inputSchema: Object.freeze({ type: "object" }) })]) });
    const out = intent().augmentListResult(host) as { tools: { inputSchema: unknown }[] };
    expect(out).not.toBe(host);
    expect(out.tools[0]!.inputSchema).toEqual({ type: "object", properties: { context: { type: "string", description: "why" } } });
    const odd = { tools: [{ name: "u", inputSchema: { anyOf: [] } }, "junk", null] };
    expect(intent().augmentListResult(odd)).toBe(odd);
    expect(intent().augmentListResult(undefined)).toBeUndefined();
  });

  it("strips a copy and keeps the client's object; leaves tools that declare the argument alone", () => {
    const capture = intent();
    const args = { a: 1, context: "  because  " };
    // Unknown to the adapter and never listed here with our argument: left alone.
    expect(capture.strip("t", args, undefined)).toBeUndefined();
    capture.augmentListResult({ tools: [{ name: "t", inputSchema: { type: "object", properties: { a: {} } } }] });
    const out = capture.strip("t", args, undefined);
    expect(out).toEqual({ arguments: { a: 1 }, intent: "because" });
    expect(args).toEqual({ a: 1, context: "  because  " });
    expect(capture.strip("t", { a: 1 }, undefined)).toBeUndefined();
    expect(capture.strip("t", args, true)).toBeUndefined();
    capture.augmentListResult({ tools: [{ name: "own", inputSchema: { type: "object", properties: { context: {} } } }] });
    expect(capture.strip("own", args, undefined)).toBeUndefined();
    // The adapter's answer wins over what a list said.
    expect(capture.strip("own", args, false)).toEqual({ arguments: { a: 1 }, intent: "because" });
    expect(warnings.filter((w) => w.code === "YAVIO-1313").length).toBeGreaterThan(0);
  });
});

describe("capture options", () => {
  it.each([
    [{ intent: "yes" }],
    [{ intent: { argument: "1bad" } }],
    [{ intent: { argument: "has space" } }],
    [{ intent: { description: "" } }],
    [{ intent: { description: "x".repeat(1025) } }],
    [{ discovery: "no" }],
  ])("refuses %j with YAVIO-1003", (capture) => {
    expect(() => resolveCoreOptions({ capture } as never)).toThrow(YavioConfigError);
  });

  it("defaults: discovery on, intent off; intent true means the context argument", () => {
    expect(resolveCoreOptions({})).toMatchObject({ captureDiscovery: true, intent: undefined });
    expect(resolveCoreOptions({ capture: { intent: true } }).intent).toMatchObject({ argument: "context" });
    expect(resolveCoreOptions({ capture: { intent: { argument: "why_now" } } }).intent?.argument).toBe("why_now");
  });
});

describe("field policy of the new fields", () => {
  const base: WireEvent = { event_id: "e", event_type: "tool_discovery", trace_id: "t", session_id: "s", timestamp: "2026-12-01T00:00:00.000Z", source: "server", sdk_version: "0" };
  const scrubber = createScrubber();

  it("scrubs intent and description as text", () => {
    expect(fieldPolicy("intent")).toBe("text");
    expect(fieldPolicy("description")).toBe("text");
    const out = scrubEvent({ ...base, intent: "mail jane.doe@example.com", description: "ask jane.doe@example.com" }, scrubber);
    expect(JSON.stringify(out)).not.toContain("jane.doe@example.com");
  });

  it("scrubs a schema's keys and strings, but keeps a sensitive-named argument's sub-schema", () => {
    expect(fieldPolicy("input_schema")).toBe("schema");
    const schema = { type: "object", properties: { password: { type: "string", minLength: 8 }, "jane.doe@example.com": { default: "jane.doe@example.com" } } };
    const out = scrubEvent({ ...base, input_schema: schema }, scrubber).input_schema as { properties: Record<string, unknown> };
    expect(out.properties.password).toEqual({ type: "string", minLength: 8 });
    expect(JSON.stringify(out)).not.toContain("jane.doe@example.com");
    const clean = { type: "object", properties: { q: { type: "string" } } };
    const same = { ...base, input_schema: clean };
    expect(scrubEvent(same, scrubber)).toBe(same);
  });
});
