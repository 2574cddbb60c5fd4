// One server, written for each SDK generation with that SDK's own API: the same tools, resources
// and prompt, so the parity suite can ask the same questions of every SDK, era and transport.
import { McpServer as McpServerV1, ResourceTemplate as ResourceTemplateV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { inputRequired, McpServer as McpServerV2, ResourceTemplate as ResourceTemplateV2 } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { WithYavioOptions, YavioContext } from "../../src/index.js";
import { withYavio as withYavioV1 } from "../../src/index.js";
import type { WithYavioOptionsV2 } from "../../src/v2.js";
import { withYavio as withYavioV2 } from "../../src/v2.js";

export type Sdk = "v1" | "v2";

/** What a handler reports about its analytics context: the client compares these. */
function who(yavio: YavioContext | undefined, kind: string): string {
  return JSON.stringify({ kind, sessionId: yavio?.sessionId ?? null, userId: yavio?.userId ?? null });
}

type AnyCtx = { yavio?: YavioContext } | undefined;

/** The handlers, SDK-neutral: each takes what it needs and the handler context. */
const handlers = {
  login: (user: string, ctx: AnyCtx) => {
    ctx?.yavio?.identify(user, { plan: "pro" });
    return { content: [{ type: "text" as const, text: `hello ${user}` }] };
  },
  whoami: (ctx: AnyCtx) => ({ content: [{ type: "text" as const, text: who(ctx?.yavio, "tool") }] }),
  echo: (text: string) => ({ content: [{ type: "text" as const, text }] }),
  fail: (): never => {
    throw new TypeError("upstream broke");
  },
  isError: () => ({ content: [{ type: "text" as const, text: "handled failure" }], isError: true }),
  step: (name: string, ctx: AnyCtx) => {
    ctx?.yavio?.step(name);
    return { content: [{ type: "text" as const, text: `step ${name}` }] };
  },
  logout: (ctx: AnyCtx) => {
    ctx?.yavio?.reset();
    return { content: [{ type: "text" as const, text: "bye" }] };
  },
  doc: (uri: URL, ctx: AnyCtx) => ({ contents: [{ uri: uri.href, text: who(ctx?.yavio, "resource") }] }),
  user: (uri: URL, id: string, ctx: AnyCtx) => ({ contents: [{ uri: uri.href, text: `${id}|${who(ctx?.yavio, "template")}` }] }),
  greet: (name: string, ctx: AnyCtx) => ({ messages: [{ role: "user" as const, content: { type: "text" as const, text: `greet ${name}|${who(ctx?.yavio, "prompt")}` } }] }),
};

/** SDK 1.x: raw zod shapes, `extra` as the handler context. */
export function buildV1(options: WithYavioOptions | false): McpServerV1 {
  const raw = new McpServerV1({ name: "parity", version: "1.0.0" });
  const server = options === false ? raw : withYavioV1(raw, options);
  const s = server;
  s.registerTool("login", { inputSchema: { user: z.string() } }, ({ user }, extra) => handlers.login(user, extra as AnyCtx));
  s.registerTool("whoami", {}, (extra) => handlers.whoami(extra as AnyCtx));
  s.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => handlers.echo(text));
  s.registerTool("fail", {}, () => handlers.fail());
  s.registerTool("is_error", {}, () => handlers.isError());
  s.registerTool("step", { inputSchema: { name: z.string() } }, ({ name }, extra) => handlers.step(name, extra as AnyCtx));
  s.registerTool("logout", {}, (extra) => handlers.logout(extra as AnyCtx));
  s.registerResource("doc", "doc://one", {}, (uri, extra) => handlers.doc(uri, extra as AnyCtx));
  s.registerResource("user", new ResourceTemplateV1("user://{id}", { list: undefined }), {}, (uri, vars, extra) =>
    handlers.user(uri, String(vars.id), extra as AnyCtx),
  );
  s.registerPrompt("greet", { argsSchema: { name: z.string() } }, ({ name }, extra) => handlers.greet(name, extra as AnyCtx));
  return s;
}

/** SDK 2.x: Standard Schema objects, `ctx` as the handler context. */
export function buildV2(options: WithYavioOptionsV2 | false): McpServerV2 {
  const raw = new McpServerV2({ name: "parity", version: "1.0.0" });
  const s: McpServerV2 = options === false ? raw : withYavioV2(raw, options);
  s.registerTool("login", { inputSchema: z.object({ user: z.string() }) }, ({ user }, ctx) => handlers.login(user, ctx as AnyCtx));
  s.registerTool("whoami", {}, (ctx) => handlers.whoami(ctx as AnyCtx));
  s.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, ({ text }) => handlers.echo(text));
  s.registerTool("fail", {}, () => handlers.fail());
  s.registerTool("is_error", {}, () => handlers.isError());
  s.registerTool("step", { inputSchema: z.object({ name: z.string() }) }, ({ name }, ctx) => handlers.step(name, ctx as AnyCtx));
  s.registerTool("logout", {}, (ctx) => handlers.logout(ctx as AnyCtx));
  s.registerResource("doc", "doc://one", {}, (uri, ctx) => handlers.doc(uri, ctx as AnyCtx));
  s.registerResource("user", new ResourceTemplateV2("user://{id}", { list: undefined }), {}, (uri, vars, ctx) => handlers.user(uri, String(vars.id), ctx as AnyCtx));
  s.registerPrompt("greet", { argsSchema: z.object({ name: z.string() }) }, ({ name }, ctx) => handlers.greet(name, ctx as AnyCtx));
  // Asks the client (an elicitation and a sampling request) through an input_required result, and
  // answers once the client's responses come with the retried call (2026-07-28; the SDK's legacy
  // shim turns it into real server→client requests on 2025-era connections).
  s.registerTool("plan", { inputSchema: z.object({ goal: z.string() }) }, ({ goal }, ctx) => {
    const answers = ctx.mcpReq.inputResponses;
    if (answers === undefined) {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({ message: `Do ${goal}?`, requestedSchema: { type: "object", properties: { ok: { type: "boolean" } } } }),
          draft: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: `draft ${goal}` } }], maxTokens: 50 }),
        },
        requestState: `plan-${goal}`,
      });
    }
    return { content: [{ type: "text", text: `planned ${goal}` }] };
  });
  return s;
}

/** The anchor header of the stateless drivers. */
export const ANCHOR_HEADER = "x-conversation-id";

/** sessionKey for SDK 1.x: the anchor header of `extra.requestInfo`. */
export function sessionKeyV1(extra: { requestInfo?: { headers?: Record<string, unknown> } }): string | undefined {
  const value = extra.requestInfo?.headers?.[ANCHOR_HEADER];
  return typeof value === "string" ? value : undefined;
}

/** sessionKey for SDK 2.x: the anchor header of `ctx.http.req`. */
export function sessionKeyV2(ctx: { http?: { req?: { headers: { get(name: string): string | null } } } }): string | undefined {
  return ctx.http?.req?.headers.get(ANCHOR_HEADER) ?? undefined;
}
