import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WireEvent } from "../../src/event/index.js";
import { createPipeline, HttpSink, RetryingSink } from "../../src/delivery/index.js";
import type { SendResult } from "../../src/delivery/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";
import { loadBatchValidator } from "./helpers/contract.js";
import { IngestServer } from "./helpers/ingest-server.js";

const KEY = "yav_test_SECRET_key_123";

let server: IngestServer;
let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};

beforeEach(async () => {
  server = await new IngestServer().start();
  warnings = [];
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
  // The key never appears in any warning, whatever happened in the test.
  expect(JSON.stringify(warnings)).not.toContain("SECRET");
  // Every body the fake ingest saw validated against the contract.
  expect(server.invalidBodies).toEqual([]);
});

/** A retrying HTTP sink whose waits are recorded instead of slept, on a clock that the waits advance. */
function retryingSink(extra: Partial<ConstructorParameters<typeof HttpSink>[0]> = {}, maxAttempts = 6) {
  const sleeps: number[] = [];
  let clock = 0;
  const http = new HttpSink({ endpoint: server.url, apiKey: KEY, warn, ...extra });
  const sink = new RetryingSink(http, {
    warn,
    maxAttempts,
    initialDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 5000,
    deadlineMs: 60_000,
    random: () => 0.5,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  return { http, sink, sleeps };
}

const batch = (n: number, from = 0): WireEvent[] => Array.from({ length: n }, (_, i) => toolCall(from + i));
const send = (sink: { send: HttpSink["send"] }, events: WireEvent[]): Promise<SendResult> =>
  sink.send(events, { signal: new AbortController().signal });
const codes = (): string[] => warnings.map((w) => w.code);

describe("the contract validator used by the fake ingest", () => {
  it("rejects a body the contract forbids (a fine platform, an empty batch)", () => {
    const validate = loadBatchValidator();
    expect(validate({ events: [toolCall(0)] })).toEqual([]);
    expect(validate({ events: [toolCall(0, { platform: "claude-code" })] })).not.toEqual([]);
    expect(validate({ events: [] })).not.toEqual([]);
    expect(validate({ events: [{ ...toolCall(0), timestamp: "yesterday" }] })).not.toEqual([]);
  });
});

describe("HttpSink against a fake ingest on 127.0.0.1", () => {
  it("posts a gzip body {events, sdk_version, sent_at} with a Bearer key and gets success on 200", async () => {
    const { sink } = retryingSink();
    const events = batch(3);
    expect(await send(sink, events)).toEqual({ status: "success" });
    const [req] = server.requests;
    expect(req?.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.contentEncoding).toBe("gzip");
    expect(req?.body.sdk_version).toBe("0.1.0");
    expect(Number.isNaN(Date.parse(req?.body.sent_at ?? ""))).toBe(false);
    expect(req?.body.events.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it("sends plain JSON when gzip is off", async () => {
    const { sink } = retryingSink({ gzip: false });
    await send(sink, batch(1));
    expect(server.requests[0]?.contentEncoding).toBeUndefined();
  });

  it.each([
    ["claude-code", "claude"],
    ["codex", "chatgpt"],
    ["gemini-cli", "unknown"],
    ["zed", "unknown"],
    ["cursor", "cursor"],
  ] as const)("maps platform %s to the contract's %s and keeps the detail in metadata", async (fine, wire) => {
    const { sink } = retryingSink();
    const event = toolCall(0, { platform: fine, metadata: { keep: 1 } });
    await send(sink, [event]);
    const sent = server.requests[0]?.body.events[0];
    expect(sent?.platform).toBe(wire);
    expect(sent?.metadata).toEqual(fine === wire ? { keep: 1 } : { keep: 1, platform_detail: fine });
    expect(event.platform).toBe(fine);
  });

  it("retries a burst of 500s with growing backoff, same event_ids each time, YAVIO-1200 once", async () => {
    server.script = [{ status: 500 }, { status: 502 }, { status: 500 }];
    const { sink, sleeps } = retryingSink();
    const events = batch(5);
    expect((await send(sink, events)).status).toBe("success");
    expect(server.requests).toHaveLength(4);
    const ids = server.requests.map((r) => r.body.events.map((e) => e.event_id).join());
    expect(new Set(ids).size).toBe(1);
    expect(sleeps).toEqual([75, 150, 300]);
    expect(codes().filter((c) => c === "YAVIO-1200")).toHaveLength(1);
  });

  it.each([
    [429, "2", 2000],
    [503, "1", 1000],
    [429, "3600", 5000],
  ])("waits Retry-After as a floor (capped) on %i with Retry-After %s, and warns YAVIO-1202", async (status, after, expected) => {
    server.script = [{ status, headers: { "retry-after": after } }];
    const { sink, sleeps } = retryingSink();
    expect((await send(sink, batch(2))).status).toBe("success");
    expect(sleeps).toEqual([expected]);
    expect(codes()).toContain("YAVIO-1202");
  });

  it("retries 408 and connection resets", async () => {
    server.script = [{ status: 408 }, { reset: true }];
    const { sink } = retryingSink();
    expect((await send(sink, batch(2))).status).toBe("success");
    expect(server.requests.map((r) => r.status)).toEqual([408, "reset", 200]);
  });

  it("does not retry 501 or 505", async () => {
    server.script = [{ status: 501 }];
    const { sink } = retryingSink();
    expect((await send(sink, batch(1))).status).toBe("failure");
    expect(server.requests).toHaveLength(1);
  });

  it("splits a batch on 413 and delivers both halves", async () => {
    server.script = [{ status: 413 }, { status: 413 }];
    const { sink } = retryingSink();
    const events = batch(8);
    expect(await send(sink, events)).toEqual({ status: "success" });
    expect(server.requests.map((r) => r.body.events.length)).toEqual([8, 4, 2, 2, 4]);
    expect([...server.delivered.keys()].sort()).toEqual(events.map((e) => e.event_id).sort());
  });

  it("drops a single event the ingest still refuses as too large with YAVIO-1207", async () => {
    server.fallback = { status: 413 };
    const { sink } = retryingSink();
    expect((await send(sink, batch(1))).status).toBe("failure");
    expect(codes()).toContain("YAVIO-1207");
  });

  it.each([401, 403])("stops for good on %i, warns YAVIO-1203 once and sends nothing more", async (status) => {
    server.script = [{ status }];
    const { sink } = retryingSink();
    expect(await send(sink, batch(2))).toMatchObject({ status: "failure", permanent: true });
    expect(await send(sink, batch(2))).toMatchObject({ status: "failure", permanent: true });
    expect(server.requests).toHaveLength(1);
    expect(codes().filter((c) => c === "YAVIO-1203")).toHaveLength(1);
  });

  it("keeps the delivered part of a 207 and reports the rejected indexes with YAVIO-1204", async () => {
    server.script = [{ status: 207, body: { accepted: 2, rejected: 1, errors: [{ index: 1, issues: ["bad field"] }] } }];
    const { sink } = retryingSink();
    const result = await send(sink, batch(3));
    expect(result).toEqual({ status: "success", rejected: [{ index: 1, issues: ["bad field"] }] });
    expect(server.requests).toHaveLength(1);
    expect(codes()).toContain("YAVIO-1204");
  });

  it("never posts a body over 500 KB when the contract mapping makes events larger than the pipeline measured", async () => {
    const http = new HttpSink({ endpoint: server.url, apiKey: KEY, warn, gzip: false });
    const p = createPipeline<WireEvent>({ sinks: [http], prepare: (e) => e, warn, handleProcessExit: false });
    const events = Array.from({ length: 2000 }, (_, i) => toolCall(i, { platform: "claude-code" }));
    for (const e of events) p.enqueue(e);
    await p.shutdown();
    expect(server.requests.every((r) => r.rawBytes <= 500 * 1024)).toBe(true);
    expect(server.delivered.size).toBe(2000);
  });

  it("masks the API key and bearer tokens in a 400 response body quoted by YAVIO-1207", async () => {
    server.script = [{ status: 400, body: { error: `bad request; you sent authorization: Bearer ${KEY}, key=${KEY}, other Bearer abc.def` } }];
    const { sink } = retryingSink();
    await send(sink, batch(1));
    const text = JSON.stringify(warnings);
    expect(codes()).toContain("YAVIO-1207");
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("abc.def");
    expect(text).toContain("[redacted]");
  });

  it.each([404, 405, 301, 307])("stops sending on HTTP %i (a wrong endpoint) with one YAVIO-1203, like a refused key", async (status) => {
    server.fallback = { status, headers: status < 400 ? { location: "https://elsewhere.example/" } : {} };
    const { sink } = retryingSink();
    expect(await send(sink, batch(2))).toMatchObject({ status: "failure", permanent: true });
    expect(await send(sink, batch(2, 2))).toMatchObject({ status: "failure", permanent: true });
    expect(server.requests).toHaveLength(1);
    expect(codes()).toEqual(["YAVIO-1203"]);
  });

  it("drops a batch on 400 without retrying and warns YAVIO-1207", async () => {
    server.script = [{ status: 400, body: { error: { code: "YAVIO-2001", message: "invalid" } } }];
    const { sink } = retryingSink();
    expect((await send(sink, batch(2))).status).toBe("failure");
    expect(server.requests).toHaveLength(1);
    expect(codes()).toContain("YAVIO-1207");
  });

  it("gives up after maxAttempts with YAVIO-1201", async () => {
    server.fallback = { status: 500 };
    const { sink } = retryingSink({}, 3);
    expect((await send(sink, batch(1))).status).toBe("retryable");
    expect(server.requests).toHaveLength(3);
    expect(codes()).toContain("YAVIO-1201");
  });

  it("aborts a response slower than the request timeout and reports it retryable", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    server.script = [{ hang: true }];
    const http = new HttpSink({ endpoint: server.url, apiKey: KEY, warn, requestTimeoutMs: 2000 });
    const pending = send(http, batch(1));
    await server.untilRequests(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await pending).toMatchObject({ status: "retryable" });
    await http.shutdown();
  });

  it("aborts a request when the export signal aborts", async () => {
    server.script = [{ hang: true }];
    const http = new HttpSink({ endpoint: server.url, apiKey: KEY, warn });
    const controller = new AbortController();
    const pending = http.send(batch(1), { signal: controller.signal });
    await server.untilRequests(1);
    controller.abort();
    expect(await pending).toEqual({ status: "retryable", reason: "request aborted" });
    await http.shutdown();
  });

  it.each(["http://ingest.example.com", "http://10.0.0.5:3001/v1/events"])(
    "refuses to send an API key over plain http to %s (YAVIO-1002) without echoing the key",
    (endpoint) => {
      let error: unknown;
      try {
        new HttpSink({ endpoint, apiKey: KEY, warn });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: "YAVIO-1002" });
      expect(String((error as Error).message)).not.toContain("SECRET");
    },
  );

  it.each(["http://localhost:3001", "http://127.0.0.1:9/v1/events", "http://[::1]:3001", "https://ingest.example.com"])(
    "accepts an API key over %s",
    (endpoint) => {
      expect(() => new HttpSink({ endpoint, apiKey: KEY, warn })).not.toThrow();
    },
  );

  it("posts to /v1/events when given a bare origin", () => {
    expect(new HttpSink({ endpoint: "http://localhost:3001", apiKey: KEY, warn }).url.pathname).toBe("/v1/events");
  });
});
