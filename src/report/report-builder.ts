import { WARNING_CODES } from "../warnings/index.js";
import { EventIdSet } from "./event-id-set.js";
import { Quantiles } from "./quantiles.js";
import type {
  Activity,
  BadLineSample,
  ClientRow,
  DurationBucket,
  FunnelStep,
  InputSummary,
  NameCount,
  OperationStats,
  OtherOperations,
  OtherUsers,
  Report,
  SessionsPerUser,
  ShareRow,
  ToolExposure,
  ToolExposureSummary,
  ToolFillRates,
  ToolIntents,
  ToolTrend,
  UnexposedToolSummary,
  UserStats,
  WarningStats,
} from "./report.js";
import { Timeline } from "./timeline.js";
import type { ToolCell } from "./timeline.js";

export interface ReportBuilderOptions {
  /** Only events at or after this time (ms since the epoch) count. */
  since?: number;
  /** Only events before this time count. */
  until?: number;
  /** Rows kept in each ranked list before the "others" row. Default 20. */
  top?: number;
}

/** Default for {@link ReportBuilderOptions.top}. */
export const DEFAULT_TOP = 20;
/** Tools shown over time. */
const TREND_TOOLS = 5;

/**
 * A call to a name the server does not expose: the middleware flags it (`metadata.unexposed_tool`);
 * events of older versions are told by the SDK's answer, an error whose text ends
 * "Tool <name> not found" or "Tool <name> disabled" (after an "MCP error -32602: " prefix).
 */
function unexposedReason(toolName: string, message: unknown, metadata: unknown): "not found" | "disabled" | undefined {
  const flag = (metadata as Json | undefined)?.unexposed_tool;
  if (flag === "not_found") return "not found";
  if (flag === "disabled") return "disabled";
  if (typeof message !== "string") return undefined;
  const trimmed = message.trimEnd();
  if (trimmed.endsWith(`Tool ${toolName} not found`)) return "not found";
  if (trimmed.endsWith(`Tool ${toolName} disabled`)) return "disabled";
  return undefined;
}

const DURATION_BUCKETS: readonly { label: string; fromMs: number; toMs: number | null }[] = [
  { label: "< 10 s", fromMs: 0, toMs: 10_000 },
  { label: "10 s – 1 min", fromMs: 10_000, toMs: 60_000 },
  { label: "1 – 5 min", fromMs: 60_000, toMs: 300_000 },
  { label: "5 – 30 min", fromMs: 300_000, toMs: 1_800_000 },
  { label: "30 min – 2 h", fromMs: 1_800_000, toMs: 7_200_000 },
  { label: "≥ 2 h", fromMs: 7_200_000, toMs: null },
];

/** Distinct names kept per dimension; past it, names fold into "(other)" so memory stays bounded. */
const MAX_NAMES = 1000;
/** Distinct parameter names kept per tool. */
const MAX_PARAMETERS = 200;
/** Distinct intents counted per tool; past it, new ones fold into "(other)". */
const MAX_INTENTS = 200;
/** Intents shown per tool, and the characters each keeps. */
const INTENTS_SHOWN = 5;
const INTENT_CHARS = 80;
const OTHER = "(other)";
const BAD_LINE_SAMPLES = 10;

class SessionState {
  firstMs = NaN;
  lastMs = NaN;
  userId: string | undefined = undefined;
  userIdMs = Infinity;
  toolCalls = 0;
  unexposedCalls = 0;
  conversions = 0;
  /** Currency → micro-units. */
  revenue: Map<string, number> | undefined = undefined;
  clientName: string | undefined = undefined;
  clientVersion: string | undefined = undefined;
  startMs = NaN;
  firstToolMs = NaN;
  platform: string | undefined = undefined;
  transport: string | undefined = undefined;
  durationMs = NaN;
  started = false;
  ended = false;
  identified = false;
  converted = false;
  steps: Set<string> | undefined = undefined;
  /** Tools this session was shown (tool_discovery) and called. */
  shownTools: Set<string> | undefined = undefined;
  calledTools: Set<string> | undefined = undefined;
}

class OperationState {
  calls = 0;
  errors = 0;
  readonly latency = new Quantiles();
  /** Tool calls only: parameter name → calls that had it. */
  readonly parameters = new Map<string, number>();
  /** Tool calls only: folded intent → calls that stated it. */
  intents: Map<string, number> | undefined = undefined;
  callsWithIntent = 0;
}

interface StepState {
  sessions: number;
  sequences: Map<number, number>;
}

interface WarningState {
  level: string;
  count: number;
  sampleMessage: string;
}

interface UnexposedState {
  reason: "not found" | "disabled";
  calls: number;
  sessions: Set<string>;
}

type Json = Record<string, unknown>;

/**
 * Folds JSON lines into a {@link Report} one line at a time. Memory grows with the number of
 * distinct sessions, users and names (tools, steps, …), plus ≤ 16 bytes per distinct event for
 * deduplication (see {@link EventIdSet}) — never with the raw size of the input.
 *
 * @example
 * const builder = new ReportBuilder();
 * builder.addLine('{"event_id":"e1","event_type":"tool_call","session_id":"s1", …}', "events.jsonl", 1);
 * const report = builder.finish();
 */
export class ReportBuilder {
  private readonly inputs: InputSummary[] = [];
  private readonly inputIndex = new Map<string, InputSummary>();
  private readonly badSamples: BadLineSample[] = [];
  private readonly ids = new EventIdSet(1 << 14);
  private lines = 0;
  private events = 0;
  private duplicates = 0;
  private badLines = 0;
  private warningLines = 0;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private readonly byType = new Map<string, number>();
  private readonly sessions = new Map<string, SessionState>();
  private readonly users = new Set<string>();
  private readonly tools = new Map<string, OperationState>();
  private readonly resources = new Map<string, OperationState>();
  private readonly prompts = new Map<string, OperationState>();
  private readonly allTools = new Quantiles();
  private readonly categories = new Map<string, number>();
  private readonly steps = new Map<string, StepState>();
  private readonly currencies = new Map<string, { conversions: number; micros: number }>();
  private readonly conversionNames = new Map<string, number>();
  private conversions = 0;
  private readonly tracks = new Map<string, number>();
  private readonly exceptions = new Map<string, number>();
  private readonly warnings = new Map<string, WarningState>();
  private readonly unexposed = new Map<string, UnexposedState>();
  /** Names of tools any session was shown: bounds the per-session sets. */
  private readonly shownNames = new Set<string>();
  private readonly timeline = new Timeline();
  private outside = 0;
  private readonly since: number;
  private readonly until: number;
  private readonly top: number;

  constructor(options: ReportBuilderOptions = {}) {
    this.since = options.since ?? -Infinity;
    this.until = options.until ?? Infinity;
    this.top = Math.max(1, Math.floor(options.top ?? DEFAULT_TOP));
  }

  /**
   * Adds one line. Blank lines are ignored; anything that is neither an event nor a structured
   * warning is counted as a bad line and skipped.
   */
  addLine(line: string, input = "<input>", lineNumber = 0): void {
    const summary = this.input(input);
    if (line.length === 0 || line.trim().length === 0) return;
    this.lines++;
    summary.lines++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.bad(summary, lineNumber, "not JSON");
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.bad(summary, lineNumber, "not a JSON object");
      return;
    }
    const record = value as Json;
    if (
      typeof record.event_id === "string" &&
      typeof record.event_type === "string" &&
      typeof record.session_id === "string"
    ) {
      summary.events++;
      this.addEvent(record, record.event_id, record.event_type, record.session_id);
      return;
    }
    if (record.yavio === true && typeof record.code === "string") {
      summary.warnings++;
      this.addWarning(record, record.code);
      return;
    }
    this.bad(summary, lineNumber, "neither an event nor a yavio warning");
  }

  /** Adds every line of a stream, numbering lines from 1 for bad-line samples. */
  async addLines(lines: AsyncIterable<string> | Iterable<string>, input = "<input>"): Promise<void> {
    this.input(input);
    let n = 0;
    for await (const line of lines) this.addLine(line, input, ++n);
  }

  finish(): Report {
    const uniqueSessions = this.sessions.size;
    const platforms = new Map<string, number>();
    const transports = new Map<string, number>();
    const durations = new Quantiles();
    const durationCounts = DURATION_BUCKETS.map(() => 0);
    const firstCall = new Quantiles();
    const users = new Map<string, UserState>();
    const clients = new Map<string, { name: string; version: string | null; platforms: Map<string, number>; sessions: number }>();
    let started = 0;
    let ended = 0;
    let identified = 0;
    let converted = 0;
    let startedWithoutToolCall = 0;
    let anonymousSessions = 0;
    for (const s of this.sessions.values()) {
      const platform = s.platform ?? "unknown";
      increment(platforms, platform);
      increment(transports, s.transport ?? "unknown");
      if (s.started) started++;
      if (s.ended) ended++;
      if (s.identified) identified++;
      if (s.converted) converted++;
      durations.add(s.durationMs);
      if (Number.isFinite(s.durationMs)) {
        const d = Math.max(0, s.durationMs);
        const i = DURATION_BUCKETS.findIndex((b) => b.toMs === null || d < b.toMs);
        durationCounts[i]! += 1;
      }
      if (s.started && Number.isNaN(s.firstToolMs)) startedWithoutToolCall++;
      if (!Number.isNaN(s.startMs) && !Number.isNaN(s.firstToolMs)) firstCall.add(s.firstToolMs - s.startMs);
      if (s.userId === undefined) anonymousSessions++;
      else addToUser(users, s.userId, s);
      const clientName = s.clientName ?? "unknown";
      const clientKey = boundedKey(clients, `${clientName}\u0000${s.clientVersion ?? ""}`);
      let client = clients.get(clientKey);
      if (client === undefined) {
        client =
          clientKey === OTHER
            ? { name: OTHER, version: null, platforms: new Map(), sessions: 0 }
            : { name: clientName, version: s.clientVersion ?? null, platforms: new Map(), sessions: 0 };
        clients.set(clientKey, client);
      }
      client.sessions++;
      if (client.platforms.size < 20 || client.platforms.has(platform)) increment(client.platforms, platform);
    }

    const toolCalls = sumCalls(this.tools);
    const toolErrors = sumErrors(this.tools);
    const firstCallSummary = firstCall.summary();
    const [tools, otherTools] = this.ranked(this.tools);
    const [resources, otherResources] = this.ranked(this.resources);
    const [prompts, otherPrompts] = this.ranked(this.prompts);
    const sortedClients = [...clients.values()].sort(
      (a, b) => b.sessions - a.sessions || compare(a.name, b.name) || compare(a.version ?? "", b.version ?? ""),
    );
    const shownClients = sortedClients.slice(0, this.top);
    const restClients = sortedClients.slice(this.top);
    const restClientSessions = restClients.reduce((n, c) => n + c.sessions, 0);
    const timeline = this.timeline.finish([...this.sessions.values()].map((s) => s.firstMs));

    return {
      inputs: this.inputs.map((i) => ({ ...i })),
      window: {
        since: Number.isFinite(this.since) ? new Date(this.since).toISOString() : null,
        until: Number.isFinite(this.until) ? new Date(this.until).toISOString() : null,
        outside: this.outside,
      },
      top: this.top,
      totals: {
        lines: this.lines,
        events: this.events,
        duplicates: this.duplicates,
        badLines: this.badLines,
        warningLines: this.warningLines,
        eventsByType: nameCounts(this.byType),
      },
      badLineSamples: [...this.badSamples],
      timeRange: {
        first: Number.isFinite(this.firstMs) ? new Date(this.firstMs).toISOString() : null,
        last: Number.isFinite(this.lastMs) ? new Date(this.lastMs).toISOString() : null,
      },
      sessions: {
        unique: uniqueSessions,
        started,
        ended,
        identified,
        duration: durations.summary(),
        durationHistogram: DURATION_BUCKETS.map((b, i): DurationBucket => ({ ...b, sessions: durationCounts[i] ?? 0 })),
      },
      identifiedUsers: this.users.size,
      toolCalls: {
        total: toolCalls,
        errors: toolErrors,
        errorRate: ratio(toolErrors, toolCalls),
        latency: this.allTools.summary(),
      },
      tools,
      otherTools,
      unexposedTools: this.unexposedSummary(),
      toolExposure: this.exposureSummary(),
      intents: this.intentRows(),
      errorCategories: [...this.categories]
        .map(([category, errors]) => ({
          category,
          errors,
          rate: ratio(errors, toolCalls),
          shareOfErrors: ratio(errors, toolErrors),
        }))
        .sort((a, b) => b.errors - a.errors || compare(a.category, b.category)),
      resources,
      otherResources,
      prompts,
      otherPrompts,
      activity: activityOf(timeline),
      toolTrends: trendsOf(timeline, tools.slice(0, TREND_TOOLS).map((t) => t.name)),
      ...this.userRows(users),
      sessionsPerUser: sessionsPerUser(users, anonymousSessions),
      clients: shownClients.map(
        (c): ClientRow => ({
          name: c.name,
          version: c.version,
          platform: nameCounts(c.platforms)[0]?.name ?? "unknown",
          sessions: c.sessions,
          share: ratio(c.sessions, uniqueSessions),
        }),
      ),
      otherClients:
        restClients.length === 0
          ? null
          : { names: restClients.length, sessions: restClientSessions, share: ratio(restClientSessions, uniqueSessions) },
      platforms: shareRows(platforms, uniqueSessions),
      transports: shareRows(transports, uniqueSessions),
      timeToFirstToolCall: {
        sessions: firstCallSummary.count,
        startedWithoutToolCall,
        medianMs: firstCallSummary.p50,
        p95Ms: firstCallSummary.p95,
        method: firstCallSummary.method,
      },
      funnel: this.funnel(uniqueSessions),
      conversions: {
        total: this.conversions,
        sessionsConverted: converted,
        sessionToConversionRate: ratio(converted, uniqueSessions),
        byCurrency: [...this.currencies]
          .map(([currency, c]) => ({ currency, conversions: c.conversions, revenue: c.micros / 1e6 }))
          .sort((a, b) => b.conversions - a.conversions || compare(a.currency, b.currency)),
        byName: nameCounts(this.conversionNames),
      },
      fillRates: this.fillRates(),
      tracks: nameCounts(this.tracks),
      exceptions: nameCounts(this.exceptions),
      warnings: this.warningStats(),
    };
  }

  private windowed(): boolean {
    return this.since !== -Infinity || this.until !== Infinity;
  }

  /** The first `top` names, and the rest summed into one row. */
  private ranked(map: Map<string, OperationState>): [OperationStats[], OtherOperations | null] {
    const total = sumCalls(map);
    const order = operationOrder(map);
    const shown = order.slice(0, this.top).map(([name, op]) => operationRow(name, op, total));
    const rest = order.slice(this.top);
    if (rest.length === 0) return [shown, null];
    const merged = new OperationState();
    for (const [, op] of rest) {
      merged.calls += op.calls;
      merged.errors += op.errors;
      merged.latency.merge(op.latency);
    }
    return [shown, { ...operationRow(`others (${rest.length})`, merged, total), names: rest.length }];
  }

  private unexposedSummary(): UnexposedToolSummary {
    const sessions = new Set<string>();
    let calls = 0;
    for (const u of this.unexposed.values()) {
      calls += u.calls;
      for (const id of u.sessions) sessions.add(id);
    }
    const rows = [...this.unexposed]
      .map(([name, u]) => ({ name, reason: u.reason, calls: u.calls, sessions: u.sessions.size }))
      .sort((a, b) => b.calls - a.calls || compare(a.name, b.name));
    const rest = rows.slice(this.top);
    return {
      calls,
      sessions: sessions.size,
      names: rows.slice(0, this.top),
      other: rest.length === 0 ? null : { names: rest.length, calls: rest.reduce((n, r) => n + r.calls, 0) },
    };
  }

  private exposureSummary(): ToolExposureSummary {
    const rows = new Map<string, { shown: number; shownAndCalled: number; called: number }>();
    const row = (name: string) => {
      let r = rows.get(name);
      if (r === undefined) {
        r = { shown: 0, shownAndCalled: 0, called: 0 };
        rows.set(name, r);
      }
      return r;
    };
    let sessionsShown = 0;
    for (const s of this.sessions.values()) {
      if (s.shownTools !== undefined) {
        sessionsShown++;
        for (const tool of s.shownTools) {
          const r = row(tool);
          r.shown++;
          if (s.calledTools?.has(tool) === true) r.shownAndCalled++;
        }
      }
    }
    if (rows.size === 0) return { sessionsShown: 0, toolsShown: 0, neverCalled: 0, tools: [], other: null };
    // Called tools that no session was shown (a client that calls without listing) still get a row.
    for (const s of this.sessions.values()) for (const tool of s.calledTools ?? []) row(tool).called++;
    const all = [...rows].map(
      ([name, r]): ToolExposure => ({
        name,
        sessionsShown: r.shown,
        sessionsCalled: r.called,
        useRate: ratio(r.shownAndCalled, r.shown),
        calls: this.tools.get(name)?.calls ?? 0,
      }),
    );
    all.sort(
      (a, b) =>
        Number(a.calls > 0) - Number(b.calls > 0) ||
        (a.calls === 0 ? b.sessionsShown - a.sessionsShown : (a.useRate ?? Infinity) - (b.useRate ?? Infinity)) ||
        b.sessionsShown - a.sessionsShown ||
        compare(a.name, b.name),
    );
    const rest = all.slice(this.top);
    return {
      sessionsShown,
      toolsShown: all.filter((t) => t.sessionsShown > 0).length,
      neverCalled: all.filter((t) => t.sessionsShown > 0 && t.calls === 0).length,
      tools: all.slice(0, this.top),
      other:
        rest.length === 0
          ? null
          : { tools: rest.length, sessionsShown: rest.reduce((n, t) => n + t.sessionsShown, 0), calls: rest.reduce((n, t) => n + t.calls, 0) },
    };
  }

  private intentRows(): ToolIntents[] {
    return [...this.tools]
      .filter(([, op]) => op.callsWithIntent > 0)
      .sort(([an, a], [bn, b]) => b.callsWithIntent - a.callsWithIntent || compare(an, bn))
      .slice(0, this.top)
      .map(([tool, op]) => ({
        tool,
        calls: op.calls,
        callsWithIntent: op.callsWithIntent,
        distinct: op.intents?.size ?? 0,
        top: nameCounts(op.intents ?? new Map<string, number>())
          .slice(0, INTENTS_SHOWN)
          .map((x) => ({ intent: x.name, count: x.count })),
      }));
  }

  private userRows(users: Map<string, UserState>): { users: UserStats[]; otherUsers: OtherUsers | null } {
    const order = [...users].sort(
      ([an, a], [bn, b]) => b.sessions - a.sessions || b.calls - a.calls || compare(an, bn),
    );
    const rows = order.slice(0, this.top).map(([userId, u]): UserStats => ({
      userId,
      sessions: u.sessions,
      calls: u.calls,
      firstSeen: Number.isFinite(u.firstMs) ? new Date(u.firstMs).toISOString() : null,
      lastSeen: Number.isFinite(u.lastMs) ? new Date(u.lastMs).toISOString() : null,
      conversions: u.conversions,
      revenue: revenueList(u.revenue),
    }));
    const rest = order.slice(this.top);
    if (rest.length === 0) return { users: rows, otherUsers: null };
    const other = { users: rest.length, sessions: 0, calls: 0, conversions: 0 };
    const revenue = new Map<string, number>();
    for (const [, u] of rest) {
      other.sessions += u.sessions;
      other.calls += u.calls;
      other.conversions += u.conversions;
      for (const [c, micros] of u.revenue) revenue.set(c, (revenue.get(c) ?? 0) + micros);
    }
    return { users: rows, otherUsers: { ...other, revenue: revenueList(revenue) } };
  }

  private input(name: string): InputSummary {
    let summary = this.inputIndex.get(name);
    if (summary === undefined) {
      summary = { name, lines: 0, events: 0, warnings: 0, badLines: 0 };
      this.inputIndex.set(name, summary);
      this.inputs.push(summary);
    }
    return summary;
  }

  private bad(summary: InputSummary, line: number, reason: string): void {
    this.badLines++;
    summary.badLines++;
    if (this.badSamples.length < BAD_LINE_SAMPLES) this.badSamples.push({ input: summary.name, line, reason });
  }

  private addWarning(record: Json, code: string): void {
    if (this.windowed()) {
      const ms = typeof record.time === "string" ? Date.parse(record.time) : NaN;
      if (!(ms >= this.since && ms < this.until)) {
        this.outside++;
        return;
      }
    }
    this.warningLines++;
    const state = this.warnings.get(code);
    if (state !== undefined) {
      state.count++;
      return;
    }
    if (this.warnings.size >= MAX_NAMES) return;
    this.warnings.set(code, {
      level: typeof record.level === "string" ? record.level : "warn",
      count: 1,
      sampleMessage: typeof record.message === "string" ? record.message : "",
    });
  }

  private addEvent(e: Json, eventId: string, type: string, sessionId: string): void {
    if (!this.ids.add(eventId)) {
      this.duplicates++;
      return;
    }
    const ms = typeof e.timestamp === "string" ? Date.parse(e.timestamp) : NaN;
    if (this.windowed() && !(ms >= this.since && ms < this.until)) {
      this.outside++;
      return;
    }
    this.events++;
    increment(this.byType, type);
    if (ms < this.firstMs) this.firstMs = ms;
    if (ms > this.lastMs) this.lastMs = ms;
    this.timeline.event(ms);

    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = new SessionState();
      this.sessions.set(sessionId, session);
    }
    if (Number.isFinite(ms)) {
      if (!(session.firstMs <= ms)) session.firstMs = ms;
      if (!(session.lastMs >= ms)) session.lastMs = ms;
    }
    if (session.platform === undefined && typeof e.platform === "string") session.platform = e.platform;
    if (typeof e.user_id === "string" && e.user_id.length > 0) {
      this.users.add(e.user_id);
      session.identified = true;
      // The earliest event's user, whatever the line order (identity is fixed per session anyway).
      const at = Number.isFinite(ms) ? ms : Infinity;
      if (session.userId === undefined || at < session.userIdMs || (at === session.userIdMs && e.user_id < session.userId)) {
        session.userId = e.user_id;
        session.userIdMs = at;
      }
    }
    const name = typeof e.event_name === "string" ? e.event_name : undefined;

    switch (type) {
      case "connection":
        if (name === "session_start") {
          session.started = true;
          if (Number.isFinite(ms) && !(session.startMs <= ms)) session.startMs = ms;
          if (typeof e.platform === "string") session.platform = e.platform;
          if (typeof e.transport === "string") session.transport = e.transport;
          if (typeof e.client_name === "string") session.clientName = e.client_name;
          if (typeof e.client_version === "string") session.clientVersion = e.client_version;
        } else if (name === "session_end") {
          session.ended = true;
          if (typeof e.connection_duration_ms === "number") session.durationMs = e.connection_duration_ms;
        }
        break;
      case "tool_call": {
        const tool = typeof e.tool_name === "string" ? e.tool_name : (name ?? "(unnamed)");
        const reason = e.status === "error" ? unexposedReason(tool, e.error_message, e.metadata) : undefined;
        if (reason !== undefined) {
          session.unexposedCalls++;
          const key = boundedKey(this.unexposed, tool);
          let state = this.unexposed.get(key);
          if (state === undefined) {
            state = { reason, calls: 0, sessions: new Set() };
            this.unexposed.set(key, state);
          }
          state.calls++;
          state.sessions.add(sessionId);
          break;
        }
        const op = this.operation(this.tools, tool, e);
        session.toolCalls++;
        (session.calledTools ??= new Set()).add(boundedKey(this.tools, tool));
        if (typeof e.intent === "string" && e.intent.trim() !== "") {
          op.callsWithIntent++;
          op.intents ??= new Map();
          const intent = foldIntent(e.intent);
          increment(op.intents, op.intents.has(intent) || op.intents.size < MAX_INTENTS ? intent : OTHER);
        }
        const latency = typeof e.latency_ms === "number" && Number.isFinite(e.latency_ms) ? e.latency_ms : undefined;
        this.timeline.toolCall(ms, boundedKey(this.tools, tool), e.status === "error", latency);
        if (latency !== undefined) this.allTools.add(latency);
        if (e.status === "error") {
          const category = typeof e.error_category === "string" ? e.error_category : "unknown";
          increment(this.categories, boundedKey(this.categories, category));
        }
        if (Array.isArray(e.input_keys)) {
          const keys: unknown[] = e.input_keys;
          // A key listed twice is still one call that had it; a call lists at most a few hundred.
          const seen = new Set<string>();
          for (let i = 0; i < keys.length && seen.size < MAX_PARAMETERS; i++) {
            const key = keys[i];
            if (typeof key !== "string" || seen.has(key)) continue;
            seen.add(key);
            if (!op.parameters.has(key) && op.parameters.size >= MAX_PARAMETERS) continue;
            increment(op.parameters, key);
          }
        }
        // The event is stamped when the call ends: the call began latency_ms earlier.
        const callStart = typeof e.latency_ms === "number" && Number.isFinite(e.latency_ms) ? ms - e.latency_ms : ms;
        if (Number.isFinite(callStart) && !(session.firstToolMs <= callStart)) session.firstToolMs = callStart;
        break;
      }
      case "tool_discovery": {
        const meta = e.metadata as Json | undefined;
        // Resources and prompts are listed as names (metadata.kind): the exposure table is about tools.
        if (meta?.kind !== undefined && meta.kind !== "tool") break;
        const tool = typeof e.tool_name === "string" ? e.tool_name : name;
        if (tool === undefined) break;
        const key = this.shownNames.has(tool) || this.shownNames.size < MAX_NAMES ? tool : OTHER;
        this.shownNames.add(key);
        (session.shownTools ??= new Set()).add(key);
        break;
      }
      case "resource_access": {
        const meta = e.metadata as Json | undefined;
        const resource = typeof meta?.resource_name === "string" ? meta.resource_name : (name ?? "(unnamed)");
        this.operation(this.resources, resource, e);
        break;
      }
      case "prompt_usage":
        this.operation(this.prompts, name ?? "(unnamed)", e);
        break;
      case "step": {
        if (name === undefined) break;
        session.steps ??= new Set();
        const key = boundedKey(this.steps, name);
        let step = this.steps.get(key);
        if (step === undefined) {
          step = { sessions: 0, sequences: new Map() };
          this.steps.set(key, step);
        }
        if (!session.steps.has(key)) {
          session.steps.add(key);
          step.sessions++;
        }
        if (typeof e.step_sequence === "number" && Number.isFinite(e.step_sequence) && step.sequences.size < MAX_NAMES) {
          increment(step.sequences, e.step_sequence);
        }
        break;
      }
      case "track":
        if (name === "$exception") {
          const meta = e.metadata as Json | undefined;
          const errorClass = typeof meta?.error_class === "string" ? meta.error_class : "Error";
          increment(this.exceptions, boundedKey(this.exceptions, errorClass));
        } else {
          increment(this.tracks, boundedKey(this.tracks, name ?? "(unnamed)"));
        }
        break;
      case "conversion": {
        this.conversions++;
        session.converted = true;
        session.conversions++;
        increment(this.conversionNames, boundedKey(this.conversionNames, name ?? "(unnamed)"));
        const value = e.conversion_value;
        const currency = e.conversion_currency;
        if (typeof value === "number" && Number.isFinite(value) && typeof currency === "string") {
          const code = boundedKey(this.currencies, currency.toUpperCase());
          let c = this.currencies.get(code);
          if (c === undefined) {
            c = { conversions: 0, micros: 0 };
            this.currencies.set(code, c);
          }
          c.conversions++;
          // Integer micro-units: 19.99 + 19.99 + 19.99 is 59.97, not 59.97000000000001.
          const micros = Math.round(value * 1e6);
          c.micros += micros;
          session.revenue ??= new Map();
          session.revenue.set(code, (session.revenue.get(code) ?? 0) + micros);
        }
        break;
      }
      default:
        break;
    }
  }

  private operation(map: Map<string, OperationState>, name: string, e: Json): OperationState {
    const key = boundedKey(map, name);
    let op = map.get(key);
    if (op === undefined) {
      op = new OperationState();
      map.set(key, op);
    }
    op.calls++;
    if (e.status === "error") op.errors++;
    if (typeof e.latency_ms === "number") op.latency.add(e.latency_ms);
    return op;
  }

  /**
   * A strict funnel: steps in the order of their typical sequence, and a session counts at a step
   * only if it also reached every step before it. `reached` keeps the plain per-step count.
   */
  private funnel(uniqueSessions: number): FunnelStep[] {
    const steps = [...this.steps].map(([step, s]) => ({
      step,
      typicalSequence: histogramMedian(s.sequences),
      reached: s.sessions,
    }));
    steps.sort(
      (a, b) =>
        (a.typicalSequence ?? Infinity) - (b.typicalSequence ?? Infinity) ||
        b.reached - a.reached ||
        compare(a.step, b.step),
    );
    const inFunnel = steps.map(() => 0);
    for (const session of this.sessions.values()) {
      const reached = session.steps;
      if (reached === undefined) continue;
      for (let k = 0; k < steps.length && reached.has(steps[k]!.step); k++) inFunnel[k]! += 1;
    }
    return steps.map((s, i) => {
      const sessions = inFunnel[i]!;
      const position = i + 1;
      const previous = i > 0 ? inFunnel[i - 1]! : undefined;
      const dropOff = previous === undefined ? null : previous - sessions;
      return {
        position,
        ...s,
        sessions,
        shareOfSessions: ratio(sessions, uniqueSessions),
        dropOff,
        dropOffRate: previous === undefined || dropOff === null ? null : ratio(dropOff, previous),
      };
    });
  }

  private fillRates(): ToolFillRates[] {
    return operationOrder(this.tools).slice(0, this.top).map(([tool, op]) => ({
      tool,
      calls: op.calls,
      parameters: [...op.parameters]
        .map(([name, calls]) => ({ name, calls, rate: ratio(calls, op.calls) }))
        .sort((a, b) => b.calls - a.calls || compare(a.name, b.name)),
    }));
  }

  private warningStats(): WarningStats[] {
    const registry: Readonly<Record<string, string>> = WARNING_CODES;
    return [...this.warnings]
      .map(([code, w]) => ({
        code,
        level: w.level,
        count: w.count,
        summary: Object.hasOwn(registry, code) ? (registry[code] ?? null) : null,
        sampleMessage: w.sampleMessage,
      }))
      .sort((a, b) => b.count - a.count || compare(a.code, b.code));
  }
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Intents that differ only in case, spaces or a final full stop count as one; cut to INTENT_CHARS. */
function foldIntent(intent: string): string {
  const folded = intent.slice(0, 4 * INTENT_CHARS).replace(/\s+/g, " ").trim().replace(/[.!]+$/, "").toLowerCase();
  return folded.length > INTENT_CHARS ? `${folded.slice(0, INTENT_CHARS - 1).trimEnd()}…` : folded;
}

function boundedKey(map: Map<string, unknown>, key: string): string {
  return map.has(key) || map.size < MAX_NAMES ? key : OTHER;
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nameCounts(map: Map<string, number>): NameCount[] {
  return [...map]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || compare(a.name, b.name));
}

function shareRows(map: Map<string, number>, total: number): ShareRow[] {
  return [...map]
    .map(([name, sessions]) => ({ name, sessions, share: ratio(sessions, total) }))
    .sort((a, b) => b.sessions - a.sessions || compare(a.name, b.name));
}

function operationOrder(map: Map<string, OperationState>): [string, OperationState][] {
  return [...map].sort(([an, a], [bn, b]) => b.calls - a.calls || compare(an, bn));
}

function operationRow(name: string, op: OperationState, total: number): OperationStats {
  return {
    name,
    calls: op.calls,
    share: ratio(op.calls, total),
    errors: op.errors,
    errorRate: ratio(op.errors, op.calls),
    latency: op.latency.summary(),
  };
}

interface UserState {
  sessions: number;
  calls: number;
  firstMs: number;
  lastMs: number;
  conversions: number;
  revenue: Map<string, number>;
}

function addToUser(users: Map<string, UserState>, userId: string, s: SessionState): void {
  let u = users.get(userId);
  if (u === undefined) {
    u = { sessions: 0, calls: 0, firstMs: Infinity, lastMs: -Infinity, conversions: 0, revenue: new Map() };
    users.set(userId, u);
  }
  u.sessions++;
  u.calls += s.toolCalls;
  u.conversions += s.conversions;
  if (s.firstMs < u.firstMs) u.firstMs = s.firstMs;
  if (s.lastMs > u.lastMs) u.lastMs = s.lastMs;
  if (s.revenue !== undefined) for (const [c, micros] of s.revenue) u.revenue.set(c, (u.revenue.get(c) ?? 0) + micros);
}

function revenueList(micros: Map<string, number>): { currency: string; revenue: number }[] {
  return [...micros]
    .map(([currency, m]) => ({ currency, revenue: m / 1e6 }))
    .sort((a, b) => b.revenue - a.revenue || compare(a.currency, b.currency));
}

function sessionsPerUser(users: Map<string, UserState>, anonymousSessions: number): SessionsPerUser {
  const q = new Quantiles();
  for (const u of users.values()) q.add(u.sessions);
  const s = q.summary();
  return { users: users.size, anonymousSessions, p50: s.p50, p95: s.p95, max: s.max };
}

type FinishedTimeline = ReturnType<Timeline["finish"]>;

function activityOf(t: FinishedTimeline): Activity {
  return {
    bucketMs: t.bucketMs,
    bucketLabel: t.label,
    buckets: t.starts.map((start) => {
      const c = t.activity.get(start);
      return {
        start: new Date(start).toISOString(),
        events: c?.events ?? 0,
        calls: c?.calls ?? 0,
        errors: c?.errors ?? 0,
        sessions: c?.sessions ?? 0,
      };
    }),
  };
}

function trendsOf(t: FinishedTimeline, tools: string[]): ToolTrend[] {
  const out: ToolTrend[] = [];
  for (const tool of tools) {
    const series = t.tools.get(tool);
    if (series === undefined) continue;
    out.push({
      tool,
      buckets: t.starts.map((start) => {
        const c: ToolCell | undefined = series.get(start);
        const latency = c?.latency.summary();
        return {
          start: new Date(start).toISOString(),
          calls: c?.calls ?? 0,
          errors: c?.errors ?? 0,
          errorRate: c === undefined ? null : ratio(c.errors, c.calls),
          p50: latency?.p50 ?? null,
          p95: latency?.p95 ?? null,
          method: latency?.method ?? "exact",
        };
      }),
    });
  }
  return out;
}

function sumCalls(map: Map<string, OperationState>): number {
  let n = 0;
  for (const op of map.values()) n += op.calls;
  return n;
}

function sumErrors(map: Map<string, OperationState>): number {
  let n = 0;
  for (const op of map.values()) n += op.errors;
  return n;
}

/** Lower median of a value → count histogram. */
function histogramMedian(histogram: Map<number, number>): number | null {
  let total = 0;
  for (const c of histogram.values()) total += c;
  if (total === 0) return null;
  const rank = Math.ceil(total / 2);
  let seen = 0;
  for (const value of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(value) ?? 0;
    if (seen >= rank) return value;
  }
  return null;
}
