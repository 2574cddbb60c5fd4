import { createHash } from "node:crypto";
import type { EventType, WireBuilder } from "../event/index.js";
import { boundForQueue } from "../event/index.js";
import type { SessionState } from "../identity/index.js";
import type { Warn } from "../warnings/index.js";
import { detachedCut } from "./intent.js";

/** The list methods whose answers are recorded, and what they list. */
export const LIST_METHODS: Readonly<Record<string, { key: string; kind: DiscoveredKind }>> = {
  "tools/list": { key: "tools", kind: "tool" },
  "resources/list": { key: "resources", kind: "resource" },
  "resources/templates/list": { key: "resourceTemplates", kind: "resource_template" },
  "prompts/list": { key: "prompts", kind: "prompt" },
};

export type DiscoveredKind = "tool" | "resource" | "resource_template" | "prompt";

/** Characters of a name or description an event keeps. */
export const MAX_DISCOVERED_NAME_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 512;
/** Names remembered per session and kind; past it, nothing more is recorded for that session (YAVIO-1314). */
export const MAX_DISCOVERED_PER_SESSION = 1000;
/** Names per resources/prompts discovery event. */
export const MAX_NAMES_PER_EVENT = 200;
/** Schema fingerprints whose full schema this configuration already sent. */
const MAX_SENT_SCHEMAS = 1000;
/** Canonical JSON past this many characters is hashed as far as it got, plus its length. */
const MAX_CANONICAL_CHARS = 1_000_000;
const MAX_DEPTH = 64;
/** Fingerprints cached per configuration, and the longest JSON cached (larger ones are hashed each time). */
const MAX_CACHED_FINGERPRINTS = 2000;
const MAX_CACHED_KEY_CHARS = 20_000;

/** What discovery needs of the runtime. */
export interface DiscoveryRecorder {
  record(session: SessionState, type: EventType, name: string | undefined, traceId: string, build?: WireBuilder): void;
  readonly warn: Warn;
}

/** What one session was shown, per kind: tool name → fingerprint of its definition; other kinds: names. */
interface SessionDiscovery {
  tools: Map<string, string>;
  names: Map<DiscoveredKind, Set<string>>;
  full: boolean;
}

/**
 * Records what clients are shown by list requests, keeping the wire small:
 * - tools: one `tool_discovery` event per tool and session, again only when its definition
 *   (description or input schema) changed. Each carries `metadata.schema_fingerprint`; the full
 *   `input_schema` rides only on the first event of this configuration with that fingerprint.
 * - resources, resource templates and prompts: one `tool_discovery` event per list answer that
 *   shows names new to the session, named after the method, with the new names in
 *   `metadata.names` (`metadata.kind` says which).
 */
export class Discovery {
  private readonly sessions = new WeakMap<SessionState, SessionDiscovery>();
  private readonly sentSchemas = new Set<string>();
  private readonly fingerprints = new Map<string, string>();
  private warnedFull = false;

  constructor(private readonly recorder: DiscoveryRecorder) {}

  /** A list request of `session` answered `result`. Runs on the request's path: a few property reads and a hash per new tool. */
  listed(session: SessionState, method: string, result: unknown, traceId: string): void {
    const spec = LIST_METHODS[method];
    if (spec === undefined || result === null || typeof result !== "object") return;
    const items = (result as Record<string, unknown>)[spec.key];
    if (!Array.isArray(items) || items.length === 0) return;
    let state = this.sessions.get(session);
    if (state === undefined) {
      state = { tools: new Map(), names: new Map(), full: false };
      this.sessions.set(session, state);
    }
    if (spec.kind === "tool") this.tools(session, state, items, traceId);
    else this.names(session, state, spec.kind, method, items, traceId);
  }

  private tools(session: SessionState, state: SessionDiscovery, items: unknown[], traceId: string): void {
    const size = items.length;
    for (let position = 0; position < size; position++) {
      const tool = items[position] as Record<string, unknown> | null;
      if (tool === null || typeof tool !== "object" || typeof tool.name !== "string") continue;
      const name = tool.name;
      const description = typeof tool.description === "string" ? tool.description : undefined;
      const schemaFingerprint = this.fingerprintOf(tool.inputSchema);
      const definition = `${schemaFingerprint}:${description === undefined ? "-" : this.fingerprintOf(description)}`;
      const before = state.tools.get(name);
      if (before === definition) continue;
      if (before === undefined && state.tools.size >= MAX_DISCOVERED_PER_SESSION) {
        this.full(session, state);
        continue;
      }
      state.tools.set(name, definition);
      const shownName = detachedCut(name, MAX_DISCOVERED_NAME_LENGTH);
      const shownDescription = description === undefined ? undefined : detachedCut(description, MAX_DESCRIPTION_LENGTH);
      const schema = this.firstSending(schemaFingerprint) ? boundForQueue(tool.inputSchema) : undefined;
      const changed = before !== undefined;
      this.recorder.record(session, "tool_discovery", shownName, traceId, (wire) => {
        wire.tool_name = shownName;
        if (shownDescription !== undefined) wire.description = shownDescription;
        if (schema !== undefined) wire.input_schema = schema;
        wire.metadata = {
          ...wire.metadata,
          kind: "tool",
          schema_fingerprint: schemaFingerprint,
          list_position: position,
          list_size: size,
          ...(changed ? { changed: true } : {}),
        };
      });
    }
  }

  private names(session: SessionState, state: SessionDiscovery, kind: DiscoveredKind, method: string, items: unknown[], traceId: string): void {
    let seen = state.names.get(kind);
    if (seen === undefined) {
      seen = new Set();
      state.names.set(kind, seen);
    }
    const fresh: string[] = [];
    let withheld = 0;
    for (const item of items) {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== "string") continue;
      const shown = detachedCut(name, MAX_DISCOVERED_NAME_LENGTH);
      if (seen.has(shown)) continue;
      if (seen.size >= MAX_DISCOVERED_PER_SESSION) {
        this.full(session, state);
        break;
      }
      if (fresh.length >= MAX_NAMES_PER_EVENT) {
        // Not marked as seen: the next list answer reports it.
        withheld++;
        continue;
      }
      seen.add(shown);
      fresh.push(shown);
    }
    if (fresh.length === 0) return;
    const listed = items.length;
    this.recorder.record(session, "tool_discovery", method, traceId, (wire) => {
      wire.metadata = { ...wire.metadata, kind, names: fresh, list_size: listed, ...(withheld > 0 ? { names_withheld: withheld } : {}) };
    });
  }

  /**
   * The fingerprint of a value, cached by its plain JSON: the SDKs list the same schemas with the
   * same key order every time, so a repeated list costs a JSON.stringify per tool, not a canonical
   * walk and a hash.
   */
  private fingerprintOf(value: unknown): string {
    let key: string | undefined;
    try {
      key = typeof value === "string" ? `s${value}` : `j${JSON.stringify(value)}`;
    } catch {
      key = undefined; // a value JSON cannot hold (a cycle, a BigInt): hashed the long way
    }
    if (key === undefined || key.length > MAX_CACHED_KEY_CHARS) return fingerprint(value);
    let known = this.fingerprints.get(key);
    if (known === undefined) {
      known = fingerprint(value);
      if (this.fingerprints.size >= MAX_CACHED_FINGERPRINTS) this.fingerprints.clear();
      this.fingerprints.set(key, known);
    }
    return known;
  }

  /** True the first time this configuration sends the schema of `fingerprint` (bounded: past the bound, it is sent again). */
  private firstSending(schemaFingerprint: string): boolean {
    if (this.sentSchemas.has(schemaFingerprint)) return false;
    if (this.sentSchemas.size >= MAX_SENT_SCHEMAS) this.sentSchemas.clear();
    this.sentSchemas.add(schemaFingerprint);
    return true;
  }

  private full(session: SessionState, state: SessionDiscovery): void {
    if (state.full) return;
    state.full = true;
    if (this.warnedFull) return;
    this.warnedFull = true;
    this.recorder.warn({
      code: "YAVIO-1314",
      message: `a session was shown more than ${MAX_DISCOVERED_PER_SESSION} names of one kind: the rest are not recorded as discovered (said once per process)`,
      sessionId: session.id,
    });
  }
}

/**
 * A short, stable fingerprint of a JSON value: SHA-256 over its canonical JSON (keys sorted),
 * first 16 hex digits. Equal schemas give equal fingerprints whatever their key order.
 */
export function fingerprint(value: unknown): string {
  const parts: string[] = [];
  let length = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    length += s.length;
    return length < MAX_CANONICAL_CHARS;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== "object") {
      if (typeof v === "string") return push(JSON.stringify(v));
      if (typeof v === "number") return push(Number.isFinite(v) ? String(v) : "null");
      if (typeof v === "boolean") return push(v ? "true" : "false");
      return push("null");
    }
    if (depth > MAX_DEPTH) return push('"…"');
    if (Array.isArray(v)) {
      if (!push("[")) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !push(",")) return false;
        if (!walk(v[i], depth + 1)) return false;
      }
      return push("]");
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    if (!push("{")) return false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0 && !push(",")) return false;
      if (!push(`${JSON.stringify(key)}:`)) return false;
      if (!walk(record[key], depth + 1)) return false;
    }
    return push("}");
  };
  walk(value, 0);
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  if (length >= MAX_CANONICAL_CHARS) hash.update(`…${length}`);
  return hash.digest("hex").slice(0, 16);
}

/** How a `tools/call` for a name the server does not expose was answered, or undefined for any other outcome. */
export type UnexposedReason = "not_found" | "disabled";

const MCP_INVALID_PARAMS = -32602;
const SDK_PREFIX = "MCP error -32602: ";

/**
 * Tells a call to a tool the server does not expose (unknown, or disabled) from a failing tool, by
 * what the client got: SDK 1.x answers with an error result "MCP error -32602: Tool X not found" /
 * "Tool X disabled" (no handler ran, so nothing was thrown inside one); SDK 2 throws a JSON-RPC
 * error -32602 with that message.
 */
export function unexposedReason(name: string | undefined, outcome: { result: unknown; error: unknown; threw: boolean; isError: boolean }): UnexposedReason | undefined {
  if (name === undefined || !outcome.isError) return undefined;
  let message: unknown;
  if (outcome.threw) {
    const code = (outcome.error as { code?: unknown } | null)?.code;
    if (code !== MCP_INVALID_PARAMS) return undefined;
    message = (outcome.error as { message?: unknown }).message;
  } else {
    // A handler ran and threw: a failing tool, whatever its message says.
    if (outcome.error !== undefined) return undefined;
    const content = (outcome.result as { content?: unknown } | null)?.content;
    if (!Array.isArray(content) || content.length !== 1) return undefined;
    const first = content[0] as { type?: unknown; text?: unknown } | null;
    if (first?.type !== "text") return undefined;
    message = first.text;
  }
  if (typeof message !== "string") return undefined;
  const prefixed = message.startsWith(SDK_PREFIX);
  // An error result is the SDK's own only with the SDK's prefix.
  if (!outcome.threw && !prefixed) return undefined;
  const text = prefixed ? message.slice(SDK_PREFIX.length) : message;
  if (text === `Tool ${name} not found`) return "not_found";
  if (text === `Tool ${name} disabled`) return "disabled";
  return undefined;
}
