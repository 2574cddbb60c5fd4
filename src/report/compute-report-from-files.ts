import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { readLines } from "./read-lines.js";
import type { Report } from "./report.js";
import { ReportBuilder } from "./report-builder.js";
import type { ReportBuilderOptions } from "./report-builder.js";

/** A file could not be read; the CLI turns it into exit code 2. */
export class ReportInputError extends Error {
  override readonly name = "ReportInputError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ComputeReportFromFilesOptions extends ReportBuilderOptions {
  /** Read for the path `-`. Default `process.stdin`. */
  stdin?: Readable;
}

/**
 * Reads the files one after another into one report; `-` is standard input. Every path is checked
 * before any is read, so an unreadable file fails fast with a {@link ReportInputError}.
 *
 * @example
 * const report = await computeReportFromFiles([".yavio/events.jsonl", "warnings.jsonl"]);
 */
export async function computeReportFromFiles(
  paths: readonly string[],
  options: ComputeReportFromFilesOptions = {},
): Promise<Report> {
  for (const path of paths) {
    if (path === "-") continue;
    try {
      await access(path, constants.R_OK);
      // Pipes and /dev/stdin are fine (report <(zcat events.gz)); a directory is not.
      if ((await stat(path)).isDirectory()) throw new Error("is a directory");
    } catch (error) {
      throw new ReportInputError(path, `cannot read ${path}: ${describe(error)}`);
    }
  }
  const builder = new ReportBuilder(options);
  for (const path of paths) {
    const source = path === "-" ? (options.stdin ?? process.stdin) : path;
    try {
      await builder.addLines(readLines(source), path === "-" ? "<stdin>" : path);
    } catch (error) {
      throw new ReportInputError(path, `cannot read ${path}: ${describe(error)}`);
    }
  }
  return builder.finish();
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : error.message;
  }
  return String(error);
}
