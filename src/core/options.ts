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
  /** What a `tool_call` event records besides names and timings. Default: both `true`. */
  capture?: { inputs?: boolean; outputs?: boolean } | undefined;
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

/** The options of the middleware itself, defaults filled in. Delivery options are resolved by the transport. */
export interface ResolvedCoreOptions {
  captureInputs: boolean;
  captureOutputs: boolean;
  sessionIdleTimeoutMs: number;
  stitching: boolean;
  sessionKey: WithYavioOptions["sessionKey"];
  beforeSend: WithYavioOptions["beforeSend"];
  hashSecret: string | undefined;
  plugins: readonly YavioPlugin[];
  events: boolean;
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
  const store = options.sessionStore;
  if (store !== undefined && (store === null || typeof store !== "object" || typeof store.get !== "function" || typeof store.getSlot !== "function")) {
    throw new YavioConfigError("YAVIO-1003", "options.sessionStore must implement SessionStore");
  }
  return {
    plugins,
    events: options.events ?? true,
    sessionStore: store,
    hashSecret,
    captureInputs: capture.inputs ?? true,
    captureOutputs: capture.outputs ?? true,
    sessionIdleTimeoutMs: idle,
    stitching: stitching === "retroactive",
    sessionKey: options.sessionKey,
    beforeSend: options.beforeSend,
  };
}
