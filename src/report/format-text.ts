import { formatCount } from "./format-number.js";
import type { Report } from "./report.js";
import type { ReportTable } from "./report-tables.js";
import { reportTables } from "./report-tables.js";

/** Longest cell shown in a text table; longer names are cut with "…". */
const MAX_CELL = 60;
const MAX_LAST_CELL = 160;

/**
 * The report as aligned plain-text tables (what `yavio-mcp report` prints).
 *
 * @example
 * const text = formatReportText(await computeReportFromFiles(["events.jsonl"]));
 */
export function formatReportText(report: Report): string {
  const inputs = report.inputs.length;
  const head =
    `yavio-mcp report: ${inputs} input${inputs === 1 ? "" : "s"}, ` +
    `${plural(report.totals.events, "event")}, ${plural(report.totals.duplicates, "duplicate")} and ` +
    `${plural(report.totals.badLines, "bad line")} skipped`;
  return `${head}\n\n${reportTables(report).map(renderTable).join("\n")}`;
}

function renderTable(table: ReportTable): string {
  let out = `${table.title}\n`;
  if (table.rows.length === 0) return `${out}  ${table.empty}\n`;
  const last = table.columns.length - 1;
  // The last column is not padded, so a long meaning or name there costs no alignment.
  const rows = table.rows.map((r) => r.map((c, i) => cell(c, i === last ? MAX_LAST_CELL : MAX_CELL)));
  const headers = table.columns.map((c) => c.header);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    `  ${cells
      .map((c, i) => (table.columns[i]?.align === "right" ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()}\n`;
  out += line(headers);
  out += line(widths.map((w) => "-".repeat(w)));
  for (const r of rows) out += line(r);
  if (table.note !== undefined) out += `  ${table.note}\n`;
  return out;
}

/** Names come from the event file: keep control characters from breaking the layout. */
function cell(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}
