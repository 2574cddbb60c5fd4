import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { ConsoleSink, FileSink, MemorySink, RetryingSink, toContractEvent } from "../../src/delivery/index.js";
import type { SendResult, Sink } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";

let dir: string;
let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const signal = new AbortController().signal;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "yavio-sinks-"));
  warnings = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): WireEvent[] =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as WireEvent);

describe("FileSink", () => {
  it("appends one JSON event per line, creating the directory", async () => {
    const path = join(dir, "nested", "events.jsonl");
    const sink = new FileSink({ path });
    const events = [toolCall(1), toolCall(2), toolCall(3)];
    expect(await sink.send(events.slice(0, 2))).toEqual({ status: "success" });
    await sink.send(events.slice(2));
    expect(lines(path)).toEqual(events);
  });

  it("rotates by size and keeps maxFiles old files, warning YAVIO-1213 for each one deleted", async () => {
    const path = join(dir, "events.jsonl");
    const sink = new FileSink({ path, maxBytes: 2000, maxFiles: 2, warn });
    const all: WireEvent[] = [];
    for (let i = 0; i < 12; i += 1) {
      const batch = [toolCall(i), toolCall(i + 100)];
      all.push(...batch);
      await sink.send(batch);
    }
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(readFileSync(p).length).toBeLessThanOrEqual(2000);
    const kept = [...lines(`${path}.2`), ...lines(`${path}.1`), ...lines(path)];
    expect(kept).toEqual(all.slice(all.length - kept.length));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w.code === "YAVIO-1213")).toBe(true);
  });

  it("serialises concurrent sends so no line is torn", async () => {
    const path = join(dir, "events.jsonl");
    const sink = new FileSink({ path, maxBytes: 5000, warn });
    const batches = Array.from({ length: 20 }, (_, i) => [toolCall(i)]);
    await Promise.all(batches.map((b) => sink.send(b)));
    const files = [path, `${path}.1`, `${path}.2`, `${path}.3`].filter((p) => existsSync(p));
    expect(files.flatMap(lines).length).toBeGreaterThan(0);
  });

  it("persists synchronously for the exit path", () => {
    const path = join(dir, "sync", "events.jsonl");
    new FileSink({ path }).persistSync([toolCall(1)]);
    expect(lines(path)).toHaveLength(1);
  });
});

describe("ConsoleSink", () => {
  it("writes one readable line per event to its stream", async () => {
    let text = "";
    const sink = new ConsoleSink({ stream: { write: (t: string) => (text += t) } });
    await sink.send([toolCall(1), toolCall(2, { status: "error", tool_name: "delete_note" })]);
    const out = text.trim().split("\n");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\[yavio\] \S+ tool_call search_notes success 3\.2ms session=ses_\S+ user=user_123 platform=claude$/);
    expect(out[1]).toContain("delete_note error");
  });
});

describe("MemorySink", () => {
  it("keeps events and counts batches until cleared", async () => {
    const sink = new MemorySink();
    await sink.send([toolCall(1), toolCall(2)]);
    expect(sink.events).toHaveLength(2);
    expect(sink.batches).toBe(1);
    sink.clear();
    expect(sink.events).toHaveLength(0);
    expect(sink.batches).toBe(0);
  });
});

describe("RetryingSink", () => {
  const flaky = (results: SendResult[]): Sink & { calls: number } => ({
    name: "flaky",
    calls: 0,
    send() {
      this.calls += 1;
      return Promise.resolve(results.shift() ?? { status: "success" });
    },
  });

  it("keeps every backoff within [base/2, base], capped, and never below a capped Retry-After", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
        (attempt, r, retryAfter) => {
          const sink = new RetryingSink(flaky([]), { warn, initialDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 60_000, random: () => r });
          const base = Math.min(10_000, 200 * 2 ** (attempt - 1));
          const wait = sink.backoffMs(attempt, retryAfter);
          const floor = retryAfter === undefined ? 0 : Math.min(retryAfter, 60_000);
          expect(wait).toBeGreaterThanOrEqual(Math.max(Math.floor(base / 2), floor));
          expect(wait).toBeLessThanOrEqual(Math.max(base, floor));
        },
      ),
    );
  });

  it("stops at its deadline even when attempts remain", async () => {
    let clock = 0;
    const inner = flaky(Array.from({ length: 50 }, () => ({ status: "retryable" as const, reason: "down" })));
    const sink = new RetryingSink(inner, {
      warn,
      maxAttempts: 50,
      initialDelayMs: 1000,
      maxDelayMs: 1000,
      deadlineMs: 5000,
      random: () => 0.999,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect((await sink.send([toolCall(1)], { signal })).status).toBe("retryable");
    expect(inner.calls).toBe(6); // five waits of 1000 ms fit the 5000 ms deadline exactly
    expect(warnings.map((w) => w.code)).toEqual(["YAVIO-1200", "YAVIO-1201"]);
  });

  it("stops retrying when the signal aborts, without a YAVIO-1201", async () => {
    const controller = new AbortController();
    const inner = flaky(Array.from({ length: 5 }, () => ({ status: "retryable" as const, reason: "down" })));
    const sink = new RetryingSink(inner, {
      warn,
      sleep: async () => {
        controller.abort();
      },
    });
    expect((await sink.send([toolCall(1)], { signal: controller.signal })).status).toBe("retryable");
    expect(inner.calls).toBe(2);
    expect(warnings.map((w) => w.code)).toEqual(["YAVIO-1200"]);
  });

  it("holds later batches back until a Retry-After longer than the deadline has passed, with YAVIO-1202", async () => {
    let clock = 0;
    const inner = flaky([{ status: "retryable", rateLimited: true, retryAfterMs: 120_000, reason: "rate limited (HTTP 429)" }]);
    const sink = new RetryingSink(inner, {
      warn,
      deadlineMs: 30_000,
      maxRetryAfterMs: 300_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect((await sink.send([toolCall(1)], { signal })).status).toBe("retryable");
    expect(warnings.map((w) => w.code)).toEqual(["YAVIO-1202"]);
    clock += 1000;
    expect(await sink.send([toolCall(2)], { signal })).toMatchObject({ status: "retryable", retryAfterMs: 119_000 });
    expect(inner.calls).toBe(1);
    clock += 100_000;
    // 19 s left: within the deadline, so the send waits them out and then posts.
    expect((await sink.send([toolCall(3)], { signal })).status).toBe("success");
    expect(clock).toBe(120_000);
    expect(inner.calls).toBe(2);
    expect(warnings.map((w) => w.code)).toEqual(["YAVIO-1202"]);
  });

  it("passes success and failure through without retrying", async () => {
    const inner = flaky([{ status: "failure", reason: "bad", permanent: true }]);
    const sink = new RetryingSink(inner, { warn, sleep: async () => undefined });
    expect(await sink.send([toolCall(1)], { signal })).toMatchObject({ status: "failure", permanent: true });
    expect(inner.calls).toBe(1);
  });
});

describe("toContractEvent", () => {
  it("leaves an event with a contract platform untouched (same object)", () => {
    const e = toolCall(1, { platform: "vscode" });
    expect(toContractEvent(e)).toBe(e);
  });
});
