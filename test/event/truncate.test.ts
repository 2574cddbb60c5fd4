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

describe("boundForQueue previews", () => {
  it("previews a marker with the first 512 code units of the first string, a split surrogate pair included", () => {
    const text = `${"a".repeat(511)}😀${"b".repeat(100_000)}`;
    const out = boundForQueue({ note: text }) as { preview: string };
    expect(out.preview).toBe(text.slice(0, 512));
  });

  it("keeps a value with a long string under the limit by reference, without a preview", () => {
    const args = { text: "x".repeat(10_000) };
    expect(boundForQueue(args)).toBe(args);
  });
});

describe("truncateEvent", () => {
  const base: WireEvent = { event_id: "e", event_type: "tool_call", trace_id: "t", session_id: "s", timestamp: "2026-01-01T00:00:00.000Z", source: "server", sdk_version: "0" };

  it("leaves an event under the limit alone and hands back the JSON it measured", () => {
    const event = { ...base, output_content: [{ type: "text", text: "ok" }] };
    const out = truncateEvent(event);
    expect(out.event).toBe(event);
    expect(out.cutFrom).toBeUndefined();
    expect(out.json).toBe(JSON.stringify(event));
  });

  it("counts UTF-8 bytes, not characters, once the character count alone cannot prove the event fits", () => {
    // 20 000 characters of 3 bytes each: 60 KB of UTF-8, over the limit although the string is short.
    const event = { ...base, output_content: "€".repeat(20_000) };
    const out = truncateEvent(event);
    expect(out.cutFields).toEqual(["output_content"]);
    expect(out.json).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(out.event))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  it("keeps an event of multi-byte text that fits by its exact byte count", () => {
    // 16 500 characters: 3 bytes per character could be over 50 KB; the exact count is 49.7 KB.
    const event = { ...base, output_content: "€".repeat(16_500) };
    const out = truncateEvent(event);
    expect(out.event).toBe(event);
    expect(out.cutFrom).toBeUndefined();
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
