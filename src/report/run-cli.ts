import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { SDK_VERSION } from "../version.js";
import { ReportInputError, computeReportFromFiles } from "./compute-report-from-files.js";
import { formatReportText } from "./format-text.js";
import { renderReportHtml } from "./render-html.js";

/** Where the CLI writes; the bin passes process streams, tests pass buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Read for the file `-`. Default `process.stdin`. */
  stdin?: Readable;
}

/** The event file the FileSink writes by default, relative to the working directory. */
export const DEFAULT_EVENT_FILE = ".yavio/events.jsonl";

export const USAGE = `Usage: yavio-mcp report [options] [files...]

Reads yavio event files (JSON lines, as the local file sink writes them) and any structured
warning lines (as yavio logs them on stderr), and prints the figures an analytics dashboard shows:
tool calls, sessions, users, error rates, latency percentiles, platforms, time to first tool call,
funnel, conversions and revenue, parameter fill rates, warnings.

Files default to ${DEFAULT_EVENT_FILE}. Use - for standard input. Events are deduplicated on
event_id; lines that are neither events nor warnings are counted and skipped.

Options:
  --json          print the report as JSON instead of tables
  --html FILE     also write a self-contained HTML page with charts to FILE
  -h, --help      show this help
  -v, --version   show the version

Exit codes: 0 success, 2 usage error or unreadable file.
`;

/**
 * Runs `yavio-mcp <argv>` and resolves to the exit code: 0 on success, 2 on a usage error or an
 * unreadable input (with a message on stderr). Never throws for bad input.
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

  const cwd = io.cwd ?? process.cwd();
  const files = positionals.length > 0 ? positionals : defaultFiles(cwd);
  const paths = files.map((f) => (f === "-" ? f : resolve(cwd, f)));
  let report;
  try {
    report = await computeReportFromFiles(paths, io.stdin === undefined ? {} : { stdin: io.stdin });
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
  io.stdout(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report));
  return 0;
}

/** The default event file and its rotated predecessors (`.1` newest … `.9`), oldest first. */
function defaultFiles(cwd: string): string[] {
  const rotated: string[] = [];
  for (let i = 9; i >= 1; i--) {
    const name = `${DEFAULT_EVENT_FILE}.${i}`;
    if (existsSync(resolve(cwd, name))) rotated.push(name);
  }
  return [...rotated, DEFAULT_EVENT_FILE];
}
