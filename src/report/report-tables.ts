import { NONE, formatCount, formatDuration, formatMoney, formatMs, formatRate, formatTime } from "./format-number.js";
import type { LatencySummary, OperationStats, OtherOperations, Report, ShareRow } from "./report.js";

export interface TableColumn {
  header: string;
  align: "left" | "right";
  /**
   * The cells (or, for `headerIsName`, the header) are names from the event file: a renderer cuts
   * them to a readable width and keeps the full text where it can (HTML `title`).
   */
  name?: boolean;
  headerIsName?: boolean;
}

export const BLUE = "#3b6fd8";
export const RED = "#d8553b";
export const GREEN = "#2f9e6e";
export const GREY = "#8a94a6";
/** Colours of the top tools' lines, in rank order. */
export const PALETTE = [BLUE, RED, GREEN, "#9b59d0", "#c48a16"];

export interface BarSeries {
  name: string;
  color: string;
  /** `max`: scaled to the largest value of the series; `rate`: a fraction drawn against 100 %. */
  scale: "max" | "rate";
}

export interface BarRow {
  label: string;
  /** One per series; null draws no bar. */
  values: (number | null)[];
  /** One per series, shown beside its bar. */
  texts: string[];
}

export interface BarChart {
  kind: "bars";
  title: string;
  series: BarSeries[];
  rows: BarRow[];
}

export interface ColumnPanel {
  name: string;
  color: string;
  values: number[];
  /** Drawn over the main columns, same scale (errors over calls). */
  overlay?: { name: string; color: string; values: number[] };
}

/** Columns over time, one panel per measure, panels stacked. */
export interface ColumnChart {
  kind: "columns";
  title: string;
  /** Bucket labels, one per column. */
  labels: string[];
  panels: ColumnPanel[];
}

/** Lines over time, one per series; null leaves a gap. */
export interface LineChart {
  kind: "lines";
  title: string;
  labels: string[];
  series: { name: string; color: string; values: (number | null)[] }[];
  scale: "max" | "rate";
  unit: string;
}

export type Chart = BarChart | ColumnChart | LineChart;

/** One table of the report as display strings; text and HTML both render these. */
export interface ReportTable {
  id: string;
  caption: string;
  columns: TableColumn[];
  rows: string[][];
  /** Shown instead of the table when it has no rows. */
  empty: string;
  note?: string;
  /** Drawn (HTML only) right before the table, which is its text alternative. */
  chart?: Chart;
}

export interface ReportSection {
  id: string;
  title: string;
  tables: ReportTable[];
}

const L = (header: string, name = false): TableColumn => ({ header, align: "left", ...(name ? { name } : {}) });
const R = (header: string): TableColumn => ({ header, align: "right" });

const SKETCH_NOTE = "~ marks percentiles from the streaming sketch (within 1 % of the true value), used past 4,096 values.";

/** The report as sections of display tables, in reading order. */
export function reportSections(report: Report): ReportSection[] {
  const t = report.totals;
  const ttf = report.timeToFirstToolCall;
  const lat = report.toolCalls.latency;
  const dur = report.sessions.duration;
  const allTools = withOthers(report.tools, report.otherTools);
  const sketch = (l: LatencySummary): boolean => l.method === "sketch";
  const anySketch = sketch(lat) || allTools.some((x) => sketch(x.latency)) || ttf.method === "sketch";
  const bucketIsDay = report.activity.bucketMs >= 86_400_000;
  const bucketLabel = (iso: string): string => formatTime(iso, bucketIsDay ? "day" : "minute");
  const labels = report.activity.buckets.map((b) => bucketLabel(b.start));
  const per = `per ${report.activity.bucketLabel.replace(/^1 /, "")}`;
  const u = report.unexposedTools;
  const x = report.toolExposure;
  const intentCalls = report.intents.reduce((n, t) => n + t.callsWithIntent, 0);

  const summary: ReportSection = {
    id: "summary",
    title: "Summary",
    tables: [
      {
        id: "key-figures",
        caption: "Key figures",
        columns: [L("figure"), L("value")],
        rows: [
          ["Events", formatCount(t.events)],
          ["Duplicate events skipped", formatCount(t.duplicates)],
          ["Bad lines skipped", formatCount(t.badLines)],
          ...(report.window.since !== null || report.window.until !== null
            ? [
                ["Time window", `${report.window.since ?? "…"} .. ${report.window.until ?? "…"}`],
                ["Events and warnings outside the window", formatCount(report.window.outside)],
              ]
            : []),
          ["Time range", report.timeRange.first === null ? NONE : `${report.timeRange.first} .. ${report.timeRange.last ?? NONE}`],
          ["Tool calls", formatCount(report.toolCalls.total)],
          ["Calls to tools the server does not expose", formatCount(u.calls)],
          ...(x.toolsShown > 0 ? [["Listed tools never called", `${formatCount(x.neverCalled)} of ${formatCount(x.toolsShown)}`]] : []),
          ...(intentCalls > 0 ? [["Calls with a stated intent", formatCount(intentCalls)]] : []),
          ["Unique sessions", formatCount(report.sessions.unique)],
          ["Identified users", formatCount(report.identifiedUsers)],
          ["Identified sessions", formatCount(report.sessions.identified)],
          ["Tool error rate", formatRate(report.toolCalls.errorRate)],
          ["Tool latency p50 / p95 / p99 (ms)", latencyTriple(lat)],
          ["Session duration p50 / p95", `${formatDuration(dur.p50)} / ${formatDuration(dur.p95)}`],
          ["Time to first tool call, median (ms)", formatMs(ttf.medianMs, ttf.method === "sketch")],
          ["Time to first tool call, p95 (ms)", formatMs(ttf.p95Ms, ttf.method === "sketch")],
          ["Sessions started without a tool call", formatCount(ttf.startedWithoutToolCall)],
          ["Conversions", formatCount(report.conversions.total)],
          ["Session-to-conversion rate", formatRate(report.conversions.sessionToConversionRate)],
          ["Warnings", formatCount(t.warningLines)],
        ],
        empty: "",
      },
    ],
  };

  const activity: ReportSection = {
    id: "activity",
    title: "Activity over time",
    tables: [
      {
        id: "activity-table",
        caption: `Sessions, tool calls and errors ${per} (UTC)`,
        columns: [L(bucketIsDay ? "day" : "from"), R("new sessions"), R("tool calls"), R("errors"), R("error rate")],
        rows: report.activity.buckets.map((b) => [
          bucketLabel(b.start),
          formatCount(b.sessions),
          formatCount(b.calls),
          formatCount(b.errors),
          formatRate(b.calls > 0 ? b.errors / b.calls : null),
        ]),
        empty: "No events with a time.",
        chart: {
          kind: "columns",
          title: `Tool calls, errors and new sessions ${per}`,
          labels,
          panels: [
            {
              name: "tool calls",
              color: BLUE,
              values: report.activity.buckets.map((b) => b.calls),
              overlay: { name: "errors", color: RED, values: report.activity.buckets.map((b) => b.errors) },
            },
            { name: "new sessions", color: GREEN, values: report.activity.buckets.map((b) => b.sessions) },
          ],
        },
      },
    ],
  };

  const trends = report.toolTrends;
  const trendColumns = (): TableColumn[] => [
    L(bucketIsDay ? "day" : "from"),
    ...trends.map((x): TableColumn => ({ header: x.tool, align: "right", headerIsName: true })),
  ];
  const trendRows = (cell: (b: Report["toolTrends"][number]["buckets"][number]) => string): string[][] =>
    labels.map((label, i) => [label, ...trends.map((x) => (x.buckets[i] === undefined ? NONE : cell(x.buckets[i])))]);
  const trendSection: ReportSection = {
    id: "tool-trends",
    title: "Top tools over time",
    tables: [
      {
        id: "trend-latency",
        caption: `p95 latency of the top tools ${per} (ms, UTC)`,
        columns: trendColumns(),
        rows: trends.length === 0 ? [] : trendRows((b) => formatMs(b.p95, b.method === "sketch")),
        empty: "No tool calls with a time.",
        chart: {
          kind: "lines",
          title: `p95 latency of the top tools ${per}`,
          labels,
          scale: "max",
          unit: "ms",
          series: trends.map((x, i) => ({ name: x.tool, color: PALETTE[i % PALETTE.length]!, values: x.buckets.map((b) => b.p95) })),
        },
      },
      {
        id: "trend-errors",
        caption: `Error rate of the top tools ${per} (UTC)`,
        columns: trendColumns(),
        rows: trends.length === 0 ? [] : trendRows((b) => (b.calls === 0 ? NONE : `${formatRate(b.errorRate)} of ${formatCount(b.calls)}`)),
        empty: "No tool calls with a time.",
        chart: {
          kind: "lines",
          title: `Error rate of the top tools ${per}, of 100 %`,
          labels,
          scale: "rate",
          unit: "%",
          series: trends.map((x, i) => ({ name: x.tool, color: PALETTE[i % PALETTE.length]!, values: x.buckets.map((b) => b.errorRate) })),
        },
      },
    ],
  };

  const toolsNote = report.otherTools === null ? undefined : `The top ${report.top} tools by calls; the others are summed in the last row.`;
  const tools: ReportSection = {
    id: "tools",
    title: "Tools",
    tables: [
      {
        id: "tool-calls",
        caption: "Calls and errors per tool (top tools first)",
        columns: [L("tool", true), R("calls"), R("share"), R("errors"), R("error rate")],
        rows: allTools.map((o) => [o.name, formatCount(o.calls), formatRate(o.share), formatCount(o.errors), formatRate(o.errorRate)]),
        empty: "No tool calls.",
        ...(toolsNote === undefined ? {} : { note: toolsNote }),
        chart: {
          kind: "bars",
          title: "Calls and error rate per tool",
          series: [
            { name: "calls", color: BLUE, scale: "max" },
            { name: "error rate (of 100 %)", color: RED, scale: "rate" },
          ],
          rows: allTools.map((o) => ({
            label: o.name,
            values: [o.calls, o.errorRate],
            texts: [formatCount(o.calls), formatRate(o.errorRate)],
          })),
        },
      },
      {
        id: "tool-latency",
        caption: "Latency per tool (ms)",
        columns: [L("tool", true), R("calls"), R("p50"), R("p95"), R("p99"), R("max")],
        rows: allTools.map((o) => {
          const approx = sketch(o.latency);
          return [
            o.name,
            formatCount(o.latency.count),
            formatMs(o.latency.p50, approx),
            formatMs(o.latency.p95, approx),
            formatMs(o.latency.p99, approx),
            formatMs(o.latency.max),
          ];
        }),
        empty: "No tool calls.",
        ...(anySketch ? { note: SKETCH_NOTE } : {}),
        chart: {
          kind: "bars",
          title: "Latency per tool (ms)",
          series: [
            { name: "p50", color: BLUE, scale: "max" },
            { name: "p95", color: GREY, scale: "max" },
            { name: "p99", color: RED, scale: "max" },
          ],
          rows: allTools
            .filter((o) => o.latency.count > 0)
            .map((o) => {
              const approx = sketch(o.latency);
              return {
                label: o.name,
                values: [o.latency.p50, o.latency.p95, o.latency.p99],
                texts: [formatMs(o.latency.p50, approx), formatMs(o.latency.p95, approx), formatMs(o.latency.p99, approx)],
              };
            }),
        },
      },
      {
        id: "error-categories",
        caption: "Tool errors by category",
        columns: [L("category", true), R("errors"), R("% of calls"), R("% of errors")],
        rows: report.errorCategories.map((c) => [c.category, formatCount(c.errors), formatRate(c.rate), formatRate(c.shareOfErrors)]),
        empty: "No tool errors.",
        chart: {
          kind: "bars",
          title: "Share of tool errors by category",
          series: [{ name: "share of errors", color: RED, scale: "rate" }],
          rows: report.errorCategories.map((c) => ({ label: c.category, values: [c.shareOfErrors], texts: [formatRate(c.shareOfErrors)] })),
        },
      },
      {
        id: "fill-rates",
        caption: "Parameter fill rates",
        columns: [L("tool", true), R("calls"), L("parameter", true), R("calls with it"), R("fill rate")],
        rows: report.fillRates.flatMap((tool) =>
          tool.parameters.map((p, i) => [
            i === 0 ? tool.tool : "",
            i === 0 ? formatCount(tool.calls) : "",
            p.name,
            formatCount(p.calls),
            formatRate(p.rate),
          ]),
        ),
        empty: "No tool parameters seen.",
      },
    ],
  };

  const discovery: ReportSection = {
    id: "discovery",
    title: "Discovery and intent",
    tables: [
      {
        id: "tool-exposure",
        caption: "Tools listed vs called (never called first)",
        columns: [L("tool", true), R("sessions shown"), R("sessions called"), R("use rate"), R("calls")],
        rows: [
          ...x.tools.map((t) => [t.name, formatCount(t.sessionsShown), formatCount(t.sessionsCalled), formatRate(t.useRate), formatCount(t.calls)]),
          ...(x.other === null ? [] : [[`others (${formatCount(x.other.tools)})`, formatCount(x.other.sessionsShown), NONE, NONE, formatCount(x.other.calls)]]),
        ],
        empty: "No tool_discovery events: the middleware records them when a client lists tools.",
        ...(x.toolsShown > 0
          ? {
              note: `${formatCount(x.sessionsShown)} sessions were shown ${formatCount(x.toolsShown)} tools; ${formatCount(x.neverCalled)} were never called. Use rate: the share of sessions shown a tool that called it.`,
            }
          : {}),
      },
      {
        id: "unexposed-tools",
        caption: "Calls to tools the server does not expose",
        columns: [L("tool name asked for", true), L("answer"), R("calls"), R("sessions")],
        rows: [
          ...u.names.map((n) => [n.name, n.reason, formatCount(n.calls), formatCount(n.sessions)]),
          ...(u.other === null ? [] : [[`others (${formatCount(u.other.names)})`, NONE, formatCount(u.other.calls), NONE]]),
        ],
        empty: "None: every call named a tool the server exposes.",
        ...(u.calls > 0
          ? { note: `Not counted as tool calls above. ${formatCount(u.calls)} calls from ${formatCount(u.sessions)} sessions: names clients expected and did not find.` }
          : {}),
      },
      {
        id: "intents",
        caption: "Most frequent intents per tool",
        columns: [L("tool", true), R("calls with intent"), L("intent", true), R("count")],
        rows: report.intents.flatMap((t) =>
          t.top.map((i, k) => [
            k === 0 ? t.tool : "",
            k === 0 ? `${formatCount(t.callsWithIntent)} of ${formatCount(t.calls)}` : "",
            i.intent,
            formatCount(i.count),
          ]),
        ),
        empty: "No intents: turn on capture.intent to ask agents why they call each tool.",
        ...(report.intents.length > 0 ? { note: "Intents as recorded (scrubbed by the middleware), folded to lower case and cut to 80 characters." } : {}),
      },
    ],
  };

  const spu = report.sessionsPerUser;
  const users: ReportSection = {
    id: "users",
    title: "Users",
    tables: [
      {
        id: "top-users",
        caption: "Users by sessions (ids as recorded)",
        columns: [L("user", true), R("sessions"), R("tool calls"), L("first seen (UTC)"), L("last seen (UTC)"), R("conversions"), R("revenue")],
        rows: [
          ...report.users.map((x) => [
            x.userId,
            formatCount(x.sessions),
            formatCount(x.calls),
            x.firstSeen === null ? NONE : formatTime(x.firstSeen, "minute"),
            x.lastSeen === null ? NONE : formatTime(x.lastSeen, "minute"),
            formatCount(x.conversions),
            revenueText(x.revenue),
          ]),
          ...(report.otherUsers === null
            ? []
            : [
                [
                  `others (${formatCount(report.otherUsers.users)})`,
                  formatCount(report.otherUsers.sessions),
                  formatCount(report.otherUsers.calls),
                  NONE,
                  NONE,
                  formatCount(report.otherUsers.conversions),
                  revenueText(report.otherUsers.revenue),
                ],
              ]),
        ],
        empty: "No identified users.",
        note: "A session belongs to the first user id seen in it; its tool calls, conversions and revenue count for that user.",
      },
      {
        id: "sessions-per-user",
        caption: "Sessions per user",
        columns: [L("figure"), L("value")],
        rows: [
          ["Users with a session", formatCount(spu.users)],
          ["Sessions without a user", formatCount(spu.anonymousSessions)],
          ["Sessions per user p50 / p95 / max", `${num(spu.p50)} / ${num(spu.p95)} / ${num(spu.max)}`],
        ],
        empty: "",
      },
    ],
  };

  const hist = report.sessions.durationHistogram;
  const timed = hist.reduce((n, b) => n + b.sessions, 0);
  const clientRows = [
    ...report.clients.map((c) => [c.name, c.version ?? NONE, c.platform, formatCount(c.sessions), formatRate(c.share)]),
    ...(report.otherClients === null
      ? []
      : [[`others (${formatCount(report.otherClients.names)})`, NONE, NONE, formatCount(report.otherClients.sessions), formatRate(report.otherClients.share)]]),
  ];
  const sessions: ReportSection = {
    id: "sessions",
    title: "Sessions and clients",
    tables: [
      {
        id: "session-length",
        caption: "Session length (sessions that ended)",
        columns: [L("length"), R("sessions"), R("share")],
        rows: timed === 0 ? [] : hist.map((b) => [b.label, formatCount(b.sessions), formatRate(b.sessions / timed)]),
        empty: "No session ended with a duration.",
        ...(timed === 0
          ? {}
          : {
              note: `p50 ${formatDuration(dur.p50)}, p95 ${formatDuration(dur.p95)}, p99 ${formatDuration(dur.p99)}, longest ${formatDuration(dur.max)}; ${formatCount(report.sessions.started)} sessions started, ${formatCount(report.sessions.ended)} ended.`,
            }),
        chart: {
          kind: "bars",
          title: "Sessions by length",
          series: [{ name: "share of sessions", color: GREEN, scale: "rate" }],
          rows: timed === 0 ? [] : hist.map((b) => ({ label: b.label, values: [b.sessions / timed], texts: [`${formatCount(b.sessions)} (${formatRate(b.sessions / timed)})`] })),
        },
      },
      {
        id: "clients",
        caption: "Clients and versions",
        columns: [L("client", true), L("version", true), L("platform", true), R("sessions"), R("share")],
        rows: clientRows,
        empty: "No sessions.",
      },
      shareTable("platforms", "Sessions by platform", "platform", report.platforms),
      shareTable("transports", "Sessions by transport", "transport", report.transports),
    ],
  };

  const funnel: ReportSection = {
    id: "funnel",
    title: "Funnel",
    tables: [
      {
        id: "funnel-steps",
        caption: "Funnel steps (a session counts at a step once it reached every earlier step)",
        columns: [R("#"), L("step", true), R("sessions"), R("% of all sessions"), R("lost since previous"), R("lost %"), R("reached in any order")],
        rows: report.funnel.map((s) => [
          String(s.position),
          s.step,
          formatCount(s.sessions),
          formatRate(s.shareOfSessions),
          s.dropOff === null ? NONE : formatCount(s.dropOff),
          formatRate(s.dropOffRate),
          formatCount(s.reached),
        ]),
        empty: "No steps.",
        chart: {
          kind: "bars",
          title: "Funnel: share of all sessions at each step",
          series: [{ name: "share of sessions", color: BLUE, scale: "rate" }],
          rows: report.funnel.map((s) => ({ label: `${s.position}. ${s.step}`, values: [s.shareOfSessions], texts: [`${formatCount(s.sessions)} (${formatRate(s.shareOfSessions)})`] })),
        },
      },
    ],
  };

  const conversions: ReportSection = {
    id: "conversions",
    title: "Conversions and revenue",
    tables: [
      {
        id: "revenue",
        caption: "Conversions and revenue by currency",
        columns: [L("currency", true), R("conversions"), R("revenue")],
        rows: report.conversions.byCurrency.map((c) => [c.currency, formatCount(c.conversions), formatMoney(c.revenue, c.currency)]),
        empty: "No conversions with a value.",
        chart: {
          kind: "bars",
          title: "Conversions by currency",
          series: [{ name: "conversions", color: GREEN, scale: "max" }],
          rows: report.conversions.byCurrency.map((c) => ({ label: c.currency, values: [c.conversions], texts: [formatCount(c.conversions)] })),
        },
      },
      {
        id: "conversion-names",
        caption: "Conversions by name",
        columns: [L("conversion", true), R("count")],
        rows: report.conversions.byName.map((c) => [c.name, formatCount(c.count)]),
        empty: "No conversions.",
      },
    ],
  };

  const resourcesAndPrompts: ReportSection = {
    id: "resources-prompts",
    title: "Resources and prompts",
    tables: [
      operationTable("resources", "Resource reads", "resource", withOthers(report.resources, report.otherResources), "No resource reads."),
      operationTable("prompts", "Prompts", "prompt", withOthers(report.prompts, report.otherPrompts), "No prompts."),
    ],
  };

  const custom: ReportSection = {
    id: "custom",
    title: "Custom events and exceptions",
    tables: [
      {
        id: "tracks",
        caption: "Custom events",
        columns: [L("event", true), R("count")],
        rows: report.tracks.map((x) => [x.name, formatCount(x.count)]),
        empty: "No custom events.",
      },
      {
        id: "exceptions",
        caption: "Captured exceptions",
        columns: [L("error class", true), R("count")],
        rows: report.exceptions.map((x) => [x.name, formatCount(x.count)]),
        empty: "No captured exceptions.",
      },
    ],
  };

  const warnings: ReportSection = {
    id: "warnings",
    title: "Warnings",
    tables: [
      {
        id: "warning-codes",
        caption: "Warnings seen",
        columns: [L("code", true), L("level", true), R("count"), L("meaning")],
        rows: report.warnings.map((w) => [w.code, w.level, formatCount(w.count), w.summary ?? w.sampleMessage]),
        empty: "No warnings.",
        chart: {
          kind: "bars",
          title: "Warnings by code",
          series: [{ name: "count", color: GREY, scale: "max" }],
          rows: report.warnings.map((w) => ({ label: w.code, values: [w.count], texts: [formatCount(w.count)] })),
        },
      },
    ],
  };

  const inputs: ReportSection = {
    id: "inputs",
    title: "Inputs",
    tables: [
      {
        id: "input-files",
        caption: "Inputs read",
        columns: [L("input", true), R("lines"), R("events"), R("warnings"), R("bad lines")],
        rows: report.inputs.map((i) => [i.name, formatCount(i.lines), formatCount(i.events), formatCount(i.warnings), formatCount(i.badLines)]),
        empty: "No input.",
        ...(report.badLineSamples.length > 0 ? { note: badLinesText(report) } : {}),
      },
    ],
  };

  return [summary, activity, trendSection, tools, discovery, users, sessions, funnel, conversions, resourcesAndPrompts, custom, warnings, inputs];
}

/** "Skipped 5 bad lines: events.jsonl:24 (not JSON), …", or "" without bad lines. */
export function badLinesText(report: Report): string {
  const n = report.totals.badLines;
  if (n === 0) return "";
  const samples = report.badLineSamples.map((b) => `${b.input}:${b.line} (${b.reason})`).join(", ");
  const more = n > report.badLineSamples.length ? `, and ${formatCount(n - report.badLineSamples.length)} more` : "";
  return `Skipped ${formatCount(n)} bad line${n === 1 ? "" : "s"} (neither an event nor a warning): ${samples}${more}.`;
}

function withOthers(rows: OperationStats[], other: OtherOperations | null): OperationStats[] {
  return other === null ? rows : [...rows, other];
}

function num(n: number | null): string {
  return n === null ? NONE : formatCount(n);
}

function revenueText(revenue: { currency: string; revenue: number }[]): string {
  return revenue.length === 0 ? NONE : revenue.map((r) => formatMoney(r.revenue, r.currency)).join(" + ");
}

function latencyTriple(l: LatencySummary): string {
  const approx = l.method === "sketch";
  return `${formatMs(l.p50, approx)} / ${formatMs(l.p95, approx)} / ${formatMs(l.p99, approx)}`;
}

function operationTable(id: string, caption: string, label: string, ops: OperationStats[], empty: string): ReportTable {
  return {
    id,
    caption,
    columns: [L(label, true), R("calls"), R("share"), R("errors"), R("error rate"), R("p50 ms"), R("p95 ms"), R("p99 ms")],
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

function shareTable(id: string, caption: string, label: string, rows: ShareRow[]): ReportTable {
  return {
    id,
    caption,
    columns: [L(label, true), R("sessions"), R("share")],
    rows: rows.map((r) => [r.name, formatCount(r.sessions), formatRate(r.share)]),
    empty: "No sessions.",
    chart: {
      kind: "bars",
      title: caption,
      series: [{ name: "share of sessions", color: GREEN, scale: "rate" }],
      rows: rows.map((r) => ({ label: r.name, values: [r.share], texts: [`${formatCount(r.sessions)} (${formatRate(r.share)})`] })),
    },
  };
}
