import { escapeHtml } from "./escape-html.js";

export interface BarSeries {
  name: string;
  /** A CSS colour. */
  color: string;
}

export interface BarRow {
  label: string;
  /** One value per series; null draws no bar. */
  values: (number | null)[];
  /** Shown right of the bars. */
  text: string;
}

export interface BarChartOptions {
  title: string;
  series: BarSeries[];
  rows: BarRow[];
  /** Rows drawn at most. Default 15. */
  maxRows?: number;
}

const WIDTH = 760;
const LABEL_WIDTH = 210;
const TEXT_WIDTH = 210;
const BAR_HEIGHT = 14;
const ROW_GAP = 10;
const LEGEND_HEIGHT = 22;

/** A horizontal bar chart as inline SVG (no external resources, no script). */
export function svgBarChart(options: BarChartOptions): string {
  const rows = options.rows.slice(0, options.maxRows ?? 15);
  if (rows.length === 0) return "";
  const series = options.series;
  const legend = series.length > 1 ? LEGEND_HEIGHT : 0;
  const rowHeight = series.length * BAR_HEIGHT + ROW_GAP;
  const height = legend + rows.length * rowHeight + ROW_GAP;
  const area = WIDTH - LABEL_WIDTH - TEXT_WIDTH;
  let max = 0;
  for (const r of rows) for (const v of r.values) if (v !== null && v > max) max = v;
  const scale = (v: number): number => (max > 0 ? Math.max(v > 0 ? 1 : 0, (v / max) * area) : 0);

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<title>${escapeHtml(options.title)}</title>`,
  );
  if (legend > 0) {
    let x = LABEL_WIDTH;
    for (const s of series) {
      parts.push(
        `<rect x="${x}" y="5" width="12" height="12" fill="${escapeHtml(s.color)}"/>`,
        `<text x="${x + 16}" y="15" class="legend">${escapeHtml(s.name)}</text>`,
      );
      x += 24 + s.name.length * 8;
    }
  }
  rows.forEach((row, i) => {
    const top = legend + ROW_GAP / 2 + i * rowHeight;
    const middle = top + (series.length * BAR_HEIGHT) / 2;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${middle + 4}" text-anchor="end" class="label">${escapeHtml(truncate(row.label, 28))}</text>`,
    );
    let end = LABEL_WIDTH;
    series.forEach((s, j) => {
      const v = row.values[j];
      if (v === null || v === undefined) return;
      const w = scale(v);
      end = Math.max(end, LABEL_WIDTH + w);
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${top + j * BAR_HEIGHT}" width="${w.toFixed(1)}" height="${BAR_HEIGHT - 2}" fill="${escapeHtml(s.color)}"/>`,
      );
    });
    parts.push(`<text x="${(end + 6).toFixed(1)}" y="${middle + 4}" class="value">${escapeHtml(row.text)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
