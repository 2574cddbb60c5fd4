// The session rules, stated in src/core/sessions.ts, each pinned here on the Sessions core itself.
import { describe, expect, it } from "vitest";
import type { EndReason } from "../../src/core/index.js";
import { InMemorySessionStore, Sessions, SessionSlot } from "../../src/core/index.js";
import { applyIdentify, deriveSessionId } from "../../src/identity/index.js";
import type { SessionState } from "../../src/identity/index.js";

function core() {
  const log: string[] = [];
  const sessions = new Sessions(
    new InMemorySessionStore(),
    {
      opened: (s) => void log.push(`open ${s.id}`),
      started: (s) => void log.push(`start ${s.id}`),
      ended: (s: SessionState, reason: EndReason) => void log.push(`end ${s.id} ${reason}`),
    },
    undefined,
  );
  return { sessions, log };
}

describe("the session rules", () => {
  it("one ses_ id never names two users: an anchor that ended idle resumes with its user", () => {
    const { sessions } = core();
    const slot = sessions.derivedSlot("key:conv", "conv", "key");
    expect(slot.session.id).toBe(deriveSessionId("conv", "key"));
    applyIdentify(slot.session, "ann", { plan: "pro" });
    sessions.end(slot.session, "idle");
    const again = sessions.derivedSlot("key:conv", "conv", "key");
    expect(again.session.id).toBe(slot.session.id);
    expect(again.session.userId).toBe("ann");
    expect(applyIdentify(again.session, "bob", undefined).kind).toBe("conflict");
  });

  it("one ses_ id never names two users: after a logout the anchor never derives that id again", () => {
    const { sessions } = core();
    const slot = sessions.derivedSlot("key:conv", "conv", "key");
    const first = slot.session.id;
    applyIdentify(slot.session, "ann", undefined);
    const next = slot.reset();
    expect(next.id).not.toBe(first);
    expect(next.userId).toBeUndefined();
    sessions.end(next, "idle");
    expect(sessions.derivedSlot("key:conv", "conv", "key").session.id).not.toBe(first);
  });

  it("a derived id resumes its counters and funnel", () => {
    const { sessions } = core();
    const slot = sessions.derivedSlot("mcp:abc", "abc", "mcp");
    slot.session.toolCalls = 3;
    slot.session.stepSequence = 2;
    slot.session.errors = 1;
    sessions.end(slot.session, "idle");
    const resumed = sessions.derivedSlot("mcp:abc", "abc", "mcp").session;
    expect([resumed.toolCalls, resumed.stepSequence, resumed.errors, resumed.resumed]).toEqual([3, 2, 1, true]);
  });

  it("a closed connection never reopens: its slot keeps the ended session", () => {
    const { sessions } = core();
    const slot = new SessionSlot(sessions);
    const session = slot.session;
    slot.closed = true;
    sessions.end(session, "close");
    expect(slot.current()).toBe(session);
    expect(slot.reset()).toBe(session);
    expect(sessions.size).toBe(0);
  });

  it("an open connection's ended session is followed by a new one that keeps the user", () => {
    const { sessions } = core();
    const slot = new SessionSlot(sessions);
    applyIdentify(slot.session, "ann", undefined);
    const first = slot.session;
    sessions.end(first, "idle");
    const next = slot.current();
    expect(next).not.toBe(first);
    expect(next.userId).toBe("ann");
  });

  it("a session ends after its requests in flight, and only once", () => {
    const { sessions, log } = core();
    const slot = new SessionSlot(sessions);
    const session = slot.session;
    sessions.start(session, { clientName: "c" });
    sessions.requestStarted(session);
    sessions.requestStarted(session);
    expect(sessions.end(session, "close")).toBe(false);
    expect(sessions.end(session, "idle")).toBe(false);
    expect(session.ended).toBe(false);
    expect(sessions.requestFinished(session)).toBeUndefined();
    expect(sessions.requestFinished(session)).toBe("close");
    expect(session.ended).toBe(true);
    expect(sessions.end(session, "close")).toBe(false);
    expect(log.filter((l) => l.startsWith("end"))).toEqual([`end ${session.id} close`]);
  });

  it("shutdown ends a session at once, requests in flight or not", () => {
    const { sessions } = core();
    const session = new SessionSlot(sessions).session;
    sessions.requestStarted(session);
    expect(sessions.end(session, "shutdown")).toBe(true);
  });

  it("starts a session once, merging what is learnt of the client later", () => {
    const { sessions, log } = core();
    const session = new SessionSlot(sessions).session;
    sessions.start(session, { clientName: "cursor-vscode" });
    sessions.start(session, { clientVersion: "1.2", clientName: undefined });
    expect(log.filter((l) => l.startsWith("start"))).toHaveLength(1);
    expect(session.client).toEqual({ clientName: "cursor-vscode", clientVersion: "1.2" });
  });

  it("keys derived ids with the hash secret when one is given", () => {
    const store = new InMemorySessionStore();
    const hooks = { opened: () => undefined, started: () => undefined, ended: () => undefined };
    const keyed = new Sessions(store, hooks, "a-secret-of-sixteen+");
    expect(keyed.derivedSlot("key:conv", "conv", "key").session.id).toBe(deriveSessionId("conv", "key", "a-secret-of-sixteen+"));
  });
});
