import type { WireEvent } from "../event/index.js";
import type { YavioPlugin } from "./plugin.js";
import type { SessionStore } from "./sessions.js";
import type { PiiOptions } from "../pii/index.js";
import type { DeliveryOptions } from "../delivery/index.js";
import type { LogLevel, YavioLogger, YavioWarning } from "../warnings/index.js";
import { YavioConfigError } from "../warnings/index.js";

/** What a request handler's `extra` argument offers for deriving a session (a subset of the SDK's). */
export interface SessionKeyExtra {
  readonly sessionId?: string | undefined;
  readonly authInfo?: { readonly token?: string; readonly clientId?: string; readonly extra?: Record<string, unknown> } | undefined;
  readonly requestInfo?: { readonly headers?: Record<string, unknown> } | undefined;
  readonly [key: string]: unknown;
}

/**
 * Options of `withYavio(server, options)`. All optional.
 *
 * Delivery options (`apiKey`, `endpoint`, `sink`, batching, …) are documented on `DeliveryOptions`.
 */
export interface WithYavioOptions extends DeliveryOptions {
  /**
   * What events record besides names and timings. `inputs` and `outputs`: argument values and
   * results on `tool_call` events (default `true`). `discovery`: a `tool_discovery` event per tool
   * a client was shown by `tools/list`, once per session (default `true`). `intent`: every listed
   * tool schema gains an optional `context` argument asking the agent why it calls the tool; it is
   * removed before the host sees the arguments and recorded as the event's `intent` (default off).
   * @example withYavio(server, { capture: { intent: true } })
   */
  capture?: { inputs?: boolean; outputs?: boolean; discovery?: boolean; intent?: boolean | IntentOptions } | undefined;
  /** PII scrubbing of every outgoing event. `false` turns it off. Default: on, all detectors. */
  pii?: PiiOptions | false | undefined;
  /** Last look at each event after scrubbing and truncation; return `null` to drop it. */
  beforeSend?: ((event: WireEvent) => WireEvent | null) | undefined;
  /**
   * For stateless HTTP: returns an anchor (a header value, an auth principal) that requests of one
   * analytics session share. The anchor is hashed, never sent. Default: one session per connection.
   */
  sessionKey?: ((extra: SessionKeyExtra) => string | undefined) | undefined;
  /**
   * A secret that keys every hash this package makes (HMAC-SHA-256): `pii.hashUserIds` pseudonyms
   * and session ids derived from `sessionKey` anchors, auth principals and `Mcp-Session-Id`s. Without
   * it those hashes are plain SHA-256, which anyone can reverse for guessable inputs. Use the same
   * secret on every replica so that ids still agree. Default: env `YAVIO_HASH_SECRET`, else none.
   */
  hashSecret?: string | undefined;
  /**
   * Plugins that act around every request, after the built-in event plugin (see `YavioPlugin`).
   * @example withYavio(server, { plugins: [otel()] })
   */
  plugins?: readonly YavioPlugin[] | undefined;
  /**
   * `false` turns the event pipeline off entirely: no events are built, queued or written (no
   * default file, no spool), and delivery options are ignored; sessions, `ctx.yavio` and plugins
   * work as usual. For OpenTelemetry only: `{ events: false, plugins: [otel()] }`. Default `true`.
   */
  events?: boolean | undefined;
  /**
   * `true` makes the exported `yavio` object (the ambient context) find the current request in code
   * called from a handler, through AsyncLocalStorage. Off by default: on Node 20 an entered
   * AsyncLocalStorage makes every promise of the process carry it (≈ 5 KB of allocation per tool call
   * on the MCP SDK), and `ctx.yavio` does the same for free. Off, `yavio.*` inside a handler does
   * nothing and warns YAVIO-1109 once. Default `false`.
   */
  ambientContext?: boolean | undefined;
  /** Where session state lives. Default: this process's memory. */
  sessionStore?: SessionStore | undefined;
  /** A session with no request for this long ends. Default 30 minutes. */
  sessionIdleTimeoutMs?: number | undefined;
  /** With `"retroactive"` (default), events recorded before `identify` get the userId if they were not yet delivered. */
  stitching?: "retroactive" | "off" | undefined;
  /** Receives every warning. */
  onWarning?: ((warning: YavioWarning) => void) | undefined;
  /** Replaces the default logger (one JSON line per warning on stderr). */
  logger?: YavioLogger | undefined;
  /** Default `"info"`; `"silent"` turns the logger off (`onWarning` still receives everything). */
  logLevel?: LogLevel | undefined;
}

/** Options of intent capture (`capture.intent`). */
export interface IntentOptions {
  /** The argument added to every listed tool schema. Default `"context"`. */
  argument?: string | undefined;
  /** Its description, which asks the agent for the reason of the call. Default: {@link DEFAULT_INTENT_DESCRIPTION}. */
  description?: string | undefined;
}

export const DEFAULT_INTENT_ARGUMENT = "context";
export const DEFAULT_INTENT_DESCRIPTION =
  "Optional. In one short sentence, why you are calling this tool: what the user asked for or what you are trying to find out. Leave out personal data.";
/** An argument name as JSON Schema property names and MCP clients handle it without quoting surprises. */
const INTENT_ARGUMENT_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Intent capture, resolved. */
export interface ResolvedIntent {
  readonly argument: string;
  readonly description: string;
}

/** The options of the middleware itself, defaults filled in. Delivery options are resolved by the transport. */
export interface ResolvedCoreOptions {
  captureInputs: boolean;
  captureOutputs: boolean;
  /** `tool_discovery` events on list requests. */
  captureDiscovery: boolean;
  /** Intent capture; undefined when off. */
  intent: ResolvedIntent | undefined;
  sessionIdleTimeoutMs: number;
  stitching: boolean;
  beforeSend: WithYavioOptions["beforeSend"];
  hashSecret: string | undefined;
  plugins: readonly YavioPlugin[];
  events: boolean;
  /** Requests run inside AsyncLocalStorage, for the `yavio` export. */
  ambientContext: boolean;
  sessionStore: SessionStore | undefined;
}

export const DEFAULT_SESSION_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Validates the middleware's own options; a bad one throws `YavioConfigError` now, not on the tool's path. */
export function resolveCoreOptions(options: WithYavioOptions, env: Readonly<Record<string, string | undefined>> = process.env): ResolvedCoreOptions {
  if (typeof options !== "object" || options === null) {
    throw new YavioConfigError("YAVIO-1003", "withYavio options must be an object");
  }
  const capture = options.capture ?? {};
  if (typeof capture !== "object") throw new YavioConfigError("YAVIO-1003", "options.capture must be an object");
  for (const key of ["inputs", "outputs"] as const) {
    if (capture[key] !== undefined && typeof capture[key] !== "boolean") {
      throw new YavioConfigError("YAVIO-1003", `options.capture.${key} must be a boolean`);
    }
  }
  if (capture.discovery !== undefined && typeof capture.discovery !== "boolean") {
    throw new YavioConfigError("YAVIO-1003", "options.capture.discovery must be a boolean");
  }
  const intent = resolveIntent(capture.intent);
  const idle = options.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_TIMEOUT_MS;
  if (typeof idle !== "number" || !Number.isFinite(idle) || idle < 1000) {
    throw new YavioConfigError("YAVIO-1003", "options.sessionIdleTimeoutMs must be a number ≥ 1000");
  }
  const stitching = options.stitching ?? "retroactive";
  if (stitching !== "retroactive" && stitching !== "off") {
    throw new YavioConfigError("YAVIO-1003", 'options.stitching must be "retroactive" or "off"');
  }
  for (const key of ["sessionKey", "beforeSend", "onWarning"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") {
      throw new YavioConfigError("YAVIO-1003", `options.${key} must be a function`);
    }
  }
  if (options.logger !== undefined && typeof options.logger?.log !== "function") {
    throw new YavioConfigError("YAVIO-1003", "options.logger must have a log(warning) method");
  }
  if (options.logLevel !== undefined && !["silent", "error", "warn", "info"].includes(options.logLevel)) {
    throw new YavioConfigError("YAVIO-1003", 'options.logLevel must be "silent", "error", "warn" or "info"');
  }
  const hashSecret = options.hashSecret ?? (env.YAVIO_HASH_SECRET === "" ? undefined : env.YAVIO_HASH_SECRET);
  if (hashSecret !== undefined && (typeof hashSecret !== "string" || hashSecret.length < 16)) {
    throw new YavioConfigError("YAVIO-1003", "hashSecret (or YAVIO_HASH_SECRET) must be a string of at least 16 characters");
  }
  const plugins = options.plugins ?? [];
  if (!Array.isArray(plugins) || plugins.some((p) => p === null || typeof p !== "object" || typeof (p as { name?: unknown }).name !== "string")) {
    throw new YavioConfigError("YAVIO-1003", "options.plugins must be an array of plugin objects with a name");
  }
  if (options.events !== undefined && typeof options.events !== "boolean") throw new YavioConfigError("YAVIO-1003", "options.events must be a boolean");
  if (options.ambientContext !== undefined && typeof options.ambientContext !== "boolean") {
    throw new YavioConfigError("YAVIO-1003", "options.ambientContext must be a boolean");
  }
  const store = options.sessionStore;
  if (store !== undefined && (store === null || typeof store !== "object" || typeof store.get !== "function" || typeof store.getSlot !== "function")) {
    throw new YavioConfigError("YAVIO-1003", "options.sessionStore must implement SessionStore");
  }
  return {
    plugins,
    events: options.events ?? true,
    ambientContext: options.ambientContext ?? false,
    sessionStore: store,
    hashSecret,
    captureInputs: capture.inputs ?? true,
    captureOutputs: capture.outputs ?? true,
    captureDiscovery: capture.discovery ?? true,
    intent,
    sessionIdleTimeoutMs: idle,
    stitching: stitching === "retroactive",
    beforeSend: options.beforeSend,
  };
}

function resolveIntent(option: boolean | IntentOptions | undefined): ResolvedIntent | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { argument: DEFAULT_INTENT_ARGUMENT, description: DEFAULT_INTENT_DESCRIPTION };
  if (option === null || typeof option !== "object") throw new YavioConfigError("YAVIO-1003", "options.capture.intent must be a boolean or { argument?, description? }");
  const argument = option.argument ?? DEFAULT_INTENT_ARGUMENT;
  if (typeof argument !== "string" || !INTENT_ARGUMENT_PATTERN.test(argument)) {
    throw new YavioConfigError("YAVIO-1003", "options.capture.intent.argument must be a name of letters, digits, _ and - (at most 64, not starting with a digit)");
  }
  const description = option.description ?? DEFAULT_INTENT_DESCRIPTION;
  if (typeof description !== "string" || description.trim() === "" || description.length > 1024) {
    throw new YavioConfigError("YAVIO-1003", "options.capture.intent.description must be a non-empty string of at most 1024 characters");
  }
  return { argument, description };
}
