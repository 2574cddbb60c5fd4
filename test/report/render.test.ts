import { describe, expect, it } from "vitest";
import { ReportBuilder, computeReport, formatReportText, renderReportHtml } from "../../src/report/index.js";
import type { Report } from "../../src/report/index.js";
import { KNOWN_ROWS, knownEventFile, warningLines } from "../fixtures/report/events.js";

async function knownReport(): Promise<Report> {
  const builder = new ReportBuilder();
  await builder.addLines(knownEventFile().split("\n"), "events.jsonl");
  await builder.addLines(warningLines(), "warnings.jsonl");
  return builder.finish();
}


function htmlText(html: string): string {
  // Table cells become "cell  cell" so the same row patterns apply to the HTML.
  return html
    .replace(/<\/t[dh]>\s*<t[dh][^>]*>/g, "  ")
    .replace(/<\/tr>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&");
}

describe("formatReportText", () => {
  it("prints every figure of the known report in aligned rows", async () => {
    const text = formatReportText(await knownReport());
    for (const row of KNOWN_ROWS) expect(text).toMatch(row);
  });

  it("aligns right-aligned columns to the same end column", async () => {
    const text = formatReportText(await knownReport());
    const block = text.split("\n\n").find((b) => b.startsWith("Tools"))!;
    const ends = block.split("\n").slice(1).map((l) => l.length);
    expect(new Set(ends).size).toBe(1);
  });

  it("says so instead of printing an empty table", async () => {
    const text = formatReportText(await computeReport([]));
    expect(text).toMatch(/Tools \(top tools first\)\n\s+No tool calls\./);
    expect(text).toMatch(/Tool error rate\s+-\n/);
  });

  it("keeps control characters in names from breaking lines", async () => {
    const line = JSON.stringify({ event_id: "e", event_type: "tool_call", session_id: "s", tool_name: "bad\nname", latency_ms: 1 });
    expect(formatReportText(await computeReport([line]))).toMatch(/bad\?name\s+1/);
  });
});

describe("renderReportHtml", () => {
  it("is self-contained: no scripts, links, imports or remote URLs", async () => {
    const html = renderReportHtml(await knownReport());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/<img|<iframe|<object|<embed/i);
  });

  it("holds the same figures as the text report", async () => {
    const text = htmlText(renderReportHtml(await knownReport()));
    for (const row of KNOWN_ROWS) expect(text).toMatch(row);
  });

  it("draws inline SVG bar charts for tools, latency, errors, platforms, funnel and revenue", async () => {
    const html = renderReportHtml(await knownReport());
    for (const title of [
      "Top tools by calls",
      "Latency per tool (ms)",
      "Error rate per tool",
      "Errors by category",
      "Sessions by platform",
      "Funnel",
      "Conversions by currency",
      "Warnings by code",
    ]) {
      expect(html).toContain(`<svg class="chart" viewBox`);
      expect(html).toContain(`aria-label="${title}"`);
    }
    // Bar lengths follow the values: search (10 calls) is 2.5 times pay (4 calls).
    const chart = html.slice(html.indexOf('aria-label="Top tools by calls"'));
    const widths = [...chart.matchAll(/<rect [^>]*width="([\d.]+)"/g)].slice(0, 3).map((m) => Number(m[1]));
    expect(widths[0]! / widths[1]!).toBeCloseTo(2.5, 2);
  });

  it("escapes names from the event file", async () => {
    const line = JSON.stringify({ event_id: "e", event_type: "tool_call", session_id: "s", tool_name: "<script>alert(1)</script>", latency_ms: 1 });
    const html = renderReportHtml(await computeReport([line]));
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders an empty report without charts", async () => {
    const html = renderReportHtml(await computeReport([]));
    expect(html).toContain("No tool calls.");
    expect(html).not.toContain("<svg");
  });
});
