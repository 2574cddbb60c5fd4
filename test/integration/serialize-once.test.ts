import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../src/index.js";
import { Runtime } from "../../src/core/index.js";
import { capture } from "../helpers.js";

// The pipeline reuses the JSON that truncation measured; these pin that what is written is always
// the event as it leaves prepare(), even when beforeSend changed it in place.
const base = { event_type: "track" as const, trace_id: "tr_x", session_id: "ses_x", timestamp: "2026-01-01T00:00:00.000Z", source: "server" as const, sdk_version: "0.1.0" };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function written(options: { beforeSend?: (event: WireEvent) => WireEvent | null }): Promise<{ lines: unknown[]; delivered: WireEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), "yavio-serialize-"));
  dirs.push(dir);
  const cap = capture();
  const file = join(dir, "events.jsonl");
  const runtime = new Runtime({ ...cap.options, eventsFile: file, spoolDir: false, handleProcessExit: false, ...options });
  runtime.pipeline.enqueue({ sessionId: "ses_x", toWire: () => ({ ...base, event_id: "00000000-0000-4000-8000-000000000001", event_name: "mail", metadata: { note: "write to jane@acme.io" } }) });
  await runtime.shutdown();
  const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as unknown);
  return { lines, delivered: cap.sink.events };
}

describe("one serialisation per event", () => {
  it("writes exactly the scrubbed event the sinks receive", async () => {
    const { lines, delivered } = await written({});
    expect(lines).toEqual(JSON.parse(JSON.stringify(delivered)));
    expect(JSON.stringify(lines)).not.toContain("jane@acme.io");
  });

  it("writes what beforeSend made of the event, also when it changed the event in place", async () => {
    const { lines } = await written({
      beforeSend: (event) => {
        event.metadata = { ...event.metadata, tagged: true };
        return event;
      },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event_name: "mail", metadata: { tagged: true } });
  });
});
