import type { ClientInfo } from "../identity/index.js";
import { applyIdentify, deriveSessionId, newSessionId, SessionState } from "../identity/index.js";
import type { EndReason, SharedSessionBackend, SharedSessions, SharedStoreContext } from "./shared-sessions.js";

export type { EndReason } from "./shared-sessions.js";

/**
 * Where the core keeps session state: live sessions by `ses_` id, the slots of derived ids (an
 * `Mcp-Session-Id`, a `sessionKey` anchor, an auth principal) shared by every server of a
 * configuration, and two bounded memories the identity rules need — derived sessions that ended
 * idle (so the same anchor resumes the same user) and anchors that were logged out of.
 *
 * The in-memory store is the default and holds everything in this process. A store shared across
 * replicas (`yavio-mcp/redis`) keeps this process's state the same way and adds `connectShared`:
 * the backend where derived sessions are claimed in the background (see `SharedSessions`); the
 * core never waits for it on the tool's path.
 */
export interface SessionStore {
  readonly size: number;
  get(id: string): SessionState | undefined;
  add(session: SessionState): void;
  delete(id: string): void;
  values(): IterableIterator<SessionState>;
  getSlot(key: string): SessionSlot | undefined;
  setSlot(key: string, slot: SessionSlot): void;
  deleteSlot(key: string): void;
  /** Remembers an idle-ended derived session under its anchor key (bounded, oldest first out). */
  rememberEnded(key: string, session: SessionState): void;
  /** The remembered session of an anchor, forgotten as it is taken. */
  takeEnded(key: string): SessionState | undefined;
  /** Marks an anchor as logged out of: it derives no id any more (bounded). */
  retire(key: string): void;
  isRetired(key: string): boolean;
  clear(): void;
  /** A store shared by replicas: its backend, opened for a configuration that uses the store. */
  connectShared?(context: SharedStoreContext): SharedSessionBackend;
  /** Releases what `connectShared` opened (called once per configuration, at its shutdown). */
  close?(): Promise<void>;
}

/** How many idle-ended derived sessions' identities are remembered. */
const ENDED_IDENTITIES_SIZE = 1000;
/** How many logged-out anchors are remembered. */
const RETIRED_KEYS_SIZE = 10_000;

/** Every piece of session state in this process's memory. */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionState>();
  private readonly slots = new Map<string, SessionSlot>();
  private readonly endedIdentities = new Map<string, SessionState>();
  private readonly retiredKeys = new Set<string>();

  get size(): number {
    return this.sessions.size;
  }
  get(id: string): SessionState | undefined {
    return this.sessions.get(id);
  }
  add(session: SessionState): void {
    this.sessions.set(session.id, session);
  }
  delete(id: string): void {
    this.sessions.delete(id);
  }
  values(): IterableIterator<SessionState> {
    return this.sessions.values();
  }
  getSlot(key: string): SessionSlot | undefined {
    return this.slots.get(key);
  }
  setSlot(key: string, slot: SessionSlot): void {
    this.slots.set(key, slot);
  }
  deleteSlot(key: string): void {
    this.slots.delete(key);
  }
  rememberEnded(key: string, session: SessionState): void {
    this.endedIdentities.delete(key);
    this.endedIdentities.set(key, session);
    if (this.endedIdentities.size > ENDED_IDENTITIES_SIZE) this.endedIdentities.delete(this.endedIdentities.keys().next().value!);
  }
  takeEnded(key: string): SessionState | undefined {
    const session = this.endedIdentities.get(key);
    this.endedIdentities.delete(key);
    return session;
  }
  retire(key: string): void {
    this.retiredKeys.delete(key);
    this.retiredKeys.add(key);
    this.endedIdentities.delete(key);
    if (this.retiredKeys.size > RETIRED_KEYS_SIZE) this.retiredKeys.delete(this.retiredKeys.values().next().value!);
  }
  isRetired(key: string): boolean {
    return this.retiredKeys.has(key);
  }
  clear(): void {
    this.sessions.clear();
    this.slots.clear();
    this.endedIdentities.clear();
    this.retiredKeys.clear();
  }
}

/** What the session rules tell the rest of the core. */
export interface SessionHooks {
  /** A session opened (state only; its start event comes with `started`). */
  opened(session: SessionState): void;
  /** A session's start: emitted once, when the client is known as well as it will be. */
  started(session: SessionState): void;
  /** A session ended; `at` is the end time. Called for quiet sessions too. */
  ended(session: SessionState, reason: EndReason, at: number): void;
}

export interface SlotOptions {
  /** For derived ids: the key in the store's slot registry. */
  registryKey?: string | undefined;
  /** A fixed session id (derived, or given to forUser) instead of a fresh random one. */
  fixedId?: string | undefined;
  /** forUser contexts: the identity every session of the slot starts with. */
  presetUserId?: string | undefined;
  /** forUser contexts are not connections: no session_start/session_end events. */
  quiet?: boolean | undefined;
  /** Join a live session instead of opening one. */
  existing?: SessionState | undefined;
  /** Each request is its own session (stateless HTTP without an anchor): marked on its events. */
  requestScoped?: boolean | undefined;
}

/**
 * Where the requests of one analytics session meet: a connection, an anchor, or a forUser context.
 * `reset()` swaps the session in the slot; an idle-ended one is replaced on the next request.
 */
export class SessionSlot {
  session: SessionState;
  /** Set when the owning connection closed: the slot then never opens another session. */
  closed = false;
  private fixedId: string | undefined;
  private presetUserId: string | undefined;
  readonly registryKey: string | undefined;
  private readonly quiet: boolean;
  private readonly requestScoped: boolean;

  constructor(
    readonly sessions: Sessions,
    options: SlotOptions = {},
  ) {
    this.registryKey = options.registryKey;
    this.fixedId = options.fixedId;
    this.presetUserId = options.presetUserId;
    this.quiet = options.quiet === true;
    this.requestScoped = options.requestScoped === true;
    this.session = options.existing ?? this.open(this.fixedId ?? newSessionId());
  }

  private open(id: string): SessionState {
    const session = this.sessions.open(id);
    session.slotKey = this.registryKey;
    session.derived = this.fixedId !== undefined && id === this.fixedId && this.registryKey !== undefined;
    session.requestScoped = this.requestScoped;
    if (this.quiet) {
      session.started = true;
      session.quiet = true;
    }
    if (this.presetUserId !== undefined) applyIdentify(session, this.presetUserId, undefined);
    // Derived ids are the same on every replica: such a session is claimed in the shared store.
    if (session.derived) this.sessions.shared?.attach(session);
    return session;
  }

  /**
   * The live session. After an idle timeout the next request opens a new one; a derived id is
   * then the same (the same protocol session or anchor), so the identity carries over with it:
   * one `ses_` id never names two users.
   */
  current(): SessionState {
    const old = this.session;
    if (old.ended && !this.closed) {
      // Same connection or anchor, same person: the identity carries over to the new session
      // (a reset() is the only way to shed it). With a fixed id the session simply resumes, so its
      // funnel and counters go on too.
      this.session = this.open(this.fixedId ?? newSessionId());
      const next = this.session;
      next.client = old.client;
      if (this.fixedId !== undefined) {
        resume(next, old);
        // Resumed here, from the slot: a memory of the ended session would resume stale counters later.
        if (this.registryKey !== undefined) this.sessions.store.takeEnded(this.registryKey);
        this.sessions.shared?.linkOf(next)?.rebase();
      } else if (old.userId !== undefined && next.userId === undefined) {
        next.userId = old.userId;
        next.traits = old.traits;
      }
      if (this.registryKey !== undefined) this.sessions.store.setSlot(this.registryKey, this);
    }
    return this.session;
  }

  /** Ends the current session and starts an anonymous one in its place (logout). */
  reset(): SessionState {
    const old = this.session;
    // The connection is gone: there is nothing to start a new session on.
    if (this.closed) return old;
    this.sessions.end(old, "reset");
    // After a logout the fixed id and the preset user belong to the old session: the new one is
    // fresh, and the anchor never derives that id again (it named the user who logged out).
    if (this.fixedId !== undefined && this.registryKey !== undefined) this.sessions.store.retire(this.registryKey);
    this.fixedId = undefined;
    this.presetUserId = undefined;
    this.session = this.open(newSessionId());
    // The new session starts (session_start) with its first event, not now: a logout followed by
    // a disconnect leaves no empty session behind.
    this.session.client = old.client;
    if (this.registryKey !== undefined) this.sessions.store.setSlot(this.registryKey, this);
    return this.session;
  }
}

/** A session reopened under the same id goes on where the ended one stopped. */
function resume(next: SessionState, old: SessionState): void {
  if (next.userId === undefined) {
    next.userId = old.userId;
    next.traits = old.traits;
  }
  next.stepSequence = old.stepSequence;
  next.toolCalls = old.toolCalls;
  next.resourceReads = old.resourceReads;
  next.promptGets = old.promptGets;
  next.errors = old.errors;
  next.resumed = true;
}

/**
 * The one place that decides sessions. Its rules, each pinned by a test:
 * - one `ses_` id never names two users: a derived id that ended idle resumes with its user, and an
 *   anchor that was logged out of (reset) never derives that id again;
 * - a closed connection never reopens: late events of a handler still running stay in the session
 *   it started in;
 * - a derived id resumes its counters and funnel;
 * - a session ends after its requests in flight, so their events come before its end and are
 *   counted in it;
 * - a session starts once, with its first sign of life, and ends once.
 */
export class Sessions {
  /** Set when the store is shared by replicas: derived sessions are claimed there. */
  shared: SharedSessions | undefined;

  constructor(
    readonly store: SessionStore,
    private readonly hooks: SessionHooks,
    private readonly hashSecret: string | undefined,
  ) {}

  get size(): number {
    return this.store.size;
  }

  open(id: string): SessionState {
    const session = new SessionState(id, Date.now());
    this.store.add(session);
    this.hooks.opened(session);
    return session;
  }

  /** A slot for a derived key, shared across servers (one protocol session, one anchor). */
  derivedSlot(registryKey: string, anchor: string, namespace: string): SessionSlot {
    let slot = this.store.getSlot(registryKey);
    if (slot === undefined) {
      // An anchor whose session was logged out of derives no id any more: a fresh one each time.
      const fixedId = this.store.isRetired(registryKey) ? undefined : deriveSessionId(anchor, namespace, this.hashSecret);
      slot = new SessionSlot(this, { registryKey, fixedId });
      // A shared store remembers ended sessions itself (until its keys expire).
      const known = fixedId === undefined || this.shared !== undefined ? undefined : this.store.takeEnded(registryKey);
      if (known !== undefined) resume(slot.session, known);
      this.store.setSlot(registryKey, slot);
    }
    return slot;
  }

  /** Emits the start once, when the client is known as well as it will be. */
  start(session: SessionState, client: ClientInfo | undefined): void {
    if (client) session.client = { ...session.client, ...definedOnly(client) };
    if (session.started) return;
    session.started = true;
    this.hooks.started(session);
  }

  /**
   * Ends a session: its end event, its state freed. A session with requests in flight ends when
   * the last of them finishes (see `requestFinished`), except at shutdown. Returns whether it
   * ended now.
   */
  end(session: SessionState, reason: EndReason): boolean {
    if (session.ended) return false;
    if (session.inFlight > 0 && reason !== "shutdown") {
      session.endPending ??= reason;
      return false;
    }
    session.ended = true;
    this.store.delete(session.id);
    const key = session.slotKey;
    if (key !== undefined && this.store.getSlot(key)?.session === session) {
      this.store.deleteSlot(key);
      // A derived id comes back with the same anchor: remember who it was, so that it never
      // names two users.
      if (reason === "idle" && session.derived && this.shared === undefined) this.store.rememberEnded(key, session);
    }
    this.hooks.ended(session, reason, Date.now());
    return true;
  }

  requestStarted(session: SessionState): void {
    session.inFlight += 1;
    this.shared?.linkOf(session)?.touch();
  }

  /** A request finished: a session asked to end meanwhile ends now. Returns the reason if it did. */
  requestFinished(session: SessionState): EndReason | undefined {
    session.inFlight -= 1;
    this.shared?.linkOf(session)?.counted();
    const pending = session.endPending;
    if (pending !== undefined && session.inFlight === 0 && this.end(session, pending)) return pending;
    return undefined;
  }

  /** Sessions idle longer than the timeout, none with a request in flight. */
  idleSince(limit: number): SessionState[] {
    const out: SessionState[] = [];
    for (const session of this.store.values()) if (session.lastActivityAt <= limit && session.inFlight === 0) out.push(session);
    return out;
  }
}

function definedOnly(info: ClientInfo): ClientInfo {
  const out: ClientInfo = {};
  for (const [key, value] of Object.entries(info)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
