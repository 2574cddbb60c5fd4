import type { QueuedEvent, WireEvent, WireBuilder, EventType } from "../event/index.js";
import { EventRecord, ID_FIELDS, truncateEvent } from "../event/index.js";
import type { ClientInfo } from "../identity/index.js";
import { deriveSessionId, newSessionId, SessionState } from "../identity/index.js";
import type { Scrubber } from "../pii/index.js";
import { createScrubber } from "../pii/index.js";
import { hashUserId } from "./bridge.js";
import type { Pipeline } from "../transport/index.js";
import { createDeliveryPipeline } from "../transport/index.js";

import type { Warn } from "../warnings/index.js";
import { createWarner } from "../warnings/index.js";
import type { ResolvedCoreOptions, WithYavioOptions } from "./options.js";
import { resolveCoreOptions } from "./options.js";

/**
 * Where the requests of one analytics session meet: a connection, or an anchor from `sessionKey`.
 * `reset()` swaps the session in the slot; an idle-ended session is replaced on the next request.
 */
export class SessionSlot {
  session: SessionState;

  constructor(
    readonly runtime: Runtime,
    /** For derived ids (Mcp-Session-Id, sessionKey anchors): the key in the runtime's slot registry. */
    readonly registryKey: string | undefined,
    private derivedId: string | undefined,
  ) {
    this.session = this.open(derivedId ?? newSessionId());
  }

  private open(id: string): SessionState {
    const session = this.runtime.openSession(id);
    session.slotKey = this.registryKey;
    return session;
  }

  /** The live session, opening a new one when the old one ended (idle timeout). */
  current(): SessionState {
    if (this.session.ended) {
      this.session = this.open(this.derivedId ?? newSessionId());
      if (this.registryKey !== undefined) this.runtime.slots.set(this.registryKey, this);
    }
    return this.session;
  }

  /** Ends the current session and starts an anonymous one in its place (logout). */
  reset(): SessionState {
    const old = this.session;
    const client = old.client;
    this.runtime.endSession(old, "reset");
    // After a logout the derived id belongs to the old user's session: the new one is fresh.
    this.derivedId = undefined;
    this.session = this.open(newSessionId());
    this.session.client = client;
    if (this.registryKey !== undefined) this.runtime.slots.set(this.registryKey, this);
    return this.session;
  }
}

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
  /** Called when the runtime is shut down, so the registry forgets it. */
  onShutdown: (() => void) | undefined;

  constructor(options: WithYavioOptions) {
    this.core = resolveCoreOptions(options);
    this.warn = createWarner({ onWarning: options.onWarning, logger: options.logger, logLevel: options.logLevel });
    const pii = options.pii;
    this.scrubber = pii === false ? undefined : createScrubber(pii ?? {});
    this.hashUserIds = pii !== false && pii?.hashUserIds === true;
    this.pipeline = createDeliveryPipeline<QueuedEvent>({
      options,
      warn: this.warn,
      prepare: (item) => this.prepare(item),
    });
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
      slot = new SessionSlot(this, registryKey, deriveSessionId(anchor, namespace));
      this.slots.set(registryKey, slot);
    }
    return slot;
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
    });
  }

  /** Ends a session: its end event, its state freed, and a prompt flush. */
  endSession(session: SessionState, reason: "close" | "idle" | "reset" | "shutdown"): Promise<void> {
    if (session.ended) return Promise.resolve();
    session.ended = true;
    this.sessions.delete(session.id);
    const key = session.slotKey;
    if (key !== undefined && this.slots.get(key)?.session === session) this.slots.delete(key);
    if (session.started) {
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
    if (this.sessions.size === 0) this.disarmSweeper();
    if (reason === "shutdown") return Promise.resolve();
    return this.pipeline.flush().catch(() => undefined);
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
        wire = this.scrubEvent(wire, this.scrubber);
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
    if (this.hashUserIds && wire.user_id !== undefined) wire.user_id = hashUserId(wire.user_id);
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

  private scrubEvent(wire: WireEvent, scrubber: Scrubber): WireEvent {
    let out: WireEvent | undefined;
    for (const key of Object.keys(wire)) {
      if (ID_FIELDS.has(key)) continue;
      const value = wire[key];
      if (value === undefined || value === null || typeof value === "number" || typeof value === "boolean") continue;
      const scrubbed = typeof value === "string" ? scrubber.text(value) : scrubber.value(value);
      if (scrubbed !== value) {
        out ??= { ...wire };
        out[key] = scrubbed;
      }
    }
    return out ?? wire;
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
      if (session.lastActivityAt <= limit) void this.endSession(session, "idle");
    }
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Ends every live session and shuts the pipeline down. Runs once. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      for (const session of [...this.sessions.values()]) await this.endSession(session, "shutdown");
      this.disarmSweeper();
      this.slots.clear();
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
