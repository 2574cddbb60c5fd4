import { expect, it } from "vitest";
import { checkRules, normalize } from "./checker.js";
import type { ReplicaProcess } from "./replica-harness.js";
import { readEvents, readJsonLines, runClient, startProxy, startReplica, tempDir } from "./replica-harness.js";
import { describeRedis, testPrefix } from "./redis-env.js";

const CLIENTS = 20;

/** Runs the script of CLIENTS concurrent clients against `replicas` behind the round-robin proxy. */
async function run(replicas: readonly ReplicaProcess[]) {
  const proxy = await startProxy(replicas.map((r) => r.port));
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(proxy.url, i)));
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
    ["v1", "SDK 1.x, a server and a transport per request"],
    ["v2", "SDK 2.x, createMcpHandler"],
  ] as const)("%s (%s): keeps the identity rules exactly, and produces what one process produces for the same script", async (sdk: "v1" | "v2", _setup: string) => {
    const dir = tempDir();
    const prefix = testPrefix();
    const started = await Promise.all(["a", "b", "c"].map((name) => startReplica(dir, name, url, prefix, sdk)));
    const replicated = await run(started);
    expect(checkRules(replicated.events, CLIENTS, replicated.warnings)).toEqual([]);
    // No replica fell back to local state.
    expect(replicated.warnings.filter((w) => w.code === "YAVIO-1220" || w.code === "YAVIO-1222")).toEqual([]);
    // Every replica served part of every session.
    for (const name of ["a", "b", "c"]) expect(readEvents([`${dir}/${name}.events.jsonl`]).length).toBeGreaterThan(0);

    const single = await run([await startReplica(dir, "single", undefined, prefix, sdk)]);
    expect(checkRules(single.events, CLIENTS, single.warnings)).toEqual([]);
    expect(normalize(replicated.events)).toEqual(normalize(single.events));
  }, 180_000);
});
