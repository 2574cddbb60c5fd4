// "Team ledger": a small MCP server for notes and invoices, instrumented with yavio-mcp the way a
// user would do it. Everything analytics-related is the `withYavio(...)` line plus the
// `ctx.yavio.*` calls in the handlers; the rest is an ordinary MCP server.
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { WithYavioOptions, YavioMcpServer } from "yavio-mcp";
import { withYavio } from "yavio-mcp";
import { z } from "zod";
import type { DemoUser } from "./ledger.js";
import { DEMO_USERS, Ledger, UpstreamError } from "./ledger.js";
import { ACCOUNTING_PROVIDERS, describeInvoice, PLANS, reminder, signedIn, text } from "./texts.js";

export interface CreateServerOptions {
  /** State shared by the servers of one process (HTTP makes one server per session). Default: a new ledger. */
  ledger?: Ledger;
  /**
   * Options of `withYavio`. Servers created with the same options object share one delivery
   * pipeline. Default `{}`: events go to `./.yavio/events.jsonl` unless `YAVIO_*` variables say otherwise.
   */
  yavio?: WithYavioOptions;
}

/**
 * Builds one wrapped server. Who is signed in is per server, that is per connection (stdio) or
 * per MCP session (HTTP).
 * @example
 * const server = createServer();
 * await server.connect(new StdioServerTransport());
 */
export function createServer(options: CreateServerOptions = {}): YavioMcpServer {
  const ledger = options.ledger ?? new Ledger();
  const server = withYavio(new McpServer({ name: "team-ledger", version: "1.0.0" }), options.yavio ?? {});
  let user: DemoUser | undefined;

  const requireUser = (): DemoUser => {
    // "not authenticated" is what the middleware files under the `auth` error category.
    if (user === undefined) throw new Error("not authenticated: call login first");
    return user;
  };

  server.registerTool(
    "login",
    { description: "Sign in with a team token.", inputSchema: { token: z.string().describe("e.g. tok_ada") } },
    ({ token }, ctx) => {
      const found = Object.hasOwn(DEMO_USERS, token) ? DEMO_USERS[token] : undefined;
      if (found === undefined) throw new Error("invalid token");
      user = found;
      ctx.yavio.identify(found.id, { plan: found.plan, company: found.company });
      return text(signedIn(found, ctx.yavio.userId));
    },
  );

  server.registerTool("logout", { description: "Sign out; the next login may be someone else." }, (ctx) => {
    const was = user?.name;
    user = undefined;
    ctx.yavio.reset();
    return text(was === undefined ? "Nobody was signed in." : `Signed out ${was}.`);
  });

  server.registerTool(
    "add_note",
    {
      description: "Save a free-text note for the team (people paste e-mails, phone numbers, card numbers…).",
      inputSchema: { text: z.string().min(1), tags: z.array(z.string()).optional() },
    },
    ({ text: body, tags }, ctx) => {
      const me = requireUser();
      const note = ledger.addNote(me.id, body);
      ctx.yavio.track("note_added", { length: body.length, tags: tags?.length ?? 0 });
      return text(`Saved ${note.id} (${body.length} characters).`);
    },
  );

  server.registerTool(
    "search_notes",
    { description: "Find team notes containing a word.", inputSchema: { query: z.string().min(1) } },
    ({ query }, ctx) => {
      requireUser();
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
      inputSchema: {
        customer: z.string().min(1),
        currency: z.string().length(3),
        lines: z.array(z.object({ description: z.string(), quantity: z.number().positive(), unitPrice: z.number().nonnegative() })).min(1),
      },
    },
    ({ customer, currency, lines }, ctx) => {
      const me = requireUser();
      const invoice = ledger.createInvoice(me.id, customer, currency, lines);
      ctx.yavio.step("invoice_created", { lines: lines.length });
      return text(`Drafted ${describeInvoice(invoice)}.`);
    },
  );

  server.registerTool(
    "send_invoice",
    { description: "Send a drafted invoice to the customer.", inputSchema: { invoiceId: z.string() } },
    ({ invoiceId }, ctx) => {
      const invoice = ledger.invoice(requireUser().id, invoiceId);
      invoice.status = "sent";
      ctx.yavio.step("invoice_sent");
      return text(`Sent ${describeInvoice(invoice)}.`);
    },
  );

  server.registerTool(
    "record_payment",
    { description: "Mark a sent invoice as paid.", inputSchema: { invoiceId: z.string() } },
    ({ invoiceId }, ctx) => {
      const invoice = ledger.invoice(requireUser().id, invoiceId);
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
      inputSchema: { invoiceId: z.string(), provider: z.enum(ACCOUNTING_PROVIDERS) },
    },
    ({ invoiceId, provider }) => {
      const invoice = ledger.invoice(requireUser().id, invoiceId);
      // The old ERP is always down in this demo: a deterministic failure to look at in the report.
      if (provider === "legacy-erp") throw new UpstreamError("legacy-erp: service unavailable", 503);
      return text(`Synced ${invoice.id} to ${provider}.`);
    },
  );

  // Listed to every client and (in the demo) never called: the report's "listed vs called" table
  // shows it first, as dead weight in every prompt's context window.
  server.registerTool(
    "export_csv",
    { description: "Export the signed-in user's invoices as CSV.", inputSchema: { since: z.string().optional().describe("ISO date") } },
    () => {
      const me = requireUser();
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
    (uri, variables) => {
      const invoice = ledger.invoice(requireUser().id, String(variables.invoiceId));
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(invoice) }] };
    },
  );

  server.registerPrompt(
    "payment_reminder",
    {
      description: "Draft a reminder for an unpaid invoice.",
      argsSchema: { invoiceId: z.string(), tone: z.enum(["friendly", "firm"]).optional() },
    },
    ({ invoiceId, tone }) => {
      const invoice = ledger.invoice(requireUser().id, invoiceId);
      return {
        messages: [
          {
            role: "user",
            content: { type: "text", text: reminder(invoice, tone) },
          },
        ],
      };
    },
  );

  return server;
}
