import { cutName, displayWidth, formatCount } from "./format-number.js";
import type { Report } from "./report.js";
import type { ReportSection, ReportTable } from "./report-tables.js";
import { badLinesText, reportSections } from "./report-tables.js";

const MAX_CELL = 60;
const MAX_LAST_CELL = 160;

/**
 * The report as aligned plain-text tables (what `yavio-mcp report` prints). A report without
 * events prints only its head, the bad lines and the inputs.
 *
 * @example
 * const text = formatReportText(await computeReportFromFiles(["events.jsonl"]));
 */
export function formatReportText(report: Report): string {
  const inputs = report.inputs.length;
  let head =
    `yavio-mcp report: ${inputs} input${inputs === 1 ? "" : "s"}, ` +
    `${plural(report.totals.events, "event")}, ${plural(report.totals.duplicates, "duplicate")} and ` +
    `${plural(report.totals.badLines, "bad line")} skipped`;
  if (report.window.since !== null || report.window.until !== null) {
    head += `\nTime window ${report.window.since ?? "…"} .. ${report.window.until ?? "…"}: ${plural(report.window.outside, "event or warning")} outside it skipped`;
  }
  const bad = badLinesText(report);
  if (bad !== "") head += `\n${cell(bad, 400)}`;
  let sections = reportSections(report);
  if (report.totals.events === 0) {
    head += "\nNo events found.";
    sections = sections.filter((s) => s.id === "inputs" || (s.id === "warnings" && report.totals.warningLines > 0));
  }
  return `${head}\n\n${sections.map(renderSection).join("\n")}`;
}

function renderSection(section: ReportSection): string {
  return `${section.title}\n${"=".repeat(displayWidth(section.title))}\n${section.tables.map(renderTable).join("\n")}`;
}

function renderTable(table: ReportTable): string {
  let out = `${table.caption}\n`;
  if (table.rows.length === 0) return `${out}  ${table.empty}\n`;
  const last = table.columns.length - 1;
  // The last column is not padded, so a long meaning or name there costs no alignment.
  const rows = table.rows.map((r) => r.map((c, i) => cell(c, i === last ? MAX_LAST_CELL : MAX_CELL)));
  const headers = table.columns.map((c) => cell(c.header, c.headerIsName === true ? 24 : MAX_CELL));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const pad = (c: string, i: number): string => {
    const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c)));
    return table.columns[i]?.align === "right" ? fill + c : c + fill;
  };
  const line = (cells: string[]): string => `  ${cells.map(pad).join("  ").trimEnd()}\n`;
  out += line(headers);
  out += line(widths.map((w) => "-".repeat(w)));
  for (const r of rows) out += line(r);
  if (table.note !== undefined) out += `  ${table.note}\n`;
  return out;
}

/** Names come from the event file: cut long ones, keep control characters from breaking lines. */
function cell(text: string, max: number): string {
  return cutName(text, max);
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}
