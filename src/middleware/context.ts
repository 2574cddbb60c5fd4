import { AsyncLocalStorage } from "node:async_hooks";
import type { WireEvent } from "../event/index.js";
import type { SessionState, Traits } from "../identity/index.js";
import { applyIdentify, newTraceId } from "../identity/index.js";
import { looksLikeContactInfo } from "./bridge.js";
import type { Warn } from "../warnings/index.js";
import { createWarner } from "../warnings/index.js";
import type { SessionSlot } from "./runtime.js";
import { validateEventName, toProperties } from "./validate.js";

/** The analytics API of one session, as `ctx.yavio` in handlers and through the `yavio` export. */
export interface YavioContext {
  /** The current analytics session id (`ses_…`); `undefined` outside a handler. */
  readonly sessionId: string | undefined;
  /** The session's user, once identified. */
  readonly userId: string | undefined;
  /** The session's traits so far (a frozen snapshot). */
  readonly traits: Traits;
  /**
   * Sets the session's user (first call) and merges traits. A different userId later in the same
   * session is ignored with warning YAVIO-1302; an invalid one with YAVIO-1300.
   * @example ctx.yavio.identify("user_42", { plan: "pro" })
   */
  identify(userId: string, traits?: Record<string, unknown>): void;
  /**
   * Records a custom event.
   * @example yavio.track("report_generated", { pages: 3 })
   */
  track(event: string, properties?: Record<string, unknown>): void;
}

/** The per-request store: which slot (session) and trace a call belongs to. */
export class RequestContext implements YavioContext {
  private trace: string | undefined;
  /** The error a tool handler threw, seen by the handler wrapper (the SDK turns it into a result). */
  thrown: unknown;

  constructor(readonly slot: SessionSlot) {}

  get traceId(): string {
    return (this.trace ??= newTraceId());
  }

  get session(): SessionState {
    return this.slot.current();
  }

  get sessionId(): string {
    return this.slot.session.id;
  }

  get userId(): string | undefined {
    return this.slot.session.userId;
  }

  get traits(): Traits {
    return this.slot.session.traits;
  }

  private get warn(): Warn {
    return this.slot.runtime.warn;
  }

  identify(userId: string, traits?: Record<string, unknown>): void {
    try {
      this.doIdentify(userId, traits);
    } catch (error) {
      this.warn({ code: "YAVIO-1300", message: `identify failed: ${String(error)}`, sessionId: this.sessionId });
    }
  }

  private doIdentify(userId: unknown, traits: unknown): void {
    const session = this.session;
    const outcome = applyIdentify(session, userId, traits);
    const sessionId = session.id;
    if (outcome.kind === "invalid") {
      this.warn({ code: "YAVIO-1300", message: `identify ignored: ${outcome.reason}`, sessionId, details: { field: "userId" } });
      return;
    }
    if (outcome.kind === "conflict") {
      this.warn({
        code: "YAVIO-1302",
        message: "identify ignored: this session is already identified as another user",
        sessionId,
        details: { currentUserId: outcome.current, attemptedUserId: outcome.attempted },
      });
      return;
    }
    for (const note of outcome.notes) {
      if (note.kind === "traits-not-object") {
        this.warn({ code: "YAVIO-1300", message: `identify traits ignored: expected a plain object, got ${note.type}`, sessionId, details: { field: "traits" } });
      } else {
        this.warn({ code: "YAVIO-1304", message: `traits over ${note.bytes} bytes: keys dropped`, sessionId, details: { droppedKeys: note.droppedKeys } });
      }
    }
    if (outcome.userIdSet) {
      const kind = looksLikeContactInfo(session.userId!);
      if (kind !== undefined && session.firstWarning("YAVIO-1305")) {
        this.warn({
          code: "YAVIO-1305",
          message: `userId looks like ${kind === "email" ? "an e-mail address" : "a phone number"}; it is sent as is (it is the join key). Consider pii.hashUserIds.`,
          sessionId,
        });
      }
    }
    if (!outcome.userIdSet && !outcome.traitsChanged) return;
    const traitsNow = session.traits;
    this.slot.runtime.record(session, "identify", undefined, this.traceId, (wire: WireEvent) => {
      wire.user_traits = traitsNow as Record<string, unknown>;
      wire.metadata = { ...wire.metadata, session_user_link: true, first_identify: outcome.userIdSet };
    });
  }

  track(event: string, properties?: Record<string, unknown>): void {
    try {
      const session = this.session;
      const problem = validateEventName(event);
      if (problem !== undefined) {
        this.warn({ code: "YAVIO-1300", message: `track ignored: ${problem}`, sessionId: session.id, details: { field: "event" } });
        return;
      }
      const props = toProperties(properties, (message) =>
        this.warn({ code: "YAVIO-1300", message: `track properties ignored: ${message}`, sessionId: session.id, details: { field: "properties" } }),
      );
      this.slot.runtime.record(session, "track", event, this.traceId, props === undefined ? undefined : (wire) => {
        wire.metadata = { ...wire.metadata, ...props };
      });
    } catch (error) {
      this.warn({ code: "YAVIO-1300", message: `track failed: ${String(error)}`, sessionId: this.sessionId });
    }
  }
}

/** The one AsyncLocalStorage that carries the request context through the host's async code. */
export const requestStorage = new AsyncLocalStorage<RequestContext>();

const EMPTY: Traits = Object.freeze({});
let outsideWarn: Warn | undefined;
let outsideWarned = false;

/** The warner used for calls made outside any handler: the latest runtime's, else stderr. */
export function setOutsideWarner(warn: Warn): void {
  outsideWarn = warn;
}

function outside(method: string): void {
  if (outsideWarned) return;
  outsideWarned = true;
  (outsideWarn ?? createWarner())({
    code: "YAVIO-1105",
    message: `yavio.${method}() called outside an MCP handler: ignored (warned once)`,
  });
}

/**
 * The analytics API for code called from a handler, without `ctx`: resolves the current session
 * through AsyncLocalStorage. Outside any handler its calls do nothing and warn YAVIO-1105 once.
 * @example
 * import { yavio } from "yavio-mcp";
 * yavio.track("report_generated", { pages: 3 });
 */
export const yavio: YavioContext = {
  get sessionId() {
    return requestStorage.getStore()?.sessionId;
  },
  get userId() {
    return requestStorage.getStore()?.userId;
  },
  get traits() {
    return requestStorage.getStore()?.traits ?? EMPTY;
  },
  identify(userId, traits) {
    const ctx = requestStorage.getStore();
    if (ctx) ctx.identify(userId, traits);
    else outside("identify");
  },
  track(event, properties) {
    const ctx = requestStorage.getStore();
    if (ctx) ctx.track(event, properties);
    else outside("track");
  },
};
