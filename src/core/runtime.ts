import { createHmac } from "node:crypto";
import type { EventGate, EventType, QueuedEvent, WireBuilder, WireEvent } from "../event/index.js";
import { createEventScrubber, EventRecord, truncateEvent } from "../event/index.js";
import type { ClientInfo, SessionState } from "../identity/index.js";
import { validateUserId } from "../identity/index.js";
import type { Scrubber } from "../pii/index.js";
import { createScrubber, hashUserId } from "../pii/index.js";
import type { Pipeline } from "../delivery/index.js";
import { addExitPreparer, createDeliveryPipeline, createPipeline, rememberSerialized } from "../delivery/index.js";
import type { Warn } from "../warnings/index.js";
import { createWarner } from "../warnings/index.js";
import { createAnalyticsPlugin } from "./analytics-plugin.js";
import type { ContextRuntime, ForUserOptions, YavioContext } from "./context.js";
import { inertContext, SlotContext } from "./context.js";
import { Discovery } from "./discovery.js";
import { IntentCapture } from "./intent.js";
import type { ResolvedCoreOptions, WithYavioOptions } from "./options.js";
import { resolveCoreOptions } from "./options.js";
import type { AnalyticsCall, PluginHost, PluginRequest } from "./plugin.js";
import { errorText, PluginChain } from "./plugin.js";
import type { EndReason } from "./sessions.js";
import type { SessionStore } from "./sessions.js";
import { InMemorySessionStore, Sessions, SessionSlot } from "./sessions.js";
import { SharedSessions } from "./shared-sessions.js";

/** How long a claim in a shared session store may take before the replica goes on with its local state. */
export const SHARED_CLAIM_TIMEOUT_MS = 1000;
/** Claims in flight at most per configuration; beyond it, local state only. */
export const SHARED_MAX_PENDING = 5000;

/** A pseudonym made by `hashUserId`: already in the form events carry. */
const PSEUDONYM = /^uh_[0-9a-f]{32}$/;

/** Text that passes every PII detector's pre-check, so that warming up runs each of them. */
const WARM_UP_TEXT =
  "mail jane.doe@example.com, call +49 30 1234 5678 or 415-555-0100, card 4111 1111 1111 1111, iban DE89370400440532013000, " +
  "ssn 078-05-1120, ip 192.168.0.1 or 2001:db8::1, https://user:pw@example.com/hooks/abc, Authorization: Bearer abcdefghijklmnop, " +
  "api_key=sk_live_abcdefghijklmnopqrstu, -----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----, my phone number is 5550100";

/** How soon after a session ends (off stdio) its events are exported. */
export const SESSION_END_FLUSH_MS = 100;

/** forUser contexts kept per (distinctId, sessionId); the least recently used goes first. */
export const FOR_USER_CACHE_SIZE = 1000;

/**
 * One per distinct configuration: the warner, the scrubber, the pipeline, the sessions, the plugin
 * chain and the idle sweeper. Every `withYavio` call with the same configuration shares it, so
 * servers created per request add no timers and no listeners.
 */
export class Runtime implements ContextRuntime {
  readonly core: ResolvedCoreOptions;
  readonly warn: Warn;
  readonly pipeline: Pipeline<QueuedEvent>;
  readonly sessions: Sessions;
  /** Set when the session store is shared by replicas. */
  readonly shared: SharedSessions | undefined;
  private readonly store: SessionStore;
  readonly plugins: PluginChain;
  readonly wantsAnalytics: boolean;
  /** What clients were shown (list requests); undefined when `capture.discovery` is off. */
  readonly discovery: Discovery | undefined;
  /** Intent capture; undefined unless `capture.intent` is on. */
  readonly intent: IntentCapture | undefined;
  private readonly scrubber: Scrubber | undefined;
  /** The scrubber as events use it: it remembers names and traits that repeat. */
  private readonly scrubEvent: ((wire: WireEvent) => WireEvent) | undefined;
  private readonly hashUserIds: boolean;
  private sweeper: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private readonly exitPreparer: { remove(): void };
  /** Wrapped servers of this configuration not yet garbage-collected. */
  liveServers = 0;
  /** Called when the runtime is shut down, so the registry forgets it. */
  onShutdown: (() => void) | undefined;

  constructor(options: WithYavioOptions) {
    this.core = resolveCoreOptions(options);
    this.warn = createWarner({ onWarning: options.onWarning, logger: options.logger, logLevel: options.logLevel });
    const pii = options.pii;
    this.scrubber = pii === false ? undefined : createScrubber(pii ?? {});
    this.scrubEvent = this.scrubber === undefined ? undefined : createEventScrubber(this.scrubber);
    this.hashUserIds = pii !== false && pii?.hashUserIds === true;
    if (this.hashUserIds && this.core.hashSecret === undefined) {
      this.warn({
        code: "YAVIO-1307",
        message: "pii.hashUserIds without hashSecret: user ids are hashed with plain SHA-256, which can be reversed for guessable ids (e-mail addresses); set hashSecret or YAVIO_HASH_SECRET",
      });
    }
    // events: false: no destination at all (no default file, no spool); record() queues nothing.
    this.pipeline = this.core.events
      ? createDeliveryPipeline<QueuedEvent>({ options, warn: this.warn, prepare: (item) => this.prepare(item), beforeExport: () => this.shared?.settled() })
      : createPipeline<QueuedEvent>({ sinks: [], warn: this.warn, prepare: () => null, handleProcessExit: false });
    this.store = this.core.sessionStore ?? new InMemorySessionStore();
    this.sessions = new Sessions(
      this.store,
      {
        opened: () => this.armSweeper(),
        started: (session) => this.plugins.sessionStarted(session),
        ended: (session, reason, at) => this.sessionEnded(session, reason, at),
      },
      this.core.hashSecret,
    );
    this.plugins = new PluginChain(this.core.events ? [createAnalyticsPlugin(this), ...this.core.plugins] : this.core.plugins, this.warn);
    this.shared = this.connectShared();
    this.sessions.shared = this.shared;
    this.wantsAnalytics = this.plugins.plugins.some((p) => p.analytics !== undefined);
    this.discovery = this.core.captureDiscovery ? new Discovery(this) : undefined;
    this.intent = this.core.intent === undefined ? undefined : new IntentCapture(this.core.intent, this.warn);
    this.exitPreparer = addExitPreparer(() => this.endAllSessions());
    if (this.core.events) this.warmUp();
  }

  /**
   * Runs the event preparation's rules once on a made-up event, now, at construction: the PII
   * detectors' regular expressions are compiled on their first use, and that should not be the
   * host's first tool calls. Nothing leaves this function; beforeSend is not called.
   */
  private warmUp(): void {
    try {
      const wire: WireEvent = {
        event_id: "00000000-0000-4000-8000-000000000000",
        event_type: "tool_call",
        trace_id: "tr_warmup",
        session_id: "ses_warmup",
        timestamp: new Date(0).toISOString(),
        source: "server",
        sdk_version: "0",
        tool_name: "warm_up",
        input_keys: ["text"],
        input_types: { text: "string" },
        input_values: { text: WARM_UP_TEXT, password: "x" },
        output_content: [{ type: "text", text: WARM_UP_TEXT }],
        metadata: { note: WARM_UP_TEXT },
      };
      // Twice: a regular expression is interpreted on its first run and compiled on the next.
      for (let i = 0; i < 2; i++) {
        const scrubbed = this.scrubEvent === undefined ? wire : this.scrubEvent(wire);
        truncateEvent(scrubbed);
      }
    } catch {
      // Warming up is an optimisation: the real events report their own failures.
    }
  }

  /** A store shared by replicas: its backend, and the rules that run against it. Never throws. */
  private connectShared(): SharedSessions | undefined {
    const store = this.store;
    if (typeof store.connectShared !== "function") return undefined;
    const idle = this.core.sessionIdleTimeoutMs;
    let backend;
    try {
      backend = store.connectShared({ sessionIdleTimeoutMs: idle, warn: this.warn });
    } catch (error) {
      this.warn({ code: "YAVIO-1220", message: `session store could not be opened (${errorText(error)}): sessions stay local to this process` });
      return undefined;
    }
    const scrubber = this.scrubber;
    const secret = this.core.hashSecret;
    return new SharedSessions(backend, {
      warn: this.warn,
      timeoutMs: backend.claimTimeoutMs ?? SHARED_CLAIM_TIMEOUT_MS,
      maxPending: SHARED_MAX_PENDING,
      sessionIdleTimeoutMs: idle,
      // The store compares pseudonyms whenever it can: under hashUserIds, or with a hashSecret to
      // seal the raw id events carry (see SharedSessions.seal).
      storedUserId: (userId) => ((this.hashUserIds || secret !== undefined) && !PSEUDONYM.test(userId) ? hashUserId(userId, secret) : userId),
      sealKey: this.hashUserIds || secret === undefined ? undefined : createHmac("sha256", secret).update("yavio-mcp:session-store:user-id:v1").digest(),
      rawUserIds: !this.hashUserIds && secret === undefined,
      shownUserId: (userId) => (this.hashUserIds && !PSEUDONYM.test(userId) ? hashUserId(userId, this.core.hashSecret) : userId),
      scrubValue: (value) => (scrubber === undefined ? value : scrubber.value(value)),
      lateStart: (session) => this.plugins.sessionStarted(session),
      ended: (session, reason, at) => {
        this.plugins.sessionEnded(session, reason, at);
        this.flushSoon();
      },
    });
  }

  get captureInputs(): boolean {
    return this.core.captureInputs;
  }

  get captureOutputs(): boolean {
    return this.core.captureOutputs;
  }

  get isShutDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /**
   * A user id as it may appear in a warning: the pseudonym the events carry when ids are hashed,
   * so a log never holds what the analytics store does not.
   */
  shownUserId(userId: string): string {
    return this.hashUserIds && !(this.shared !== undefined && PSEUDONYM.test(userId)) ? hashUserId(userId, this.core.hashSecret) : userId;
  }

  /** The same scrubber, pseudonyms and warnings as events, for plugins (span attributes). */
  readonly pluginHost: PluginHost = {
    text: (input) => (this.scrubber === undefined ? input : this.scrubber.text(input)),
    value: (input) => (this.scrubber === undefined ? input : this.scrubber.value(input)),
    userId: (id) => this.shownUserId(id),
    warn: (input) => this.warn(input),
  };

  analytics(call: AnalyticsCall, request: PluginRequest | undefined): void {
    this.plugins.analytics(call, request);
  }

  /** Shuts down a configuration nothing uses any more: no server left, no session open. */
  releaseIfIdle(): void {
    if (this.liveServers <= 0 && this.sessions.size === 0 && !this.isShutDown) void this.shutdown().catch(() => undefined);
  }

  /**
   * The process is stopping (SIGTERM/SIGINT without a host handler, process.exit(), beforeExit):
   * every open session ends now, with reason "shutdown", so its session_end reaches the sinks or
   * the spool with the rest. Synchronous: on `exit` nothing asynchronous runs any more.
   */
  private endAllSessions(): void {
    if (this.isShutDown) return;
    // The process is going: a shared session's end cannot wait for the store's answer.
    // Only for these ends (ended synchronously): a host that keeps running after a signal of its
    // own has later sessions end as usual.
    this.exiting = true;
    try {
      for (const session of [...this.sessions.store.values()]) void this.endSession(session, "shutdown");
    } finally {
      this.exiting = false;
    }
  }

  /** Set by the exit path: shared sessions record their end at once (see `SharedLink.end`). */
  private exiting = false;

  /** Emits the session's start once, when the client is known as well as it will be. */
  start(session: SessionState, client: ClientInfo | undefined): void {
    this.sessions.start(session, client);
  }

  /** Ends a session (or marks it to end after its requests in flight) and schedules its export. */
  endSession(session: SessionState, reason: EndReason): Promise<void> {
    return this.sessions.end(session, reason) ? this.afterEnd(session, reason) : Promise.resolve();
  }

  /** A request of `session` finished; a session waiting for it ends now. */
  requestFinished(session: SessionState): void {
    const ended = this.sessions.requestFinished(session);
    if (ended !== undefined) void this.afterEnd(session, ended);
  }

  private sessionEnded(session: SessionState, reason: EndReason, at: number): void {
    // A shared session's end is claimed first: only the replica that claims it records session_end.
    const link = this.shared?.linkOf(session);
    if (link !== undefined && !session.quiet) link.end(reason, at, this.exiting);
    else this.plugins.sessionEnded(session, reason, at);
    if (this.sessions.size === 0) {
      this.disarmSweeper();
      if (this.liveServers <= 0) queueMicrotask(() => this.releaseIfIdle());
    }
  }

  /** When an ended session's events are exported. */
  private afterEnd(session: SessionState, reason: EndReason): Promise<void> {
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
  record(session: SessionState, type: EventType, name: string | undefined, traceId: string, build?: WireBuilder, time = Date.now(), gate?: EventGate): void {
    if (!session.started) this.start(session, undefined);
    session.lastActivityAt = time;
    if (!this.core.events) return;
    const link = this.shared?.linkOf(session);
    if (link === undefined) {
      this.pipeline.enqueue(new EventRecord(type, name, session, traceId, time, session.userId, session.traits, this.core.stitching, build, undefined, gate));
      return;
    }
    // A shared session: the identity is settled by the store's answer, and a start is this
    // replica's to send only if it claimed it.
    const startGate = type === "connection" && name === "session_start" ? link.takeStartGate() : undefined;
    this.pipeline.enqueue(new EventRecord(type, name, session, traceId, time, session.userId, session.traits, this.core.stitching, build, link.cell, gate ?? startGate));
  }

  /** Runs in the pipeline: wire form → PII scrubbing → size limits → beforeSend. Fails closed. */
  private prepare(item: QueuedEvent): WireEvent | null {
    if (item instanceof EventRecord && item.dropped) return null;
    let wire: WireEvent;
    try {
      wire = item.toWire();
    } catch (error) {
      this.warn({ code: "YAVIO-1300", message: `event could not be built: ${errorText(error)}`, sessionId: item.sessionId });
      return null;
    }
    if (this.scrubEvent) {
      try {
        wire = this.scrubEvent(wire);
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
    // An id learned from a shared store is already a pseudonym.
    if (this.hashUserIds && wire.user_id !== undefined && (this.shared === undefined || !PSEUDONYM.test(wire.user_id))) {
      wire.user_id = hashUserId(wire.user_id, this.core.hashSecret);
    }
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
    // Measuring the event serialised it: unless beforeSend may still change it, that JSON is sent.
    if (!beforeSend && cut.json !== undefined) rememberSerialized(wire, cut.json);
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
    for (const session of this.sessions.idleSince(now - this.core.sessionIdleTimeoutMs)) void this.endSession(session, "idle");
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

  /** A context for code outside handlers, cached per (distinctId, sessionId) in a bounded LRU. Never throws. */
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
    let existing = sessionId === undefined ? undefined : this.sessions.store.get(sessionId);
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
    const slot = new SessionSlot(this.sessions, { fixedId: sessionId, presetUserId: distinctId, quiet: true, existing });
    // Joining a live anonymous session identifies it, by the same rules as an identify call.
    if (existing !== undefined) new SlotContext(this, slot).identify(distinctId);
    const context = new SlotContext(this, slot);
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
      for (const session of [...this.sessions.store.values()]) await this.endSession(session, "shutdown");
      // Claims still out (the ends just asked for) settle, or time out, before the last export.
      await this.shared?.settled();
      this.disarmSweeper();
      if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.sessions.store.clear();
      this.contexts.clear();
      this.onShutdown?.();
      await this.plugins.shutdown();
      await this.pipeline.shutdown();
      this.shared?.close();
      if (this.shared !== undefined) await Promise.resolve().then(() => this.store.close?.()).catch(() => undefined);
    })();
    return this.shutdownPromise;
  }
}

