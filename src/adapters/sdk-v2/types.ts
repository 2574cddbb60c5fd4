import type {
  BaseToolCallback,
  CacheHint,
  CallToolResult,
  GetPromptResult,
  Icon,
  InputRequiredResult,
  McpServer,
  ReadResourceResult,
  RegisteredPrompt,
  RegisteredResource,
  RegisteredResourceTemplate,
  RegisteredTool,
  ResourceMetadata,
  ResourceTemplate,
  ScopeChallengeHandler,
  ServerContext,
  StandardSchemaWithJSON,
  ToolAnnotations,
  Variables,
} from "@modelcontextprotocol/server";
import type * as z from "zod/v4";
import type { YavioContext } from "../../core/index.js";

/**
 * The handler context on a wrapped SDK 2.x server: the SDK's `ServerContext`, plus `yavio`.
 * @example server.registerTool("t", {}, (ctx) => { ctx.yavio.track("used"); return { content: [] }; });
 */
export type YavioServerContext = ServerContext & { yavio: YavioContext };

type Awaitable<T> = T | Promise<T>;
/** A plain record of zod field schemas, as the SDK accepts it (auto-wrapped with `z.object()`). */
type ZodRawShape = Record<string, z.ZodType>;
type InferRawShape<S extends ZodRawShape> = z.infer<z.ZodObject<S>>;

/** A tool callback whose `ctx` has `yavio`, mirroring the SDK's `ToolCallback`. */
export type YavioToolCallbackV2<Args extends StandardSchemaWithJSON | undefined = undefined> = BaseToolCallback<CallToolResult | InputRequiredResult, YavioServerContext, Args>;
/** The raw-shape form (`inputSchema: { n: z.number() }`). */
export type YavioRawShapeToolCallbackV2<Args extends ZodRawShape | undefined> = Args extends ZodRawShape
  ? (args: InferRawShape<Args>, ctx: YavioServerContext) => Awaitable<CallToolResult | InputRequiredResult>
  : (ctx: YavioServerContext) => Awaitable<CallToolResult | InputRequiredResult>;
export type YavioPromptCallbackV2<Args extends StandardSchemaWithJSON | undefined = undefined> = Args extends StandardSchemaWithJSON
  ? (args: StandardSchemaWithJSON.InferOutput<Args>, ctx: YavioServerContext) => Awaitable<GetPromptResult | InputRequiredResult>
  : (ctx: YavioServerContext) => Awaitable<GetPromptResult | InputRequiredResult>;
export type YavioRawShapePromptCallbackV2<Args extends ZodRawShape> = (args: InferRawShape<Args>, ctx: YavioServerContext) => Awaitable<GetPromptResult | InputRequiredResult>;
export type YavioReadResourceCallbackV2 = (uri: URL, ctx: YavioServerContext) => Awaitable<ReadResourceResult | InputRequiredResult>;
export type YavioReadResourceTemplateCallbackV2 = (uri: URL, variables: Variables, ctx: YavioServerContext) => Awaitable<ReadResourceResult | InputRequiredResult>;

interface ToolConfig<I, O> {
  title?: string;
  description?: string;
  inputSchema?: I;
  outputSchema?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  scopeChallenge?: ScopeChallengeHandler;
  _meta?: Record<string, unknown>;
}
type ResourceConfig = ResourceMetadata & { cacheHint?: CacheHint; scopeChallenge?: ScopeChallengeHandler };
interface PromptConfig<A> {
  title?: string;
  description?: string;
  argsSchema?: A;
  icons?: Icon[];
  scopeChallenge?: ScopeChallengeHandler;
  _meta?: Record<string, unknown>;
}

/**
 * An SDK 2.x `McpServer` as `withYavio` from `yavio-mcp/v2` returns it: the same object, typed so
 * that `ctx.yavio` needs no cast in tool, resource and prompt handlers.
 */
export interface YavioMcpServerV2 extends McpServer {
  registerTool<OutputArgs extends StandardSchemaWithJSON, InputArgs extends StandardSchemaWithJSON | undefined = undefined>(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    cb: YavioToolCallbackV2<InputArgs>,
  ): RegisteredTool;
  /** @deprecated by the SDK: wrap the shape with `z.object({...})`. */
  registerTool<InputArgs extends ZodRawShape, OutputArgs extends ZodRawShape | StandardSchemaWithJSON | undefined = undefined>(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    cb: YavioRawShapeToolCallbackV2<InputArgs>,
  ): RegisteredTool;
  registerResource(name: string, uri: string, config: ResourceConfig, readCallback: YavioReadResourceCallbackV2): RegisteredResource;
  registerResource(name: string, template: ResourceTemplate, config: ResourceConfig, readCallback: YavioReadResourceTemplateCallbackV2): RegisteredResourceTemplate;
  registerPrompt(name: string, config: PromptConfig<undefined>, cb: YavioPromptCallbackV2): RegisteredPrompt;
  registerPrompt<Args extends StandardSchemaWithJSON>(name: string, config: PromptConfig<Args>, cb: YavioPromptCallbackV2<Args>): RegisteredPrompt;
  /** @deprecated by the SDK: wrap the shape with `z.object({...})`. */
  registerPrompt<Args extends ZodRawShape>(name: string, config: PromptConfig<Args>, cb: YavioRawShapePromptCallbackV2<Args>): RegisteredPrompt;
}

/** What `withYavio` from `yavio-mcp/v2` returns for a given server type. */
export type WrappedV2<S> = S extends McpServer ? YavioMcpServerV2 & Omit<S, keyof McpServer> : S;
