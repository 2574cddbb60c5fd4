import { readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { SDK_VERSION } from "../version.js";
import { ReportInputError, computeReportFromFiles } from "./compute-report-from-files.js";
import { formatReportText } from "./format-text.js";
import { renderReportHtml } from "./render-html.js";
import { DEFAULT_TOP } from "./report-builder.js";

/** Where the CLI writes; the bin passes process streams, tests pass buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Read for the file `-`. Default `process.stdin`. */
  stdin?: Readable;
  /** The clock for relative times (`--since 7d`). Default `Date.now`. */
  now?: () => number;
}

/** The event file the FileSink writes by default, relative to the working directory. */
export const DEFAULT_EVENT_FILE = ".yavio/events.jsonl";

export const USAGE = `Usage: yavio-mcp report [options] [files...]

Reads yavio event files (JSON lines, as the local file sink writes them) and any structured
warning lines (as yavio logs them on stderr), and prints the figures an analytics dashboard shows:
tool calls, sessions, users, error rates, latency percentiles, platforms, time to first tool call,
funnel, conversions and revenue, parameter fill rates, warnings.

Files default to ${DEFAULT_EVENT_FILE} and every rotated predecessor next to it
(events.jsonl.1, .2, …), read oldest first. Use - for standard input. Events are deduplicated on
event_id; lines that are neither events nor warnings are counted, skipped and listed at the top.

Options:
  --json          print the report as JSON instead of tables
  --html FILE     also write a self-contained HTML page with charts to FILE
  --since TIME    only events at or after TIME
  --until TIME    only events before TIME
                  TIME is an ISO date or time (2026-03-01, 2026-03-01T09:00Z) or an age
                  such as 30m, 12h, 7d, 2w (that long before now)
  --top N         rows per ranked list (tools, users, clients, …) before one
                  "others" row with the rest's totals (default ${DEFAULT_TOP})
  -h, --help      show this help
  -v, --version   show the version

Exit codes: 0 success, 1 no events found (in the window), 2 usage error or unreadable file.
`;

/**
 * Runs `yavio-mcp <argv>` and resolves to the exit code: 0 on success, 1 when the inputs hold no
 * event (in the time window), 2 on a usage error or an unreadable input (with a message on
 * stderr). Never throws for bad input.
 *
 * @example
 * const code = await runCli(["report", "--json", "events.jsonl"], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help" || command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (command === "-v" || command === "--version") {
    io.stdout(`${SDK_VERSION}\n`);
    return 0;
  }
  if (command !== "report") {
    io.stderr(`${command === undefined ? "missing command" : `unknown command: ${command}`}\n\n${USAGE}`);
    return 2;
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "boolean" },
        html: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        top: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    io.stderr(`yavio-mcp report: ${(error as Error).message}\nSee yavio-mcp report --help.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.version === true) {
    io.stdout(`${SDK_VERSION}\n`);
    return 0;
  }
  if (values.html === "") {
    io.stderr("yavio-mcp report: --html needs a file name\n");
    return 2;
  }

  const now = (io.now ?? Date.now)();
  const since = values.since === undefined ? undefined : parseTime(values.since, now);
  const until = values.until === undefined ? undefined : parseTime(values.until, now);
  for (const [flag, text, ms] of [["--since", values.since, since], ["--until", values.until, until]] as const) {
    if (text !== undefined && ms === undefined) {
      io.stderr(`yavio-mcp report: ${flag} ${text}: not a time (use an ISO date or time, or an age such as 7d)\n`);
      return 2;
    }
  }
  if (since !== undefined && until !== undefined && since >= until) {
    io.stderr(`yavio-mcp report: --since must be before --until\n`);
    return 2;
  }
  let top = DEFAULT_TOP;
  if (values.top !== undefined) {
    top = Number(values.top);
    if (!/^\d+$/.test(values.top) || top < 1 || top > 10_000) {
      io.stderr(`yavio-mcp report: --top ${values.top}: a whole number from 1 to 10000\n`);
      return 2;
    }
  }

  const cwd = io.cwd ?? process.cwd();
  const files = positionals.length > 0 ? positionals : defaultFiles(cwd);
  const paths = files.map((f) => (f === "-" ? f : resolve(cwd, f)));
  let report;
  try {
    report = await computeReportFromFiles(paths, {
      ...(io.stdin === undefined ? {} : { stdin: io.stdin }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      top,
    });
  } catch (error) {
    if (!(error instanceof ReportInputError)) throw error;
    const hint =
      positionals.length === 0
        ? ` (no files given, so the default ${DEFAULT_EVENT_FILE} was used; pass event files as arguments)`
        : "";
    io.stderr(`yavio-mcp report: ${error.message}${hint}\n`);
    return 2;
  }
  // Show the names as the user typed them, not as resolved.
  report.inputs.forEach((input, i) => {
    input.name = files[i] === "-" ? "<stdin>" : (files[i] ?? input.name);
  });
  for (const sample of report.badLineSamples) {
    const i = paths.indexOf(sample.input);
    if (i >= 0) sample.input = files[i] ?? sample.input;
  }

  if (values.html !== undefined) {
    const target = resolve(cwd, values.html);
    try {
      await writeFile(target, renderReportHtml(report), "utf8");
    } catch (error) {
      io.stderr(`yavio-mcp report: cannot write ${values.html}: ${(error as Error).message}\n`);
      return 2;
    }
    io.stderr(`HTML report written to ${values.html}\n`);
  }
  const noEvents = report.totals.events === 0;
  if (values.json === true) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (!noEvents || report.totals.warningLines > 0) io.stdout(formatReportText(report));
  if (noEvents) {
    const t = report.totals;
    const why = [
      `${t.lines} non-blank line${t.lines === 1 ? "" : "s"} read`,
      ...(t.badLines > 0 ? [`${t.badLines} bad (${report.badLineSamples[0]?.reason ?? "unreadable"} …)`] : []),
      ...(t.warningLines > 0 ? [`${t.warningLines} warning line${t.warningLines === 1 ? "" : "s"}`] : []),
      ...(report.window.outside > 0 ? [`${report.window.outside} outside the time window`] : []),
    ].join(", ");
    io.stderr(`yavio-mcp report: no events found in ${files.join(", ")} (${why})\n`);
    return 1;
  }
  return 0;
}

/** An ISO date or time, or an age ("30m", "12h", "7d", "2w") before `now`; undefined if neither. */
export function parseTime(text: string, now: number): number | undefined {
  const age = /^(\d+)(m|h|d|w)$/.exec(text.trim());
  if (age !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[age[2] as "m" | "h" | "d" | "w"];
    return now - Number(age[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The default event file and every rotated predecessor that exists (`<file>.1` is the newest,
 * higher numbers are older: see the FileSink), oldest first, whatever the retention count.
 */
function defaultFiles(cwd: string): string[] {
  const dir = resolve(cwd, dirname(DEFAULT_EVENT_FILE));
  const prefix = `${basename(DEFAULT_EVENT_FILE)}.`;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No directory: the read below reports the missing default file.
  }
  const rotated = names
    .filter((n) => n.startsWith(prefix) && /^[1-9]\d*$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => b - a)
    .map((i) => `${DEFAULT_EVENT_FILE}.${i}`);
  return [...rotated, DEFAULT_EVENT_FILE];
}
