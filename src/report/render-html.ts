import { escapeHtml } from "./escape-html.js";
import { cutName, displayWidth, formatCount, formatDuration, formatMoney, formatMs, formatRate } from "./format-number.js";
import type { Report } from "./report.js";
import type { ReportSection, ReportTable } from "./report-tables.js";
import { badLinesText, reportSections } from "./report-tables.js";
import { renderChart } from "./svg-charts.js";

/** Columns a name keeps in an HTML table before "…"; the full name is its tooltip. */
export const HTML_NAME_WIDTH = 40;
const HTML_HEADER_NAME_WIDTH = 24;

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2433;--muted:#596273;--bg:#fff;--card:#f4f6fa;--line:#dde2ea;--notice:#fff4d6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3acbd;--bg:#14171d;--card:#1d222b;--line:#2d3440;--notice:#3a3120}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
header,main{max-width:1100px;margin:0 auto;padding:0 14px}
header{padding-top:18px}
@media (min-width:700px){header,main{padding:0 32px}header{padding-top:24px}}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 8px;padding-top:10px;border-top:1px solid var(--line)}
.sub{color:var(--muted);margin:0 0 12px}
nav ul{list-style:none;margin:0 0 8px;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px}
a{color:inherit}
.notice{background:var(--notice);border-radius:6px;padding:8px 12px;margin:12px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:var(--card);border-radius:8px;padding:10px 14px;flex:1 1 140px;max-width:260px}
.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
.table-wrap{overflow-x:auto;max-width:100%;margin:6px 0 4px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:2px 0 6px;position:sticky;left:0;max-width:calc(100vw - 28px)}
th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-weight:600;color:var(--muted)}td.r,th.r{text-align:right}
td.n,th.n{max-width:min(42vw,340px);overflow:hidden;text-overflow:ellipsis}
.empty,.note{color:var(--muted);margin:4px 0 12px}
svg.chart{display:block;width:100%;max-width:760px;margin:14px 0 4px;padding:0 4px;font-size:12px}
svg.chart text{fill:var(--fg);font-size:12px}
svg.chart text.axis{fill:var(--muted);font-size:11px}
svg.chart .track{fill:var(--line)}
svg.chart .baseline{stroke:var(--muted);stroke-width:1}
svg.chart .grid{stroke:var(--line);stroke-width:1;stroke-dasharray:3 3}
`;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts,
 * fonts, images or links to anything outside the file. Every chart is followed by its table (its
 * text alternative), and the tables hold the same figures as the text output.
 *
 * @example
 * await writeFile("report.html", renderReportHtml(report));
 */
export function renderReportHtml(report: Report): string {
  let sections = reportSections(report);
  const empty = report.totals.events === 0;
  if (empty) sections = sections.filter((s) => s.id === "inputs" || (s.id === "warnings" && report.totals.warningLines > 0));
  const main: string[] = [];
  const bad = badLinesText(report);
  if (empty) main.push(`<p class="notice" role="status"><strong>No events found.</strong> ${escapeHtml(emptyReason(report))}</p>`);
  if (bad !== "") main.push(`<p class="notice">${escapeHtml(bad)}</p>`);
  if (report.window.since !== null || report.window.until !== null) {
    main.push(
      `<p class="notice">Limited to ${escapeHtml(report.window.since ?? "…")} .. ${escapeHtml(report.window.until ?? "…")}: ${formatCount(report.window.outside)} events and warnings outside it were skipped.</p>`,
    );
  }
  if (!empty) main.push(cards(report));
  for (const section of sections) main.push(renderSection(section));
  const nav =
    sections.length > 1
      ? `<nav aria-label="Sections"><ul>${sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join("")}</ul></nav>`
      : "";
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>yavio-mcp report</title><style>${STYLE}</style></head>\n<body>\n` +
    `<header><h1>yavio-mcp report</h1><p class="sub">${escapeHtml(subtitle(report))}</p>${nav}</header>\n` +
    `<main>\n${main.join("\n")}\n</main>\n</body></html>\n`
  );
}

function emptyReason(report: Report): string {
  const t = report.totals;
  const parts = [`${formatCount(t.lines)} non-blank lines read`];
  if (t.badLines > 0) parts.push(`${formatCount(t.badLines)} bad`);
  if (t.warningLines > 0) parts.push(`${formatCount(t.warningLines)} warning lines`);
  if (report.window.outside > 0) parts.push(`${formatCount(report.window.outside)} outside the time window`);
  return `${parts.join(", ")}. Point the report at the event file your server writes (default .yavio/events.jsonl).`;
}

function subtitle(report: Report): string {
  const range = report.timeRange.first === null ? "no events" : `${report.timeRange.first} .. ${report.timeRange.last ?? ""}`;
  const names = report.inputs.map((i) => i.name);
  const inputs = names.length === 0 ? "no input" : names.length <= 3 ? names.join(", ") : `${names.length} inputs`;
  return `${inputs} · ${formatCount(report.totals.events)} events · ${range}`;
}

function cards(report: Report): string {
  const items: [string, string][] = [
    ["Tool calls", formatCount(report.toolCalls.total)],
    ["Unique sessions", formatCount(report.sessions.unique)],
    ["Identified users", formatCount(report.identifiedUsers)],
    ["Tool error rate", formatRate(report.toolCalls.errorRate)],
    ["Tool latency p95 (ms)", formatMs(report.toolCalls.latency.p95, report.toolCalls.latency.method === "sketch")],
    ["Session duration p50", formatDuration(report.sessions.duration.p50)],
    ["Session-to-conversion", formatRate(report.conversions.sessionToConversionRate)],
    ...report.conversions.byCurrency.slice(0, 3).map((c): [string, string] => [`Revenue ${cutName(c.currency, 12)}`, formatMoney(c.revenue, c.currency)]),
    ["Warnings", formatCount(report.totals.warningLines)],
  ];
  return `<div class="cards">${items
    .map(([k, v]) => `<div class="card"><div class="v">${escapeHtml(v)}</div><div class="k">${escapeHtml(k)}</div></div>`)
    .join("")}</div>`;
}

function renderSection(section: ReportSection): string {
  const parts = [`<section id="${section.id}" aria-labelledby="${section.id}-h"><h2 id="${section.id}-h">${escapeHtml(section.title)}</h2>`];
  for (const table of section.tables) {
    if (table.rows.length > 0 && table.chart !== undefined) parts.push(renderChart(table.chart, `${table.id}-chart`));
    parts.push(htmlTable(table));
  }
  parts.push("</section>");
  return parts.join("\n");
}

/** A cell with a name cut to `max` columns, the full name on hover. */
function nameHtml(text: string, max: number): string {
  const shown = cutName(text, max);
  // On a narrow screen CSS may cut a shorter name too: any name past a dozen columns gets its tooltip.
  return shown === text && displayWidth(text) <= 12 ? escapeHtml(text) : `<span title="${escapeHtml(text)}">${escapeHtml(shown)}</span>`;
}

function htmlTable(table: ReportTable): string {
  if (table.rows.length === 0) {
    return `<p class="empty" id="${table.id}"><strong>${escapeHtml(table.caption)}:</strong> ${escapeHtml(table.empty)}</p>`;
  }
  const cls = (i: number, header = false): string => {
    const c = table.columns[i];
    const names = [c?.align === "right" ? "r" : "", (header ? c?.headerIsName : c?.name) === true ? "n" : ""].filter((x) => x !== "");
    return names.length === 0 ? "" : ` class="${names.join(" ")}"`;
  };
  const head = table.columns
    .map((c, i) => `<th scope="col"${cls(i, true)}>${c.headerIsName === true ? nameHtml(c.header, HTML_HEADER_NAME_WIDTH) : escapeHtml(c.header)}</th>`)
    .join("");
  const rows = table.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${cls(i)}>${table.columns[i]?.name === true ? nameHtml(c, HTML_NAME_WIDTH) : escapeHtml(c)}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const note = table.note === undefined ? "" : `<p class="note">${escapeHtml(table.note)}</p>`;
  return (
    `<div class="table-wrap" role="region" aria-labelledby="${table.id}-c" tabindex="0">` +
    `<table id="${table.id}"><caption id="${table.id}-c">${escapeHtml(table.caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>${note}`
  );
}
