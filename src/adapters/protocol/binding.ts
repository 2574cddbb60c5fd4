import type { IncomingRequest, ResourceNames, Runtime, ServerPort, WithYavioOptions } from "../../core/index.js";
import { LIST_METHODS, ServerCore } from "../../core/index.js";

/**
 * What SDK 1.x and 2.x share: a low-level server (a `Protocol`) with a request handler map and
 * instance methods around it. The binding replaces entries on the instance itself (map entries,
 * `setRequestHandler`, `connect`, `_onclose`, `request`), never wraps the server in a Proxy, and
 * translates what it sees into the core's port. Only the adapters name these internals.
 */

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
  params?: Record<string, unknown> & { name?: unknown; uri?: unknown; arguments?: unknown; protocolVersion?: unknown; _meta?: unknown };
}

export interface RequestExtra {
  sessionId?: string | undefined;
  requestId?: string | number | undefined;
  authInfo?: { token?: unknown; clientId?: unknown; extra?: Record<string, unknown> } | undefined;
  requestInfo?: { headers?: Record<string, unknown> } | undefined;
  [key: string]: unknown;
}

export interface TransportLike {
  sessionId?: string | undefined;
  onclose?: (() => void) | undefined;
  [key: string]: unknown;
}

/** The map entries of the McpServer that hold handlers, read at call time. */
export interface McpServerLike {
  server: LowLevelServer;
  _registeredTools?: Record<string, { handler?: unknown; inputSchema?: unknown } | undefined>;
  _registeredResources?: Record<string, { name?: unknown } | undefined>;
  _registeredResourceTemplates?: Record<string, { resourceTemplate?: { uriTemplate?: { match?: (uri: string) => unknown } } } | undefined>;
}

export const WRAPPED = Symbol.for("yavio-mcp.wrapped");
const BINDING = Symbol.for("yavio-mcp.binding");

type BoundServer = LowLevelServer & { [BINDING]?: ProtocolBinding };

/** The binding of an instrumented low-level server, if any. */
export function bindingOf(low: object): ProtocolBinding | undefined {
  return (low as BoundServer)[BINDING];
}

// The hooks are shared functions that find their binding through the server itself: a server made
// per request then costs one property and a few wrapped handlers, not a set of closures.
function setRequestHandlerHook(this: BoundServer, ...args: unknown[]): unknown {
  const binding = this[BINDING]!;
  const out = binding.originalSetRequestHandler!.apply(this, args);
  binding.wrapInstalled();
  return out;
}

function requestHook(this: BoundServer, request: JsonRpcRequest, ...rest: unknown[]): Promise<unknown> {
  const binding = this[BINDING]!;
  const params = request?.params;
  const own = params?._meta;
  // Plugins write into a copy of _meta (trace context), never into the host's object; the request
  // goes out as it was unless they changed something.
  const meta: Record<string, unknown> = own !== null && typeof own === "object" ? { ...(own as Record<string, unknown>) } : {};
  const before = Object.entries(meta);
  return binding.core.outgoing(request?.method, meta, params, () => {
    const changed = params !== null && typeof params === "object" && (Object.keys(meta).length !== before.length || before.some(([key, value]) => meta[key] !== value));
    return binding.originalRequest!.call(this, changed ? { ...request, params: { ...params, _meta: meta } } : request, ...rest);
  });
}

function connectHook(this: BoundServer, transport: TransportLike): Promise<void> {
  const binding = this[BINDING]!;
  if (this.transport === undefined) {
    try {
      binding.onConnect(transport);
    } catch (error) {
      binding.core.interceptionFailedOnce(error);
    }
  }
  return binding.originalConnect!.call(this, transport);
}

function onCloseHook(this: BoundServer): void {
  const binding = this[BINDING]!;
  try {
    binding.originalOnClose!.call(this);
  } finally {
    try {
      binding.core.connectionClosed();
    } catch (error) {
      binding.core.interceptionFailedOnce(error);
    }
  }
}

export const INSTRUMENTED_METHODS: ReadonlySet<string> = new Set(["initialize", "tools/call", "resources/read", "prompts/get"]);

/**
 * What both SDK generations share: the request handler map and the instance methods around it.
 * A subclass says how a request of its SDK reads (`incoming`), where thrown tool errors are seen
 * (`watchTools`), and how it watches its connection (`onConnect`).
 */
export abstract class ProtocolBinding implements ServerPort {
  readonly core: ServerCore;
  originalSetRequestHandler: ((...args: unknown[]) => unknown) | undefined;
  originalConnect: ((transport: TransportLike) => Promise<void>) | undefined;
  originalRequest: ((request: JsonRpcRequest, ...rest: unknown[]) => Promise<unknown>) | undefined;
  originalOnClose: (() => void) | undefined;
  readonly resources: ResourceNames | undefined;

  constructor(
    readonly runtime: Runtime,
    readonly low: LowLevelServer,
    readonly mcp: McpServerLike | undefined,
    sessionKey: WithYavioOptions["sessionKey"],
  ) {
    this.core = new ServerCore(runtime, this, sessionKey);
    this.resources = mcp === undefined ? undefined : new RegisteredResources(mcp);
  }

  /** Reads a request of this SDK into the core's form. */
  protected abstract incoming(request: JsonRpcRequest, extra: RequestExtra): IncomingRequest;
  /** Makes thrown tool errors visible (the SDK turns them into results). */
  protected abstract watchTools(): void;
  /** A transport was connected. */
  abstract onConnect(transport: TransportLike): void;

  /** Before a tools/call request runs (SDK 1.x wraps the tool's handler here). */
  protected beforeToolCall(_request: JsonRpcRequest): void {}

  /**
   * Whether the host's own input schema of `tool` has an argument named `argument` (then intent
   * capture leaves the tool alone). Undefined when the adapter cannot tell.
   */
  protected hostDeclaresArgument(_tool: string, _argument: string): boolean | undefined {
    return undefined;
  }

  /**
   * With intent capture: the request as the host's handler (and the SDK's validation) must see it,
   * without the intent argument — a copy, the client's request is not changed — and the intent.
   */
  private withoutIntent(request: JsonRpcRequest): { request: JsonRpcRequest; intent: string | undefined } | undefined {
    const intent = this.runtime.intent;
    if (intent === undefined) return undefined;
    try {
      const params = request.params;
      const name = params?.name;
      const declares = typeof name === "string" ? this.hostDeclaresArgument(name, intent.argument) : undefined;
      const stripped = intent.strip(name, params?.arguments, declares);
      if (stripped === undefined) return undefined;
      return { request: { ...request, params: { ...params, arguments: stripped.arguments } }, intent: stripped.intent };
    } catch (error) {
      this.core.interceptionFailedOnce(error);
      return undefined;
    }
  }

  knownClient(): { name?: string | undefined; version?: string | undefined } | undefined {
    return this.low.getClientVersion?.();
  }

  /** Attaches; every part that cannot be attached is reported with YAVIO-1100. */
  attach(): void {
    const { low } = this;
    if (!(low._requestHandlers instanceof Map)) {
      this.interceptionFailed("request handler map not found (unsupported SDK version?)");
      return;
    }
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
    this.watchTools();
    // withYavio after connect(): the live connection is a session too.
    if (low.transport !== undefined) this.onConnect(low.transport);
  }

  protected interceptionFailed(message: string): void {
    this.runtime.warn({ code: "YAVIO-1100", level: "error", message: `interception failed: ${message}` });
  }

  /** Wraps the instrumented methods' handlers that are not wrapped yet (McpServer installs them lazily). */
  wrapInstalled(): void {
    const handlers = this.low._requestHandlers;
    for (const method of INSTRUMENTED_METHODS) {
      const handler = handlers.get(method);
      if (handler !== undefined && !(handler as { [WRAPPED]?: boolean })[WRAPPED]) handlers.set(method, this.wrapHandler(method, handler));
    }
    for (const method of Object.keys(LIST_METHODS)) {
      const handler = handlers.get(method);
      if (typeof handler === "function" && !(handler as { [WRAPPED]?: boolean })[WRAPPED]) handlers.set(method, this.wrapListHandler(method, handler));
    }
  }

  private wrapHandler(method: string, handler: RequestHandler): RequestHandler {
    if (typeof handler !== "function") return handler;
    let wrapped: RequestHandler;
    if (method === "initialize") {
      wrapped = (request, extra) =>
        handler(request, extra).then((result) => {
          this.afterInitialize(request, extra, result);
          return result;
        });
    } else {
      const isToolCall = method === "tools/call";
      wrapped = (request, extra) => {
        let seen = request;
        let incoming: IncomingRequest;
        try {
          if (isToolCall) this.beforeToolCall(request);
          const call = isToolCall ? this.withoutIntent(request) : undefined;
          seen = call?.request ?? request;
          incoming = this.incoming(seen, extra);
          if (call?.intent !== undefined) incoming.intent = call.intent;
        } catch (error) {
          // Reading the request failed: the host's handler runs as if we were not there.
          this.core.interceptionFailedOnce(error);
          extra.yavio ??= this.runtime.inert("YAVIO-1100");
          return handler(request, extra);
        }
        return this.core.handleRequest(
          incoming,
          (yavio) => {
            // A plain enumerable property: SDKs that copy the context keep it.
            extra.yavio = yavio;
          },
          () => handler(seen, extra),
        );
      };
    }
    (wrapped as { [WRAPPED]?: boolean })[WRAPPED] = true;
    return wrapped;
  }

  /** A list method: the answer passes through the core, which records what the client was shown. */
  private wrapListHandler(method: string, handler: RequestHandler): RequestHandler {
    const wrapped: RequestHandler = (request, extra) =>
      handler(request, extra).then((result) => {
        let incoming: IncomingRequest;
        try {
          incoming = this.incoming(request, extra);
        } catch (error) {
          this.core.interceptionFailedOnce(error);
          return result;
        }
        return this.core.listed(incoming, method, result);
      });
    (wrapped as { [WRAPPED]?: boolean })[WRAPPED] = true;
    return wrapped;
  }

  private afterInitialize(request: JsonRpcRequest, extra: RequestExtra, result: unknown): void {
    try {
      const params = request.params;
      const negotiated = (result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      const version = typeof negotiated === "string" ? negotiated : typeof params?.protocolVersion === "string" ? params.protocolVersion : undefined;
      this.core.initialized(this.incoming(request, extra), params?.clientInfo as { name?: unknown; version?: unknown } | undefined, version);
    } catch (error) {
      this.core.interceptionFailedOnce(error);
    }
  }
}

/** A request's target: the tool or prompt name, or the resource URI. */
export function targetOf(params: JsonRpcRequest["params"]): string | undefined {
  const target = params?.name ?? params?.uri;
  return typeof target === "string" ? target : undefined;
}

/** `value` if it is an object (a `_meta`, an `inputResponses`), else undefined. */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}

/** Registered resource names, read in the pipeline when an event is built. */
class RegisteredResources implements ResourceNames {
  constructor(private readonly mcp: McpServerLike) {}

  nameOf(uri: string): string | undefined {
    const fixed = this.mcp._registeredResources?.[uri]?.name;
    if (typeof fixed === "string") return fixed;
    for (const [name, template] of Object.entries(this.mcp._registeredResourceTemplates ?? {})) {
      const match = template?.resourceTemplate?.uriTemplate?.match;
      if (typeof match === "function" && match.call(template!.resourceTemplate!.uriTemplate, uri)) return name;
    }
    return undefined;
  }
}

/**
 * The authenticated principal of the SDK's auth info: the subject the host's token verifier put in
 * `extra` (`sub`, `userId`), else the token itself. It is hashed before use, never sent.
 */
export function principalOf(auth: { token?: unknown; extra?: Record<string, unknown> } | undefined): string | undefined {
  if (auth === undefined || auth === null) return undefined;
  for (const key of ["sub", "userId", "user_id"]) {
    const value = auth.extra?.[key];
    if (typeof value === "string" && value.length > 0) return `${key}:${value}`;
  }
  return typeof auth.token === "string" && auth.token.length > 0 ? `token:${auth.token}` : undefined;
}

/** The kind of a transport, by its class name. */
export function transportKind(transport: TransportLike | undefined): string {
  if (transport === undefined) return "unknown";
  const name = (transport as { constructor?: { name?: string } }).constructor?.name ?? "";
  if (/stdio/i.test(name) || ("_stdin" in transport && "_stdout" in transport)) return "stdio";
  if (/streamablehttp|perrequesthttp/i.test(name)) return "streamable-http";
  if (/sse/i.test(name)) return "sse";
  if (/inmemory/i.test(name)) return "in-memory";
  return name ? name.replace(/(Server)?Transport$/, "").toLowerCase() || "unknown" : "unknown";
}

/**
 * Whether a registered tool's input schema has an argument `argument`: a zod object (zod 3 or 4,
 * v1) names its arguments in its shape. False for an unknown tool or one without a schema;
 * undefined when the schema is not an object (a union), so that the listed schema decides.
 */
export function shapeDeclares(tools: McpServerLike["_registeredTools"], tool: string, argument: string): boolean | undefined {
  if (tools === undefined) return undefined;
  if (!Object.hasOwn(tools, tool)) return false;
  const schema = tools[tool]?.inputSchema as { shape?: unknown; _zod?: { def?: { shape?: unknown } } } | undefined | null;
  if (schema === undefined || schema === null) return false;
  const shape = schema._zod?.def?.shape ?? schema.shape;
  if (shape !== null && typeof shape === "object") return Object.hasOwn(shape, argument);
  return undefined;
}
