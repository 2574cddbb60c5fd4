import type { ClientInfo, SessionState } from "../identity/index.js";
import { newTraceId } from "../identity/index.js";
import type { RequestStart, YavioContext } from "./context.js";
import { countRequestWithoutAmbient, RequestContext, requestStorage } from "./context.js";
import type { WithYavioOptions } from "./options.js";
import { detectPlatform } from "./platform.js";
import type { ConnectionFacts, OutgoingRequest, ResourceNames } from "./plugin.js";
import { errorText } from "./plugin.js";
import type { Runtime } from "./runtime.js";
import { SessionSlot } from "./sessions.js";

/**
 * A request as an SDK adapter reports it when it begins: what it asks for, and what the core may
 * anchor its session on. Methods are read only when needed (most requests need few of them).
 */
export interface IncomingRequest extends RequestStart {
  /** The protocol's session id (`Mcp-Session-Id`), if the request has one. */
  protocolSessionId(): string | undefined;
  /** A header of the HTTP request (lower-case name); undefined off HTTP. */
  header(name: string): string | undefined;
  /** The authenticated principal (from the SDK's auth info), if the host uses it. */
  principal(): string | undefined;
  /** The client as this request states it (2026-07-28: its envelope), if it does. */
  client(): ClientInfo | undefined;
  /** What the host's `sessionKey` receives: the SDK's own handler argument. */
  readonly sessionKeyInput: unknown;
}

/** What the core asks of the adapter about its server. */
export interface ServerPort {
  /** The client as the protocol connection knows it (after `initialize`), if it does. */
  knownClient(): { name?: string | undefined; version?: string | undefined } | undefined;
  /** The server's registered resources, to name URIs. */
  readonly resources: ResourceNames | undefined;
}

/** One connection of a server: a transport, and the slot its session lives in. */
export interface Connection {
  readonly transport: string;
  /** The transport's protocol session id, read when a request needs it. */
  readonly transportSessionId: () => string | undefined;
  slot: SessionSlot | undefined;
  detach: (() => void) | undefined;
  closed: boolean;
}

/** HTTP transports: without a protocol session each connection carries one request. */
function isHttp(transport: string): boolean {
  return transport === "streamable-http" || transport === "sse";
}

let warnedUnanchored = false;

/**
 * The SDK-neutral half of a wrapped server: its connection, the session each request belongs to,
 * the plugin chain around each request, and requests to the client. An SDK adapter translates its
 * hooks into these calls and names no session rule of its own.
 */
export class ServerCore {
  private connection: Connection | undefined;
  private warnedInterception = false;

  constructor(
    readonly runtime: Runtime,
    private readonly port: ServerPort,
    /** This call's own sessionKey: servers sharing a configuration may each close over other state. */
    private readonly sessionKey: WithYavioOptions["sessionKey"],
  ) {}

  /** A transport was connected. The session starts with the first request, not now. */
  connectionOpened(transport: string, transportSessionId: () => string | undefined): Connection {
    this.connection?.detach?.();
    const connection: Connection = { transport, transportSessionId, slot: undefined, detach: undefined, closed: false };
    this.connection = connection;
    return connection;
  }

  /** The connection closed (or stdin ended): its session ends once its requests finished. */
  connectionClosed(connection: Connection | undefined = this.connection): void {
    if (connection === undefined || connection.closed) return;
    connection.closed = true;
    connection.detach?.();
    connection.detach = undefined;
    if (this.connection === connection) this.connection = undefined;
    const slot = connection.slot;
    if (slot !== undefined) {
      // A connection's slot ends with it: late events of a handler still running stay in the
      // ended session instead of opening an anonymous one. (Anchored slots are not owned by a
      // connection and live on until idle.)
      slot.closed = true;
      void this.runtime.endSession(slot.session, "close");
    }
  }

  /** The live session of this server's connection, for tests and `getYavio`. */
  currentSession(): SessionState | undefined {
    return this.connection?.slot?.session;
  }

  private currentConnection(): Connection {
    let connection = this.connection;
    if (connection === undefined || connection.closed) {
      connection = { transport: "unknown", transportSessionId: () => undefined, slot: undefined, detach: undefined, closed: false };
      this.connection = connection;
    }
    return connection;
  }

  /**
   * The slot a request belongs to, in this order: the host's `sessionKey` anchor; the protocol
   * session (`Mcp-Session-Id`); on a connection without one that carries a single request
   * (stateless HTTP) the authenticated principal, else the request alone; otherwise the connection.
   */
  private slotFor(request: IncomingRequest, connection: Connection, facts: { stateless: boolean; protocolSessionId: string | undefined }): SessionSlot {
    const { runtime, sessionKey } = this;
    if (sessionKey) {
      let anchor: unknown;
      try {
        anchor = sessionKey(request.sessionKeyInput as never);
      } catch (error) {
        anchor = undefined;
        runtime.warn({ code: "YAVIO-1102", message: `sessionKey threw: ${errorText(error)}` });
      }
      if (typeof anchor === "string" && anchor.length > 0) return runtime.sessions.derivedSlot(`key:${anchor}`, anchor, "key");
      if (anchor !== undefined && anchor !== null && anchor !== "") {
        runtime.warn({ code: "YAVIO-1102", message: `sessionKey returned ${typeof anchor}, expected a string` });
      }
    }
    if (connection.slot !== undefined && !connection.slot.closed) return connection.slot;
    const mcpSessionId = facts.protocolSessionId;
    if (mcpSessionId !== undefined) {
      connection.slot = runtime.sessions.derivedSlot(`mcp:${mcpSessionId}`, mcpSessionId, "mcp");
    } else if (facts.stateless) {
      const principal = request.principal();
      if (principal !== undefined) return runtime.sessions.derivedSlot(`auth:${principal}`, principal, "auth");
      this.warnUnanchored();
      connection.slot = new SessionSlot(runtime.sessions, { requestScoped: true });
    } else {
      connection.slot = new SessionSlot(runtime.sessions);
    }
    return connection.slot;
  }

  private warnUnanchored(): void {
    if (warnedUnanchored) return;
    warnedUnanchored = true;
    this.runtime.warn({
      code: "YAVIO-1107",
      level: "info",
      message:
        "requests without a protocol session and without an anchor: each request is its own analytics session (marked session_scope: \"request\"). Pass sessionKey (e.g. a conversation id or the user's token) or use the SDK's auth so that requests of one user join one session (said once per process)",
    });
  }

  private facts(request: IncomingRequest, connection: Connection): ConnectionFacts {
    const protocolSessionId = nonEmpty(request.protocolSessionId()) ?? nonEmpty(connection.transportSessionId());
    return { transport: connection.transport, protocolSessionId, stateless: protocolSessionId === undefined && isHttp(connection.transport) };
  }

  private clientInfo(request: IncomingRequest, transport: string): ClientInfo {
    const stated = request.client();
    const known = stated === undefined ? safeCall(() => this.port.knownClient()) : undefined;
    const name = stated?.clientName ?? known?.name;
    let platform;
    try {
      platform = detectPlatform(name, (header) => request.header(header));
    } catch {
      platform = "unknown" as const;
      this.runtime.warn({ code: "YAVIO-1101", message: "platform detection failed" });
    }
    return {
      clientName: name,
      clientVersion: stated?.clientVersion ?? known?.version,
      protocolVersion: stated?.protocolVersion ?? request.protocolVersion,
      platform,
      transport,
    };
  }

  /**
   * The legacy `initialize` request succeeded: the session of its connection starts now, with the
   * client it named. On a stateless connection without an anchor nothing starts: that request's
   * connection carries nothing else, and an empty session would only count as noise.
   */
  initialized(request: IncomingRequest, client: { name?: unknown; version?: unknown } | undefined, protocolVersion: string | undefined): void {
    try {
      if (this.runtime.isShutDown) return;
      const connection = this.currentConnection();
      const facts = this.facts(request, connection);
      if (facts.stateless && this.sessionKey === undefined && request.principal() === undefined) return;
      const slot = this.slotFor(request, connection, facts);
      const session = slot.current();
      const info = this.clientInfo(request, connection.transport);
      if (info.clientName === undefined && typeof client?.name === "string") {
        info.clientName = client.name;
        info.platform = detectPlatform(client.name, (header) => request.header(header));
      }
      if (info.clientVersion === undefined && typeof client?.version === "string") info.clientVersion = client.version;
      if (protocolVersion !== undefined) info.protocolVersion = protocolVersion;
      this.runtime.start(session, info);
    } catch (error) {
      this.interceptionFailedOnce(error);
    }
  }

  /**
   * Runs one request of an instrumented method: resolves its session, gives the handler
   * `ctx.yavio` through `install`, runs the plugin chain around `run` — which starts the host's
   * handler exactly once — and reports the outcome. The handler's result or error passes through
   * unchanged.
   */
  handleRequest<T>(request: IncomingRequest, install: (yavio: YavioContext) => void, run: () => Promise<T>): Promise<T> {
    const runtime = this.runtime;
    let ctx: RequestContext | undefined;
    try {
      if (runtime.isShutDown) {
        install(runtime.inert("YAVIO-1208"));
      } else {
        ctx = this.begin(request);
        install(ctx);
      }
    } catch (error) {
      this.interceptionFailedOnce(error);
      // Handlers rely on ctx.yavio being there: never let them meet undefined.
      try {
        install(runtime.inert("YAVIO-1100"));
      } catch {
        // The host's context object refused the property: nothing more to do.
      }
      ctx = undefined;
    }
    if (ctx === undefined) return run();
    const context = ctx;
    runtime.sessions.requestStarted(context.startSession);
    const ambient = runtime.core.ambientContext;
    if (!ambient) countRequestWithoutAmbient(1);
    let pending: Promise<T>;
    try {
      // Entering AsyncLocalStorage only when asked: on Node 20 it taxes every promise of the process.
      pending = ambient ? requestStorage.run(context, () => runtime.plugins.run(context.states, run)) : runtime.plugins.run(context.states, run);
    } catch (error) {
      this.finish(context, undefined, error, true);
      throw error;
    }
    return pending.then(
      (result) => {
        this.finish(context, result, undefined, false);
        return result;
      },
      (error: unknown) => {
        this.finish(context, undefined, error, true);
        throw error;
      },
    );
  }

  /** Starts the session (its start event) if this request is its first sign of life. */
  private begin(request: IncomingRequest): RequestContext {
    const connection = this.currentConnection();
    const facts = this.facts(request, connection);
    const slot = this.slotFor(request, connection, facts);
    const session = slot.current();
    session.lastActivityAt = Date.now();
    const stated = request.client();
    if (!session.started) this.runtime.start(session, this.clientInfo(request, connection.transport));
    else if (stated !== undefined && session.client.clientName === undefined) this.runtime.start(session, this.clientInfo(request, connection.transport));
    const ctx = new RequestContext(this.runtime, slot, session, request, facts, this.port.resources);
    ctx.states = this.runtime.plugins.requestStarted(ctx);
    return ctx;
  }

  /** Reports a finished request to the plugins. Never throws: the host's answer is already decided. */
  private finish(ctx: RequestContext, result: unknown, error: unknown, threw: boolean): void {
    const session = ctx.startSession;
    if (!this.runtime.core.ambientContext) countRequestWithoutAmbient(-1);
    try {
      const isError = threw || (result as { isError?: unknown } | undefined)?.isError === true;
      if (isError) session.errors += 1;
      const method = ctx.method;
      if (method === "tools/call") session.toolCalls += 1;
      else if (method === "resources/read") session.resourceReads += 1;
      else if (method === "prompts/get") session.promptGets += 1;
      const outcome = { result, error: threw ? error : ctx.thrown, threw, isError, latencyMs: performance.now() - ctx.startedAt };
      this.runtime.plugins.requestEnded(ctx, outcome, ctx.states);
    } catch (failure) {
      this.runtime.warn({ code: "YAVIO-1106", message: `response inspection failed: ${errorText(failure)}`, sessionId: session.id });
    } finally {
      this.runtime.requestFinished(session);
    }
  }

  /**
   * A list request (`tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`)
   * was answered: records what the client was shown (see `Discovery`) and returns what the client
   * gets — the host's result, or with intent capture a copy whose tool schemas have the intent
   * argument. Never throws: on any failure the host's result goes out as it was.
   */
  listed(request: IncomingRequest, method: string, result: unknown): unknown {
    const runtime = this.runtime;
    let out = result;
    try {
      if (method === "tools/list" && runtime.intent !== undefined) out = runtime.intent.augmentListResult(result);
      if (runtime.discovery === undefined || runtime.isShutDown) return out;
      const connection = this.currentConnection();
      const facts = this.facts(request, connection);
      // A request-scoped session would hold nothing but this list: not worth its events.
      if (facts.stateless && this.sessionKey === undefined && request.principal() === undefined) return out;
      const session = this.slotFor(request, connection, facts).current();
      session.lastActivityAt = Date.now();
      if (!session.started) runtime.start(session, this.clientInfo(request, connection.transport));
      runtime.discovery.listed(session, method, result, newTraceId());
    } catch (error) {
      this.interceptionFailedOnce(error);
    }
    return out;
  }

  /**
   * A request from the server to the client (sampling, elicitation). `send` sends it — with the
   * `_meta` plugins may have added — and its outcome is reported. Anything else passes through.
   */
  outgoing<T>(method: string, meta: Record<string, unknown> | undefined, params: Record<string, unknown> | undefined, send: () => Promise<T>): Promise<T> {
    if ((method !== "sampling/createMessage" && method !== "elicitation/create") || this.runtime.isShutDown) return send();
    let request: OutgoingRequest;
    let states: unknown[];
    try {
      let session: SessionState;
      let traceId: string;
      const ctx = requestStorage.getStore();
      if (ctx !== undefined && ctx.runtime === this.runtime) {
        session = ctx.startSession;
        traceId = ctx.traceId;
      } else {
        const slot = this.connection?.slot;
        if (slot === undefined) return send();
        session = slot.current();
        traceId = newTraceId();
      }
      request = { method, params, session, traceId, startedAt: performance.now(), meta };
      states = this.runtime.plugins.outgoingStarted(request);
    } catch (error) {
      this.interceptionFailedOnce(error);
      return send();
    }
    const done = (result: unknown, error: unknown, failed: boolean): void => {
      this.runtime.plugins.outgoingEnded(request, { result, error, failed, latencyMs: performance.now() - request.startedAt }, states);
    };
    return send().then(
      (result) => {
        done(result, undefined, false);
        return result;
      },
      (error: unknown) => {
        done(undefined, error, true);
        throw error;
      },
    );
  }

  interceptionFailedOnce(error: unknown): void {
    if (this.warnedInterception) return;
    this.warnedInterception = true;
    this.runtime.warn({ code: "YAVIO-1100", level: "error", message: `interception failed: a request could not be attributed: ${errorText(error)}` });
  }
}

/**
 * The request a tool handler runs for: the `ctx.yavio` of its context argument (the SDK passes the
 * request's context last), else the ambient one.
 */
function requestOf(args: readonly unknown[]): RequestContext | undefined {
  for (let i = args.length - 1; i >= 0; i--) {
    const arg = args[i];
    if (arg !== null && typeof arg === "object") {
      let yavio: unknown;
      try {
        yavio = (arg as { yavio?: unknown }).yavio;
      } catch {
        continue; // A host's getter that throws: not ours, and the host's own error goes on unchanged.
      }
      if (yavio instanceof RequestContext) return yavio;
    }
  }
  return requestStorage.getStore();
}

/** Notes a tool handler's error on its request, then rethrows the very same error. */
function noteThrown(args: readonly unknown[], error: unknown): never {
  const ctx = requestOf(args);
  if (ctx) ctx.thrown = error;
  throw error;
}

/**
 * `fn`, wrapped so that what it throws (synchronously or by rejecting) is noted on its request
 * before it goes on, unchanged: the SDK turns a thrown tool error into a result, and the error's
 * class would be lost. `fn` still runs exactly once, with the same `this` and arguments.
 */
export function watchThrown<F extends (this: unknown, ...args: never[]) => unknown>(fn: F): F {
  return function (this: unknown, ...args: Parameters<F>): unknown {
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } catch (error) {
      noteThrown(args, error);
    }
    if (out !== null && typeof out === "object" && typeof (out as Promise<unknown>).then === "function") {
      return (out as Promise<unknown>).then(undefined, (error: unknown) => noteThrown(args, error));
    }
    return out;
  } as F;
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
