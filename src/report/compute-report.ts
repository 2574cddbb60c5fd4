import type { Report } from "./report.js";
import { ReportBuilder } from "./report-builder.js";
import type { ReportBuilderOptions } from "./report-builder.js";

/**
 * Computes the report from JSON lines (events and structured warnings, in any mix), one line at
 * a time: the input is never held whole. `options` limit it to a time window and set how many
 * rows ranked lists keep (default 20).
 *
 * @example
 * const report = await computeReport(readLines(".yavio/events.jsonl"));
 * report.toolCalls.total;
 */
export async function computeReport(
  lines: AsyncIterable<string> | Iterable<string>,
  input = "<input>",
  options: ReportBuilderOptions = {},
): Promise<Report> {
  const builder = new ReportBuilder(options);
  await builder.addLines(lines, input);
  return builder.finish();
}
