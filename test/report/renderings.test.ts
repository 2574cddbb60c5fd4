import { describe, expect, it } from "vitest";
import { ReportBuilder, formatReportText, renderReportHtml } from "../../src/report/index.js";
import type { Report } from "../../src/report/index.js";
import { cutName, formatCount, formatRate } from "../../src/report/format-number.js";
import { reportSections } from "../../src/report/report-tables.js";
import { knownEventFile, warningLines } from "../fixtures/report/events.js";
import { INJECTION_TOOL, LONG_TOOL, hostileEventFile } from "../fixtures/report/generate.js";

async function build(parts: [string, string][], top?: number): Promise<Report> {
  const builder = new ReportBuilder(top === undefined ? {} : { top });
  for (const [name, text] of parts) await builder.addLines(text.split("\n"), name);
  return builder.finish();
}

const reports: [string, () => Promise<Report>][] = [
  ["the known report", () => build([["events.jsonl", knownEventFile()], ["warnings.jsonl", warningLines().join("\n")]])],
  ["the hostile 5 000-event report", () => build([["hostile.jsonl", hostileEventFile()]])],
  ["the hostile report with --top 3", () => build([["hostile.jsonl", hostileEventFile()]], 3)],
];

const ENTITY: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITY[e] ?? e);

/** The HTML's tables, by id: caption and rows of cells, each cell its full name (title) when cut. */
function htmlTables(html: string): Map<string, { caption: string; rows: string[][] }> {
  const out = new Map<string, { caption: string; rows: string[][] }>();
  for (const m of html.matchAll(/<table id="([^"]+)"><caption[^>]*>(.*?)<\/caption>.*?<tbody>\n([\s\S]*?)\n<\/tbody><\/table>/g)) {
    const rows = m[3]!.split("\n").map((tr) =>
      [...tr.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((td) => {
        const titled = /^<span title="([^"]*)">/.exec(td[1]!);
        return unescape(titled !== null ? titled[1]! : td[1]!);
      }),
    );
    out.set(m[1]!, { caption: unescape(m[2]!), rows });
  }
  return out;
}

/** The text's rows under a caption, split on runs of two or more spaces. */
function textRows(text: string, caption: string, count: number): string[][] {
  const at = text.indexOf(`\n${caption}\n`);
  expect(at, caption).toBeGreaterThanOrEqual(0);
  const lines = text.slice(at + caption.length + 2).split("\n");
  return lines.slice(2, 2 + count).map((l) => l.trim().split(/ {2,}/));
}

describe.each(reports)("%s: one computed report, three renderings", (_label, make) => {
  it("the HTML tables hold exactly the rows of the shared tables, full names included", async () => {
    const report = await make();
    const html = htmlTables(renderReportHtml(report));
    for (const section of reportSections(report)) {
      for (const table of section.tables) {
        if (table.rows.length === 0) continue;
        expect(html.get(table.id), table.id).toEqual({ caption: table.caption, rows: table.rows });
      }
    }
  });

  it("the text tables hold the same rows, names cut to 60 columns", async () => {
    const report = await make();
    const text = formatReportText(report);
    for (const section of reportSections(report)) {
      for (const table of section.tables) {
        if (table.rows.length === 0) continue;
        const last = table.columns.length - 1;
        const expected = table.rows.map((r) => r.map((c, i) => cutName(c, i === last ? 160 : 60)).filter((c) => c !== ""));
        expect(textRows(text, table.caption, table.rows.length), table.id).toEqual(expected);
      }
    }
  });

  it("the JSON carries every figure shown: tables rebuilt from it are the same", async () => {
    const report = await make();
    const json = JSON.parse(JSON.stringify(report)) as Report;
    expect(reportSections(json)).toEqual(reportSections(report));
    const calls = reportSections(json).flatMap((s) => s.tables).find((t) => t.id === "tool-calls")!;
    json.tools.forEach((tool, i) => {
      expect(calls.rows[i]).toEqual([tool.name, formatCount(tool.calls), formatRate(tool.share), formatCount(tool.errors), formatRate(tool.errorRate)]);
    });
    const activityCalls = json.activity.buckets.reduce((n, b) => n + b.calls, 0);
    expect(activityCalls).toBe(json.toolCalls.total);
  });
});

describe("names from the event file", () => {
  it("are cut to a readable width in the page, with the full name on hover and in the JSON", async () => {
    const report = await build([["hostile.jsonl", hostileEventFile()]]);
    expect(report.tools.map((t) => t.name)).toContain(LONG_TOOL);
    const html = renderReportHtml(report);
    const shown = cutName(LONG_TOOL, 40);
    expect(shown.length).toBeLessThan(LONG_TOOL.length);
    expect(html).toContain(`<span title="${LONG_TOOL}">${shown}</span>`);
    expect(html).toContain(`<text x="0" y="`);
    expect(html).toContain(`<title>${LONG_TOOL}</title>${cutName(LONG_TOOL, 40)}</text>`);
    expect(html).not.toContain(INJECTION_TOOL);
    expect(html).not.toMatch(/<img|<script|<svg onload|<b>|<i>/i);
  });
});
