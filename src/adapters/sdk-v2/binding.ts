import type { ClientInfo } from "../../identity/index.js";
import type { IncomingRequest } from "../../core/index.js";
import { watchThrown } from "../../core/index.js";
import type { JsonRpcRequest, LowLevelServer, McpServerLike, RequestExtra, TransportLike } from "../protocol/index.js";
import { principalOf, ProtocolBinding, recordOf, shapeDeclares, targetOf, transportKind } from "../protocol/index.js";

/**
 * The SDK 2.x adapter (`@modelcontextprotocol/server`). v2 keeps the request handler map and the
 * instance methods of v1, so the shared `ProtocolBinding` hooks them; what differs is read here:
 * the handler context (`ctx.mcpReq`, `ctx.http`, `ctx.sessionId`), the 2026-07-28 request envelope,
 * and where a thrown tool error can be seen (v2 runs tools through an executor built at
 * registration, called from `executeToolHandler`).
 */

/** The `_meta` keys of the 2026-07-28 request envelope (the SDK's `*_META_KEY` constants). */
const PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";
const CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo";

/** The v2 handler context, as far as the adapter reads it. */
interface V2Context {
  sessionId?: unknown;
  mcpReq?: {
    id?: unknown;
    _meta?: unknown;
    envelope?: Record<string, unknown> | undefined;
    inputResponses?: unknown;
  };
  http?: {
    authInfo?: { token?: unknown; extra?: Record<string, unknown> } | undefined;
    req?: { headers?: { get?: (name: string) => string | null } } | undefined;
  };
}

/** True for a low-level server of SDK 2.x (duck-typed: copies of the SDK are not one class). */
export function isV2Server(low: LowLevelServer): boolean {
  const candidate = low as LowLevelServer & { buildContext?: unknown; getNegotiatedProtocolVersion?: unknown };
  return typeof candidate.buildContext === "function" && typeof candidate.getNegotiatedProtocolVersion === "function";
}

/** A v2 request, read lazily from the request and its handler context. */
class V2Request implements IncomingRequest {
  readonly method: string;
  readonly target: string | undefined;
  readonly arguments: unknown;
  readonly requestId: string | number | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly protocolVersion: string | undefined;
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;

  constructor(
    request: JsonRpcRequest,
    private readonly ctx: V2Context,
  ) {
    const params = request.params;
    this.method = request.method;
    this.target = targetOf(params);
    this.arguments = params?.arguments;
    const mcpReq = ctx.mcpReq;
    const id = mcpReq?.id;
    this.requestId = typeof id === "string" || typeof id === "number" ? id : undefined;
    this.meta = recordOf(mcpReq?._meta ?? params?._meta);
    const version = mcpReq?.envelope?.[PROTOCOL_VERSION_KEY];
    this.protocolVersion = typeof version === "string" ? version : undefined;
    this.inputResponses = recordOf(mcpReq?.inputResponses);
  }

  get sessionKeyInput(): unknown {
    return this.ctx;
  }

  protocolSessionId(): string | undefined {
    const id = this.ctx.sessionId;
    return typeof id === "string" ? id : undefined;
  }

  header(name: string): string | undefined {
    const get = this.ctx.http?.req?.headers?.get;
    if (typeof get !== "function") return undefined;
    return get.call(this.ctx.http!.req!.headers, name) ?? undefined;
  }

  principal(): string | undefined {
    return principalOf(this.ctx.http?.authInfo);
  }

  client(): ClientInfo | undefined {
    const info = this.ctx.mcpReq?.envelope?.[CLIENT_INFO_KEY] as { name?: unknown; version?: unknown } | undefined;
    if (info === undefined || info === null || typeof info !== "object") return undefined;
    return {
      clientName: typeof info.name === "string" ? info.name : undefined,
      clientVersion: typeof info.version === "string" ? info.version : undefined,
      protocolVersion: this.protocolVersion,
    };
  }
}

type ExecuteToolHandler = (this: unknown, tool: unknown, args: unknown, ctx: unknown) => unknown;

/** The instrumentation of one SDK 2.x server instance. */
export class V2Binding extends ProtocolBinding {
  protected incoming(request: JsonRpcRequest, extra: RequestExtra): IncomingRequest {
    return new V2Request(request, extra);
  }

  /**
   * v2 turns a thrown tool error into an `isError` result inside `tools/call`. Every tool runs
   * through the server's `executeToolHandler(tool, args, ctx)` (it survives `tool.update()`, unlike
   * the executor itself): patched once on the instance, it notes what a tool threw and rethrows it.
   */
  protected watchTools(): void {
    const mcp: (McpServerLike & { executeToolHandler?: ExecuteToolHandler }) | undefined = this.mcp;
    if (mcp === undefined) return; // a low-level Server: its handlers' errors reach the wrapper as they are
    const original = mcp.executeToolHandler;
    if (typeof original !== "function") {
      this.interceptionFailed("executeToolHandler() not found: thrown tool errors are recorded without their class");
      return;
    }
    mcp.executeToolHandler = watchThrown(original);
  }

  /** Whether the host's own schema has the intent argument: v2 keeps zod objects (raw shapes are wrapped). */
  protected override hostDeclaresArgument(tool: string, argument: string): boolean | undefined {
    return shapeDeclares(this.mcp?._registeredTools, tool, argument);
  }

  /** v2 transports report their own close (stdin end included): nothing to watch. */
  onConnect(transport: TransportLike): void {
    this.core.connectionOpened(transportKind(transport), () => transport.sessionId);
  }
}
