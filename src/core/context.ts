import { AsyncLocalStorage } from "node:async_hooks";
import type { ErrorCategory, EventGate, EventType, WireBuilder, WireEvent } from "../event/index.js";
import type { IdentifyNote, SessionState, Traits } from "../identity/index.js";
import { applyIdentify, isPlainObject, mergeTraits, newTraceId, toJsonSafe, validateUserId } from "../identity/index.js";
import type { Warn } from "../warnings/index.js";
import { createWarner } from "../warnings/index.js";
import { looksLikeContactInfo } from "../pii/index.js";
import { categorizeError } from "./error-category.js";
import type { AnalyticsCall, ConnectionFacts, PluginHost, PluginRequest, ResourceNames } from "./plugin.js";
import type { SessionSlot } from "./sessions.js";
import type { IdentifyClaim, SharedLink, SharedSessions, StepNumber } from "./shared-sessions.js";
import { describeThrown, normalizeCurrency, toProperties, validateEventName } from "./validate.js";

/** How bad a captured error is. */
export type ErrorSeverity = "critical" | "error" | "warning";

/** Options of `forUser`. */
export interface ForUserOptions {
  /** Correlate with an existing session (for example a browser's) instead of a fresh one. */
  sessionId?: string | undefined;
}

/** The analytics API of one session: `ctx.yavio` in handlers, the `yavio` export, `forUser(…)` contexts. */
export interface YavioContext {
  /** The current analytics session id (`ses_…`); `undefined` for `yavio` outside a handler. */
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
   * Records a custom event (name 1–256 characters, properties a plain object).
   * @example yavio.track("report_generated", { pages: 3 })
   */
  track(event: string, properties?: Record<string, unknown>): void;
  /**
   * Records a funnel step; `step_sequence` counts from 1 per session.
   * @example ctx.yavio.step("invoice_drafted", { lines: 3 })
   */
  step(name: string, meta?: Record<string, unknown>): void;
  /**
   * Records a conversion. `value` must be a finite number and `currency` an ISO 4217 code,
   * otherwise YAVIO-1303 and no event.
   * @example ctx.yavio.conversion("invoice_paid", { value: 49.9, currency: "eur" })
   */
  conversion(name: string, data: { value: number; currency: string; meta?: Record<string, unknown> }): void;
  /**
   * Records an error event (class, scrubbed message, trimmed stack). Accepts non-Error values.
   * @example ctx.yavio.captureError(err, { severity: "critical" })
   */
  captureError(error: unknown, options?: { severity?: ErrorSeverity; properties?: Record<string, unknown> }): void;
  /**
   * Attaches a wallet address to the session's identity, stored with the traits as `wallet_address`.
   * @example ctx.yavio.walletAddress("0x52908400098527886E0F7030069857D2E4169EE7")
   */
  walletAddress(address: string): void;
  /**
   * Logout: ends the current analytics session (its end event is flushed) and starts a new,
   * anonymous one on the same connection. A later identify may name a different user.
   */
  reset(): void;
  /**
   * A context for code outside MCP handlers (webhooks, jobs): identity pre-set, same API, its own
   * session unless `sessionId` is given. Contexts are cached per key in a bounded LRU.
   * @example yavio.forUser("user_42").conversion("renewal", { value: 99, currency: "USD" })
   */
  forUser(distinctId: string, options?: ForUserOptions): YavioContext;
}

const SEVERITIES: ReadonlySet<string> = new Set(["critical", "error", "warning"]);

// Event builders live at module level on purpose: a closure made inside an API method would keep
// that method's whole scope alive until export — including the host's original, unbounded
// properties object. These capture only the bounded values they are given.

function withProperties(props: Record<string, unknown>): WireBuilder {
  return (wire) => void (wire.metadata = { ...wire.metadata, ...props });
}

function stepBuilder(sequence: number, props: Record<string, unknown> | undefined): WireBuilder {
  return (wire) => {
    wire.step_sequence = sequence;
    if (props) wire.metadata = { ...wire.metadata, ...props };
  };
}

function conversionBuilder(value: number, currency: string, props: Record<string, unknown> | undefined): WireBuilder {
  return (wire) => {
    wire.conversion_value = value;
    wire.conversion_currency = currency;
    if (props) wire.metadata = { ...wire.metadata, ...props };
  };
}

function exceptionBuilder(
  described: { errorClass: string; message: string; stack?: string },
  category: ErrorCategory,
  severity: ErrorSeverity,
  props: Record<string, unknown> | undefined,
): WireBuilder {
  return (wire) => {
    wire.error_message = described.message;
    wire.error_category = category;
    wire.metadata = { ...wire.metadata, ...props, error_class: described.errorClass, severity, ...(described.stack ? { stack: described.stack } : {}) };
  };
}

/** A shared session's step: numbered by the store's counter when the event is exported. */
function sharedStepBuilder(sequence: StepNumber, props: Record<string, unknown> | undefined): WireBuilder {
  return (wire) => {
    wire.step_sequence = sequence.value;
    if (props) wire.metadata = { ...wire.metadata, ...props };
  };
}

/** A shared session's identify: its traits are the event's settled identity, "first" the store's verdict. */
function sharedIdentifyBuilder(claim: IdentifyClaim): WireBuilder {
  return (wire: WireEvent) => {
    wire.user_traits ??= {};
    wire.metadata = { ...wire.metadata, session_user_link: true, first_identify: claim.firstIdentify };
  };
}

function identifyBuilder(traits: Traits, firstIdentify: boolean): WireBuilder {
  return (wire: WireEvent) => {
    wire.user_traits = traits;
    wire.metadata = { ...wire.metadata, session_user_link: true, first_identify: firstIdentify };
  };
}

/** What the analytics API needs of the runtime of its configuration. */
export interface ContextRuntime {
  readonly warn: Warn;
  readonly isShutDown: boolean;
  /** True when some plugin listens to analytics calls: only then is a call described to them. */
  readonly wantsAnalytics: boolean;
  record(session: SessionState, type: EventType, name: string | undefined, traceId: string, build?: WireBuilder, time?: number, gate?: EventGate): void;
  /** Set when sessions are shared by replicas. */
  readonly shared: SharedSessions | undefined;
  forUser(distinctId: string, options?: ForUserOptions): YavioContext;
  /** A user id as a warning may show it (hashed when ids are hashed). */
  shownUserId(userId: string): string;
  analytics(call: AnalyticsCall, request: PluginRequest | undefined): void;
  readonly pluginHost: PluginHost;
}

/** The API bound to one slot (a connection's or a forUser context's session). */
export class SlotContext implements YavioContext {
  constructor(
    readonly runtime: ContextRuntime,
    readonly slot: SessionSlot,
  ) {}

  /** The request this context belongs to, for plugins; none for forUser contexts. */
  protected get request(): PluginRequest | undefined {
    return undefined;
  }

  private notify(kind: AnalyticsCall["kind"], name: string | undefined, session: SessionState, properties: Record<string, unknown> | undefined, error?: unknown): void {
    if (!this.runtime.wantsAnalytics) return;
    this.runtime.analytics({ kind, name, session, properties, host: this.runtime.pluginHost, ...(error !== undefined ? { error } : {}) }, this.request);
  }

  /** A request has one trace; a free-standing context makes one per event. */
  get traceId(): string {
    return newTraceId();
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
    return this.runtime.warn;
  }

  /** Runs an API call so that nothing it does can throw into the host. */
  private guard(method: string, body: (session: SessionState) => void): void {
    let session: SessionState | undefined;
    try {
      if (this.runtime.isShutDown) {
        this.warn({ code: "YAVIO-1208", message: `${method}() after shutdown: ignored` });
        return;
      }
      session = this.session;
      body(session);
    } catch (error) {
      try {
        this.warn({ code: "YAVIO-1300", message: `${method} failed: ${String(error)}`, sessionId: session?.id });
      } catch {
        // Warning about a failure must not fail either.
      }
    }
  }

  private invalid(session: SessionState, method: string, field: string, reason: string, code: "YAVIO-1300" | "YAVIO-1303" = "YAVIO-1300"): void {
    this.warn({ code, message: `${method} ignored: ${reason}`, sessionId: session.id, details: { method, field } });
  }

  private properties(session: SessionState, method: string, field: string, value: unknown): Record<string, unknown> | undefined {
    return toProperties(
      value,
      (reason) => this.invalid(session, method, field, reason),
      (bytes) =>
        this.warn({
          code: "YAVIO-1304",
          message: `${method}: ${field} of about ${bytes} bytes are over the event limit; recorded as a truncation marker`,
          sessionId: session.id,
          details: { method, field },
        }),
    );
  }

  identify(userId: string, traits?: Record<string, unknown>): void {
    this.guard("identify", (session) => {
      const link = this.runtime.shared?.linkOf(session);
      if (link !== undefined) return this.identifyShared(session, link, userId, traits);
      const outcome = applyIdentify(session, userId, traits);
      if (outcome.kind === "invalid") return this.invalid(session, "identify", "userId", outcome.reason);
      if (outcome.kind === "conflict") {
        this.warn({
          code: "YAVIO-1302",
          message: "identify ignored: this session is already identified as another user",
          sessionId: session.id,
          details: { currentUserId: this.runtime.shownUserId(outcome.current), attemptedUserId: this.runtime.shownUserId(outcome.attempted) },
        });
        return;
      }
      for (const note of outcome.notes) {
        if (note.kind === "traits-not-object") this.invalid(session, "identify", "traits", `expected a plain object, got ${note.type}`);
        else {
          this.warn({
            code: "YAVIO-1304",
            message: `traits over the size limit (at least ${note.bytes} bytes): ${note.droppedCount} keys dropped`,
            sessionId: session.id,
            details: { droppedKeys: note.droppedKeys, droppedCount: note.droppedCount },
          });
        }
      }
      if (outcome.userIdSet) this.checkUserIdShape(session);
      if (outcome.userIdSet || outcome.traitsChanged) this.recordIdentify(session, outcome.userIdSet);
    });
  }

  /**
   * identify on a session shared by replicas: this replica's state answers at once, and the store
   * decides. A conflict is final here only if the store already confirmed the current user;
   * otherwise the claim settles it, and the event is dropped (with YAVIO-1302) if it lost.
   */
  private identifyShared(session: SessionState, link: SharedLink, userId: string, traits: Record<string, unknown> | undefined): void {
    if (session.userId !== undefined && typeof userId === "string" && session.userId !== userId && link.sameUser(session.userId, userId)) {
      // The store named the user by pseudonym; the host names them by id: the same user.
      session.userId = userId;
    }
    const outcome = applyIdentify(session, userId, traits);
    if (outcome.kind === "invalid") return this.invalid(session, "identify", "userId", outcome.reason);
    if (outcome.kind === "conflict") {
      if (link.confirmed) {
        this.warn({
          code: "YAVIO-1302",
          message: "identify ignored: this session is already identified as another user",
          sessionId: session.id,
          details: { currentUserId: this.runtime.shownUserId(outcome.current), attemptedUserId: this.runtime.shownUserId(outcome.attempted) },
        });
        return;
      }
      // The local user is this replica's own unanswered claim: the store decides between them.
      const incoming = isPlainObject(traits) ? (toJsonSafe(traits) as Record<string, unknown>) : undefined;
      const claim = link.identify(userId, incoming, false);
      this.recordIdentifyShared(session, claim);
      return;
    }
    this.identifyNotes(session, outcome.notes);
    if (outcome.userIdSet) this.checkUserIdShape(session);
    if (!outcome.userIdSet && !outcome.traitsChanged && link.confirmed) return;
    // The call's traits as merged here (what a size cut kept) go to the store, which merges per
    // key, later wins: this replica may not know what other replicas set.
    const incoming: Record<string, unknown> = {};
    for (const key of Object.keys(outcome.incoming ?? {})) if (Object.hasOwn(session.traits, key)) incoming[key] = session.traits[key];
    const claim = link.identify(userId, incoming, outcome.userIdSet);
    this.recordIdentifyShared(session, claim);
  }

  private recordIdentifyShared(session: SessionState, claim: IdentifyClaim): void {
    this.runtime.record(session, "identify", undefined, this.traceId, sharedIdentifyBuilder(claim), undefined, claim);
    this.notify("identify", undefined, session, session.traits);
  }

  private identifyNotes(session: SessionState, notes: readonly IdentifyNote[]): void {
    for (const note of notes) {
      if (note.kind === "traits-not-object") this.invalid(session, "identify", "traits", `expected a plain object, got ${note.type}`);
      else {
        this.warn({
          code: "YAVIO-1304",
          message: `traits over the size limit (at least ${note.bytes} bytes): ${note.droppedCount} keys dropped`,
          sessionId: session.id,
          details: { droppedKeys: note.droppedKeys, droppedCount: note.droppedCount },
        });
      }
    }
  }

  private checkUserIdShape(session: SessionState): void {
    const kind = looksLikeContactInfo(session.userId!);
    if (kind !== undefined && session.firstWarning("YAVIO-1305")) {
      this.warn({
        code: "YAVIO-1305",
        message: `userId looks like ${kind === "email" ? "an e-mail address" : "a phone number"}; it is sent as is (it is the join key). Consider pii.hashUserIds.`,
        sessionId: session.id,
      });
    }
  }

  /** The identify event always carries the session → user link, so a backend can stitch what was already delivered. */
  private recordIdentify(session: SessionState, firstIdentify: boolean): void {
    const traitsNow = session.traits;
    this.runtime.record(session, "identify", undefined, this.traceId, identifyBuilder(traitsNow, firstIdentify));
    this.notify("identify", undefined, session, traitsNow);
  }

  track(event: string, properties?: Record<string, unknown>): void {
    this.guard("track", (session) => {
      const problem = validateEventName(event);
      if (problem !== undefined) return this.invalid(session, "track", "event", problem);
      const props = this.properties(session, "track", "properties", properties);
      this.runtime.record(session, "track", event, this.traceId, props && withProperties(props));
      this.notify("track", event, session, props);
    });
  }

  step(name: string, meta?: Record<string, unknown>): void {
    this.guard("step", (session) => {
      const problem = validateEventName(name);
      if (problem !== undefined) return this.invalid(session, "step", "name", problem);
      const props = this.properties(session, "step", "meta", meta);
      session.stepSequence += 1;
      const sequence = session.stepSequence;
      const link = this.runtime.shared?.linkOf(session);
      this.runtime.record(session, "step", name, this.traceId, link === undefined ? stepBuilder(sequence, props) : sharedStepBuilder(link.step(), props));
      this.notify("step", name, session, props);
    });
  }

  conversion(name: string, data: { value: number; currency: string; meta?: Record<string, unknown> }): void {
    this.guard("conversion", (session) => {
      const problem = validateEventName(name);
      if (problem !== undefined) return this.invalid(session, "conversion", "name", problem);
      if (data === null || typeof data !== "object") return this.invalid(session, "conversion", "value", "expected { value, currency }", "YAVIO-1303");
      const { value, currency } = data;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return this.invalid(session, "conversion", "value", `value must be a finite number, got ${String(value)}`, "YAVIO-1303");
      }
      const code = normalizeCurrency(currency);
      if (code === undefined) return this.invalid(session, "conversion", "currency", `currency must be an ISO 4217 code, got ${JSON.stringify(currency)}`, "YAVIO-1303");
      const props = this.properties(session, "conversion", "meta", data.meta);
      this.runtime.record(session, "conversion", name, this.traceId, conversionBuilder(value, code, props));
      this.notify("conversion", name, session, { ...props, value, currency: code });
    });
  }

  captureError(error: unknown, options?: { severity?: ErrorSeverity; properties?: Record<string, unknown> }): void {
    this.guard("captureError", (session) => {
      let severity: ErrorSeverity = "error";
      if (options?.severity !== undefined) {
        if (SEVERITIES.has(options.severity)) severity = options.severity;
        else this.invalid(session, "captureError", "severity", `severity must be critical, error or warning; "error" used`);
      }
      const props = this.properties(session, "captureError", "properties", options?.properties);
      const described = describeThrown(error);
      const category = categorizeError(error, described.message);
      this.runtime.record(session, "track", "$exception", this.traceId, exceptionBuilder(described, category, severity, props));
      this.notify("captureError", "$exception", session, { ...props, severity, error_class: described.errorClass, error_category: category }, error);
    });
  }

  walletAddress(address: string): void {
    this.guard("walletAddress", (session) => {
      const problem = validateUserId(address);
      if (problem !== undefined) return this.invalid(session, "walletAddress", "address", problem.replace("userId", "address"));
      const notes: IdentifyNote[] = [];
      const next = mergeTraits(session.traits, { wallet_address: address }, notes);
      if (notes.length > 0) {
        this.warn({ code: "YAVIO-1304", message: "walletAddress ignored: the traits are at their size limit", sessionId: session.id, details: { method: "walletAddress" } });
      }
      if (next === session.traits) return;
      session.traits = next;
      const link = this.runtime.shared?.linkOf(session);
      if (link !== undefined) return this.recordIdentifyShared(session, link.identify(undefined, { wallet_address: address }, false));
      this.recordIdentify(session, false);
    });
  }

  reset(): void {
    this.guard("reset", () => {
      this.slot.reset();
    });
  }

  forUser(distinctId: string, options?: ForUserOptions): YavioContext {
    return this.runtime.forUser(distinctId, options);
  }
}

/** What an adapter reports when a request begins. */
export interface RequestStart {
  readonly method: string;
  readonly target: string | undefined;
  readonly arguments: unknown;
  readonly requestId: string | number | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly protocolVersion: string | undefined;
  /** 2026-07-28: the client's answers to the requests a previous round's `input_required` result made. */
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  /** The intent the client stated in the intent argument (`capture.intent`), taken out of `arguments`. */
  intent?: string | undefined;
}

/**
 * One request: its session (the slot's, and the one it started in), one trace for everything it
 * records, and the facts plugins see. It is `ctx.yavio`, and with `ambientContext` the
 * AsyncLocalStorage store while the handler runs.
 */
export class RequestContext extends SlotContext implements PluginRequest {
  private trace: string | undefined;
  private didReset = false;
  /** The error a tool handler threw, seen by the adapter (the SDK turns it into a result). */
  thrown: unknown;
  /** The session the request started in: its events stay there even if the handler calls reset(). */
  readonly startSession: SessionState;
  readonly method: string;
  readonly target: string | undefined;
  readonly arguments: unknown;
  readonly requestId: string | number | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly protocolVersion: string | undefined;
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  readonly intent: string | undefined;
  readonly startedAt: number;
  /** The plugins' per-request states, when some plugin keeps one. */
  states: unknown[] | undefined;

  constructor(
    runtime: ContextRuntime,
    slot: SessionSlot,
    session: SessionState,
    start: RequestStart,
    readonly connection: ConnectionFacts,
    readonly resources: ResourceNames | undefined,
  ) {
    super(runtime, slot);
    this.startSession = session;
    this.method = start.method;
    this.target = start.target;
    this.arguments = start.arguments;
    this.requestId = start.requestId;
    this.meta = start.meta;
    this.protocolVersion = start.protocolVersion;
    this.inputResponses = start.inputResponses;
    this.intent = start.intent;
    this.startedAt = performance.now();
  }

  protected override get request(): PluginRequest {
    return this;
  }

  get host(): PluginHost {
    return this.runtime.pluginHost;
  }

  override get traceId(): string {
    return (this.trace ??= newTraceId());
  }

  /**
   * The request's own session: a handler still running when its client disconnects keeps
   * recording into the session it started in, instead of opening a new one. Only a reset()
   * made by this request moves it on.
   */
  override get session(): SessionState {
    return this.didReset ? this.slot.current() : this.startSession;
  }

  override get sessionId(): string {
    return this.session.id;
  }

  override get userId(): string | undefined {
    return this.session.userId;
  }

  override get traits(): Traits {
    return this.session.traits;
  }

  override reset(): void {
    super.reset();
    this.didReset = true;
  }
}

/**
 * The one AsyncLocalStorage that carries the request context through the host's async code. Kept
 * on globalThis, so that `yavio` from the CommonJS copy of this package sees requests instrumented
 * by the ES module copy (and the other way round) when an application loads both.
 */
export const requestStorage: AsyncLocalStorage<RequestContext> = (() => {
  const key = Symbol.for("yavio-mcp.request-storage.v1");
  const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<RequestContext> | undefined>;
  return (holder[key] ??= new AsyncLocalStorage<RequestContext>());
})();

const EMPTY: Traits = Object.freeze({});
let latestRuntime: ContextRuntime | undefined;
let outsideWarned = false;

/** The runtime that `yavio` uses outside handlers (for `forUser` and the YAVIO-1105 warning): the latest one. */
export function setLatestRuntime(runtime: ContextRuntime): void {
  latestRuntime = runtime;
}

let withoutAmbientWarned = false;
/** Requests running now in configurations without `ambientContext`: the `yavio` export cannot see them. */
let requestsWithoutAmbient = 0;

/** A request of a configuration without `ambientContext` started (+1) or ended (-1). */
export function countRequestWithoutAmbient(delta: 1 | -1): void {
  requestsWithoutAmbient += delta;
}

function outside(method: string): void {
  const warn = latestRuntime?.warn ?? createWarner();
  if (requestsWithoutAmbient > 0) {
    // Most likely called from a handler: say what to do about it rather than "outside a handler".
    if (withoutAmbientWarned) return;
    withoutAmbientWarned = true;
    warn({
      code: "YAVIO-1109",
      message: `yavio.${method}() found no request: requests run without ambient context (ambientContext is off by default); ignored. Use ctx.yavio, or pass ambientContext: true (warned once)`,
    });
    return;
  }
  if (outsideWarned) return;
  outsideWarned = true;
  warn({ code: "YAVIO-1105", message: `yavio.${method}() called outside an MCP handler: ignored (warned once)` });
}

/** A context that does nothing, for `forUser` when no server was ever wrapped. */
const INERT: YavioContext = {
  sessionId: undefined,
  userId: undefined,
  traits: EMPTY,
  identify: () => outside("identify"),
  track: () => outside("track"),
  step: () => outside("step"),
  conversion: () => outside("conversion"),
  captureError: () => outside("captureError"),
  walletAddress: () => outside("walletAddress"),
  reset: () => outside("reset"),
  forUser: () => INERT,
};

/**
 * What `ctx.yavio` is when nothing can be recorded (the configuration was shut down, or the
 * request could not be attributed): every call is a no-op, reported once with `code`.
 */
export function inertContext(warn: Warn, code: "YAVIO-1208" | "YAVIO-1100" | "YAVIO-1300"): YavioContext {
  let warned = false;
  const ignore = (method: string) => (): void => {
    if (warned) return;
    warned = true;
    const why = { "YAVIO-1208": "analytics for this configuration is shut down", "YAVIO-1100": "the request could not be attributed to a session", "YAVIO-1300": "the context was made with an invalid distinctId" }[code];
    warn({ code, message: `${method}() ignored: ${why} (warned once)` });
  };
  const context: YavioContext = {
    sessionId: undefined,
    userId: undefined,
    traits: EMPTY,
    identify: ignore("identify"),
    track: ignore("track"),
    step: ignore("step"),
    conversion: ignore("conversion"),
    captureError: ignore("captureError"),
    walletAddress: ignore("walletAddress"),
    reset: ignore("reset"),
    forUser: () => context,
  };
  return context;
}

function current(method: string): YavioContext | undefined {
  const ctx = requestStorage.getStore();
  if (ctx === undefined) outside(method);
  return ctx;
}

/**
 * The analytics API for code called from a handler, without `ctx`: resolves the current session
 * through AsyncLocalStorage, for servers wrapped with `ambientContext: true`. Outside any handler
 * its calls do nothing and warn YAVIO-1105 once (YAVIO-1109 when requests run without ambient
 * context) — except `forUser`, which is made for code outside handlers.
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
  identify: (userId, traits) => current("identify")?.identify(userId, traits),
  track: (event, properties) => current("track")?.track(event, properties),
  step: (name, meta) => current("step")?.step(name, meta),
  conversion: (name, data) => current("conversion")?.conversion(name, data),
  captureError: (error, options) => current("captureError")?.captureError(error, options),
  walletAddress: (address) => current("walletAddress")?.walletAddress(address),
  reset: () => current("reset")?.reset(),
  forUser(distinctId, options) {
    const runtime = requestStorage.getStore()?.runtime ?? latestRuntime;
    if (runtime === undefined || runtime.isShutDown) return INERT;
    return runtime.forUser(distinctId, options);
  },
};
