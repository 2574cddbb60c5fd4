import type { SessionState } from "../identity/index.js";
import type { Warn } from "../warnings/index.js";
import type { EndReason } from "./sessions.js";

/** What is known of the connection a request arrived on. */
export interface ConnectionFacts {
  /** `stdio`, `streamable-http`, `in-memory`, `sse`, … */
  readonly transport: string;
  /** The protocol's own session (`Mcp-Session-Id`), where the protocol has one. */
  readonly protocolSessionId: string | undefined;
  /** No protocol session and a new connection per request (stateless HTTP, 2026-07-28 HTTP). */
  readonly stateless: boolean;
}

/**
 * What the configuration lends plugins that send values out of the process (span attributes): the
 * same PII scrubber and user-id pseudonyms as events, and its coded warnings. `text` and `value`
 * throw if scrubbing fails: the caller leaves the value out, never sends it half-scrubbed.
 */
export interface PluginHost {
  /** Free text through the PII detectors (identity with `pii: false`). */
  text(input: string): string;
  /** Any JSON value through the value walk, copy-on-write (identity with `pii: false`). */
  value<T>(input: T): T;
  /** A user id as events carry it: the pseudonym with `pii.hashUserIds`. */
  userId(id: string): string;
  /** Reports a coded warning through the configuration's `onWarning` and logger. */
  readonly warn: Warn;
}

/** A request as plugins see it: read-only facts, the session it runs in, and its trace. */
export interface PluginRequest {
  /** `tools/call`, `resources/read` or `prompts/get`. */
  readonly method: string;
  /** The tool or prompt name, or the resource URI. */
  readonly target: string | undefined;
  readonly arguments: unknown;
  /** The JSON-RPC request id. */
  readonly requestId: string | number | undefined;
  /** The request's `params._meta` (W3C trace context travels there). */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** The protocol version of the request (2026-07-28: from its envelope), if known. */
  readonly protocolVersion: string | undefined;
  /** 2026-07-28: the client's answers to an earlier round's `input_required` result (sampling, elicitation). */
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  readonly connection: ConnectionFacts;
  /** The analytics session the request started in (its events stay there, even after a reset()). */
  readonly startSession: SessionState;
  /** The trace id of everything this request records. */
  readonly traceId: string;
  /** `performance.now()` when the request began. */
  readonly startedAt: number;
  /** The server's resources, to name a URI by its registration (a fixed resource or the template it matches). */
  readonly resources: ResourceNames | undefined;
  readonly host: PluginHost;
}

/** Looks up the registered name of a resource URI; provided by the SDK adapter. */
export interface ResourceNames {
  nameOf(uri: string): string | undefined;
}

/** How a request ended, as the client saw it. */
export interface RequestOutcome {
  readonly result: unknown;
  /** What the handler threw: out of the handler (`threw`), or inside a tool the SDK turned into a result. */
  readonly error: unknown;
  /** True when the handler's promise rejected (a protocol-level error). */
  readonly threw: boolean;
  /** True for a thrown error and for a result with `isError: true`. */
  readonly isError: boolean;
  readonly latencyMs: number;
}

/** A request the server sends to the client (sampling, elicitation). */
export interface OutgoingRequest {
  readonly method: "sampling/createMessage" | "elicitation/create";
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly session: SessionState;
  readonly traceId: string;
  readonly startedAt: number;
  /**
   * `params._meta` of the outgoing request, writable: a plugin may add keys (W3C trace context)
   * before it is sent. Undefined when the adapter cannot change the request.
   */
  readonly meta: Record<string, unknown> | undefined;
}

export interface OutgoingOutcome {
  readonly result: unknown;
  readonly error: unknown;
  readonly failed: boolean;
  readonly latencyMs: number;
}

/** A call of the analytics API (`ctx.yavio.*`), as plugins see it once it was accepted. */
export interface AnalyticsCall {
  readonly kind: "identify" | "track" | "step" | "conversion" | "captureError";
  /** The event, step or conversion name. */
  readonly name: string | undefined;
  readonly session: SessionState;
  /** Bounded, JSON-safe properties (not yet scrubbed). */
  readonly properties: Readonly<Record<string, unknown>> | undefined;
  /** captureError: the value passed in. */
  readonly error?: unknown;
  readonly host: PluginHost;
}

/**
 * A plugin acts around every request of a wrapped server. All hooks are optional and run in the
 * order the plugins were given. The chain is fail-open: a hook that throws is reported once with
 * YAVIO-1108, and the handler still runs exactly once with its result unchanged.
 *
 * @example
 * const timing: YavioPlugin = {
 *   name: "timing",
 *   requestEnded: (request, outcome) => histogram.record(outcome.latencyMs, { method: request.method }),
 * };
 */
export interface YavioPlugin {
  readonly name: string;
  /** Before the handler runs. Whatever it returns is this request's state for the other hooks. */
  requestStarted?(request: PluginRequest): unknown;
  /**
   * Starts the handler through `run` — exactly once — so that something (an OpenTelemetry context)
   * is active while it runs. Returns what `run` returned.
   */
  runWithin?<T>(state: unknown, run: () => T): T;
  /** After the handler settled and the client's answer is decided. */
  requestEnded?(request: PluginRequest, outcome: RequestOutcome, state: unknown): void;
  outgoingStarted?(request: OutgoingRequest): unknown;
  outgoingEnded?(request: OutgoingRequest, outcome: OutgoingOutcome, state: unknown): void;
  sessionStarted?(session: SessionState): void;
  sessionEnded?(session: SessionState, reason: EndReason, endedAt: number): void;
  analytics?(call: AnalyticsCall, request: PluginRequest | undefined): void;
  /** The configuration shuts down. */
  shutdown?(): Promise<void> | void;
}

type Hook = Exclude<keyof YavioPlugin, "name">;

/** Runs the plugins' hooks in order, each in its own try/catch. */
export class PluginChain {
  private readonly warned = new Set<string>();
  /** Plugins with a `requestStarted` or `runWithin`: only then does a request carry states. */
  readonly hasRequestState: boolean;

  constructor(
    readonly plugins: readonly YavioPlugin[],
    private readonly warn: Warn,
  ) {
    this.hasRequestState = plugins.some((p) => p.requestStarted !== undefined || p.runWithin !== undefined);
  }

  private failed(plugin: YavioPlugin, hook: Hook, error: unknown): void {
    const key = `${plugin.name}\u0000${hook}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    try {
      this.warn({
        code: "YAVIO-1108",
        message: `plugin "${plugin.name}" threw in ${hook}(): ignored, the request went on as usual (said once per plugin and hook): ${errorText(error)}`,
        details: { plugin: plugin.name, hook },
      });
    } catch {
      // Reporting must not fail either.
    }
  }

  requestStarted(request: PluginRequest): unknown[] | undefined {
    if (!this.hasRequestState) return undefined;
    const states: unknown[] = [];
    for (const plugin of this.plugins) {
      let state: unknown;
      if (plugin.requestStarted) {
        try {
          state = plugin.requestStarted(request);
        } catch (error) {
          this.failed(plugin, "requestStarted", error);
        }
      }
      states.push(state);
    }
    return states;
  }

  /** Starts `run` inside every plugin's `runWithin`, outermost first; `run` runs exactly once. */
  run<T>(states: unknown[] | undefined, run: () => T): T {
    if (states === undefined) return run();
    return this.runFrom(0, states, run);
  }

  private runFrom<T>(index: number, states: unknown[], run: () => T): T {
    let i = index;
    while (i < this.plugins.length && this.plugins[i]!.runWithin === undefined) i++;
    if (i === this.plugins.length) return run();
    const plugin = this.plugins[i]!;
    let called = false;
    let innerThrew = false;
    let innerError: unknown;
    let innerResult: T | undefined;
    const next = (): T => {
      if (called) throw new Error(`plugin "${plugin.name}" started the handler twice`);
      called = true;
      try {
        innerResult = this.runFrom(i + 1, states, run);
        return innerResult;
      } catch (error) {
        innerThrew = true;
        innerError = error;
        throw error;
      }
    };
    let reported = false;
    try {
      const out = plugin.runWithin!(states[i], next);
      if (called && !innerThrew && out !== innerResult) {
        this.failed(plugin, "runWithin", new Error("it returned something other than what the handler returned; the handler's own result was used"));
      }
    } catch (error) {
      // The handler's own error passes through below; anything else is the plugin's.
      if (!(innerThrew && error === innerError)) {
        this.failed(plugin, "runWithin", error);
        reported = true;
      }
    }
    if (!called) {
      if (!reported) this.failed(plugin, "runWithin", new Error("it returned without starting the handler"));
      return next();
    }
    // What the client gets is the handler's own outcome, whatever the plugin returned or threw.
    if (innerThrew) throw innerError;
    return innerResult as T;
  }

  requestEnded(request: PluginRequest, outcome: RequestOutcome, states: unknown[] | undefined): void {
    const plugins = this.plugins;
    for (let i = 0; i < plugins.length; i++) {
      const plugin = plugins[i]!;
      if (!plugin.requestEnded) continue;
      try {
        plugin.requestEnded(request, outcome, states?.[i]);
      } catch (error) {
        this.failed(plugin, "requestEnded", error);
      }
    }
  }

  outgoingStarted(request: OutgoingRequest): unknown[] {
    return this.plugins.map((plugin) => {
      if (!plugin.outgoingStarted) return undefined;
      try {
        return plugin.outgoingStarted(request);
      } catch (error) {
        this.failed(plugin, "outgoingStarted", error);
        return undefined;
      }
    });
  }

  outgoingEnded(request: OutgoingRequest, outcome: OutgoingOutcome, states: unknown[]): void {
    this.plugins.forEach((plugin, i) => {
      if (!plugin.outgoingEnded) return;
      try {
        plugin.outgoingEnded(request, outcome, states[i]);
      } catch (error) {
        this.failed(plugin, "outgoingEnded", error);
      }
    });
  }

  sessionStarted(session: SessionState): void {
    for (const plugin of this.plugins) {
      if (!plugin.sessionStarted) continue;
      try {
        plugin.sessionStarted(session);
      } catch (error) {
        this.failed(plugin, "sessionStarted", error);
      }
    }
  }

  sessionEnded(session: SessionState, reason: EndReason, endedAt: number): void {
    for (const plugin of this.plugins) {
      if (!plugin.sessionEnded) continue;
      try {
        plugin.sessionEnded(session, reason, endedAt);
      } catch (error) {
        this.failed(plugin, "sessionEnded", error);
      }
    }
  }

  analytics(call: AnalyticsCall, request: PluginRequest | undefined): void {
    for (const plugin of this.plugins) {
      if (!plugin.analytics) continue;
      try {
        plugin.analytics(call, request);
      } catch (error) {
        this.failed(plugin, "analytics", error);
      }
    }
  }

  async shutdown(): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.shutdown) continue;
      try {
        await plugin.shutdown();
      } catch (error) {
        this.failed(plugin, "shutdown", error);
      }
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "unprintable error";
  }
}
