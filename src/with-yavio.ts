import type { Wrapped } from "./adapters/sdk-v1/index.js";
import { instrument } from "./attach.js";
import type { WithYavioOptions } from "./core/index.js";

/**
 * Instruments an `McpServer` (or a low-level `Server`) in place and returns the same instance,
 * typed for `@modelcontextprotocol/sdk` 1.x. A server of SDK 2.x is recognised at runtime too; for
 * its types import `withYavio` from `yavio-mcp/v2`. Every client connection becomes an analytics
 * session; every tool, resource and prompt handler gets `ctx.yavio` on its `extra` argument.
 * Wrapping twice is a no-op.
 *
 * Throws `YavioConfigError` only for invalid options; at runtime problems become coded warnings.
 *
 * @example
 * const server = withYavio(new McpServer({ name: "notes", version: "1.0.0" }));
 * server.registerTool("login", { inputSchema: { token: z.string() } }, async ({ token }, ctx) => {
 *   ctx.yavio.identify("user_42", { plan: "pro" });
 *   return { content: [{ type: "text", text: "hello" }] };
 * });
 */
export function withYavio<S extends object>(server: S, options: WithYavioOptions = {}): Wrapped<S> {
  instrument(server, options);
  return server as Wrapped<S>;
}
