import { escapeHtml } from "./escape-html.js";
import { formatCount, formatMoney, formatMs, formatRate } from "./format-number.js";
import type { Report } from "./report.js";
import type { ReportTable } from "./report-tables.js";
import { reportTables } from "./report-tables.js";
import { svgBarChart } from "./svg-bar-chart.js";

const BLUE = "#3b6fd8";
const RED = "#d8553b";
const GREEN = "#2f9e6e";
const GREY = "#8a94a6";

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2433;--muted:#5d6677;--bg:#fff;--card:#f4f6fa;--line:#dde2ea}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3acbd;--bg:#14171d;--card:#1d222b;--line:#2d3440}}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:14px;margin:16px 0 4px;color:var(--muted);font-weight:600}
.sub{color:var(--muted);margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:var(--card);border-radius:8px;padding:10px 14px;min-width:130px}
.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left}
th{font-weight:600;color:var(--muted)}td.r,th.r{text-align:right}
.empty,.note{color:var(--muted)}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
svg .label,svg .value,svg .legend{font-size:12px;fill:var(--fg)}
`;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG bar charts, no scripts,
 * fonts, images or links to anything outside the file. The tables hold the same figures as the
 * text output.
 *
 * @example
 * await writeFile("report.html", renderReportHtml(report));
 */
export function renderReportHtml(report: Report): string {
  const tables = reportTables(report);
  const body: string[] = [];
  body.push(
    "<h1>yavio-mcp report</h1>",
    `<p class="sub">${escapeHtml(subtitle(report))}</p>`,
    cards(report),
  );
  for (const table of tables) {
    if (table.id === "overview") continue;
    body.push(`<section id="${table.id}"><h2>${escapeHtml(table.title)}</h2>`, charts(table.id, report), htmlTable(table), "</section>");
  }
  body.push(`<section id="overview"><h2>All figures</h2>${htmlTable(tables[0] as ReportTable)}</section>`);
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>yavio-mcp report</title><style>${STYLE}</style></head>\n<body>\n${body.join("\n")}\n</body></html>\n`
  );
}

function subtitle(report: Report): string {
  const range = report.timeRange.first === null ? "no events" : `${report.timeRange.first} .. ${report.timeRange.last ?? ""}`;
  return `${report.inputs.map((i) => i.name).join(", ") || "no input"} · ${formatCount(report.totals.events)} events · ${range}`;
}

function cards(report: Report): string {
  const ttf = report.timeToFirstToolCall;
  const items: [string, string][] = [
    ["Tool calls", formatCount(report.toolCalls.total)],
    ["Unique sessions", formatCount(report.sessions.unique)],
    ["Identified users", formatCount(report.identifiedUsers)],
    ["Tool error rate", formatRate(report.toolCalls.errorRate)],
    ["Tool latency p95 (ms)", formatMs(report.toolCalls.latency.p95, report.toolCalls.latency.method === "sketch")],
    ["First tool call, median (ms)", formatMs(ttf.medianMs, ttf.method === "sketch")],
    ["Session-to-conversion", formatRate(report.conversions.sessionToConversionRate)],
    ...report.conversions.byCurrency.map((c): [string, string] => [`Revenue ${c.currency}`, formatMoney(c.revenue, c.currency)]),
    ["Warnings", formatCount(report.totals.warningLines)],
  ];
  return `<div class="cards">${items
    .map(([k, v]) => `<div class="card"><div class="v">${escapeHtml(v)}</div><div class="k">${escapeHtml(k)}</div></div>`)
    .join("")}</div>`;
}

function charts(id: string, report: Report): string {
  const out: string[] = [];
  const chart = (title: string, svg: string): void => {
    if (svg !== "") out.push(`<h3>${escapeHtml(title)}</h3>`, svg);
  };
  switch (id) {
    case "tools": {
      const tools = report.tools;
      chart(
        "Top tools by calls",
        svgBarChart({
          title: "Top tools by calls",
          series: [{ name: "calls", color: BLUE }],
          rows: tools.map((t) => ({ label: t.name, values: [t.calls], text: `${formatCount(t.calls)} (${formatRate(t.share)})` })),
        }),
      );
      chart(
        "Latency per tool (ms)",
        svgBarChart({
          title: "Latency per tool (ms)",
          series: [
            { name: "p50", color: BLUE },
            { name: "p95", color: GREY },
            { name: "p99", color: RED },
          ],
          rows: tools
            .filter((t) => t.latency.count > 0)
            .map((t) => {
              const approx = t.latency.method === "sketch";
              return {
                label: t.name,
                values: [t.latency.p50, t.latency.p95, t.latency.p99],
                text: `${formatMs(t.latency.p50, approx)} / ${formatMs(t.latency.p95, approx)} / ${formatMs(t.latency.p99, approx)}`,
              };
            }),
        }),
      );
      chart(
        "Error rate per tool",
        svgBarChart({
          title: "Error rate per tool",
          series: [{ name: "error rate", color: RED }],
          rows: tools.map((t) => ({ label: t.name, values: [t.errorRate], text: `${formatRate(t.errorRate)} (${formatCount(t.errors)})` })),
        }),
      );
      break;
    }
    case "error-categories":
      chart(
        "Errors by category",
        svgBarChart({
          title: "Errors by category",
          series: [{ name: "errors", color: RED }],
          rows: report.errorCategories.map((c) => ({ label: c.category, values: [c.errors], text: `${formatCount(c.errors)} (${formatRate(c.shareOfErrors)})` })),
        }),
      );
      break;
    case "platforms":
    case "transports": {
      const rows = id === "platforms" ? report.platforms : report.transports;
      chart(
        id === "platforms" ? "Sessions by platform" : "Sessions by transport",
        svgBarChart({
          title: id === "platforms" ? "Sessions by platform" : "Sessions by transport",
          series: [{ name: "sessions", color: GREEN }],
          rows: rows.map((r) => ({ label: r.name, values: [r.sessions], text: `${formatCount(r.sessions)} (${formatRate(r.share)})` })),
        }),
      );
      break;
    }
    case "funnel":
      chart(
        "Funnel",
        svgBarChart({
          title: "Funnel",
          series: [{ name: "sessions", color: BLUE }],
          maxRows: 30,
          rows: report.funnel.map((s) => ({
            label: s.step,
            values: [s.sessions],
            text: `${formatCount(s.sessions)}${s.dropOffRate === null ? "" : ` (drop-off ${formatRate(s.dropOffRate)})`}`,
          })),
        }),
      );
      break;
    case "revenue":
      chart(
        "Conversions by currency",
        svgBarChart({
          title: "Conversions by currency",
          series: [{ name: "conversions", color: GREEN }],
          rows: report.conversions.byCurrency.map((c) => ({
            label: c.currency,
            values: [c.conversions],
            text: `${formatCount(c.conversions)} · ${formatMoney(c.revenue, c.currency)}`,
          })),
        }),
      );
      break;
    case "warnings":
      chart(
        "Warnings by code",
        svgBarChart({
          title: "Warnings by code",
          series: [{ name: "count", color: GREY }],
          rows: report.warnings.map((w) => ({ label: w.code, values: [w.count], text: formatCount(w.count) })),
        }),
      );
      break;
    default:
      break;
  }
  return out.join("\n");
}

function htmlTable(table: ReportTable): string {
  if (table.rows.length === 0) return `<p class="empty">${escapeHtml(table.empty)}</p>`;
  const cls = (i: number): string => (table.columns[i]?.align === "right" ? ' class="r"' : "");
  const head = table.columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c.header)}</th>`).join("");
  const rows = table.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const note = table.note === undefined ? "" : `<p class="note">${escapeHtml(table.note)}</p>`;
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>${note}`;
}
