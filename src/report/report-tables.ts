import { NONE, formatCount, formatMoney, formatMs, formatRate } from "./format-number.js";
import type { LatencySummary, OperationStats, Report, ShareRow } from "./report.js";

export interface TableColumn {
  header: string;
  align: "left" | "right";
}

/** One section of the report as rows of display strings; text and HTML both render these. */
export interface ReportTable {
  id: string;
  title: string;
  columns: TableColumn[];
  rows: string[][];
  /** Shown instead of the table when it has no rows. */
  empty: string;
  note?: string;
}

const L = (header: string): TableColumn => ({ header, align: "left" });
const R = (header: string): TableColumn => ({ header, align: "right" });

/** The report as display tables, in reading order. */
export function reportTables(report: Report): ReportTable[] {
  const t = report.totals;
  const ttf = report.timeToFirstToolCall;
  const lat = report.toolCalls.latency;
  const sketchNote =
    "~ marks percentiles from the streaming sketch (within 1 % of the true value), used past 4,096 values.";
  const anySketch =
    lat.method === "sketch" ||
    report.tools.some((x) => x.latency.method === "sketch") ||
    ttf.method === "sketch";

  const tables: ReportTable[] = [
    {
      id: "overview",
      title: "Overview",
      columns: [L("figure"), L("value")],
      rows: [
        ["Events", formatCount(t.events)],
        ["Duplicate events skipped", formatCount(t.duplicates)],
        ["Bad lines skipped", formatCount(t.badLines)],
        ["Time range", report.timeRange.first === null ? NONE : `${report.timeRange.first} .. ${report.timeRange.last ?? NONE}`],
        ["Tool calls", formatCount(report.toolCalls.total)],
        ["Unique sessions", formatCount(report.sessions.unique)],
        ["Identified users", formatCount(report.identifiedUsers)],
        ["Identified sessions", formatCount(report.sessions.identified)],
        ["Tool error rate", formatRate(report.toolCalls.errorRate)],
        ["Tool latency p50 / p95 / p99 (ms)", latencyTriple(lat)],
        ["Time to first tool call, median (ms)", formatMs(ttf.medianMs, ttf.method === "sketch")],
        ["Time to first tool call, p95 (ms)", formatMs(ttf.p95Ms, ttf.method === "sketch")],
        ["Sessions started without a tool call", formatCount(ttf.startedWithoutToolCall)],
        ["Conversions", formatCount(report.conversions.total)],
        ["Session-to-conversion rate", formatRate(report.conversions.sessionToConversionRate)],
        ["Warnings", formatCount(t.warningLines)],
      ],
      empty: "",
    },
    operationTable("tools", "Tools (top tools first)", "tool", report.tools, "No tool calls."),
    {
      id: "error-categories",
      title: "Tool errors by category",
      columns: [L("category"), R("errors"), R("% of calls"), R("% of errors")],
      rows: report.errorCategories.map((c) => [
        c.category,
        formatCount(c.errors),
        formatRate(c.rate),
        formatRate(c.shareOfErrors),
      ]),
      empty: "No tool errors.",
    },
    shareTable("platforms", "Sessions by platform", "platform", report.platforms),
    shareTable("transports", "Sessions by transport", "transport", report.transports),
    {
      id: "funnel",
      title: "Funnel (steps by typical sequence; a session counts once it reached every earlier step)",
      columns: [L("step"), R("seq"), R("reached"), R("in funnel"), R("% of sessions"), R("drop-off"), R("drop-off %")],
      rows: report.funnel.map((s) => [
        s.step,
        s.typicalSequence === null ? NONE : String(s.typicalSequence),
        formatCount(s.reached),
        formatCount(s.sessions),
        formatRate(s.shareOfSessions),
        s.dropOff === null ? NONE : formatCount(s.dropOff),
        formatRate(s.dropOffRate),
      ]),
      empty: "No steps.",
    },
    {
      id: "revenue",
      title: "Conversions and revenue by currency",
      columns: [L("currency"), R("conversions"), R("revenue")],
      rows: report.conversions.byCurrency.map((c) => [c.currency, formatCount(c.conversions), formatMoney(c.revenue, c.currency)]),
      empty: "No conversions with a value.",
    },
    {
      id: "conversions",
      title: "Conversions by name",
      columns: [L("conversion"), R("count")],
      rows: report.conversions.byName.map((c) => [c.name, formatCount(c.count)]),
      empty: "No conversions.",
    },
    {
      id: "fill-rates",
      title: "Parameter fill rates",
      columns: [L("tool"), L("parameter"), R("calls with it"), R("fill rate")],
      rows: report.fillRates.flatMap((tool) =>
        tool.parameters.map((p, i) => [i === 0 ? `${tool.tool} (${formatCount(tool.calls)})` : "", p.name, formatCount(p.calls), formatRate(p.rate)]),
      ),
      empty: "No tool parameters seen.",
    },
    operationTable("resources", "Resources", "resource", report.resources, "No resource reads."),
    operationTable("prompts", "Prompts", "prompt", report.prompts, "No prompts."),
    {
      id: "tracks",
      title: "Custom events",
      columns: [L("event"), R("count")],
      rows: report.tracks.map((x) => [x.name, formatCount(x.count)]),
      empty: "No custom events.",
    },
    {
      id: "exceptions",
      title: "Captured exceptions",
      columns: [L("error class"), R("count")],
      rows: report.exceptions.map((x) => [x.name, formatCount(x.count)]),
      empty: "No captured exceptions.",
    },
    {
      id: "warnings",
      title: "Warnings seen",
      columns: [L("code"), L("level"), R("count"), L("meaning")],
      rows: report.warnings.map((w) => [w.code, w.level, formatCount(w.count), w.summary ?? w.sampleMessage]),
      empty: "No warnings.",
    },
    {
      id: "inputs",
      title: "Inputs",
      columns: [L("input"), R("lines"), R("events"), R("warnings"), R("bad lines")],
      rows: report.inputs.map((i) => [i.name, formatCount(i.lines), formatCount(i.events), formatCount(i.warnings), formatCount(i.badLines)]),
      empty: "No input.",
      ...(report.badLineSamples.length > 0
        ? { note: `Bad lines: ${report.badLineSamples.map((b) => `${b.input}:${b.line} (${b.reason})`).join(", ")}` }
        : {}),
    },
  ];
  if (anySketch) {
    const tools = tables.find((x) => x.id === "tools");
    if (tools !== undefined) tools.note = sketchNote;
  }
  return tables;
}

function latencyTriple(l: LatencySummary): string {
  const approx = l.method === "sketch";
  return `${formatMs(l.p50, approx)} / ${formatMs(l.p95, approx)} / ${formatMs(l.p99, approx)}`;
}

function operationTable(id: string, title: string, label: string, ops: OperationStats[], empty: string): ReportTable {
  return {
    id,
    title,
    columns: [L(label), R("calls"), R("share"), R("errors"), R("error rate"), R("p50 ms"), R("p95 ms"), R("p99 ms")],
    rows: ops.map((o) => {
      const approx = o.latency.method === "sketch";
      return [
        o.name,
        formatCount(o.calls),
        formatRate(o.share),
        formatCount(o.errors),
        formatRate(o.errorRate),
        formatMs(o.latency.p50, approx),
        formatMs(o.latency.p95, approx),
        formatMs(o.latency.p99, approx),
      ];
    }),
    empty,
  };
}

function shareTable(id: string, title: string, label: string, rows: ShareRow[]): ReportTable {
  return {
    id,
    title,
    columns: [L(label), R("sessions"), R("share")],
    rows: rows.map((r) => [r.name, formatCount(r.sessions), formatRate(r.share)]),
    empty: "No sessions.",
  };
}
