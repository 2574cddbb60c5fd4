import { randomUUID } from "node:crypto";
import type { WireEvent } from "../../../src/event/index.js";

const ALPHABET = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
function nano(n: number, seed: number): string {
  let s = "";
  let x = seed * 2654435761;
  for (let i = 0; i < n; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += ALPHABET[x % 64];
  }
  return s;
}

/** A typical tool_call wire event, as the core builds it. */
export function toolCall(i = 0, overrides: Partial<WireEvent> = {}): WireEvent {
  return {
    event_id: randomUUID(),
    event_type: "tool_call",
    event_name: "search_notes",
    tool_name: "search_notes",
    trace_id: `tr_${nano(21, i)}`,
    session_id: `ses_${nano(21, Math.floor(i / 50) + 7)}`,
    timestamp: new Date(1_767_000_000_000 + i * 37).toISOString(),
    source: "server",
    sdk_version: "0.1.0",
    platform: "claude",
    user_id: "user_123",
    user_traits: { plan: "pro" },
    latency_ms: 3.2,
    status: "success",
    input_keys: ["query", "limit"],
    input_types: { query: "string", limit: "number" },
    input_values: { query: "meeting notes from last week", limit: 10 },
    output_content: [{ type: "text", text: "Found 3 notes: standup, retro, planning" }],
    ...overrides,
  };
}
