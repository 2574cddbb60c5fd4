// "Team ledger" on the MCP TypeScript SDK 2.x: the same server as ../mcp-server/server.ts (same
// tools, resources, prompt and replies), written with v2's API — `z.object` schemas, `ctx` instead
// of `extra` — and instrumented with `withYavio` from "yavio-mcp/v2". Everything analytics-related
// is the `withYavio(...)` line plus the `ctx.yavio.*` calls in the handlers.
import type { ServerContext } from "@modelcontextprotocol/server";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import type { WithYavioOptionsV2, YavioMcpServerV2 } from "yavio-mcp/v2";
import { withYavio } from "yavio-mcp/v2";
import { z } from "zod";
import type { DemoUser } from "../mcp-server/ledger.js";
import { DEMO_USERS, Ledger, UpstreamError } from "../mcp-server/ledger.js";
import { ACCOUNTING_PROVIDERS, describeInvoice, PLANS, reminder, signedIn, text } from "../mcp-server/texts.js";

export interface CreateServerOptions {
  /** State shared by the servers of one process (`serveStdio` and HTTP build many). Default: a new ledger. */
  ledger?: Ledger;
  /**
   * Options of `withYavio`. Create them once: servers given the same options object share one
   * delivery pipeline. Default `{}`: events go to `./.yavio/events.jsonl` unless `YAVIO_*` variables
   * say otherwise.
   */
  yavio?: WithYavioOptionsV2;
  /**
   * For servers that live for one request (`createMcpHandler`): the conversation a request belongs
   * to, under which its sign-in is kept in the ledger. When this is given and returns undefined, a
   * login lasts for its own request only, and its reply says so. Without it, who is signed in is
   * this server's own state: one connection on stdio.
   */
  conversation?: (ctx: ServerContext) => string | undefined;
}

/**
 * Builds one wrapped server: a factory for `serveStdio` or `createMcpHandler`.
 * @example
 * const options = {};
 * serveStdio(() => createServer({ yavio: options }));
 */
export function createServer(options: CreateServerOptions = {}): YavioMcpServerV2 {
  const ledger = options.ledger ?? new Ledger();
  const server = withYavio(new McpServer({ name: "team-ledger", version: "1.0.0" }), options.yavio ?? {});

  // Who is signed in: this server's own, or the ledger's entry for the request's conversation.
  let ownUser: DemoUser | undefined;
  const conversationOf = (ctx: ServerContext) => options.conversation?.(ctx);
  const currentUser = (ctx: ServerContext): DemoUser | undefined => {
    const key = conversationOf(ctx);
    return key === undefined ? ownUser : ledger.signIns.get(key);
  };
  const setUser = (ctx: ServerContext, user: DemoUser | undefined): void => {
    const key = conversationOf(ctx);
    if (key === undefined) ownUser = user;
    else if (user === undefined) ledger.signIns.delete(key);
    else ledger.signIns.set(key, user);
  };
  const requireUser = (ctx: ServerContext): DemoUser => {
    // "not authenticated" is what the middleware files under the `auth` error category.
    const user = currentUser(ctx);
    if (user === undefined) throw new Error("not authenticated: call login first");
    return user;
  };

  server.registerTool(
    "login",
    { description: "Sign in with a team token.", inputSchema: z.object({ token: z.string().describe("e.g. tok_ada") }) },
    ({ token }, ctx) => {
      const found = Object.hasOwn(DEMO_USERS, token) ? DEMO_USERS[token] : undefined;
      if (found === undefined) throw new Error("invalid token");
      setUser(ctx, found);
      ctx.yavio.identify(found.id, { plan: found.plan, company: found.company });
      const forgotten = options.conversation !== undefined && conversationOf(ctx) === undefined;
      return text(`${signedIn(found, ctx.yavio.userId)}${forgotten ? " (This request names no conversation: the sign-in ends with it.)" : ""}`);
    },
  );

  server.registerTool("logout", { description: "Sign out; the next login may be someone else." }, (ctx) => {
    const was = currentUser(ctx)?.name;
    setUser(ctx, undefined);
    ctx.yavio.reset();
    return text(was === undefined ? "Nobody was signed in." : `Signed out ${was}.`);
  });

  server.registerTool(
    "add_note",
    {
      description: "Save a free-text note for the team (people paste e-mails, phone numbers, card numbers…).",
      inputSchema: z.object({ text: z.string().min(1), tags: z.array(z.string()).optional() }),
    },
    ({ text: body, tags }, ctx) => {
      const note = ledger.addNote(requireUser(ctx).id, body);
      ctx.yavio.track("note_added", { length: body.length, tags: tags?.length ?? 0 });
      return text(`Saved ${note.id} (${body.length} characters).`);
    },
  );

  server.registerTool(
    "search_notes",
    { description: "Find team notes containing a word.", inputSchema: z.object({ query: z.string().min(1) }) },
    ({ query }, ctx) => {
      requireUser(ctx);
      const found = ledger.searchNotes(query);
      ctx.yavio.track("notes_searched", { results: found.length });
      if (found.length === 0) return text("No notes found.");
      // The notes' text goes back to the client as is; only the analytics copy is scrubbed.
      return text(found.map((note) => `${note.id}: ${note.text}`).join("\n"));
    },
  );

  server.registerTool(
    "create_invoice",
    {
      description: "Draft an invoice.",
      inputSchema: z.object({
        customer: z.string().min(1),
        currency: z.string().length(3),
        lines: z.array(z.object({ description: z.string(), quantity: z.number().positive(), unitPrice: z.number().nonnegative() })).min(1),
      }),
    },
    ({ customer, currency, lines }, ctx) => {
      const invoice = ledger.createInvoice(requireUser(ctx).id, customer, currency, lines);
      ctx.yavio.step("invoice_created", { lines: lines.length });
      return text(`Drafted ${describeInvoice(invoice)}.`);
    },
  );

  server.registerTool(
    "send_invoice",
    { description: "Send a drafted invoice to the customer.", inputSchema: z.object({ invoiceId: z.string() }) },
    ({ invoiceId }, ctx) => {
      const invoice = ledger.invoice(requireUser(ctx).id, invoiceId);
      invoice.status = "sent";
      ctx.yavio.step("invoice_sent");
      return text(`Sent ${describeInvoice(invoice)}.`);
    },
  );

  server.registerTool(
    "record_payment",
    { description: "Mark a sent invoice as paid.", inputSchema: z.object({ invoiceId: z.string() }) },
    ({ invoiceId }, ctx) => {
      const invoice = ledger.invoice(requireUser(ctx).id, invoiceId);
      if (invoice.status !== "sent") throw new Error(`invoice ${invoiceId} must be sent before it is paid`);
      invoice.status = "paid";
      ctx.yavio.step("invoice_paid");
      ctx.yavio.conversion("invoice_paid", { value: invoice.total, currency: invoice.currency, meta: { invoice_id: invoice.id } });
      return text(`Paid: ${describeInvoice(invoice)}.`);
    },
  );

  server.registerTool(
    "sync_accounting",
    {
      description: "Push an invoice to the accounting system.",
      inputSchema: z.object({ invoiceId: z.string(), provider: z.enum(ACCOUNTING_PROVIDERS) }),
    },
    ({ invoiceId, provider }, ctx) => {
      const invoice = ledger.invoice(requireUser(ctx).id, invoiceId);
      // The old ERP is always down in this demo: a deterministic failure to look at in the report.
      if (provider === "legacy-erp") throw new UpstreamError("legacy-erp: service unavailable", 503);
      return text(`Synced ${invoice.id} to ${provider}.`);
    },
  );

  // Listed to every client and (in the demo) never called: the report's "listed vs called" table
  // shows it first, as dead weight in every prompt's context window.
  server.registerTool(
    "export_csv",
    { description: "Export the signed-in user's invoices as CSV.", inputSchema: z.object({ since: z.string().optional().describe("ISO date") }) },
    (_args, ctx) => {
      const me = requireUser(ctx);
      const rows = [...ledger.invoices.values()].filter((i) => i.owner === me.id).map((i) => `${i.id},${i.customer},${i.total},${i.currency},${i.status}`);
      return text(["id,customer,total,currency,status", ...rows].join("\n"));
    },
  );

  server.registerResource(
    "plans",
    "ledger://plans",
    { description: "Price list", mimeType: "application/json" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(PLANS) }] }),
  );

  server.registerResource(
    "invoice",
    new ResourceTemplate("invoice://{invoiceId}", { list: undefined }),
    { description: "One of your invoices", mimeType: "application/json" },
    (uri, variables, ctx) => {
      const invoice = ledger.invoice(requireUser(ctx).id, String(variables.invoiceId));
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(invoice) }] };
    },
  );

  server.registerPrompt(
    "payment_reminder",
    {
      description: "Draft a reminder for an unpaid invoice.",
      argsSchema: z.object({ invoiceId: z.string(), tone: z.enum(["friendly", "firm"]).optional() }),
    },
    ({ invoiceId, tone }, ctx) => {
      const invoice = ledger.invoice(requireUser(ctx).id, invoiceId);
      return { messages: [{ role: "user", content: { type: "text", text: reminder(invoice, tone) } }] };
    },
  );

  return server;
}
