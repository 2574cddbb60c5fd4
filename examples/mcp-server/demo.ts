// `npm run demo`: the whole product in one command, with no account and no server.
//
// Starts the team-ledger example over stdio once per simulated user (as a desktop MCP client
// would), drives each with the SDK's real Client through a scripted session, disconnects, and
// prints what yavio-mcp captured: the report computed from the local event file, plus checks that
// the story holds (no PII in the file, the identify conflict warned, every session ended).
//
// On either SDK: `npm run demo` runs the SDK 1.x server (examples/mcp-server) with the 1.x Client,
// which speaks protocol 2025-11-25; `npm run demo -- --sdk v2` (or YAVIO_DEMO_SDK=v2, or
// `npm run demo:v2`) runs the SDK 2.x server (examples/mcp-server-v2, `serveStdio`) with the 2.x
// Client pinned to protocol 2026-07-28, the era without `initialize`. The script and the checks
// are the same.
//
// Files (kept for you to look at): .yavio/demo/events.jsonl, warnings.jsonl, report.html.
// YAVIO_DEMO_DIR puts them elsewhere. Exit code 0 when every check passes, 1 otherwise.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { computeReportFromFiles, formatReportText, renderReportHtml } from "yavio-mcp";
import type { WireEvent, YavioWarning } from "yavio-mcp";

type Sdk = "v1" | "v2";

/** `--sdk v1|v2` (or `--sdk=v2`), else YAVIO_DEMO_SDK, else v1. */
function sdkFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Sdk {
  const flag = argv.findIndex((arg) => arg === "--sdk" || arg.startsWith("--sdk="));
  const raw = flag === -1 ? env.YAVIO_DEMO_SDK : argv[flag]!.includes("=") ? argv[flag]!.slice("--sdk=".length) : argv[flag + 1];
  if (raw === undefined || raw === "" || raw === "v1") return "v1";
  if (raw === "v2") return "v2";
  throw new Error(`--sdk must be v1 or v2, not ${raw}`);
}

const SDK = sdkFromArgs(process.argv.slice(2), process.env);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = SDK === "v1" ? "examples/mcp-server" : "examples/mcp-server-v2";
const PROTOCOL = SDK === "v1" ? "2025-11-25" : "2026-07-28";
const SERVER = join(ROOT, EXAMPLE, "stdio.ts");
const DEMO_DIR = resolve(process.env.YAVIO_DEMO_DIR ?? join(ROOT, ".yavio", "demo"));
const EVENTS_FILE = join(DEMO_DIR, "events.jsonl");
const WARNINGS_FILE = join(DEMO_DIR, "warnings.jsonl");
const REPORT_FILE = join(DEMO_DIR, "report.html");

/** What a user pastes into a note. None of it may reach the event file, in any spelling. */
const PII = {
  email: "jane.doe@initech.example",
  phone: "+1 415 555 0132",
  card: "4111 1111 1111 1111",
};
const NOTE = `Initech billing contact: ${PII.email}, phone ${PII.phone}. Card on file ${PII.card} (exp 12/29).`;
const PII_SPELLINGS = [PII.email, PII.phone, PII.card, PII.card.replaceAll(" ", ""), PII.phone.replaceAll(" ", "")];

/**
 * Why the agent calls each tool, sent in the `context` argument that intent capture adds to every
 * listed schema. The server's handlers never see it; the report counts them per tool.
 */
const INTENTS: Record<string, string> = {
  login: "Sign in as the user before working on their ledger.",
  add_note: "Remember the billing contact the user pasted.",
  search_notes: "Find what we know about the customer.",
  create_invoice: "Bill the customer for the work the user described.",
  send_invoice: "Email the invoice to the customer.",
  record_payment: "The user says the customer paid.",
  sync_accounting: "Keep the accounting system in step with the ledger.",
};

/** Every structured warning line of every server, in arrival order: saved for the report. */
const warningLines: string[] = [];

const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const bold = paint("1");
const dim = paint("2");
const green = paint("32");
const yellow = paint("33");
const red = paint("31");

const out = (line = "") => void process.stdout.write(`${line}\n`);
const shorten = (s: string, max = 70) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const display = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
};

/** What the script calls on a client: the same on the 1.x and the 2.x `Client`. */
interface DemoClient {
  connect(transport: never): Promise<void>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<object>;
  readResource(params: { uri: string }): Promise<{ contents: object[] }>;
  getPrompt(params: { name: string; arguments: Record<string, string> }): Promise<{ messages: { content: object }[] }>;
  listTools(): Promise<{ tools: { inputSchema: { properties?: Record<string, unknown> } }[] }>;
  close(): Promise<void>;
}

/** One simulated user: a client (one stdio server process), what it printed, what its server warned. */
class Session {
  readonly lines: string[] = [];
  readonly warnings: YavioWarning[] = [];
  readonly otherStderr: string[] = [];
  private readonly client: DemoClient;
  private readonly transport: StdioClientTransport | StdioClientTransportV2;
  private readonly waiters: { code: string; resolve: (w: YavioWarning | undefined) => void }[] = [];
  private stderrTail = "";

  constructor(
    readonly who: string,
    readonly clientName: string,
  ) {
    const server = {
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), SERVER],
      // The project root, so that tsx maps the "yavio-mcp" import to src/ through tsconfig paths.
      cwd: ROOT,
      stderr: "pipe" as const,
      env: {
        ...process.env,
        // The demo is local only, whatever the shell has configured.
        YAVIO_API_KEY: "",
        YAVIO_ENDPOINT: "",
        YAVIO_CONSOLE: "false",
        YAVIO_EVENTS_FILE: EVENTS_FILE,
        YAVIO_SPOOL_DIR: join(DEMO_DIR, "spool"),
        LEDGER_CAPTURE_INTENT: "1",
      } as Record<string, string>,
    };
    if (SDK === "v1") {
      this.client = new Client({ name: clientName, version: "1.0.0" });
      this.transport = new StdioClientTransport(server);
    } else {
      // 2026-07-28: no initialize; the client name and version travel in every request's _meta.
      this.client = new ClientV2({ name: clientName, version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
      this.transport = new StdioClientTransportV2(server);
    }
    this.transport.stderr?.on("data", (chunk: Buffer) => this.onStderr(chunk.toString("utf8")));
  }

  private onStderr(chunk: string): void {
    const parts = (this.stderrTail + chunk).split("\n");
    this.stderrTail = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const warning = parsed as (YavioWarning & { yavio?: unknown }) | undefined;
      if (warning?.yavio === true && typeof warning.code === "string") {
        this.warnings.push(warning);
        warningLines.push(line);
        for (const waiter of this.waiters.filter((w) => w.code === warning.code)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(warning);
        }
      } else {
        this.otherStderr.push(line);
      }
    }
  }

  /** The warning with this code, as soon as the server writes it (stderr and stdout race), or undefined after a while. */
  warning(code: string): Promise<YavioWarning | undefined> {
    const seen = this.warnings.find((w) => w.code === code);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolvePromise) => {
      const waiter = { code, resolve: resolvePromise };
      this.waiters.push(waiter);
      setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at === -1) return;
        this.waiters.splice(at, 1);
        resolvePromise(undefined);
      }, 3000).unref();
    });
  }

  /** Connects and lists the tools, as a desktop client does before its first turn. */
  async connect(): Promise<void> {
    await this.client.connect(this.transport as never);
    const { tools } = await this.client.listTools();
    const withIntent = tools.filter((t) => "context" in (t.inputSchema.properties ?? {})).length;
    this.say(`${bold("tools/list".padEnd(15))} ${dim(`${tools.length} tools shown`.padEnd(36))} ${green("✓")} ${withIntent} of them with the optional "context" argument`);
  }

  say(line: string): void {
    this.lines.push(`  ${line}`);
  }

  /** Calls a tool and narrates it; `expectFailure` marks the failures the script asks for. */
  async call(tool: string, args: Record<string, unknown>, label: string, expectFailure = false): Promise<string> {
    const why = INTENTS[tool];
    let result: { content?: { type: string; text?: string }[]; isError?: boolean };
    try {
      result = await this.client.callTool({ name: tool, arguments: why === undefined ? args : { ...args, context: why } });
    } catch (error) {
      // SDK 2.x answers a call to a tool it does not have with a JSON-RPC error, not an error result.
      result = { content: [{ type: "text", text: error instanceof Error ? error.message : String(error) }], isError: true };
    }
    const content = result.content ?? [];
    const text = content.map((c) => c.text ?? "").join(" ");
    const failed = result.isError === true;
    const mark = failed ? (expectFailure ? yellow("✗ fails as scripted:") : red("✗ unexpected failure:")) : green("✓");
    this.say(`${bold(tool.padEnd(15))} ${dim(shorten(label, 36).padEnd(36))} ${mark} ${shorten(text.replaceAll("\n", " | "), 100)}`);
    if (failed !== expectFailure) throw new Error(`${tool} ${failed ? "failed" : "succeeded"} unexpectedly: ${text}`);
    return text;
  }

  async read(uri: string): Promise<void> {
    const result = await this.client.readResource({ uri });
    const body = result.contents[0] && "text" in result.contents[0] ? String(result.contents[0].text) : "";
    this.say(`${bold("resource".padEnd(15))} ${dim(uri.padEnd(36))} ${green("✓")} ${shorten(body, 100)}`);
  }

  async prompt(name: string, args: Record<string, string>): Promise<void> {
    const result = await this.client.getPrompt({ name, arguments: args });
    const first = result.messages[0]?.content;
    const body = first !== undefined && "text" in first ? String(first.text) : "";
    this.say(`${bold("prompt".padEnd(15))} ${dim(name.padEnd(36))} ${green("✓")} ${shorten(body, 100)}`);
  }

  /** Disconnects: the server sees stdin end, ends the analytics session, flushes and exits. */
  close(): Promise<void> {
    return this.client.close();
  }
}

const INVOICE_LINES = (description: string, quantity: number, unitPrice: number) => [{ description, quantity, unitPrice }];

async function ada(s: Session): Promise<void> {
  await s.read("ledger://plans");
  await s.call("login", { token: "tok_ada" }, "token tok_ada");
  await s.call("add_note", { text: NOTE, tags: ["billing"] }, NOTE);
  await s.call("create_invoice", { customer: "Initech", currency: "EUR", lines: INVOICE_LINES("Consulting days", 8, 150) }, "Initech, 8 × 150 EUR");
  await s.call("send_invoice", { invoiceId: "inv_0001" }, "inv_0001");
  await s.call("sync_accounting", { invoiceId: "inv_0001", provider: "legacy-erp" }, "inv_0001 → legacy-erp", true);
  await s.call("sync_accounting", { invoiceId: "inv_0001", provider: "xero" }, "inv_0001 → xero");
  await s.call("record_payment", { invoiceId: "inv_0001" }, "inv_0001");
  // A colleague takes over the keyboard without logging out: the session stays Ada's.
  await s.call("login", { token: "tok_grace" }, "token tok_grace (no logout first)");
  const conflict = await s.warning("YAVIO-1302");
  if (conflict === undefined) s.say(red("no YAVIO-1302 warning arrived from the server"));
  else s.say(`${yellow(`⚠ the server warned ${conflict.code}:`)} ${conflict.message} ${dim(JSON.stringify(conflict.details ?? {}))}`);
  await s.call("logout", {}, "reset(): new anonymous session");
  await s.call("login", { token: "tok_grace" }, "token tok_grace");
  await s.call("search_notes", { query: "initech" }, "initech (the note comes back whole)");
  await s.call("create_invoice", { customer: "Umbrella", currency: "USD", lines: INVOICE_LINES("Audit", 1, 640) }, "Umbrella, 1 × 640 USD");
  await s.prompt("payment_reminder", { invoiceId: "inv_0002", tone: "firm" });
}

async function grace(s: Session): Promise<void> {
  await s.call("login", { token: "tok_grace" }, "token tok_grace");
  await s.call("create_invoice", { customer: "Hooli", currency: "USD", lines: INVOICE_LINES("Support hours", 2, 450) }, "Hooli, 2 × 450 USD");
  await s.call("send_invoice", { invoiceId: "inv_9999" }, "inv_9999 (a typo)", true);
  await s.call("send_invoice", { invoiceId: "inv_0001" }, "inv_0001");
  await s.read("invoice://inv_0001");
  // The agent guesses a tool the server does not have: a missing capability, in the report.
  await s.call("export_pdf", { invoiceId: "inv_0001" }, "a tool the server does not have", true);
  // Grace stops here: her invoice is sent but not paid, a drop-off in the funnel.
}

async function linus(s: Session): Promise<void> {
  await s.call("create_invoice", { customer: "Penguin Supplies", currency: "GBP", lines: INVOICE_LINES("Kernel review", 1, 300) }, "before login", true);
  await s.call("login", { token: "tok_linus" }, "token tok_linus");
  await s.call("create_invoice", { customer: "Penguin Supplies", currency: "GBP", lines: INVOICE_LINES("Kernel review", 1, 300) }, "Penguin Supplies, 1 × 300 GBP");
  await s.call("send_invoice", { invoiceId: "inv_0001" }, "inv_0001");
  await s.call("record_payment", { invoiceId: "inv_0001" }, "inv_0001");
  await s.call("logout", {}, "reset()");
}

interface Check {
  ok: boolean;
  text: string;
}

function readEvents(raw: string): WireEvent[] {
  return raw
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as WireEvent);
}

async function main(): Promise<number> {
  const started = Date.now();
  await mkdir(DEMO_DIR, { recursive: true });
  // Each run starts from empty files (the event file's rotated siblings included).
  await Promise.all(
    [EVENTS_FILE, `${EVENTS_FILE}.1`, WARNINGS_FILE, REPORT_FILE, join(DEMO_DIR, "spool")].map((p) => rm(p, { recursive: true, force: true })),
  );

  out(bold("yavio-mcp demo"));
  out(dim(`The team-ledger example (${EXAMPLE}, SDK ${SDK === "v1" ? "1.x" : "2.x"}, protocol ${PROTOCOL}) over stdio, three simulated users, events to ${display(EVENTS_FILE)}.`));

  const scripts: [Session, (s: Session) => Promise<void>][] = [
    [new Session("Ada, then Grace on Ada's laptop", "claude-ai"), ada],
    [new Session("Grace", "cursor-vscode"), grace],
    [new Session("Linus", "codex-mcp-client"), linus],
  ];
  // The users work at the same time, each with their own client and server process; their
  // narration is printed one user after another.
  const runs = scripts.map(async ([session, script]) => {
    await session.connect();
    try {
      await script(session);
    } finally {
      await session.close();
    }
  });
  const outcomes = await Promise.allSettled(runs);
  for (const [i, [session]] of scripts.entries()) {
    out();
    out(`${bold(session.who)} ${dim(`(client "${session.clientName}")`)}`);
    for (const line of session.lines) out(line);
    const outcome = outcomes[i]!;
    if (outcome.status === "rejected") out(red(`  script stopped: ${String(outcome.reason)}`));
  }

  await writeFile(WARNINGS_FILE, warningLines.map((line) => `${line}\n`).join(""));
  const raw = existsSync(EVENTS_FILE) ? await readFile(EVENTS_FILE, "utf8") : "";
  const events = readEvents(raw);
  const warnings = scripts.flatMap(([s]) => s.warnings);
  const otherStderr = scripts.flatMap(([s]) => s.otherStderr);
  const noteCall = events.find((e) => e.event_type === "tool_call" && e.event_name === "add_note");
  const searchCall = events.find((e) => e.event_type === "tool_call" && e.event_name === "search_notes");
  const starts = events.filter((e) => e.event_name === "session_start");
  const started_ = new Set(starts.map((e) => e.session_id));
  const ended = new Set(events.filter((e) => e.event_name === "session_end").map((e) => e.session_id));
  const leaked = PII_SPELLINGS.filter((s) => raw.includes(s));

  out();
  out(bold("What reached the event file"));
  const scrubbedNote = (noteCall?.input_values as { text?: unknown } | undefined)?.text;
  out(`  add_note input as stored:      ${scrubbedNote === undefined ? dim("(not captured)") : JSON.stringify(scrubbedNote)}`);
  out(`  search_notes output as stored: ${searchCall?.output_content === undefined ? dim("(not captured)") : shorten(JSON.stringify(searchCall.output_content), 110)}`);

  const report = await computeReportFromFiles([display(EVENTS_FILE), display(WARNINGS_FILE)]);
  await writeFile(REPORT_FILE, renderReportHtml(report));

  out();
  out(bold("Report") + dim(`  (yavio-mcp report ${display(EVENTS_FILE)} ${display(WARNINGS_FILE)})`));
  out(formatReportText(report).trimEnd());

  const checks: Check[] = [
    { ok: outcomes.every((o) => o.status === "fulfilled"), text: "every scripted call behaved as scripted" },
    { ok: events.length > 0, text: `${events.length} events in the event file` },
    { ok: leaked.length === 0, text: leaked.length === 0 ? "no e-mail, phone or card number in the event file (scrubbed before writing)" : `PII found in the event file: ${leaked.join(", ")}` },
    { ok: warnings.some((w) => w.code === "YAVIO-1302"), text: "the identify conflict was reported as YAVIO-1302" },
    { ok: started_.size > 0 && [...started_].every((id) => ended.has(id)), text: `all ${started_.size} sessions ended and were flushed on disconnect` },
    {
      ok: starts.length > 0 && starts.every((e) => e.protocol_version === PROTOCOL && e.client_name !== undefined),
      text: `every session knows its client and protocol ${PROTOCOL}`,
    },
    { ok: report.toolCalls.errors > 0 && report.conversions.total > 0, text: `${report.toolCalls.errors} failed tool calls and ${report.conversions.total} conversions recorded` },
    {
      ok: report.toolExposure.neverCalled > 0 && report.unexposedTools.calls > 0 && report.intents.length > 0,
      text: `${report.toolExposure.neverCalled} listed tool never called, ${report.unexposedTools.calls} call to a tool the server does not expose, intents for ${report.intents.length} tools`,
    },
    { ok: otherStderr.length === 0, text: otherStderr.length === 0 ? "the servers wrote nothing else on stderr" : `unexpected server stderr:\n    ${otherStderr.join("\n    ")}` },
  ];
  out();
  out(bold("Checks"));
  for (const check of checks) out(`  ${check.ok ? green("✓") : red("✗")} ${check.text}`);

  out();
  out(`Files: ${display(EVENTS_FILE)}, ${display(WARNINGS_FILE)}, ${display(REPORT_FILE)} ${dim(`(open it in a browser) — ${Date.now() - started} ms`)}`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

process.exitCode = await main();
