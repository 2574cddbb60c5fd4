import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyIdentify, MAX_TRAITS_BYTES, SessionState } from "../../src/identity/index.js";

const fresh = (): SessionState => new SessionState("ses_aaaaaaaaaaaaaaaaaaaaa", 0);

describe("applyIdentify", () => {
  it.each([
    ["an empty string", ""],
    ["whitespace only", "   \t"],
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
    ["an object", { id: "u" }],
    ["256 characters", "x".repeat(256)],
  ])("rejects %s as userId and changes nothing", (_label, userId) => {
    const session = fresh();
    const outcome = applyIdentify(session, userId, { plan: "pro" });
    expect(outcome.kind).toBe("invalid");
    expect(session.userId).toBeUndefined();
    expect(session.traits).toEqual({});
  });

  it("accepts a userId of exactly 255 characters", () => {
    const session = fresh();
    expect(applyIdentify(session, "x".repeat(255), undefined).kind).toBe("applied");
    expect(session.userId).toHaveLength(255);
  });

  it("sets the userId on the first valid call and reports it", () => {
    const session = fresh();
    const outcome = applyIdentify(session, "u1", { plan: "free" });
    expect(outcome).toMatchObject({ kind: "applied", userIdSet: true, traitsChanged: true });
    expect(session.userId).toBe("u1");
    expect(session.traits).toEqual({ plan: "free" });
  });

  it("keeps the very same traits snapshot when the same user is identified again with the same traits", () => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "pro", seats: 3, beta: true, team: null });
    const before = session.traits;
    const outcome = applyIdentify(session, "u1", { plan: "pro", seats: 3 });
    expect(outcome).toMatchObject({ kind: "applied", userIdSet: false, traitsChanged: false, notes: [] });
    expect(session.traits).toBe(before);
  });

  it.each([
    ["a changed value", { plan: "team" }, { plan: "team" }],
    ["a new key", { region: "eu" }, { plan: "pro", region: "eu" }],
    ["a value made JSON-safe", { score: Number.NaN }, { plan: "pro", score: "NaN" }],
    ["a nested object", { org: { id: 1 } }, { plan: "pro", org: { id: 1 } }],
  ])("still merges %s for the same user", (_label, traits, expected) => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "pro" });
    const outcome = applyIdentify(session, "u1", traits);
    expect(outcome).toMatchObject({ kind: "applied", traitsChanged: true });
    expect(session.traits).toEqual(expected);
  });

  it("merges traits for the same userId, later value winning per key", () => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "free", company: "acme" });
    const outcome = applyIdentify(session, "u1", { plan: "pro", seats: 3 });
    expect(outcome).toMatchObject({ kind: "applied", userIdSet: false, traitsChanged: true });
    expect(session.traits).toEqual({ plan: "pro", company: "acme", seats: 3 });
  });

  it("reports no change when the same userId comes with the same traits", () => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "pro", tags: ["a"] });
    const before = session.traits;
    const outcome = applyIdentify(session, "u1", { plan: "pro", tags: ["a"] });
    expect(outcome).toMatchObject({ kind: "applied", userIdSet: false, traitsChanged: false });
    expect(session.traits).toBe(before);
  });

  it("ignores a different userId entirely, traits included", () => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "free" });
    const outcome = applyIdentify(session, "u2", { plan: "enterprise" });
    expect(outcome).toEqual({ kind: "conflict", current: "u1", attempted: "u2" });
    expect(session.userId).toBe("u1");
    expect(session.traits).toEqual({ plan: "free" });
  });

  it("never mutates an earlier traits snapshot", () => {
    const session = fresh();
    applyIdentify(session, "u1", { a: 1 });
    const snapshot = session.traits;
    applyIdentify(session, "u1", { a: 2, b: 3 });
    expect(snapshot).toEqual({ a: 1 });
    expect(Object.isFrozen(snapshot)).toBe(true);
  });

  it("makes trait values JSON-safe", () => {
    const session = fresh();
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    applyIdentify(session, "u1", {
      fn: () => 1,
      sym: Symbol("s"),
      big: 10n,
      when: new Date("2026-01-02T03:04:05.000Z"),
      circular,
      nan: Number.NaN,
    });
    expect(session.traits).toEqual({
      big: "10",
      when: "2026-01-02T03:04:05.000Z",
      circular: { name: "loop", self: "[Circular]" },
      nan: "NaN",
    });
    expect(() => JSON.stringify(session.traits)).not.toThrow();
  });

  it("keeps a __proto__ trait an ordinary key", () => {
    const session = fresh();
    applyIdentify(session, "u1", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    expect(Object.keys(session.traits)).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(session.traits)).toBe(Object.prototype);
  });

  it.each([
    ["an array", ["a"]],
    ["a string", "pro"],
    ["a class instance", new (class Plan { tier = "pro"; })()],
  ])("sets the userId but ignores traits given as %s", (_label, traits) => {
    const session = fresh();
    const outcome = applyIdentify(session, "u1", traits);
    expect(outcome).toMatchObject({ kind: "applied", userIdSet: true, traitsChanged: false });
    expect(outcome.kind === "applied" && outcome.notes[0]?.kind).toBe("traits-not-object");
    expect(session.traits).toEqual({});
  });

  it("cuts an oversized traits object, keeping what the session had", () => {
    const session = fresh();
    applyIdentify(session, "u1", { plan: "pro" });
    const outcome = applyIdentify(session, "u1", { small: 1, huge: "x".repeat(MAX_TRAITS_BYTES) });
    expect(outcome.kind === "applied" && outcome.notes.some((n) => n.kind === "traits-cut")).toBe(true);
    expect(session.traits).toEqual({ plan: "pro", small: 1 });
    expect(JSON.stringify(session.traits).length).toBeLessThanOrEqual(MAX_TRAITS_BYTES);
  });
});

describe("identity rules (property)", () => {
  const userIds = fc.oneof(fc.constantFrom("u1", "u2", "u3"), fc.constantFrom("", "  ", "x".repeat(256)), fc.integer());
  const traits = fc.option(fc.dictionary(fc.constantFrom("plan", "seats", "company"), fc.oneof(fc.string(), fc.integer())), { nil: undefined });

  it("matches a reference model for any sequence of identify calls", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(userIds, traits), { maxLength: 20 }), (calls) => {
        const session = fresh();
        let modelUser: string | undefined;
        let modelTraits: Record<string, unknown> = {};
        for (const [userId, t] of calls) {
          const valid = typeof userId === "string" && userId.trim() !== "" && userId.length <= 255;
          const outcome = applyIdentify(session, userId, t);
          if (!valid) {
            expect(outcome.kind).toBe("invalid");
          } else if (modelUser !== undefined && modelUser !== userId) {
            expect(outcome.kind).toBe("conflict");
          } else {
            const before = { ...modelTraits };
            const wasSet = modelUser !== undefined;
            modelUser = userId;
            modelTraits = { ...modelTraits, ...(t ?? {}) };
            const changed = JSON.stringify(Object.entries(before).sort()) !== JSON.stringify(Object.entries(modelTraits).sort());
            expect(outcome).toMatchObject({ kind: "applied", userIdSet: !wasSet, traitsChanged: changed });
          }
          expect(session.userId).toBe(modelUser);
          expect(session.traits).toEqual(modelTraits);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("session and trace ids", () => {
  it("makes ses_ ids of 21 nanoid-alphabet characters, all distinct, using the whole alphabet", async () => {
    const { newSessionId, newTraceId, SESSION_ID_PATTERN } = await import("../../src/identity/index.js");
    const ids = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newSessionId();
      expect(id).toMatch(SESSION_ID_PATTERN);
      ids.add(id);
      for (const c of id.slice(4)) chars.add(c);
    }
    expect(ids.size).toBe(5000);
    expect(chars.size).toBe(64);
    expect(newTraceId()).toMatch(/^tr_[A-Za-z0-9_-]{21}$/);
  });

  it("derives the same ses_ id from the same anchor, and different ids from different anchors or namespaces", async () => {
    const { deriveSessionId, SESSION_ID_PATTERN } = await import("../../src/identity/index.js");
    expect(deriveSessionId("abc")).toBe(deriveSessionId("abc"));
    expect(deriveSessionId("abc")).toMatch(SESSION_ID_PATTERN);
    expect(deriveSessionId("abc")).not.toBe(deriveSessionId("abd"));
    expect(deriveSessionId("abc", "mcp")).not.toBe(deriveSessionId("abc", "key"));
    expect(deriveSessionId("secret-token")).not.toContain("secret");
  });

  it("keys derived ids with a secret: stable for one secret, and not the unkeyed id that a dictionary would find", async () => {
    const { deriveSessionId, SESSION_ID_PATTERN } = await import("../../src/identity/index.js");
    const secret = "replica-shared-secret-0001";
    expect(deriveSessionId("jane@acme.io", "key", secret)).toBe(deriveSessionId("jane@acme.io", "key", secret));
    expect(deriveSessionId("jane@acme.io", "key", secret)).toMatch(SESSION_ID_PATTERN);
    expect(deriveSessionId("jane@acme.io", "key", secret)).not.toBe(deriveSessionId("jane@acme.io", "key"));
    expect(deriveSessionId("jane@acme.io", "key", secret)).not.toBe(deriveSessionId("jane@acme.io", "key", `${secret}x`));
  });
});

describe("large traits", () => {
  it("cuts a traits object of 10 000 keys to the limit, keeping the earliest keys", () => {
    const session = fresh();
    const many: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) many[`k${i}`] = "v".repeat(30);
    const outcome = applyIdentify(session, "u1", many);
    expect(outcome.kind === "applied" && outcome.notes[0]?.kind).toBe("traits-cut");
    const size = Buffer.byteLength(JSON.stringify(session.traits));
    expect(size).toBeLessThanOrEqual(MAX_TRAITS_BYTES);
    expect(size).toBeGreaterThan(MAX_TRAITS_BYTES - 100);
    expect(Object.keys(session.traits)[0]).toBe("k0");
  });

  it("treats keys inherited from Object.prototype as new traits", () => {
    const session = fresh();
    applyIdentify(session, "u1", { constructor: "acme", toString: "x" });
    expect(session.traits).toEqual({ constructor: "acme", toString: "x" });
  });
});
