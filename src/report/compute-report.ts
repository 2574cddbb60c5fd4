import type { Report } from "./report.js";
import { ReportBuilder } from "./report-builder.js";

/**
 * Computes the report from JSON lines (events and structured warnings, in any mix), one line at
 * a time: the input is never held whole.
 *
 * @example
 * const report = await computeReport(readLines(".yavio/events.jsonl"));
 * report.toolCalls.total;
 */
export async function computeReport(
  lines: AsyncIterable<string> | Iterable<string>,
  input = "<input>",
): Promise<Report> {
  const builder = new ReportBuilder();
  await builder.addLines(lines, input);
  return builder.finish();
}
