import type { QueuedEvent, WireEvent, WireBuilder, EventType } from "../event/index.js";
import { EventRecord, scrubEvent, truncateEvent } from "../event/index.js";
import type { ClientInfo } from "../identity/index.js";
import { applyIdentify, deriveSessionId, newSessionId, SessionState, validateUserId } from "../identity/index.js";
import type { Scrubber } from "../pii/index.js";
import { createScrubber, hashUserId } from "../pii/index.js";
import type { Pipeline } from "../transport/index.js";
import { addExitPreparer, createDeliveryPipeline } from "../transport/index.js";

import type { Warn } from "../warnings/index.js";
import { createWarner } from "../warnings/index.js";
import type { ForUserOptions, YavioContext } from "./context.js";
import { inertContext, SlotContext } from "./context.js";
import type { ResolvedCoreOptions, WithYavioOptions } from "./options.js";
import { resolveCoreOptions } from "./options.js";

export interface SlotOptions {
  /** For derived ids (Mcp-Session-Id, sessionKey anchors): the key in the runtime's slot registry. */
  registryKey?: string | undefined;
  /** A fixed session id (derived, or given to forUser) instead of a fresh random one. */
  fixedId?: string | undefined;
  /** forUser contexts: the identity every session of the slot starts with. */
  presetUserId?: string | undefined;
  /** forUser contexts are not connections: no session_start/session_end events. */
  quiet?: boolean | undefined;
  /** Join a live session instead of opening one. */
  existing?: SessionState | undefined;
}

/**
 * Where the requests of one analytics session meet: a connection, an anchor from `sessionKey`, or
 * a forUser context. `reset()` swaps the session in the slot; an idle-ended one is replaced on the
 * next request.
 */
export class SessionSlot {
  session: SessionState;
  /** Set when the owning connection closed: the slot then never opens another session. */
  closed = false;
  private fixedId: string | undefined;
  private presetUserId: string | undefined;
  readonly registryKey: string | undefined;
  private readonly quiet: boolean;

  constructor(
    readonly runtime: Runtime,
    options: SlotOptions = {},
  ) {
    this.registryKey = options.registryKey;
    this.fixedId = options.fixedId;
    this.presetUserId = options.presetUserId;
    this.quiet = options.quiet === true;
    this.session = options.existing ?? this.open(this.fixedId ?? newSessionId());
  }

  private open(id: string): SessionState {
    const session = this.runtime.openSession(id);
    session.slotKey = this.registryKey;
    session.derived = this.fixedId !== undefined && id === this.fixedId && this.registryKey !== undefined;
    if (this.quiet) {
      session.started = true;
      session.quiet = true;
    }
    if (this.presetUserId !== undefined) applyIdentify(session, this.presetUserId, undefined);
    return session;
  }

  /**
   * The live session. After an idle timeout the next request opens a new one; a derived id is
   * then the same (the same MCP session or anchor), so the identity carries over with it: one
   * `ses_` id never names two users.
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
      if (this.fixedId !== undefined) resume(next, old);
      else if (old.userId !== undefined && next.userId === undefined) {
        next.userId = old.userId;
        next.traits = old.traits;
      }
      if (this.registryKey !== undefined) this.runtime.slots.set(this.registryKey, this);
    }
    return this.session;
  }

  /** Ends the current session and starts an anonymous one in its place (logout). */
  reset(): SessionState {
    const old = this.session;
    // The connection is gone: there is nothing to start a new session on.
    if (this.closed) return old;
    void this.runtime.endSession(old, "reset");
    // After a logout the fixed id and the preset user belong to the old session: the new one is
    // fresh, and the anchor never derives that id again (it named the user who logged out).
    if (this.fixedId !== undefined && this.registryKey !== undefined) this.runtime.retire(this.registryKey);
    this.fixedId = undefined;
    this.presetUserId = undefined;
    this.session = this.open(newSessionId());
    // The new session starts (session_start) with its first event, not now: a logout followed by
    // a disconnect leaves no empty session behind.
    this.session.client = old.client;
    if (this.registryKey !== undefined) this.runtime.slots.set(this.registryKey, this);
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

/** How soon after a session ends (off stdio) its events are exported. */
export const SESSION_END_FLUSH_MS = 100;

/** How many idle-ended derived sessions' identities are remembered. */
const ENDED_IDENTITIES_SIZE = 1000;

/** How many logged-out anchors are remembered. */
const RETIRED_KEYS_SIZE = 10_000;

/** forUser contexts kept per (distinctId, sessionId); the least recently used goes first. */
export const FOR_USER_CACHE_SIZE = 1000;

/**
 * One per distinct configuration: the warner, the scrubber, the pipeline, the live sessions and the
 * idle sweeper. Every `withYavio` call with the same configuration shares it, so servers created
 * per request add no timers and no listeners.
 */
export class Runtime {
  readonly core: ResolvedCoreOptions;
  readonly warn: Warn;
  readonly pipeline: Pipeline<QueuedEvent>;
  readonly sessions = new Map<string, SessionState>();
  /** Slots with derived ids, shared by every server of this runtime. */
  readonly slots = new Map<string, SessionSlot>();
  private readonly scrubber: Scrubber | undefined;
  private readonly hashUserIds: boolean;
  private sweeper: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;
  /** Wrapped servers of this configuration not yet garbage-collected. */
  liveServers = 0;

  /**
   * A user id as it may appear in a warning: the pseudonym the events carry when ids are hashed,
   * so a log never holds what the analytics store does not.
   */
  shownUserId(userId: string): string {
    return this.hashUserIds ? hashUserId(userId, this.core.hashSecret) : userId;
  }

  /** Shuts down a configuration nothing uses any more: no server left, no session open. */
  releaseIfIdle(): void {
    if (this.liveServers <= 0 && this.sessions.size === 0 && !this.isShutDown) void this.shutdown().catch(() => undefined);
  }

  /** Called when the runtime is shut down, so the registry forgets it. */
  onShutdown: (() => void) | undefined;

  constructor(options: WithYavioOptions) {
    this.core = resolveCoreOptions(options);
    this.warn = createWarner({ onWarning: options.onWarning, logger: options.logger, logLevel: options.logLevel });
    const pii = options.pii;
    this.scrubber = pii === false ? undefined : createScrubber(pii ?? {});
    this.hashUserIds = pii !== false && pii?.hashUserIds === true;
    if (this.hashUserIds && this.core.hashSecret === undefined) {
      this.warn({
        code: "YAVIO-1307",
        message: "pii.hashUserIds without hashSecret: user ids are hashed with plain SHA-256, which can be reversed for guessable ids (e-mail addresses); set hashSecret or YAVIO_HASH_SECRET",
      });
    }
    this.pipeline = createDeliveryPipeline<QueuedEvent>({
      options,
      warn: this.warn,
      prepare: (item) => this.prepare(item),
    });
    this.exitPreparer = addExitPreparer(() => this.endAllSessions());
  }

  private readonly exitPreparer: { remove(): void };

  /**
   * The process is stopping (SIGTERM/SIGINT without a host handler, process.exit(), beforeExit):
   * every open session ends now, with reason "shutdown", so its session_end reaches the sinks or
   * the spool with the rest. Synchronous: on `exit` nothing asynchronous runs any more.
   */
  private endAllSessions(): void {
    if (this.isShutDown) return;
    for (const session of [...this.sessions.values()]) void this.endSession(session, "shutdown");
  }

  get isShutDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  openSession(id: string): SessionState {
    const session = new SessionState(id, Date.now());
    this.sessions.set(id, session);
    this.armSweeper();
    return session;
  }

  /** A slot for a derived key, shared across servers (replicas of one stateful HTTP session, one anchor). */
  derivedSlot(registryKey: string, anchor: string, namespace: string): SessionSlot {
    let slot = this.slots.get(registryKey);
    if (slot === undefined) {
      // An anchor whose session was logged out of derives no id any more: a fresh one each time.
      const fixedId = this.retiredKeys.has(registryKey) ? undefined : deriveSessionId(anchor, namespace, this.core.hashSecret);
      slot = new SessionSlot(this, { registryKey, fixedId });
      const known = this.endedIdentities.get(registryKey);
      if (known !== undefined && fixedId !== undefined) {
        this.endedIdentities.delete(registryKey);
        resume(slot.session, known);
      }
      this.slots.set(registryKey, slot);
    }
    return slot;
  }

  /**
   * Derived sessions that ended idle, by slot key (bounded): the same anchor coming back resumes
   * the same `ses_` id with its user and funnel, so one id never names two users.
   */
  private readonly endedIdentities = new Map<string, SessionState>();
  /** Anchors whose derived session was reset (logout): bounded, oldest first out. */
  private readonly retiredKeys = new Set<string>();

  retire(registryKey: string): void {
    this.retiredKeys.delete(registryKey);
    this.retiredKeys.add(registryKey);
    this.endedIdentities.delete(registryKey);
    if (this.retiredKeys.size > RETIRED_KEYS_SIZE) this.retiredKeys.delete(this.retiredKeys.values().next().value!);
  }

  /** Emits the session_start event once, when the client is known as well as it will be. */
  start(session: SessionState, client: ClientInfo | undefined): void {
    if (client) session.client = { ...session.client, ...definedOnly(client) };
    if (session.started) return;
    session.started = true;
    const info = session.client;
    this.record(session, "connection", "session_start", session.id, (wire) => {
      if (info.clientName !== undefined) wire.client_name = info.clientName;
      if (info.clientVersion !== undefined) wire.client_version = info.clientVersion;
      if (info.protocolVersion !== undefined) wire.protocol_version = info.protocolVersion;
      if (info.transport !== undefined) wire.transport = info.transport;
      if (session.resumed) wire.metadata = { ...wire.metadata, resumed: true };
    });
  }

  /** Ends a session: its end event, its state freed, and a prompt flush. */
  endSession(session: SessionState, reason: "close" | "idle" | "reset" | "shutdown"): Promise<void> {
    if (session.ended) return Promise.resolve();
    if (session.inFlight > 0 && reason !== "shutdown") {
      // A request of this session is still running (the one that called reset(), or one the
      // client left behind): its event belongs before the end, and in the end's counts.
      session.endPending ??= reason;
      return Promise.resolve();
    }
    session.ended = true;
    this.sessions.delete(session.id);
    const key = session.slotKey;
    if (key !== undefined && this.slots.get(key)?.session === session) {
      this.slots.delete(key);
      // A derived id comes back with the same anchor: remember who it was, so that it never
      // names two users (bounded: the oldest memories go first).
      if (reason === "idle" && session.derived) {
        this.endedIdentities.delete(key);
        this.endedIdentities.set(key, session);
        if (this.endedIdentities.size > ENDED_IDENTITIES_SIZE) this.endedIdentities.delete(this.endedIdentities.keys().next().value!);
      }
    }
    if (session.started && !session.quiet) {
      const now = Date.now();
      const duration = now - session.startedAt;
      const counts = {
        tool_calls: session.toolCalls,
        resource_reads: session.resourceReads,
        prompt_gets: session.promptGets,
        errors: session.errors,
        reason,
      };
      this.record(session, "connection", "session_end", session.id, (wire) => {
        wire.connection_duration_ms = duration;
        wire.metadata = { ...wire.metadata, ...counts };
      }, now);
    }
    if (this.sessions.size === 0) {
      this.disarmSweeper();
      if (this.liveServers <= 0) queueMicrotask(() => this.releaseIfIdle());
    }
    if (reason === "shutdown" || session.quiet) return Promise.resolve();
    // stdio: the process is about to go, flush now. Elsewhere (HTTP, where a stateless server
    // ends a session per request) session ends within a short window share one export.
    if (session.client.transport === "stdio") return this.flushNow();
    if (reason === "reset") {
      // reset() runs inside the host's handler: export on the next turn, not in its call.
      return new Promise((resolve) => setImmediate(() => void this.flushNow().then(resolve)));
    }
    this.flushSoon();
    return Promise.resolve();
  }

  private flushTimer: NodeJS.Timeout | undefined;

  private flushNow(): Promise<void> {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    return this.pipeline.flush().catch(() => undefined);
  }

  /** A flush within SESSION_END_FLUSH_MS, shared by every session that ends meanwhile. */
  private flushSoon(): void {
    if (this.flushTimer !== undefined || this.isShutDown) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.pipeline.flush().catch(() => undefined);
    }, SESSION_END_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Queues one event of a session. O(1) on the caller's path. */
  record(
    session: SessionState,
    type: EventType,
    name: string | undefined,
    traceId: string,
    build?: WireBuilder,
    time = Date.now(),
  ): void {
    if (!session.started) this.start(session, undefined);
    session.lastActivityAt = time;
    this.pipeline.enqueue(
      new EventRecord(type, name, session, traceId, time, session.userId, session.traits, this.core.stitching, build),
    );
  }

  /** Runs in the pipeline: wire form → PII scrubbing → size limits → beforeSend. Fails closed. */
  private prepare(item: QueuedEvent): WireEvent | null {
    let wire: WireEvent;
    try {
      wire = item.toWire();
    } catch (error) {
      this.warn({ code: "YAVIO-1300", message: `event could not be built: ${errorText(error)}`, sessionId: item.sessionId });
      return null;
    }
    if (this.scrubber) {
      try {
        wire = scrubEvent(wire, this.scrubber);
      } catch (error) {
        this.warn({
          code: "YAVIO-1301",
          level: "error",
          message: `PII scrubbing failed; the event was dropped: ${errorText(error)}`,
          sessionId: wire.session_id,
          details: { event_type: wire.event_type },
        });
        return null;
      }
    }
    if (this.hashUserIds && wire.user_id !== undefined) wire.user_id = hashUserId(wire.user_id, this.core.hashSecret);
    const cut = truncateEvent(wire);
    if (cut.cutFrom !== undefined) {
      this.warn({
        code: "YAVIO-1304",
        message: `event of ${cut.cutFrom} bytes cut to the 50 KB limit`,
        sessionId: wire.session_id,
        details: { event_type: wire.event_type, fields: cut.cutFields },
      });
    }
    wire = cut.event;
    const beforeSend = this.core.beforeSend;
    if (beforeSend) {
      try {
        const out = beforeSend(wire);
        if (out === null) return null;
        wire = out;
      } catch (error) {
        this.warn({ code: "YAVIO-1306", message: `beforeSend threw; the event was dropped: ${errorText(error)}`, sessionId: wire.session_id });
        return null;
      }
    }
    return wire;
  }

  private armSweeper(): void {
    if (this.sweeper !== undefined) return;
    const idle = this.core.sessionIdleTimeoutMs;
    const every = Math.max(1000, Math.min(60_000, Math.floor(idle / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private disarmSweeper(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Ends sessions idle longer than the timeout; the only way to notice an HTTP client that just went away. */
  sweep(now = Date.now()): void {
    const limit = now - this.core.sessionIdleTimeoutMs;
    for (const session of [...this.sessions.values()]) {
      if (session.lastActivityAt <= limit && session.inFlight === 0) void this.endSession(session, "idle");
    }
  }

  private readonly inertContexts = new Map<string, YavioContext>();

  /** The no-op ctx.yavio handed to handlers when nothing can be recorded; warns once per code. */
  inert(code: "YAVIO-1208" | "YAVIO-1100" | "YAVIO-1300"): YavioContext {
    let context = this.inertContexts.get(code);
    if (context === undefined) {
      context = inertContext(this.warn, code);
      this.inertContexts.set(code, context);
    }
    return context;
  }

  private readonly contexts = new Map<string, SlotContext>();

  /** A context for code outside handlers, cached per (distinctId, sessionId) in a bounded LRU. */
  forUser(distinctId: string, options?: ForUserOptions): YavioContext {
    try {
      return this.forUserUnguarded(distinctId, options);
    } catch (error) {
      // A Proxy or a throwing getter as the id or the options: a no-op context, never a throw.
      this.warn({ code: "YAVIO-1300", message: `forUser failed: ${errorText(error)}; nothing will be recorded through this context` });
      return this.inert("YAVIO-1300");
    }
  }

  private forUserUnguarded(distinctId: string, options?: ForUserOptions): YavioContext {
    const problem = validateUserId(distinctId);
    if (problem !== undefined) {
      this.warn({ code: "YAVIO-1300", message: `forUser: ${problem.replace("userId", "distinctId")}; nothing will be recorded through this context` });
      return this.inert("YAVIO-1300");
    }
    let sessionId = options?.sessionId;
    if (sessionId !== undefined && (typeof sessionId !== "string" || sessionId.trim() === "" || sessionId.length > 128)) {
      this.warn({ code: "YAVIO-1300", message: "forUser: sessionId must be a non-empty string of at most 128 characters; ignored" });
      sessionId = undefined;
    }
    const key = `${distinctId}\u0000${sessionId ?? ""}`;
    const cached = this.contexts.get(key);
    // A cached context that was reset() (logout) no longer stands for distinctId: make a new one.
    if (cached !== undefined && cached.slot.session.userId === distinctId) {
      this.contexts.delete(key);
      this.contexts.set(key, cached);
      return cached;
    }
    let existing = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (existing?.userId !== undefined && existing.userId !== distinctId) {
      // That session is someone else's: never book this user's events to it.
      this.warn({
        code: "YAVIO-1302",
        message: "forUser: the session to correlate with belongs to another user; the context gets its own session",
        sessionId: existing.id,
        details: { currentUserId: this.shownUserId(existing.userId), attemptedUserId: this.shownUserId(distinctId) },
      });
      existing = undefined;
      sessionId = undefined;
    }
    const slot = new SessionSlot(this, { fixedId: sessionId, presetUserId: distinctId, quiet: true, existing });
    // Joining a live anonymous session identifies it, by the same rules as an identify call.
    if (existing !== undefined) new SlotContext(slot).identify(distinctId);
    const context = new SlotContext(slot);
    this.contexts.delete(key);
    this.contexts.set(key, context);
    if (this.contexts.size > FOR_USER_CACHE_SIZE) {
      const [oldestKey, oldest] = this.contexts.entries().next().value!;
      this.contexts.delete(oldestKey);
      // Its own session goes with it (quiet: no event); a joined live session is not its to end.
      if (oldest.slot.session.quiet) void this.endSession(oldest.slot.session, "close");
    }
    return context;
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Ends every live session and shuts the pipeline down. Runs once. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.exitPreparer.remove();
      for (const session of [...this.sessions.values()]) await this.endSession(session, "shutdown");
      this.disarmSweeper();
      if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.slots.clear();
      this.contexts.clear();
      this.endedIdentities.clear();
      this.retiredKeys.clear();
      this.onShutdown?.();
      await this.pipeline.shutdown();
    })();
    return this.shutdownPromise;
  }
}

function definedOnly(info: ClientInfo): ClientInfo {
  const out: ClientInfo = {};
  for (const [key, value] of Object.entries(info)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "unprintable error";
  }
}
