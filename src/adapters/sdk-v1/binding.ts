import type { ErrorCategory, WireEvent } from "../../event/index.js";
import { boundForQueue } from "../../event/index.js";
import type { SessionState } from "../../identity/index.js";
import { newTraceId } from "../../identity/index.js";
import type { RequestContext, Runtime, WithYavioOptions } from "../../core/index.js";
import { categorizeError, RequestContext as Context, detectPlatform, errorText, requestStorage, SessionSlot } from "../../core/index.js";

/** The bits of the SDK's low-level `Server` (a `Protocol`) that instrumentation relies on. */
export interface LowLevelServer {
  _requestHandlers: Map<string, RequestHandler>;
  connect(transport: TransportLike): Promise<void>;
  transport?: TransportLike | undefined;
  _onclose?: () => void;
  setRequestHandler?: (...args: unknown[]) => unknown;
  request?: (request: JsonRpcRequest, ...rest: unknown[]) => Promise<unknown>;
  getClientVersion?: () => { name?: string; version?: string } | undefined;
}

export type RequestHandler = (request: JsonRpcRequest, extra: RequestExtra) => Promise<unknown>;

export interface JsonRpcRequest {
  method: string;
  params?: Record<string, unknown> & { name?: unknown; uri?: unknown; arguments?: unknown; protocolVersion?: unknown };
}

export interface RequestExtra {
  sessionId?: string | undefined;
  requestInfo?: { headers?: Record<string, unknown> } | undefined;
  [key: string]: unknown;
}

export interface TransportLike {
  sessionId?: string | undefined;
  onclose?: (() => void) | undefined;
  [key: string]: unknown;
}

/** The map entries of the McpServer that hold handlers, read at call time. */
interface McpServerLike {
  server: LowLevelServer;
  _registeredTools?: Record<string, { handler?: unknown } | undefined>;
  _registeredResources?: Record<string, { name?: unknown } | undefined>;
  _registeredResourceTemplates?: Record<string, { resourceTemplate?: { uriTemplate?: { match?: (uri: string) => unknown } } } | undefined>;
}

const WRAPPED = Symbol.for("yavio-mcp.wrapped");
const BINDING = Symbol.for("yavio-mcp.binding");

type BoundServer = LowLevelServer & { [BINDING]?: ServerBinding };

/** Notes a tool handler's error on the request context, then rethrows the very same error. */
function noteThrown(error: unknown): never {
  const ctx = requestStorage.getStore();
  if (ctx) ctx.thrown = error;
  throw error;
}

/** The binding of an instrumented low-level server, if any. */
export function bindingOf(low: object): ServerBinding | undefined {
  return (low as BoundServer)[BINDING];
}

function setRequestHandlerHook(this: BoundServer, ...args: unknown[]): unknown {
  const binding = this[BINDING]!;
  const out = binding.originalSetRequestHandler!.apply(this, args);
  binding.wrapInstalled();
  return out;
}

function requestHook(this: BoundServer, request: JsonRpcRequest, ...rest: unknown[]): Promise<unknown> {
  return this[BINDING]!.outgoingRequest(this, request, rest);
}

function connectHook(this: BoundServer, transport: TransportLike): Promise<void> {
  return this[BINDING]!.connectHook(this, transport);
}

function onCloseHook(this: BoundServer): void {
  this[BINDING]!.onCloseHook(this);
}
const INSTRUMENTED_METHODS = new Set(["initialize", "tools/call", "resources/read", "prompts/get"]);

/** One connection of a low-level server: a transport, and the slot its session lives in. */
interface Connection {
  readonly transport: TransportLike | undefined;
  readonly kind: string;
  slot: SessionSlot | undefined;
  detach: (() => void) | undefined;
  closed: boolean;
}

/**
 * The instrumentation of one server instance. Replaces entries on the instance itself (request
 * handler map, `connect`, `_onclose`), never wraps the server in a Proxy.
 */
export class ServerBinding {
  private connection: Connection | undefined;
  private readonly mcp: McpServerLike | undefined;

  constructor(
    readonly runtime: Runtime,
    private readonly low: LowLevelServer,
    mcp: McpServerLike | undefined,
    /** This call's own sessionKey: servers sharing a configuration may each close over other state. */
    private readonly sessionKey: WithYavioOptions["sessionKey"],
  ) {
    this.mcp = mcp;
  }

  /** Attaches; every part that cannot be attached is reported with YAVIO-1100. */
  attach(): void {
    const { low } = this;
    if (!(low._requestHandlers instanceof Map)) {
      this.interceptionFailed("request handler map not found (unsupported SDK version?)");
      return;
    }
    // The hooks are shared functions that find this binding through the server itself: a server
    // made per request then costs one property and a few wrapped handlers, not a set of closures.
    (low as BoundServer)[BINDING] = this;
    if (typeof low.setRequestHandler === "function") {
      this.originalSetRequestHandler = low.setRequestHandler;
      low.setRequestHandler = setRequestHandlerHook;
    } else {
      this.interceptionFailed("setRequestHandler() not found: handlers registered later are not instrumented");
    }
    this.wrapInstalled();
    if (typeof low.request === "function") {
      // Server → client requests (sampling, elicitation) all pass through request().
      this.originalRequest = low.request;
      low.request = requestHook;
    } else {
      this.interceptionFailed("request() not found: sampling and elicitation are not recorded");
    }
    if (typeof low.connect === "function") {
      // Kept unbound on purpose: the hook calls it with the server as `this`.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      this.originalConnect = low.connect;
      low.connect = connectHook;
    } else {
      this.interceptionFailed("connect() not found: sessions fall back to one per server");
    }
    if (typeof low._onclose === "function") {
      this.originalOnClose = low._onclose;
      low._onclose = onCloseHook;
    } else {
      this.interceptionFailed("_onclose() not found: session end relies on the idle timeout");
    }
    // withYavio after connect(): the live connection is a session too.
    if (low.transport !== undefined) this.onConnect(low.transport);
  }

  originalSetRequestHandler: ((...args: unknown[]) => unknown) | undefined;
  originalConnect: ((transport: TransportLike) => Promise<void>) | undefined;
  originalRequest: ((request: JsonRpcRequest, ...rest: unknown[]) => Promise<unknown>) | undefined;

  /** Records sampling and elicitation requests the server sends to the client; passes everything else through. */
  outgoingRequest(low: LowLevelServer, request: JsonRpcRequest, rest: unknown[]): Promise<unknown> {
    const pending = this.originalRequest!.call(low, request, ...rest);
    const method = request?.method;
    if ((method !== "sampling/createMessage" && method !== "elicitation/create") || this.runtime.isShutDown) return pending;
    let session: SessionState;
    let traceId: string;
    try {
      const ctx = requestStorage.getStore();
      if (ctx !== undefined && ctx.slot.runtime === this.runtime) {
        session = ctx.slot.current();
        traceId = ctx.traceId;
      } else {
        const slot = this.connection?.slot;
        if (slot === undefined) return pending;
        session = slot.current();
        traceId = newTraceId();
      }
    } catch (error) {
      this.interceptionFailedOnce(error);
      return pending;
    }
    const started = performance.now();
    const done = (result: unknown, error: unknown, failed: boolean): void => {
      try {
        this.recordOutgoing(method, session, traceId, started, request.params, result, error, failed);
      } catch (failure) {
        this.runtime.warn({ code: "YAVIO-1106", message: `response inspection failed: ${errorText(failure)}`, sessionId: session.id });
      }
    };
    return pending.then(
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

  private recordOutgoing(
    method: string,
    session: SessionState,
    traceId: string,
    started: number,
    params: JsonRpcRequest["params"],
    result: unknown,
    error: unknown,
    failed: boolean,
  ): void {
    const latency = Math.round((performance.now() - started) * 1000) / 1000;
    const core = this.runtime.core;
    const r = (result ?? {}) as { model?: unknown; stopReason?: unknown; content?: unknown; action?: unknown };
    const output = core.captureOutputs ? boundForQueue(r.content) : undefined;
    const errorInfo = failed ? summarizeError(error, errorText(error), true) : undefined;
    if (method === "sampling/createMessage") {
      const p = (params ?? {}) as { messages?: unknown; maxTokens?: unknown; modelPreferences?: unknown };
      const messages = core.captureInputs ? boundForQueue(p.messages) : undefined;
      const meta = {
        ...(typeof r.model === "string" ? { model: r.model } : {}),
        ...(typeof r.stopReason === "string" ? { stop_reason: r.stopReason } : {}),
        ...(typeof p.maxTokens === "number" ? { max_tokens: p.maxTokens } : {}),
      };
      this.runtime.record(session, "sampling_call", method, traceId, (wire) => {
        wire.latency_ms = latency;
        wire.status = failed ? "error" : "success";
        if (messages !== undefined) wire.input_values = messages;
        if (output !== undefined) wire.output_content = output;
        wire.metadata = { ...wire.metadata, ...meta };
        if (errorInfo) describeError(wire, errorInfo);
      });
    } else {
      const p = (params ?? {}) as { message?: unknown; mode?: unknown };
      const message = core.captureInputs ? boundForQueue(p.message) : undefined;
      const meta = { ...(typeof r.action === "string" ? { action: r.action } : {}), ...(typeof p.mode === "string" ? { mode: p.mode } : {}) };
      this.runtime.record(session, "elicitation", method, traceId, (wire) => {
        wire.latency_ms = latency;
        wire.status = failed ? "error" : "success";
        if (message !== undefined) wire.input_values = { message };
        if (output !== undefined) wire.output_content = output;
        wire.metadata = { ...wire.metadata, ...meta };
        if (errorInfo) describeError(wire, errorInfo);
      });
    }
  }
  originalOnClose: (() => void) | undefined;

  /** Wraps the instrumented methods' handlers that are not wrapped yet (McpServer installs them lazily). */
  wrapInstalled(): void {
    const handlers = this.low._requestHandlers;
    for (const method of INSTRUMENTED_METHODS) {
      const handler = handlers.get(method);
      if (handler !== undefined && !(handler as { [WRAPPED]?: boolean })[WRAPPED]) handlers.set(method, this.wrapHandler(method, handler));
    }
  }

  connectHook(low: LowLevelServer, transport: TransportLike): Promise<void> {
    if (low.transport === undefined) {
      try {
        this.onConnect(transport);
      } catch (error) {
        this.interceptionFailedOnce(error);
      }
    }
    return this.originalConnect!.call(low, transport);
  }

  onCloseHook(low: LowLevelServer): void {
    try {
      this.originalOnClose!.call(low);
    } finally {
      try {
        this.onClose();
      } catch (error) {
        this.interceptionFailedOnce(error);
      }
    }
  }

  private interceptionFailed(message: string): void {
    this.runtime.warn({ code: "YAVIO-1100", level: "error", message: `interception failed: ${message}` });
  }

  private onConnect(transport: TransportLike): void {
    this.connection?.detach?.();
    const kind = transportKind(transport);
    const connection: Connection = { transport, kind, slot: undefined, detach: undefined, closed: false };
    this.connection = connection;
    if (kind === "stdio") this.watchStdin(connection, transport);
  }

  /** SDK 1.32's stdio transport never reports stdin EOF: watch the stream ourselves. */
  private watchStdin(connection: Connection, transport: TransportLike): void {
    const stdin = (transport._stdin ?? process.stdin) as NodeJS.ReadableStream | undefined;
    if (!stdin || typeof stdin.once !== "function") return;
    const onEnd = (): void => this.endConnection(connection);
    stdin.once("end", onEnd);
    stdin.once("close", onEnd);
    connection.detach = () => {
      stdin.removeListener("end", onEnd);
      stdin.removeListener("close", onEnd);
    };
  }

  private onClose(): void {
    const connection = this.connection;
    if (connection) this.endConnection(connection);
  }

  private endConnection(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.detach?.();
    connection.detach = undefined;
    if (this.connection === connection) this.connection = undefined;
    const slot = connection.slot;
    if (slot !== undefined) {
      // A connection's slot ends with it: late events of a handler still running stay in the
      // ended session instead of opening an anonymous one. (sessionKey slots are not owned by a
      // connection and live on until idle.)
      slot.closed = true;
      void this.runtime.endSession(slot.session, "close");
    }
  }

  /** The slot a request belongs to: the sessionKey anchor, else the connection. */
  private slotFor(extra: RequestExtra): SessionSlot {
    const { runtime, sessionKey } = this;
    if (sessionKey) {
      let anchor: unknown;
      try {
        anchor = sessionKey(extra);
      } catch (error) {
        anchor = undefined;
        runtime.warn({ code: "YAVIO-1102", message: `sessionKey threw: ${errorText(error)}` });
      }
      if (typeof anchor === "string" && anchor.length > 0) return runtime.derivedSlot(`key:${anchor}`, anchor, "key");
      if (anchor !== undefined && anchor !== null && anchor !== "") {
        runtime.warn({ code: "YAVIO-1102", message: `sessionKey returned ${typeof anchor}, expected a string` });
      }
    }
    let connection = this.connection;
    if (connection === undefined || connection.closed) {
      connection = { transport: this.low.transport, kind: transportKind(this.low.transport), slot: undefined, detach: undefined, closed: false };
      this.connection = connection;
    }
    if (connection.slot === undefined) {
      const mcpSessionId = extra.sessionId ?? connection.transport?.sessionId;
      connection.slot =
        typeof mcpSessionId === "string" && mcpSessionId.length > 0
          ? runtime.derivedSlot(`mcp:${mcpSessionId}`, mcpSessionId, "mcp")
          : new SessionSlot(runtime);
    }
    return connection.slot;
  }

  /** Starts the session (connection event) if this request is its first sign of life. */
  private begin(extra: RequestExtra): RequestContext {
    const slot = this.slotFor(extra);
    const session = slot.current();
    session.lastActivityAt = Date.now();
    if (!session.started) this.runtime.start(session, this.clientInfo(extra));
    return new Context(slot, session);
  }

  private clientInfo(extra: RequestExtra): NonNullable<Parameters<Runtime["start"]>[1]> {
    const client = safeCall(() => this.low.getClientVersion?.());
    const headers = extra.requestInfo?.headers;
    let platform;
    try {
      platform = detectPlatform(client?.name, headers);
    } catch {
      platform = "unknown" as const;
      this.runtime.warn({ code: "YAVIO-1101", message: "platform detection failed" });
    }
    return {
      clientName: client?.name,
      clientVersion: client?.version,
      platform,
      transport: this.connection?.kind ?? "unknown",
    };
  }

  wrapHandler(method: string, handler: RequestHandler): RequestHandler {
    if (!INSTRUMENTED_METHODS.has(method) || typeof handler !== "function") return handler;
    if ((handler as { [WRAPPED]?: boolean })[WRAPPED]) return handler;
    let wrapped: RequestHandler;
    if (method === "initialize") {
      wrapped = (request, extra) =>
        handler(request, extra).then((result) => {
          this.afterInitialize(request, extra, result);
          return result;
        });
    } else {
      wrapped = (request, extra) => {
        let ctx: RequestContext | undefined;
        try {
          if (this.runtime.isShutDown) {
            extra.yavio = this.runtime.inert("YAVIO-1208");
          } else {
            ctx = this.begin(extra);
            extra.yavio = ctx;
            if (method === "tools/call") this.watchToolHandler(request);
          }
        } catch (error) {
          this.interceptionFailedOnce(error);
          // Handlers rely on ctx.yavio being there: never let them meet undefined.
          extra.yavio ??= this.runtime.inert("YAVIO-1100");
        }
        if (ctx === undefined) return handler(request, extra);
        ctx.startSession.inFlight += 1;
        const started = performance.now();
        let pending: Promise<unknown>;
        try {
          pending = requestStorage.run(ctx, handler, request, extra);
        } catch (error) {
          this.finish(method, ctx, request, started, undefined, error, true);
          throw error;
        }
        const context = ctx;
        return pending.then(
          (result) => {
            this.finish(method, context, request, started, result, undefined, false);
            return result;
          },
          (error: unknown) => {
            this.finish(method, context, request, started, undefined, error, true);
            throw error;
          },
        );
      };
    }
    (wrapped as { [WRAPPED]?: boolean })[WRAPPED] = true;
    return wrapped;
  }

  private warnedInterception = false;

  private interceptionFailedOnce(error: unknown): void {
    if (this.warnedInterception) return;
    this.warnedInterception = true;
    this.interceptionFailed(`a request could not be attributed: ${errorText(error)}`);
  }

  private afterInitialize(request: JsonRpcRequest, extra: RequestExtra, result: unknown): void {
    try {
      if (this.runtime.isShutDown) return;
      const slot = this.slotFor(extra);
      const session = slot.current();
      const info = this.clientInfo(extra);
      const params = request.params;
      const fromRequest = params?.clientInfo as { name?: unknown; version?: unknown } | undefined;
      if (info.clientName === undefined && typeof fromRequest?.name === "string") {
        info.clientName = fromRequest.name;
        info.platform = detectPlatform(fromRequest.name, extra.requestInfo?.headers);
      }
      if (info.clientVersion === undefined && typeof fromRequest?.version === "string") info.clientVersion = fromRequest.version;
      const negotiated = (result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      info.protocolVersion = typeof negotiated === "string" ? negotiated : typeof params?.protocolVersion === "string" ? params.protocolVersion : undefined;
      this.runtime.start(session, info);
    } catch (error) {
      this.interceptionFailedOnce(error);
    }
  }

  /**
   * The SDK turns a thrown tool error into an `isError` result; to keep the error's class for
   * analytics, the registered handler is wrapped (once, on its first call) to note what it threw.
   * It rethrows the same error; the handler still runs exactly once.
   */
  private watchToolHandler(request: JsonRpcRequest): void {
    const name = request.params?.name;
    const tools = this.mcp?._registeredTools;
    if (typeof name !== "string" || tools === undefined) return;
    const tool = tools[name];
    const original = tool?.handler;
    if (typeof original !== "function" || (original as { [WRAPPED]?: boolean })[WRAPPED]) return;
    const watched = function (this: unknown, ...args: unknown[]): unknown {
      let out: unknown;
      try {
        out = (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        noteThrown(error);
      }
      if (out !== null && typeof out === "object" && typeof (out as Promise<unknown>).then === "function") {
        return (out as Promise<unknown>).then(undefined, noteThrown);
      }
      return out;
    };
    (watched as { [WRAPPED]?: boolean })[WRAPPED] = true;
    tool!.handler = watched;
  }

  /** Records the event of a finished request. Never throws: the host's result is already decided. */
  private finish(
    method: string,
    ctx: RequestContext,
    request: JsonRpcRequest,
    started: number,
    result: unknown,
    error: unknown,
    threw: boolean,
  ): void {
    try {
      this.recordFinished(method, ctx, request, started, result, error, threw);
    } finally {
      const session = ctx.startSession;
      session.inFlight -= 1;
      const pending = session.endPending;
      if (pending !== undefined && session.inFlight === 0) void this.runtime.endSession(session, pending);
    }
  }

  private recordFinished(
    method: string,
    ctx: RequestContext,
    request: JsonRpcRequest,
    started: number,
    result: unknown,
    error: unknown,
    threw: boolean,
  ): void {
    try {
      const latency = Math.round((performance.now() - started) * 1000) / 1000;
      const session = ctx.startSession;
      const isError = threw || (result as { isError?: unknown } | undefined)?.isError === true;
      const thrown = threw ? error : ctx.thrown;
      if (isError) session.errors += 1;
      const core = this.runtime.core;
      const params = request.params;
      // What the event keeps of the host's values is taken now, and bounded: nothing retains a
      // large result until export. Errors keep only their message.
      const errorInfo = isError ? summarizeError(thrown, thrown !== undefined ? errorText(thrown) : firstText(result), threw) : undefined;
      if (method === "tools/call") {
        session.toolCalls += 1;
        const name = typeof params?.name === "string" ? params.name : "unknown";
        const input = inputSummary(params?.arguments, core.captureInputs);
        const r = result as { content?: unknown; structuredContent?: unknown } | undefined;
        const output = core.captureOutputs && !threw && r ? boundForQueue(r.content) : undefined;
        const structured = core.captureOutputs && !threw && r ? boundForQueue(r.structuredContent) : undefined;
        this.runtime.record(session, "tool_call", name, ctx.traceId, (wire) => {
          wire.tool_name = name;
          wire.latency_ms = latency;
          wire.status = isError ? "error" : "success";
          applyInput(wire, input);
          if (output !== undefined) wire.output_content = output;
          if (structured !== undefined) wire.metadata = { ...wire.metadata, structured_content: structured };
          if (errorInfo) describeError(wire, errorInfo);
        });
      } else if (method === "resources/read") {
        session.resourceReads += 1;
        const uri = typeof params?.uri === "string" ? params.uri : "unknown";
        const contents = core.captureOutputs && !threw ? boundForQueue((result as { contents?: unknown } | undefined)?.contents) : undefined;
        this.runtime.record(session, "resource_access", uri, ctx.traceId, (wire) => {
          wire.latency_ms = latency;
          wire.status = isError ? "error" : "success";
          const resourceName = this.resourceName(uri);
          wire.metadata = { ...wire.metadata, uri, ...(resourceName !== undefined ? { resource_name: resourceName } : {}) };
          if (contents !== undefined) wire.output_content = contents;
          if (errorInfo) describeError(wire, errorInfo);
        });
      } else if (method === "prompts/get") {
        session.promptGets += 1;
        const name = typeof params?.name === "string" ? params.name : "unknown";
        const input = inputSummary(params?.arguments, core.captureInputs);
        const messages = core.captureOutputs && !threw ? boundForQueue((result as { messages?: unknown } | undefined)?.messages) : undefined;
        this.runtime.record(session, "prompt_usage", name, ctx.traceId, (wire) => {
          wire.latency_ms = latency;
          wire.status = isError ? "error" : "success";
          applyInput(wire, input);
          if (messages !== undefined) wire.output_content = messages;
          if (errorInfo) describeError(wire, errorInfo);
        });
      }
    } catch (failure) {
      this.runtime.warn({ code: "YAVIO-1106", message: `response inspection failed: ${errorText(failure)}`, sessionId: ctx.sessionId });
    }
  }

  /**
   * The registered name of a resource (a fixed URI) or of the template a URI matches, so that
   * reports can group `invoice://1` and `invoice://2` together. Runs in the pipeline.
   */
  private resourceName(uri: string): string | undefined {
    const mcp = this.mcp;
    if (mcp === undefined) return undefined;
    const fixed = mcp._registeredResources?.[uri]?.name;
    if (typeof fixed === "string") return fixed;
    for (const [name, template] of Object.entries(mcp._registeredResourceTemplates ?? {})) {
      const match = template?.resourceTemplate?.uriTemplate?.match;
      if (typeof match === "function" && match.call(template!.resourceTemplate!.uriTemplate, uri)) return name;
    }
    return undefined;
  }

  /** The live sessions of this server, for tests and `getYavio`. */
  currentSession(): SessionState | undefined {
    return this.connection?.slot?.session;
  }
}

interface InputSummary {
  keys: string[];
  types: Record<string, string>;
  values: unknown;
}

/** Keys and types now (a few property reads); the values by reference, bounded. */
function inputSummary(args: unknown, captureValues: boolean): InputSummary | undefined {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
  const keys = Object.keys(args);
  const types: Record<string, string> = {};
  for (const key of keys) types[key] = typeOf((args as Record<string, unknown>)[key]);
  return { keys, types, values: captureValues ? boundForQueue(args) : undefined };
}

function applyInput(wire: WireEvent, input: InputSummary | undefined): void {
  if (input === undefined) return;
  wire.input_keys = input.keys;
  wire.input_types = input.types;
  if (input.values !== undefined) wire.input_values = input.values;
}

interface ErrorSummary {
  message: string | undefined;
  category: ErrorCategory;
  metadata: Record<string, unknown>;
}

/** Everything an event needs of an error, as strings: the error object itself is not kept. */
function summarizeError(thrown: unknown, message: string | undefined, threw: boolean): ErrorSummary {
  const metadata: Record<string, unknown> = { error_source: threw ? "protocol" : thrown !== undefined ? "thrown" : "result" };
  if (thrown instanceof Error) metadata.error_class = thrown.name;
  return { message: message === undefined ? undefined : message.slice(0, 4096), category: categorizeError(thrown, message), metadata };
}

function describeError(wire: WireEvent, info: ErrorSummary): void {
  if (info.message !== undefined) wire.error_message = info.message;
  wire.error_category = info.category;
  wire.metadata = { ...wire.metadata, ...info.metadata };
}

function firstText(result: unknown): string | undefined {
  const content = (result as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return undefined;
  for (const item of content) {
    if (item && typeof item === "object" && (item as { type?: unknown }).type === "text") {
      const text = (item as { text?: unknown }).text;
      if (typeof text === "string") return text;
    }
  }
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function transportKind(transport: TransportLike | undefined): string {
  if (transport === undefined) return "unknown";
  const name = (transport as { constructor?: { name?: string } }).constructor?.name ?? "";
  if (/stdio/i.test(name) || ("_stdin" in transport && "_stdout" in transport)) return "stdio";
  if (/streamablehttp/i.test(name)) return "streamable-http";
  if (/sse/i.test(name)) return "sse";
  if (/inmemory/i.test(name)) return "in-memory";
  return name ? name.replace(/(Server)?Transport$/, "").toLowerCase() || "unknown" : "unknown";
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
