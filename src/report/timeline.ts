import { Quantiles } from "./quantiles.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-05 was a Monday: weeks start on Mondays (UTC). */
const MONDAY = 4 * DAY;

/**
 * Bucket widths, each a whole multiple of the one before and aligned so that every bucket of one
 * width lies inside one bucket of the next: coarsening re-adds counts exactly.
 */
export const BUCKET_LADDER: readonly { ms: number; offset: number; label: string }[] = [
  { ms: MINUTE, offset: 0, label: "1 minute" },
  { ms: 5 * MINUTE, offset: 0, label: "5 minutes" },
  { ms: 15 * MINUTE, offset: 0, label: "15 minutes" },
  { ms: HOUR, offset: 0, label: "1 hour" },
  { ms: 6 * HOUR, offset: 0, label: "6 hours" },
  { ms: DAY, offset: 0, label: "1 day" },
  { ms: WEEK, offset: MONDAY, label: "1 week" },
  { ms: 4 * WEEK, offset: MONDAY, label: "4 weeks" },
  { ms: 52 * WEEK, offset: MONDAY, label: "52 weeks" },
];

/** The final bucket width is the finest that spans the time range in at most this many buckets. */
export const TARGET_BUCKETS = 60;
/** While reading, buckets are kept finer (up to this many over the range seen so far). */
const RUNNING_BUCKETS = 8 * TARGET_BUCKETS;
/**
 * Times outside these years are left off the timeline (still counted everywhere else): one stray
 * timestamp from 1970 or the year 275760 would otherwise stretch the chart over thousands of
 * empty buckets.
 */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
/** Tools whose calls are kept per bucket (the first ones seen); memory stays bounded. */
const MAX_TREND_TOOLS = 200;

export class ActivityCell {
  events = 0;
  calls = 0;
  errors = 0;
  sessions = 0;
}

export class ToolCell {
  calls = 0;
  errors = 0;
  readonly latency = new Quantiles({ exactLimit: 64 });
}

function bucketStart(ms: number, level: number): number {
  const { ms: width, offset } = BUCKET_LADDER[level]!;
  return Math.floor((ms - offset) / width) * width + offset;
}

/**
 * Counts per time bucket, streamed: the width starts at one minute and grows along
 * {@link BUCKET_LADDER} as the time range seen grows, so memory is bounded by the number of
 * buckets (≤ 480 per series), not by the number of events.
 */
export class Timeline {
  private level = 0;
  private first = Infinity;
  private last = -Infinity;
  private activity = new Map<number, ActivityCell>();
  private readonly tools = new Map<string, Map<number, ToolCell>>();

  /** Counts an event at `ms` (ignored when not finite). */
  event(ms: number): void {
    const cell = this.activityCell(ms);
    if (cell !== undefined) cell.events++;
  }

  /** Counts a tool call that ended at `ms`. */
  toolCall(ms: number, tool: string, error: boolean, latencyMs: number | undefined): void {
    const cell = this.activityCell(ms);
    if (cell === undefined) return;
    cell.calls++;
    if (error) cell.errors++;
    let series = this.tools.get(tool);
    if (series === undefined) {
      if (this.tools.size >= MAX_TREND_TOOLS) return;
      series = new Map();
      this.tools.set(tool, series);
    }
    const start = bucketStart(ms, this.level);
    let toolCell = series.get(start);
    if (toolCell === undefined) {
      toolCell = new ToolCell();
      series.set(start, toolCell);
    }
    toolCell.calls++;
    if (error) toolCell.errors++;
    if (latencyMs !== undefined) toolCell.latency.add(latencyMs);
  }

  /**
   * Settles the final width (the finest giving at most {@link TARGET_BUCKETS} over the range
   * seen) and returns every bucket start from first to last, with the cells re-added to it.
   * `sessionStarts` are the first-event times of the sessions, counted in their buckets.
   */
  finish(sessionStarts: Iterable<number>): {
    bucketMs: number;
    label: string;
    starts: number[];
    activity: Map<number, ActivityCell>;
    tools: Map<string, Map<number, ToolCell>>;
  } {
    if (!Number.isFinite(this.first)) {
      const { ms, label } = BUCKET_LADDER[this.level]!;
      return { bucketMs: ms, label, starts: [], activity: new Map(), tools: new Map() };
    }
    while (this.level < BUCKET_LADDER.length - 1 && this.bucketCount(this.level) > TARGET_BUCKETS) this.coarsen();
    for (const ms of sessionStarts) {
      const cell = this.activity.get(bucketStart(ms, this.level));
      if (cell !== undefined) cell.sessions++;
    }
    const { ms: width, label } = BUCKET_LADDER[this.level]!;
    const starts: number[] = [];
    for (let t = bucketStart(this.first, this.level); t <= this.last; t += width) starts.push(t);
    return { bucketMs: width, label, starts, activity: this.activity, tools: this.tools };
  }

  private bucketCount(level: number): number {
    return (bucketStart(this.last, level) - bucketStart(this.first, level)) / BUCKET_LADDER[level]!.ms + 1;
  }

  private activityCell(ms: number): ActivityCell | undefined {
    if (!(ms >= EARLIEST && ms < LATEST)) return undefined;
    if (ms < this.first) this.first = ms;
    if (ms > this.last) this.last = ms;
    while (this.level < BUCKET_LADDER.length - 1 && this.bucketCount(this.level) > RUNNING_BUCKETS) this.coarsen();
    const start = bucketStart(ms, this.level);
    let cell = this.activity.get(start);
    if (cell === undefined) {
      cell = new ActivityCell();
      this.activity.set(start, cell);
    }
    return cell;
  }

  private coarsen(): void {
    this.level++;
    const activity = new Map<number, ActivityCell>();
    for (const [start, cell] of this.activity) {
      const key = bucketStart(start, this.level);
      const into = activity.get(key);
      if (into === undefined) activity.set(key, cell);
      else {
        into.events += cell.events;
        into.calls += cell.calls;
        into.errors += cell.errors;
        into.sessions += cell.sessions;
      }
    }
    this.activity = activity;
    for (const [tool, series] of this.tools) {
      const merged = new Map<number, ToolCell>();
      for (const [start, cell] of series) {
        const key = bucketStart(start, this.level);
        const into = merged.get(key);
        if (into === undefined) merged.set(key, cell);
        else {
          into.calls += cell.calls;
          into.errors += cell.errors;
          into.latency.merge(cell.latency);
        }
      }
      this.tools.set(tool, merged);
    }
  }
}
