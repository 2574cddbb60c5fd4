import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { boundForQueue, MAX_EVENT_BYTES, truncateEvent } from "../../src/event/index.js";

describe("boundForQueue", () => {
  it.each([
    ["a short string", "hello"],
    ["a small object", { query: "notes", limit: 5, tags: ["a", "b"] }],
    ["2500 small numbers", Array.from({ length: 2500 }, (_, i) => i)],
    ["a content array of short texts", Array.from({ length: 100 }, (_, i) => ({ type: "text", text: `line ${i}` }))],
  ])("keeps %s by reference", (_label, value) => {
    expect(boundForQueue(value)).toBe(value);
  });

  it.each([
    ["a 1 MB string", "x".repeat(1_000_000)],
    ["an array of a million numbers", Array.from({ length: 1_000_000 }, (_, i) => i)],
    ["content with one large text", [{ type: "text", text: "y".repeat(200_000) }]],
    ["a wide object", Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key_${i}`, i]))],
    ["a large typed array", { blob: new Uint8Array(100_000) }],
  ])("replaces %s by a marker at once", (_label, value) => {
    const out = boundForQueue(value) as { truncated: boolean; bytes: number };
    expect(out).not.toBe(value);
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBeGreaterThan(MAX_EVENT_BYTES);
  });
});

describe("truncateEvent", () => {
  const base: WireEvent = { event_id: "e", event_type: "tool_call", trace_id: "t", session_id: "s", timestamp: "2026-01-01T00:00:00.000Z", source: "server", sdk_version: "0" };

  it("leaves an event under the limit alone", () => {
    const event = { ...base, output_content: [{ type: "text", text: "ok" }] };
    expect(truncateEvent(event)).toEqual({ event });
  });

  it("cuts the largest user-data fields first and reports what it cut", () => {
    const event = { ...base, output_content: "o".repeat(60_000), input_values: { q: "small" } };
    const out = truncateEvent(event);
    expect(out.cutFields).toEqual(["output_content"]);
    expect(out.event.input_values).toEqual({ q: "small" });
    expect(out.event.output_content).toMatchObject({ truncated: true });
    expect(JSON.stringify(out.event).length).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  it("caps error_message at the contract's 2048 characters", () => {
    const out = truncateEvent({ ...base, error_message: "e".repeat(5000) });
    expect(out.event.error_message!.length).toBeLessThanOrEqual(2048);
  });
});
