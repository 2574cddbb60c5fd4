import type { McpServer, RegisteredPrompt, RegisteredResource, RegisteredResourceTemplate, RegisteredTool, ResourceMetadata, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { AnySchema, SchemaOutput, ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { CallToolResult, GetPromptResult, ReadResourceResult, ServerNotification, ServerRequest, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { YavioContext } from "../../core/index.js";

/**
 * The `extra` argument of a handler on a wrapped server: the SDK's, plus `yavio`.
 * @example server.registerTool("t", {}, (extra) => { extra.yavio.track("used"); return { content: [] }; });
 */
export type YavioExtra = RequestHandlerExtra<ServerRequest, ServerNotification> & { yavio: YavioContext };

type Awaitable<T> = T | Promise<T>;

/** A tool callback whose `extra` has `yavio`, mirroring the SDK's `ToolCallback`. */
export type YavioToolCallback<Args extends undefined | ZodRawShapeCompat | AnySchema = undefined> = Args extends ZodRawShapeCompat
  ? (args: ShapeOutput<Args>, extra: YavioExtra) => Awaitable<CallToolResult>
  : Args extends AnySchema
    ? (args: SchemaOutput<Args>, extra: YavioExtra) => Awaitable<CallToolResult>
    : (extra: YavioExtra) => Awaitable<CallToolResult>;

export type YavioPromptCallback<Args extends undefined | ZodRawShapeCompat = undefined> = Args extends ZodRawShapeCompat
  ? (args: ShapeOutput<Args>, extra: YavioExtra) => Awaitable<GetPromptResult>
  : (extra: YavioExtra) => Awaitable<GetPromptResult>;

export type YavioReadResourceCallback = (uri: URL, extra: YavioExtra) => Awaitable<ReadResourceResult>;
export type YavioReadResourceTemplateCallback = (uri: URL, variables: Variables, extra: YavioExtra) => Awaitable<ReadResourceResult>;

/**
 * An `McpServer` as `withYavio` returns it: the same object, typed so that `extra.yavio` needs
 * no cast in tool, resource and prompt handlers.
 */
export interface YavioMcpServer extends McpServer {
  registerTool<OutputArgs extends ZodRawShapeCompat | AnySchema, InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined>(
    name: string,
    config: {
      title?: string;
      description?: string;
      inputSchema?: InputArgs;
      outputSchema?: OutputArgs;
      annotations?: ToolAnnotations;
      _meta?: Record<string, unknown>;
    },
    cb: YavioToolCallback<InputArgs>,
  ): RegisteredTool;
  registerResource(name: string, uri: string, config: ResourceMetadata, readCallback: YavioReadResourceCallback): RegisteredResource;
  registerResource(name: string, template: ResourceTemplate, config: ResourceMetadata, readCallback: YavioReadResourceTemplateCallback): RegisteredResourceTemplate;
  /** @deprecated Use `registerTool`. */
  tool(name: string, cb: YavioToolCallback): RegisteredTool;
  /** @deprecated Use `registerTool`. */
  tool(name: string, description: string, cb: YavioToolCallback): RegisteredTool;
  /** @deprecated Use `registerTool`. */
  tool<Args extends ZodRawShapeCompat>(name: string, paramsSchemaOrAnnotations: Args | ToolAnnotations, cb: YavioToolCallback<Args>): RegisteredTool;
  /** @deprecated Use `registerTool`. */
  tool<Args extends ZodRawShapeCompat>(name: string, description: string, paramsSchemaOrAnnotations: Args | ToolAnnotations, cb: YavioToolCallback<Args>): RegisteredTool;
  /** @deprecated Use `registerTool`. */
  tool<Args extends ZodRawShapeCompat>(name: string, paramsSchema: Args, annotations: ToolAnnotations, cb: YavioToolCallback<Args>): RegisteredTool;
  /** @deprecated Use `registerTool`. */
  tool<Args extends ZodRawShapeCompat>(name: string, description: string, paramsSchema: Args, annotations: ToolAnnotations, cb: YavioToolCallback<Args>): RegisteredTool;
  registerPrompt<Args extends ZodRawShapeCompat>(
    name: string,
    config: { title?: string; description?: string; argsSchema?: Args },
    cb: YavioPromptCallback<Args>,
  ): RegisteredPrompt;
}

/** What `withYavio` returns for a given server type. */
export type Wrapped<S> = S extends McpServer ? YavioMcpServer & Omit<S, keyof McpServer> : S;
