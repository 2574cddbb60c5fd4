import type { WireEvent } from "../../src/index.js";

/**
 * The identity rules, checked on the merged event files of a run of the replica script (see
 * replicas.test.ts): for each client i (anchor `conv-i`, user `user_i`, intruder `intruder_i`).
 * Returns every violation found, as readable lines; an empty list is a pass.
 */
export function checkRules(events: readonly WireEvent[], clients: number, warnings: readonly { code: string; sessionId?: string }[]): string[] {
  const problems: string[] = [];
  const bySession = groupBySession(events);
  if (bySession.size !== clients) problems.push(`expected ${clients} sessions, found ${bySession.size}`);
  const users = new Set<string>();
  for (const [sessionId, list] of bySession) {
    const say = (what: string): void => void problems.push(`${sessionId}: ${what}`);
    const user = list.find((e) => e.user_id !== undefined)?.user_id;
    if (user === undefined || !/^user_\d+$/.test(user)) {
      say(`no user_i on the session's events (found ${String(user)})`);
      continue;
    }
    users.add(user);
    const count = (type: string, name?: string): number => list.filter((e) => e.event_type === type && (name === undefined || e.event_name === name)).length;
    if (count("connection", "session_start") !== 1) say(`${count("connection", "session_start")} session_start events`);
    if (count("connection", "session_end") !== 1) say(`${count("connection", "session_end")} session_end events`);
    for (const e of list) {
      if (e.user_id !== user) say(`${e.event_type}/${e.event_name ?? ""} carries user ${String(e.user_id)}`);
      // (The conflicting login's own tool_call names the intruder in its input: that is the call, not the identity.)
      if (String(e.user_id).includes("intruder_") || JSON.stringify(e.user_traits ?? {}).includes("evil")) say(`${e.event_type} carries the intruder's identity`);
    }
    const identifies = list.filter((e) => e.event_type === "identify").sort(byTime);
    const shape = identifies.map((e) => `${JSON.stringify(e.user_traits)}:${String(e.metadata?.first_identify)}`);
    if (shape.join(",") !== '{"plan":"free"}:true,{"plan":"pro"}:false') say(`identify events ${shape.join(",")}`);
    const steps = list.filter((e) => e.event_type === "step").map((e) => `${e.event_name}=${String(e.step_sequence)}`).sort();
    if (steps.join(",") !== "cart=1,checkout=2,paid=3") say(`steps ${steps.join(",")}`);
    if (count("tool_call") !== 9) say(`${count("tool_call")} tool_call events`);
    const end = list.find((e) => e.event_name === "session_end");
    if (end !== undefined && end.metadata?.tool_calls !== 9) say(`session_end counts ${String(end.metadata?.tool_calls)} tool calls`);
    const worked = list.filter((e) => e.event_name === "worked").map((e) => `${String(e.metadata?.n)}:${JSON.stringify(e.user_traits ?? {})}`).sort();
    if (worked.join(",") !== '1:{},2:{"plan":"free"},3:{"plan":"pro"}') say(`worked events ${worked.join(",")}`);
    const conflicts = warnings.filter((w) => w.code === "YAVIO-1302" && w.sessionId === sessionId).length;
    if (conflicts !== 1) say(`${conflicts} YAVIO-1302 warnings`);
  }
  if (users.size !== bySession.size) problems.push(`${users.size} distinct users for ${bySession.size} sessions`);
  return problems;
}

/**
 * What a run means, without what differs by nature between runs (ids, times, latencies, trace ids):
 * per session, the sorted list of its events' meaningful fields.
 */
export function normalize(events: readonly WireEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [sessionId, list] of groupBySession(events)) {
    out[sessionId] = list
      .map((e) => {
        const m = e.metadata ?? {};
        return JSON.stringify({
          type: e.event_type,
          name: e.event_name,
          user: e.user_id,
          traits: sortKeys(e.user_traits),
          step: e.step_sequence,
          tool: e.tool_name,
          status: e.status,
          first: m.first_identify,
          stitched: m.stitched,
          n: m.n,
          counts: e.event_name === "session_end" ? [m.tool_calls, m.errors, m.reason] : undefined,
          client: e.client_name,
        });
      })
      .sort();
  }
  return out;
}

function groupBySession(events: readonly WireEvent[]): Map<string, WireEvent[]> {
  const map = new Map<string, WireEvent[]>();
  for (const e of events) {
    let list = map.get(e.session_id);
    if (list === undefined) map.set(e.session_id, (list = []));
    list.push(e);
  }
  return map;
}

function byTime(a: WireEvent, b: WireEvent): number {
  return a.timestamp.localeCompare(b.timestamp);
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
