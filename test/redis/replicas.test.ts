import { expect, it } from "vitest";
import { checkRules, normalize } from "./checker.js";
import type { Era, ReplicaProcess } from "./replica-harness.js";
import { readEvents, readJsonLines, runClient, startProxy, startReplica, tempDir } from "./replica-harness.js";
import { describeRedis, testPrefix } from "./redis-env.js";

const CLIENTS = 20;

/** Runs the script of CLIENTS concurrent clients against `replicas` behind the round-robin proxy. */
async function run(replicas: readonly ReplicaProcess[], era: Era) {
  const proxy = await startProxy(replicas.map((r) => r.port));
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(proxy.url, i, era)));
  } finally {
    await proxy.close();
  }
  // One after the other: the first to stop claims every session's end.
  for (const r of replicas) await r.stop();
  const events = readEvents(replicas.map((r) => r.eventsFile));
  const warnings = replicas.flatMap((r) => readJsonLines<{ code: string; sessionId?: string }>(r.warningsFile));
  return { events, warnings };
}

describeRedis("three replicas behind a round-robin proxy (stateless Streamable HTTP, sessionKey anchor from a header)", (url) => {
  it.each([
    ["v1", "2025-11-25", "SDK 1.x, a server and a transport per request"],
    ["v2", "2025-11-25", "SDK 2.x, createMcpHandler"],
    ["v2", "2026-07-28", "SDK 2.x, createMcpHandler; clients pinned to 2026-07-28, no protocol session"],
  ] as const)("%s, protocol %s (%s): keeps the identity rules exactly, and produces what one process produces for the same script", async (sdk: "v1" | "v2", era: Era, _setup: string) => {
    const dir = tempDir();
    const prefix = testPrefix();
    const started = await Promise.all(["a", "b", "c"].map((name) => startReplica(dir, name, url, prefix, sdk)));
    const replicated = await run(started, era);
    expect(checkRules(replicated.events, CLIENTS, replicated.warnings)).toEqual([]);
    // The clients spoke the protocol of the case (2026-07-28: every request stands alone).
    if (era === "2026-07-28") {
      const versions = new Set(replicated.events.filter((e) => e.event_name === "session_start").map((e) => e.protocol_version));
      expect([...versions]).toEqual(["2026-07-28"]);
    }
    // No replica fell back to local state.
    expect(replicated.warnings.filter((w) => w.code === "YAVIO-1220" || w.code === "YAVIO-1222")).toEqual([]);
    // Every replica served part of every session.
    for (const name of ["a", "b", "c"]) expect(readEvents([`${dir}/${name}.events.jsonl`]).length).toBeGreaterThan(0);

    const single = await run([await startReplica(dir, "single", undefined, prefix, sdk)], era);
    expect(checkRules(single.events, CLIENTS, single.warnings)).toEqual([]);
    expect(normalize(replicated.events)).toEqual(normalize(single.events));
  }, 180_000);
});
