// What the team-ledger server says and serves, whichever SDK it is written with: the SDK 1.x
// server (server.ts) and the SDK 2.x one (../mcp-server-v2/server.ts) answer word for word alike.
// Nothing here knows an MCP SDK; the handlers stay in each server file, where a reader expects them.
import type { DemoUser, Invoice } from "./ledger.js";

/** The price list behind the `ledger://plans` resource. */
export const PLANS = [
  { plan: "free", invoicesPerMonth: 5, price: 0 },
  { plan: "team", invoicesPerMonth: 200, price: 29 },
  { plan: "pro", invoicesPerMonth: null, price: 79 },
];

export const ACCOUNTING_PROVIDERS = ["xero", "quickbooks", "legacy-erp"] as const;

/** A tool result of one text block. */
export function text(value: string) {
  return { content: [{ type: "text" as const, text: value }] };
}

export function describeInvoice(invoice: Invoice): string {
  return `${invoice.id} for ${invoice.customer}: ${invoice.total.toFixed(2)} ${invoice.currency} (${invoice.status})`;
}

/** The reply to `login`; `analyticsUserId` is who the analytics session belongs to after the identify. */
export function signedIn(user: DemoUser, analyticsUserId: string | undefined): string {
  // A session keeps its first user: a second identify is ignored (warning YAVIO-1302).
  const note = analyticsUserId === user.id ? "" : ` (Analytics keeps this session as ${analyticsUserId ?? "?"}: log out to switch users.)`;
  return `Signed in as ${user.name} (${user.plan}, ${user.company}).${note}`;
}

/** The user message of the `payment_reminder` prompt. */
export function reminder(invoice: Invoice, tone: "friendly" | "firm" | undefined): string {
  return `Write a ${tone ?? "friendly"} payment reminder to ${invoice.customer} for invoice ${invoice.id} (${invoice.total.toFixed(2)} ${invoice.currency}).`;
}
