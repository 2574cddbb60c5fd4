import { describe, expect, it } from "vitest";
import { newSessionId, newTraceId, SESSION_ID_PATTERN } from "../../src/identity/session-id.js";

describe("random session and trace ids", () => {
  it("are ses_/tr_ followed by 21 nanoid characters, unique across several refills of the random pool", () => {
    const sessions = Array.from({ length: 1000 }, () => newSessionId());
    const traces = Array.from({ length: 1000 }, () => newTraceId());
    for (const id of sessions) expect(id).toMatch(SESSION_ID_PATTERN);
    for (const id of traces) expect(id).toMatch(/^tr_[A-Za-z0-9_-]{21}$/);
    expect(new Set([...sessions, ...traces.map((t) => t.slice(3))]).size).toBe(2000);
  });

  it("draws every position from the whole 64-character alphabet", () => {
    const seen = Array.from({ length: 21 }, () => new Set<string>());
    for (let n = 0; n < 4000; n++) {
      const id = newTraceId().slice(3);
      for (let i = 0; i < 21; i++) seen[i]!.add(id[i]!);
    }
    for (const chars of seen) expect(chars.size).toBe(64);
  });
});
