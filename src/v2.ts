/**
 * yavio-mcp for the MCP TypeScript SDK 2.x (`@modelcontextprotocol/server`): the same middleware,
 * typed for v2's handler context. Nothing here loads SDK 1.x, at runtime or in types.
 *
 * Anything exported here is public API. Named exports only; types with `export type`.
 */
import type { ServerContext } from "@modelcontextprotocol/server";
import type { WrappedV2 } from "./adapters/sdk-v2/index.js";
import { instrument } from "./attach.js";
import type { WithYavioOptions } from "./core/index.js";

/** Options of `withYavio` for SDK 2.x: `sessionKey` receives v2's handler context. */
export interface WithYavioOptionsV2 extends Omit<WithYavioOptions, "sessionKey"> {
  /**
   * Stateless HTTP and 2026-07-28 HTTP: an anchor (a header, the auth principal, a conversation
   * id) that requests of one analytics session share. Hashed, never sent.
   * @example sessionKey: (ctx) => ctx.http?.req?.headers.get("x-conversation-id") ?? undefined
   */
  sessionKey?: ((ctx: ServerContext) => string | undefined) | undefined;
}

/**
 * Instruments an SDK 2.x `McpServer` (or low-level `Server`) in place and returns the same
 * instance, typed so that `ctx.yavio` needs no cast in tool, resource and prompt handlers. Works in
 * both protocol eras (2025-11-25 with `initialize`, and 2026-07-28) and with `serveStdio`,
 * `createMcpHandler` (call it inside the factory, with options created once) and sessionful HTTP.
 *
 * @example
 * import { McpServer } from "@modelcontextprotocol/server";
 * import { withYavio } from "yavio-mcp/v2";
 * const server = withYavio(new McpServer({ name: "notes", version: "1.0.0" }));
 * server.registerTool("ping", {}, (ctx) => {
 *   ctx.yavio.track("pinged");
 *   return { content: [{ type: "text", text: "pong" }] };
 * });
 */
export function withYavio<S extends object>(server: S, options: WithYavioOptionsV2 = {}): WrappedV2<S> {
  instrument(server, options as WithYavioOptions);
  return server as WrappedV2<S>;
}

export { getYavio } from "./attach.js";
export type { YavioHandle, YavioStats } from "./attach.js";
export { yavio } from "./core/index.js";
export type { ErrorSeverity, ForUserOptions, YavioContext, YavioPlugin } from "./core/index.js";
export type {
  WrappedV2,
  YavioMcpServerV2,
  YavioPromptCallbackV2,
  YavioRawShapePromptCallbackV2,
  YavioRawShapeToolCallbackV2,
  YavioReadResourceCallbackV2,
  YavioReadResourceTemplateCallbackV2,
  YavioServerContext,
  YavioToolCallbackV2,
} from "./adapters/sdk-v2/index.js";
export { createScrubber, hashUserId } from "./pii/index.js";
export type { PiiOptions, Scrubber } from "./pii/index.js";
export { FileSink, MemorySink } from "./delivery/index.js";
export type { SendOptions, SendResult, Sink } from "./delivery/index.js";
export type { WireEvent } from "./event/index.js";
export { WARNING_CODES, YavioConfigError } from "./warnings/index.js";
export type { YavioWarning } from "./warnings/index.js";
