import { escapeHtml } from "./escape-html.js";
import { cutName, formatCount } from "./format-number.js";
import type { BarChart, Chart, ColumnChart, LineChart } from "./report-tables.js";

/*
 * Inline SVG charts with no viewBox on the outer element: one user unit is one CSS pixel, so text
 * keeps its size (12 px, axis 11 px) at any page width. Horizontal positions are percentages of
 * the chart's width, so the chart follows the page down to a phone's width without scrolling.
 * Lines live in a nested SVG stretched over the plot (preserveAspectRatio="none") with
 * non-scaling strokes.
 */

/** Rows drawn at most; the table below the chart has them all. */
export const MAX_CHART_ROWS = 30;
/** Columns a chart label keeps before "…"; the full name is its tooltip. */
export const CHART_LABEL_WIDTH = 40;
const LEGEND_LABEL_WIDTH = 22;

const LINE = 16;
const BAR = 10;
const BAR_LINE = 14;
const GAP = 8;
/** Bars end at 70 % of the width; their figures start at 72 %. */
const BAR_AREA = 70;
const TEXT_AT = 72;

/** The chart as inline SVG, or "" when it has nothing to draw. */
export function renderChart(chart: Chart, id: string): string {
  switch (chart.kind) {
    case "bars":
      return barChart(chart, id);
    case "columns":
      return columnChart(chart, id);
    case "lines":
      return lineChart(chart, id);
  }
}

function open(id: string, title: string, height: number, extra = ""): string {
  return (
    `<svg class="chart" id="${id}" width="100%" height="${height}" role="img" aria-label="${escapeHtml(title)}; the table below holds its figures"${extra}>` +
    `<title>${escapeHtml(title)}</title>`
  );
}

/** A name cut to `max` columns, with the full name as tooltip when cut. */
function label(x: string, y: number, text: string, max: number, attrs = ""): string {
  const shown = cutName(text, max);
  const tip = shown === text ? "" : `<title>${escapeHtml(text)}</title>`;
  return `<text x="${x}" y="${y}"${attrs}>${tip}${escapeHtml(shown)}</text>`;
}

function pct(n: number): string {
  return `${Number(n.toFixed(3))}%`;
}

/** Legend items two to a line. */
function legend(items: { name: string; color: string }[], top: number): { svg: string; height: number } {
  const parts = items.map((item, i) => {
    const x = (i % 2) * 50;
    const y = top + Math.floor(i / 2) * LINE;
    return (
      `<rect x="${pct(x)}" y="${y + 3}" width="10" height="10" fill="${escapeHtml(item.color)}"/>` +
      label(pct(x + 0), y + 12, item.name, LEGEND_LABEL_WIDTH, ` dx="14" class="legend"`)
    );
  });
  return { svg: parts.join(""), height: Math.ceil(items.length / 2) * LINE + (items.length > 0 ? 4 : 0) };
}

function barChart(chart: BarChart, id: string): string {
  const rows = chart.rows.slice(0, MAX_CHART_ROWS);
  if (rows.length === 0) return "";
  const n = chart.series.length;
  // Series drawn to scale share one scale (p50, p95 and p99 compare); rates are drawn against 100 %.
  let shared = 0;
  chart.series.forEach((s, j) => {
    if (s.scale === "max") for (const r of rows) shared = Math.max(shared, r.values[j] ?? 0);
  });
  const maxima = chart.series.map((s) => (s.scale === "rate" ? 1 : shared));
  const head = n > 1 ? legend(chart.series, 0) : { svg: "", height: 0 };
  const rowHeight = LINE + n * BAR_LINE + GAP;
  const more = chart.rows.length - rows.length;
  const height = head.height + rows.length * rowHeight + (more > 0 ? LINE : 0);
  const parts = [open(id, chart.title, height), head.svg];
  rows.forEach((row, i) => {
    const top = head.height + i * rowHeight;
    parts.push(label("0", top + 12, row.label, CHART_LABEL_WIDTH, ` class="label"`));
    chart.series.forEach((s, j) => {
      const y = top + LINE + j * BAR_LINE;
      const v = row.values[j];
      const max = maxima[j] ?? 0;
      if (s.scale === "rate") parts.push(`<rect x="0" y="${y}" width="${pct(BAR_AREA)}" height="${BAR}" class="track"/>`);
      if (v !== null && v !== undefined && max > 0) {
        // A non-zero value always shows (at least 0.5 % wide).
        const w = v <= 0 ? 0 : Math.max(0.5, (Math.min(v, max) / max) * BAR_AREA);
        if (w > 0) parts.push(`<rect x="0" y="${y}" width="${pct(w)}" height="${BAR}" fill="${escapeHtml(s.color)}"/>`);
      }
      parts.push(`<text x="${pct(TEXT_AT)}" y="${y + 9}" class="value">${escapeHtml(row.texts[j] ?? "")}</text>`);
    });
  });
  if (more > 0) {
    parts.push(`<text x="0" y="${height - 4}" class="axis">${formatCount(more)} more rows in the table below</text>`);
  }
  parts.push("</svg>");
  return parts.join("");
}

/** x labels under a time plot: first, middle and last bucket. */
function timeLabels(labels: string[], y: number): string {
  const n = labels.length;
  if (n === 0) return "";
  const out = [`<text x="0" y="${y}" class="axis">${escapeHtml(labels[0]!)}</text>`];
  if (n > 1) out.push(`<text x="100%" y="${y}" text-anchor="end" class="axis">${escapeHtml(labels[n - 1]!)}</text>`);
  return out.join("");
}

const PLOT = 90;

function columnChart(chart: ColumnChart, id: string): string {
  const n = chart.labels.length;
  if (n === 0) return "";
  const items = chart.panels.flatMap((p) => [{ name: p.name, color: p.color }, ...(p.overlay === undefined ? [] : [p.overlay])]);
  const head = legend(items, 0);
  const panelHeight = LINE + PLOT + GAP;
  const height = head.height + chart.panels.length * panelHeight + LINE;
  const parts = [open(id, chart.title, height), head.svg];
  const step = 100 / n;
  const width = step * (n > 40 ? 0.9 : 0.75);
  chart.panels.forEach((panel, k) => {
    const top = head.height + k * panelHeight;
    const max = Math.max(0, ...panel.values);
    parts.push(`<text x="0" y="${top + 12}" class="axis">${escapeHtml(panel.name)}: peak ${formatCount(max)}</text>`);
    const base = top + LINE + PLOT;
    const column = (values: number[], color: string): void => {
      values.forEach((v, i) => {
        if (!(v > 0) || max === 0) return;
        const h = Math.max(1, (v / max) * PLOT);
        parts.push(`<rect x="${pct(i * step + (step - width) / 2)}" y="${(base - h).toFixed(1)}" width="${pct(width)}" height="${h.toFixed(1)}" fill="${escapeHtml(color)}"/>`);
      });
    };
    column(panel.values, panel.color);
    if (panel.overlay !== undefined) column(panel.overlay.values, panel.overlay.color);
    parts.push(`<line x1="0" x2="100%" y1="${base}" y2="${base}" class="baseline"/>`);
  });
  parts.push(timeLabels(chart.labels, height - 3), "</svg>");
  return parts.join("");
}

const LINE_PLOT = 110;

function lineChart(chart: LineChart, id: string): string {
  const n = chart.labels.length;
  const drawn = chart.series.filter((s) => s.values.some((v) => v !== null));
  if (n === 0 || drawn.length === 0) return "";
  const head = legend(drawn, 0);
  let max = chart.scale === "rate" ? 1 : 0;
  if (chart.scale === "max") for (const s of drawn) for (const v of s.values) if (v !== null && v > max) max = v;
  if (max === 0) max = 1;
  const top = head.height + LINE;
  const height = top + LINE_PLOT + LINE + 4;
  const parts = [open(id, chart.title, height, ` overflow="visible"`), head.svg];
  const maxText = chart.scale === "rate" ? "100 %" : `${formatCount(max)} ${chart.unit}`;
  parts.push(`<text x="0" y="${head.height + 12}" class="axis">max ${escapeHtml(maxText)}</text>`);
  parts.push(
    `<line x1="0" x2="100%" y1="${top}" y2="${top}" class="grid"/>`,
    `<line x1="0" x2="100%" y1="${top + LINE_PLOT}" y2="${top + LINE_PLOT}" class="baseline"/>`,
  );
  const xOf = (i: number): number => (n === 1 ? 50 : (i / (n - 1)) * 100);
  const yOf = (v: number): number => LINE_PLOT - (Math.min(v, max) / max) * LINE_PLOT;
  const width = Math.max(n - 1, 1);
  parts.push(`<svg x="0" y="${top}" width="100%" height="${LINE_PLOT}" viewBox="0 0 ${width} ${LINE_PLOT}" preserveAspectRatio="none" overflow="visible">`);
  for (const s of drawn) {
    // A gap (no calls in a bucket) breaks the line.
    let segment: string[] = [];
    const flush = (): void => {
      if (segment.length > 1) {
        parts.push(`<polyline points="${segment.join(" ")}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="2" vector-effect="non-scaling-stroke"/>`);
      }
      segment = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) flush();
      else segment.push(`${n === 1 ? 0.5 : i},${yOf(v).toFixed(2)}`);
    });
    flush();
  }
  parts.push("</svg>");
  for (const s of drawn) {
    s.values.forEach((v, i) => {
      if (v !== null) parts.push(`<circle cx="${pct(xOf(i))}" cy="${(top + yOf(v)).toFixed(1)}" r="2.5" fill="${escapeHtml(s.color)}"/>`);
    });
  }
  parts.push(timeLabels(chart.labels, height - 3), "</svg>");
  return parts.join("");
}
