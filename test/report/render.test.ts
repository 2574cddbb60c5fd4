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
    const block = text.slice(text.indexOf("Calls and errors per tool")).split("\n\n")[0]!;
    const ends = block.split("\n").slice(1).map((l) => l.length);
    expect(new Set(ends).size).toBe(1);
  });

  it("says so instead of printing an empty table", async () => {
    const text = formatReportText(await computeReport(["{}"], "events.jsonl", {}));
    expect(text).toMatch(/1 bad line skipped\nSkipped 1 bad line .*events\.jsonl:1 \(neither an event nor a yavio warning\)/);
    expect(text).toMatch(/No events found\./);
    expect(text).not.toMatch(/Tool error rate/);
    const noResources = formatReportText(await computeReport([knownEventFile().split("\n")[3]!]));
    expect(noResources).toMatch(/Resource reads\n\s+No resource reads\./);
  });

  it("says which lines were bad at the top, before any table", async () => {
    const text = formatReportText(await knownReport());
    const top = text.slice(0, text.indexOf("Summary"));
    expect(top).toContain("Skipped 5 bad lines (neither an event nor a warning): events.jsonl:24 (not JSON), events.jsonl:46 (not a JSON object)");
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
      "Tool calls, errors and new sessions per minute",
      "p95 latency of the top tools per minute",
      "Error rate of the top tools per minute, of 100 %",
      "Calls and error rate per tool",
      "Latency per tool (ms)",
      "Share of tool errors by category",
      "Sessions by length",
      "Sessions by platform",
      "Funnel: share of all sessions at each step",
      "Conversions by currency",
      "Warnings by code",
    ]) {
      expect(html).toContain(`aria-label="${title}; the table below holds its figures"`);
    }
    // Calls follow the values: search (10 calls) is 2.5 times pay (4 calls).
    const chart = html.slice(html.indexOf('aria-label="Calls and error rate per tool'));
    const bars = [...chart.matchAll(/<rect x="0" y="\d+" width="([\d.]+)%" height="10" fill="#3b6fd8"/g)].slice(0, 2).map((m) => Number(m[1]));
    expect(bars[0]! / bars[1]!).toBeCloseTo(2.5, 2);
    // Error rates are drawn against 100 %: pay's 50 % is half the bar area (70 % of the width), not all of it.
    const rates = [...chart.matchAll(/<rect x="0" y="\d+" width="([\d.]+)%" height="10" fill="#d8553b"/g)].slice(0, 2).map((m) => Number(m[1]));
    expect(rates).toEqual([7, 35]);
  });

  it("escapes names from the event file", async () => {
    const line = JSON.stringify({ event_id: "e", event_type: "tool_call", session_id: "s", tool_name: "<script>alert(1)</script>", latency_ms: 1 });
    const html = renderReportHtml(await computeReport([line]));
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders an empty report as a clear message without charts", async () => {
    const html = renderReportHtml(await computeReport([]));
    expect(html).toContain("<strong>No events found.</strong>");
    expect(html).not.toContain("<svg");
  });
});

describe("bar charts", () => {
  it("draw p50, p95 and p99 on one scale, so a tool's p50 is shorter than its p99", async () => {
    const html = renderReportHtml(await knownReport());
    const chart = html.slice(html.indexOf('aria-label="Latency per tool (ms)'), html.indexOf("</svg>", html.indexOf('aria-label="Latency per tool (ms)')));
    // search: p50 50, p95 100, p99 100; the longest bar of the chart is pay's p99 (400).
    const widths = [...chart.matchAll(/<rect x="0" y="\d+" width="([\d.]+)%" height="10"/g)].map((m) => Number(m[1]));
    expect(widths.slice(0, 3)).toEqual([(50 / 400) * 70, (100 / 400) * 70, (100 / 400) * 70]);
    expect(Math.max(...widths)).toBe(70);
  });
});
