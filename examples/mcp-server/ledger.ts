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

/**
 * Who is signed in, per conversation. A server that lives as long as its connection keeps this in
 * a variable; one that lives for a single request (SDK 2.x `createMcpHandler` builds a server per
 * HTTP request) needs it kept here, under a key its requests share. Bounded: past `max`
 * conversations the least recently used is forgotten (signed out), so clients cannot grow it forever.
 */
export class SignIns {
  private readonly users = new Map<string, DemoUser>();

  constructor(private readonly max = 10_000) {}

  get(conversation: string): DemoUser | undefined {
    const user = this.users.get(conversation);
    if (user !== undefined) {
      // Map order is insertion order: re-inserting marks the conversation as recently used.
      this.users.delete(conversation);
      this.users.set(conversation, user);
    }
    return user;
  }

  set(conversation: string, user: DemoUser): void {
    this.users.delete(conversation);
    this.users.set(conversation, user);
    if (this.users.size > this.max) this.users.delete(this.users.keys().next().value!);
  }

  delete(conversation: string): void {
    this.users.delete(conversation);
  }
}

/** The state of one server process: notes, invoices numbered in creation order, sign-ins. */
export class Ledger {
  readonly notes: Note[] = [];
  readonly signIns = new SignIns();
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
