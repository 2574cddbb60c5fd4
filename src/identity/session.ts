import type { Platform } from "../event/index.js";

/** A read-only view of the traits: the object is replaced, never changed, so events can hold it. */
export type Traits = Readonly<Record<string, unknown>>;

const EMPTY_TRAITS: Traits = Object.freeze({});

/** What is known of the client at the start of a session. */
export interface ClientInfo {
  clientName?: string | undefined;
  clientVersion?: string | undefined;
  protocolVersion?: string | undefined;
  platform?: Platform | undefined;
  transport?: string | undefined;
}

/**
 * The state of one analytics session. Held per session, never per server: two sessions served by
 * one server (or one process) share nothing.
 */
export class SessionState {
  readonly id: string;
  /** When the session started; a store shared by replicas may set it to when the first replica started it. */
  startedAt: number;
  lastActivityAt: number;
  userId: string | undefined;
  traits: Traits = EMPTY_TRAITS;
  client: ClientInfo = {};
  started = false;
  /** Not a connection (a forUser context): no session_start/session_end events. */
  quiet = false;
  ended = false;
  toolCalls = 0;
  resourceReads = 0;
  promptGets = 0;
  errors = 0;
  stepSequence = 0;
  /** Opened under a derived id (Mcp-Session-Id / sessionKey anchor). */
  derived = false;
  /** Reopened under the same fixed id after an idle end. */
  resumed = false;
  /** Requests of this session still running: an idle sweep never ends a session mid-call. */
  inFlight = 0;
  /**
   * Set when the session was asked to end (close, reset) while requests were still running: it
   * ends when the last of them finishes, so their events come before its end and are counted.
   */
  endPending: "close" | "idle" | "reset" | undefined;
  /** Each request is its own session (stateless HTTP without an anchor): marked on its events. */
  requestScoped = false;
  /** The key of the shared slot holding this session, if any (derived session ids). */
  slotKey: string | undefined;
  /** Codes already warned for this session, for once-per-session warnings. */
  warned: Set<string> | undefined;

  constructor(id: string, now: number) {
    this.id = id;
    this.startedAt = now;
    this.lastActivityAt = now;
  }

  /** True the first time `code` is seen for this session. */
  firstWarning(code: string): boolean {
    this.warned ??= new Set();
    if (this.warned.has(code)) return false;
    this.warned.add(code);
    return true;
  }
}
