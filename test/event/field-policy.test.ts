import { describe, expect, it } from "vitest";
import { createEventScrubber, fieldPolicy, scrubEvent } from "../../src/event/index.js";
import type { WireEvent } from "../../src/index.js";
import { createScrubber } from "../../src/index.js";

const scrubber = createScrubber();
const EMAIL = "jane.doe@example.com";

function base(): WireEvent {
  return {
    event_id: "00000000-0000-4000-8000-000000000000",
    event_type: "tool_call",
    trace_id: "tr_x",
    session_id: "ses_x",
    timestamp: "2026-12-01T00:00:00.000Z",
    source: "server",
    sdk_version: "0.1.0",
  };
}

describe("the event field policy", () => {
  it.each([
    "event_id",
    "event_type",
    "trace_id",
    "session_id",
    "timestamp",
    "source",
    "sdk_version",
    "platform",
    "user_id",
    "status",
    "error_category",
  ])("never scrubs the id field %s", (field) => {
    expect(fieldPolicy(field)).toBe("id");
    const wire = { ...base(), [field]: EMAIL };
    expect(scrubEvent(wire, scrubber)[field]).toBe(EMAIL);
  });

  it.each(["event_name", "tool_name", "error_message", "client_name", "client_version", "protocol_version", "transport", "conversion_currency"])(
    "scrubs the text field %s",
    (field) => {
      const wire = { ...base(), [field]: `mail ${EMAIL} now` };
      const out = scrubEvent(wire, scrubber);
      expect(out[field]).not.toContain(EMAIL);
      expect(out[field]).toContain("mail");
    },
  );

  it.each(["user_traits", "metadata", "input_values", "output_content", "some_future_field"])("scrubs the value field %s, nested and under sensitive keys", (field) => {
    const wire = { ...base(), [field]: { note: `write to ${EMAIL}`, password: "hunter2", list: [EMAIL] } };
    const out = scrubEvent(wire, scrubber);
    const json = JSON.stringify(out[field]);
    expect(json).not.toContain(EMAIL);
    expect(json).not.toContain("hunter2");
    expect(json).toContain("write to");
  });

  it("keeps argument names and types, even sensitive-sounding ones", () => {
    const wire = { ...base(), input_keys: ["token", "password", "query"], input_types: { token: "string", password: "string", query: "string" } };
    const out = scrubEvent(wire, scrubber);
    expect(out.input_keys).toEqual(["token", "password", "query"]);
    expect(out.input_types).toEqual({ token: "string", password: "string", query: "string" });
    expect(out).toBe(wire);
  });

  it("scrubs an argument name that is itself personal data, and keeps its type", () => {
    const wire = { ...base(), input_keys: [EMAIL, "n"], input_types: { [EMAIL]: "number", n: "number" } };
    const out = scrubEvent(wire, scrubber);
    expect(JSON.stringify(out.input_keys)).not.toContain(EMAIL);
    expect(out.input_keys![1]).toBe("n");
    expect(JSON.stringify(out.input_types)).not.toContain(EMAIL);
    expect(Object.values(out.input_types!)).toEqual(["number", "number"]);
  });

  it("never changes the event it is given", () => {
    const wire = { ...base(), error_message: EMAIL, metadata: { email: EMAIL } };
    const copy = structuredClone(wire);
    scrubEvent(wire, scrubber);
    expect(wire).toEqual(copy);
  });
});

describe("the event scrubber of a stream of events", () => {
  function counting(): { calls: { text: string[]; value: unknown[] }; scrub: { text(s: string): string; value<T>(v: T): T } } {
    const calls = { text: [] as string[], value: [] as unknown[] };
    return {
      calls,
      scrub: {
        text: (s) => (calls.text.push(s), scrubber.text(s)),
        value: <T>(v: T): T => (calls.value.push(v), scrubber.value(v)),
      },
    };
  }

  function event(traits: Record<string, unknown>, args: Record<string, unknown>): WireEvent {
    return {
      ...base(),
      event_name: `lookup ${EMAIL}`,
      tool_name: `lookup ${EMAIL}`,
      user_traits: traits,
      input_keys: ["query", EMAIL],
      input_types: { query: "string", [EMAIL]: "string" },
      input_values: args,
    };
  }

  it("gives the same events as scrubEvent", () => {
    const traits = { email: EMAIL, plan: "pro" };
    const scrub = createEventScrubber(scrubber);
    for (let i = 0; i < 3; i++) {
      const wire = event(traits, { query: `mail ${EMAIL}` });
      expect(scrub(wire)).toEqual(scrubEvent(wire, scrubber));
    }
  });

  it("scrubs repeated short strings and the same traits snapshot once, and the arguments every time", () => {
    const { calls, scrub } = counting();
    const scrubEvents = createEventScrubber(scrub);
    const traits = { email: EMAIL };
    const args = { query: `mail ${EMAIL}` };
    const first = scrubEvents(event(traits, args));
    const second = scrubEvents(event(traits, args));
    expect(second).toEqual(first);
    expect(first.tool_name).toBe("lookup [EMAIL_REDACTED]");
    expect(calls.text.filter((s) => s === `lookup ${EMAIL}`)).toHaveLength(1);
    expect(calls.text.filter((s) => s === EMAIL)).toHaveLength(1);
    expect(calls.value.filter((v) => v === traits)).toHaveLength(1);
    expect(calls.value.filter((v) => v === args)).toHaveLength(2);
    // A new traits snapshot (the session replaced it) is scrubbed afresh.
    scrubEvents(event({ email: EMAIL }, args));
    expect(calls.value.filter((v) => v !== args)).toHaveLength(2);
  });

  it("does not remember long text", () => {
    const { calls, scrub } = counting();
    const scrubEvents = createEventScrubber(scrub);
    const long = `${"x".repeat(80)} ${EMAIL}`;
    for (let i = 0; i < 2; i++) scrubEvents({ ...base(), error_message: long });
    expect(calls.text.filter((s) => s === long)).toHaveLength(2);
  });
});
