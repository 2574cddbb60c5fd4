import type { ClientInfo } from "../../identity/index.js";
import type { IncomingRequest } from "../../core/index.js";
import { headerValue, watchThrown } from "../../core/index.js";
import type { JsonRpcRequest, RequestExtra, TransportLike } from "../protocol/index.js";
import { principalOf, ProtocolBinding, recordOf, shapeDeclares, targetOf, transportKind, WRAPPED } from "../protocol/index.js";

/**
 * The SDK 1.x adapter (`@modelcontextprotocol/sdk`): how a v1 request reads, where a thrown tool
 * error is seen (the registered `tool.handler`, read at call time), and the stdin watch (1.32's
 * stdio transport never reports EOF).
 */

/** The SDK 1.x request, read lazily. */
class V1Request implements IncomingRequest {
  readonly method: string;
  readonly target: string | undefined;
  readonly arguments: unknown;
  readonly requestId: string | number | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly protocolVersion = undefined;
  readonly inputResponses = undefined;

  constructor(
    request: JsonRpcRequest,
    private readonly extra: RequestExtra,
  ) {
    const params = request.params;
    this.method = request.method;
    this.target = targetOf(params);
    this.arguments = params?.arguments;
    this.requestId = extra.requestId;
    this.meta = recordOf(params?._meta);
  }

  get sessionKeyInput(): unknown {
    return this.extra;
  }

  protocolSessionId(): string | undefined {
    return this.extra.sessionId;
  }

  header(name: string): string | undefined {
    return headerValue(this.extra.requestInfo?.headers, name);
  }

  principal(): string | undefined {
    return principalOf(this.extra.authInfo);
  }

  client(): ClientInfo | undefined {
    return undefined;
  }
}

/** The instrumentation of one SDK 1.x server instance. */
export class V1Binding extends ProtocolBinding {
  protected incoming(request: JsonRpcRequest, extra: RequestExtra): IncomingRequest {
    return new V1Request(request, extra);
  }

  /**
   * The SDK turns a thrown tool error into an `isError` result; to keep the error's class for
   * analytics, each registered handler is wrapped (once, on its first call) to note what it threw.
   * It rethrows the same error; the handler still runs exactly once.
   */
  protected watchTools(): void {
    // v1 reads tool.handler at call time: it is wrapped on its first call, in beforeToolCall.
  }

  protected override beforeToolCall(request: JsonRpcRequest): void {
    try {
      this.watchToolHandler(request.params?.name);
    } catch (error) {
      this.core.interceptionFailedOnce(error);
    }
  }

  /** The registered tool's zod object schema (zod 3 or 4) names its arguments in its shape. */
  protected override hostDeclaresArgument(tool: string, argument: string): boolean | undefined {
    return shapeDeclares(this.mcp?._registeredTools, tool, argument);
  }

  private watchToolHandler(name: unknown): void {
    const tools = this.mcp?._registeredTools;
    if (typeof name !== "string" || tools === undefined) return;
    const tool = tools[name];
    const original = tool?.handler;
    if (typeof original !== "function" || (original as { [WRAPPED]?: boolean })[WRAPPED]) return;
    const watched = watchThrown(original as (...args: unknown[]) => unknown);
    (watched as { [WRAPPED]?: boolean })[WRAPPED] = true;
    tool!.handler = watched;
  }

  onConnect(transport: TransportLike): void {
    const kind = transportKind(transport);
    const connection = this.core.connectionOpened(kind, () => transport.sessionId);
    if (kind === "stdio") {
      // SDK 1.32's stdio transport never reports stdin EOF: watch the stream ourselves.
      const stdin = (transport._stdin ?? process.stdin) as NodeJS.ReadableStream | undefined;
      if (!stdin || typeof stdin.once !== "function") return;
      const onEnd = (): void => this.core.connectionClosed(connection);
      stdin.once("end", onEnd);
      stdin.once("close", onEnd);
      connection.detach = () => {
        stdin.removeListener("end", onEnd);
        stdin.removeListener("close", onEnd);
      };
    }
  }
}

