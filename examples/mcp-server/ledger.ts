// The example's business logic: a tiny in-memory team ledger (users, notes, invoices). It knows
// nothing of MCP or analytics, like the domain code of a real server.

export interface DemoUser {
  id: string;
  name: string;
  plan: "free" | "team" | "pro";
  company: string;
}

export interface Note {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPrice: number;
}

export interface Invoice {
  id: string;
  owner: string;
  customer: string;
  currency: string;
  lines: InvoiceLine[];
  total: number;
  status: "draft" | "sent" | "paid";
}

/** Demo login tokens. A real server would check an OAuth token or a session cookie instead. */
export const DEMO_USERS: Readonly<Record<string, DemoUser>> = {
  tok_ada: { id: "usr_ada", name: "Ada", plan: "pro", company: "Analytical Engines Ltd" },
  tok_grace: { id: "usr_grace", name: "Grace", plan: "team", company: "Harbor Compilers" },
  tok_linus: { id: "usr_linus", name: "Linus", plan: "free", company: "Kernel Cooperative" },
};

/** An error with an HTTP-like status, as an upstream client library would throw it. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The state of one server process: notes and invoices, numbered in creation order. */
export class Ledger {
  readonly notes: Note[] = [];
  readonly invoices = new Map<string, Invoice>();
  private invoiceCounter = 0;

  addNote(author: string, text: string): Note {
    const note: Note = { id: `note_${this.notes.length + 1}`, author, text, createdAt: new Date().toISOString() };
    this.notes.push(note);
    return note;
  }

  searchNotes(query: string): Note[] {
    const needle = query.toLowerCase();
    return this.notes.filter((note) => note.text.toLowerCase().includes(needle));
  }

  createInvoice(owner: string, customer: string, currency: string, lines: InvoiceLine[]): Invoice {
    this.invoiceCounter += 1;
    const total = Math.round(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0) * 100) / 100;
    const invoice: Invoice = {
      id: `inv_${String(this.invoiceCounter).padStart(4, "0")}`,
      owner,
      customer,
      currency: currency.toUpperCase(),
      lines,
      total,
      status: "draft",
    };
    this.invoices.set(invoice.id, invoice);
    return invoice;
  }

  /** The invoice if `owner` may see it; "not found" otherwise, so ids of others do not leak. */
  invoice(owner: string, id: string): Invoice {
    const invoice = this.invoices.get(id);
    if (invoice === undefined || invoice.owner !== owner) throw new Error(`invoice ${id} not found`);
    return invoice;
  }
}
