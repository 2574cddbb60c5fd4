import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USAGE, computeReportFromFiles, runCli } from "../../src/report/index.js";
import type { Report } from "../../src/report/index.js";
import { KNOWN_ROWS, knownEventFile, warningLines } from "../fixtures/report/events.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real bin entry in a child process, as a user runs it. */
async function cli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The same entry in-process, for the cases that need no real process. */
async function inProcess(args: string[], options: { cwd?: string; stdin?: Readable; now?: () => number } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...options,
  });
  return { code, stdout, stderr };
}

describe("yavio-mcp report", () => {
  let dir: string;
  let events: string;
  let warnings: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "yavio-report-cli-"));
    events = join(dir, "events.jsonl");
    warnings = join(dir, "warnings.jsonl");
    await writeFile(events, knownEventFile());
    await writeFile(warnings, `${warningLines().join("\n")}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the figures as aligned tables and exits 0", async () => {
    const result = await cli(["report", events, warnings]);
    expect(result.code).toBe(0);
    for (const row of KNOWN_ROWS) expect(result.stdout).toMatch(row);
    expect(result.stdout).toMatch(/^yavio-mcp report: 2 inputs, 48 events, 3 duplicates and 5 bad lines skipped/);
  });

  it("prints the report object as JSON with --json", async () => {
    const result = await cli(["report", "--json", events, warnings]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.toolCalls.total).toBe(16);
    expect(report.inputs.map((i) => i.name)).toEqual([events, warnings]);
    expect(report.conversions.byCurrency[0]).toEqual({ currency: "USD", conversions: 3, revenue: 59.97 });
    expect(report.warnings.map((w) => [w.code, w.count])).toEqual([["YAVIO-1302", 2], ["YAVIO-1305", 1]]);
  });

  it("writes a self-contained HTML page with --html and still prints the tables", async () => {
    const target = join(dir, "report.html");
    const result = await cli(["report", events, warnings, "--html", target]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`HTML report written to ${target}`);
    expect(result.stdout).toMatch(/Tool calls\s+16/);
    const html = await readFile(target, "utf8");
    expect(html).not.toMatch(/<script src|<link|@import|https?:\/\//i);
    expect(html).toContain("59.97 USD");
    expect(html).toContain("<svg");
  });

  it("exits 2 with a message on stderr for a file that does not exist", async () => {
    const result = await cli(["report", join(dir, "nope.jsonl")]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/cannot read .*nope\.jsonl: no such file/);
  });

  it("exits 2 for an unknown option", async () => {
    const result = await cli(["report", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--bogus'/);
  });

  it("prints usage with --help and exits 0", async () => {
    const result = await cli(["report", "--help"]);
    expect(result).toEqual({ code: 0, stdout: USAGE, stderr: "" });
  });

  it.each([[[]], [["frobnicate"]]])("exits 2 with usage for the command line %j", async (args) => {
    const result = await inProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: yavio-mcp report");
  });

  it("reads .yavio/events.jsonl when no file is given", async () => {
    const project = join(dir, "project");
    await mkdir(join(project, ".yavio"), { recursive: true });
    await writeFile(join(project, ".yavio", "events.jsonl"), knownEventFile());
    const result = await inProcess(["report", "--json"], { cwd: project });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).inputs[0]?.name).toBe(".yavio/events.jsonl");
  });

  it("also reads the rotated files of the default event file, oldest first", async () => {
    const project = join(dir, "rotated");
    await mkdir(join(project, ".yavio"), { recursive: true });
    const lines = knownEventFile().trim().split("\n");
    const half = Math.floor(lines.length / 2);
    await writeFile(join(project, ".yavio", "events.jsonl.1"), `${lines.slice(0, half).join("\n")}\n`);
    await writeFile(join(project, ".yavio", "events.jsonl"), `${lines.slice(half).join("\n")}\n`);
    const single = join(dir, "single");
    await mkdir(join(single, ".yavio"), { recursive: true });
    await writeFile(join(single, ".yavio", "events.jsonl"), knownEventFile());
    const whole = await inProcess(["report", "--json"], { cwd: single });
    const result = await inProcess(["report", "--json"], { cwd: project });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.inputs.map((i) => i.name)).toEqual([".yavio/events.jsonl.1", ".yavio/events.jsonl"]);
    expect(report.toolCalls).toEqual((JSON.parse(whole.stdout) as Report).toolCalls);
  });

  it("exits 2 and names the default when .yavio/events.jsonl is missing", async () => {
    const result = await inProcess(["report"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no files given, so the default \.yavio\/events\.jsonl was used/);
  });

  it("exits 2 when a directory is given as a file", async () => {
    const result = await inProcess(["report", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a directory/);
  });

  it("reads standard input for -", async () => {
    const result = await inProcess(["report", "--json", "-"], { stdin: Readable.from([knownEventFile()]) });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.inputs[0]?.name).toBe("<stdin>");
    expect(report.totals.events).toBe(48);
  });

  it("exits 2 when the HTML file cannot be written", async () => {
    const result = await inProcess(["report", events, "--html", join(dir, "missing-dir", "r.html")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write/);
  });

  it.each([
    ["an empty file", ""],
    ["a binary file", "\u0000\u0001\u0002\u00ff\ufffd\u0007"],
    ["a file of non-JSON lines", "hello\nworld\n"],
  ])("exits 1 with a clear message for %s, printing no tables of zeros", async (_label, content) => {
    const file = join(dir, "no-events.jsonl");
    await writeFile(file, content);
    const result = await inProcess(["report", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^yavio-mcp report: no events found in .*no-events\.jsonl \(\d+ non-blank lines? read/);
  });

  it("still prints the JSON and writes the HTML page when there are no events, and exits 1", async () => {
    const file = join(dir, "empty.jsonl");
    await writeFile(file, "");
    const target = join(dir, "empty.html");
    const result = await inProcess(["report", "--json", file, "--html", target]);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as Report).totals).toMatchObject({ lines: 0, events: 0, badLines: 0 });
    expect(await readFile(target, "utf8")).toContain("No events found.");
  });

  it("exits 1 from the real bin when no event is valid", async () => {
    const file = join(dir, "bad.jsonl");
    await writeFile(file, "not json\n{}\n");
    const result = await cli(["report", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no events found .*2 non-blank lines read, 2 bad/);
  });

  it("limits the report to --since and --until (ISO times), counting what fell outside", async () => {
    // The known events run from 10:00:00 to 10:00:07; keep 10:00:01 up to (not incl.) 10:00:02.
    const result = await inProcess(["report", "--json", events, "--since", "2026-03-01T10:00:01Z", "--until", "2026-03-01T10:00:02.000Z"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.window).toEqual({ since: "2026-03-01T10:00:01.000Z", until: "2026-03-01T10:00:02.000Z", outside: 48 - report.totals.events });
    // s2's events (10:00:01.000 to 10:00:01.970) only.
    expect(report.sessions.unique).toBe(1);
    expect(report.toolCalls.total).toBe(5);
    expect(report.timeRange).toEqual({ first: "2026-03-01T10:00:01.000Z", last: "2026-03-01T10:00:01.970Z" });
  });

  it("reads --since 2h as two hours before now", async () => {
    const now = Date.parse("2026-03-01T12:00:03.500Z");
    const result = await inProcess(["report", "--json", events, "--since", "2h"], { now: () => now });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.window.since).toBe("2026-03-01T10:00:03.500Z");
    // Inclusive: the conversion at exactly 10:00:03.500 counts.
    expect(report.timeRange.first).toBe("2026-03-01T10:00:03.500Z");
  });

  it("exits 1 when every event lies outside the window, and says so", async () => {
    const result = await inProcess(["report", events, "--since", "2027-01-01"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no events found .*48 outside the time window/);
  });

  it.each([
    [["--since", "yesterday"], /--since yesterday: not a time/],
    [["--until", "7x"], /--until 7x: not a time/],
    [["--since", "2026-03-02", "--until", "2026-03-01"], /--since must be before --until/],
    [["--top", "0"], /--top 0: a whole number from 1 to 10000/],
    [["--top", "ten"], /--top ten: a whole number/],
  ])("exits 2 for %j", async (args, message) => {
    const result = await inProcess(["report", events, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("keeps --top rows and sums the rest into one others row, in the JSON and the text", async () => {
    const json = JSON.parse((await inProcess(["report", "--json", "--top", "1", events])).stdout) as Report;
    expect(json.tools.map((t) => t.name)).toEqual(["search"]);
    expect(json.otherTools).toMatchObject({ name: "others (2)", names: 2, calls: 6, errors: 2, errorRate: 2 / 6 });
    expect(json.otherTools?.latency).toMatchObject({ count: 6, p50: 100, max: 400 });
    const text = (await inProcess(["report", "--top", "1", events])).stdout;
    expect(text).toMatch(/others \(2\)\s+6\s+37\.5%\s+2\s+33\.3%\n/);
    expect(text).toContain("The top 1 tools by calls; the others are summed in the last row.");
  });
});

describe("the default event file's rotated predecessors", () => {
  it("reads every <file>.<N> that exists, however many, oldest (highest N) first", async () => {
    const project = await mkdtemp(join(tmpdir(), "yavio-rotated-"));
    await mkdir(join(project, ".yavio"));
    const lines = knownEventFile().trim().split("\n");
    // 13 rotated files (more than any fixed guess), a gap at .7, and names that are not rotations.
    const numbers = [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14];
    const chunk = Math.ceil(lines.length / (numbers.length + 1));
    const parts = Array.from({ length: numbers.length + 1 }, (_, i) => lines.slice(i * chunk, (i + 1) * chunk));
    // The oldest lines go to the highest number, the newest to the live file.
    for (const [i, n] of [...numbers].reverse().entries()) {
      await writeFile(join(project, ".yavio", `events.jsonl.${n}`), `${parts[i]!.join("\n")}\n`);
    }
    await writeFile(join(project, ".yavio", "events.jsonl"), `${parts[numbers.length]!.join("\n")}\n`);
    await writeFile(join(project, ".yavio", "events.jsonl.bak"), "not read\n");
    await writeFile(join(project, ".yavio", "events.jsonl.01"), "not read\n");
    await writeFile(join(project, ".yavio", "other.jsonl.1"), "not read\n");
    const result = await inProcess(["report", "--json"], { cwd: project });
    await rm(project, { recursive: true, force: true });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.inputs.map((i) => i.name)).toEqual([
      ...[...numbers].reverse().map((n) => `.yavio/events.jsonl.${n}`),
      ".yavio/events.jsonl",
    ]);
    const single = join(tmpdir(), `yavio-single-${process.pid}.jsonl`);
    await writeFile(single, knownEventFile());
    const whole = JSON.parse((await inProcess(["report", "--json", single])).stdout) as Report;
    await rm(single);
    expect(report.totals).toEqual(whole.totals);
    expect(report.toolCalls).toEqual(whole.toolCalls);
    expect(report.badLineSamples.map((b) => b.input)).not.toContain(".yavio/events.jsonl.bak");
  });
});

describe("pipes as input", () => {
  it("reads a named pipe (as `report <(zcat events.gz)` gives)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yavio-fifo-"));
    const fifo = join(dir, "events.pipe");
    await run("mkfifo", [fifo]);
    const event = { event_id: "p1", event_type: "tool_call", session_id: "s", trace_id: "t", timestamp: "2026-01-01T00:00:00.000Z", source: "server", sdk_version: "0", tool_name: "t", status: "success" };
    // Both ends open asynchronously: a synchronous write would block before the reader opens.
    const [report] = await Promise.all([computeReportFromFiles([fifo]), writeFile(fifo, `${JSON.stringify(event)}\n`)]);
    await rm(dir, { recursive: true, force: true });
    expect(report.toolCalls.total).toBe(1);
  });
});
