import type { ForUserOptions, WithYavioOptions, YavioContext } from "./core/index.js";
import { Runtime, setLatestRuntime, yavio } from "./core/index.js";
import type { LowLevelServer, ProtocolBinding } from "./adapters/protocol/index.js";
import { bindingOf } from "./adapters/protocol/index.js";
import { V1Binding } from "./adapters/sdk-v1/index.js";
import { isV2Server, V2Binding } from "./adapters/sdk-v2/index.js";

/** What `getYavio(server)` returns. */
export interface YavioHandle {
  /** Delivers everything queued so far. */
  flush(): Promise<void>;
  /** Ends every open session, flushes and stops the pipeline. Later events are refused. */
  shutdown(): Promise<void>;
  /** Live numbers for health checks: open sessions, events dropped on a full queue. */
  stats(): YavioStats;
  /**
   * A context for code outside MCP handlers (webhooks, jobs), as `yavio.forUser`.
   * @example getYavio(server).forUser("user_42").track("webhook_received")
   */
  forUser(distinctId: string, options?: ForUserOptions): YavioContext;
}

export interface YavioStats {
  readonly openSessions: number;
  readonly droppedEvents: number;
}

/** Runtimes by configuration: servers made per request with the same options share one pipeline. */
const runtimes = new Map<string, Runtime>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function identityOf(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value, id);
  }
  return id;
}

/**
 * A key equal for equal configurations, so that servers made per request share one pipeline even
 * when each call builds its options afresh:
 * - plain values by content, regular expressions by their source;
 * - functions, sinks, loggers and other objects with behaviour by identity: two closures with the
 *   same source may capture different state (a tenant's `beforeSend`), so they are two
 *   configurations;
 * - `sessionKey` is left out: each call's own is used (see ServerBinding), so an inline one does
 *   not split the pipeline.
 */
function configKey(options: WithYavioOptions): string {
  return JSON.stringify(options, (key, value: unknown) => {
    if (key === "") return value; // the options object itself
    if (key === "sessionKey") return undefined;
    if (typeof value === "function") return `fn#${identityOf(value)}`;
    if (value instanceof RegExp) return `re:${String(value)}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const proto = Object.getPrototypeOf(value) as unknown;
      const hasBehaviour = Object.values(value).some((v) => typeof v === "function");
      if ((proto !== Object.prototype && proto !== null) || hasBehaviour) return `obj#${identityOf(value)}`;
    }
    return value;
  });
}

/**
 * A configuration whose servers are all gone (garbage-collected) and whose sessions have ended is
 * shut down (flushed) and forgotten: options rebuilt with new closures per request then cost a
 * pipeline per live request, not one per request forever.
 */
const serverGone = new FinalizationRegistry<Runtime>((runtime) => {
  runtime.liveServers -= 1;
  runtime.releaseIfIdle();
});

/** Past this many live configurations, options are probably rebuilt with new sink objects per call. */
const MANY_RUNTIMES = 16;
let warnManyAt = MANY_RUNTIMES + 1;

function acquireRuntime(options: WithYavioOptions): Runtime {
  const key = configKey(options);
  let runtime = runtimes.get(key);
  if (runtime === undefined || runtime.isShutDown) {
    const created = new Runtime(options);
    created.onShutdown = () => {
      if (runtimes.get(key) === created) runtimes.delete(key);
    };
    runtimes.set(key, created);
    runtime = created;
    if (runtimes.size >= warnManyAt) {
      warnManyAt *= 2;
      created.warn({
        code: "YAVIO-1104",
        message: `${runtimes.size} distinct withYavio configurations are live, each with its own pipeline: create the options (and any sink object) once and pass the same object to every withYavio call`,
        details: { configurations: runtimes.size },
      });
    }
  }
  setLatestRuntime(runtime);
  return runtime;
}

function lowLevelOf(server: unknown): { low: LowLevelServer; mcp: { server: LowLevelServer } | undefined } | undefined {
  if (server === null || (typeof server !== "object" && typeof server !== "function")) return undefined;
  const candidate = server as { server?: unknown; _requestHandlers?: unknown };
  if (candidate._requestHandlers instanceof Map) return { low: server as LowLevelServer, mcp: undefined };
  const inner = candidate.server as { _requestHandlers?: unknown } | undefined;
  if (inner && typeof inner === "object" && inner._requestHandlers instanceof Map) {
    return { low: inner as LowLevelServer, mcp: server as { server: LowLevelServer } };
  }
  return undefined;
}

/**
 * Instruments a server of either SDK generation in place; `withYavio` (root, typed for SDK 1.x)
 * and `yavio-mcp/v2`'s `withYavio` (typed for SDK 2.x) both call it. Never throws at runtime: what
 * cannot be attached is YAVIO-1100. Throws `YavioConfigError` only for invalid options.
 */
export function instrument(server: unknown, options: WithYavioOptions = {}): void {
  let found: ReturnType<typeof lowLevelOf>;
  try {
    found = lowLevelOf(server);
  } catch {
    found = undefined; // a Proxy whose traps throw is not a server we can attach to
  }
  if (found !== undefined && bindingOf(found.low) !== undefined) return;
  const runtime = acquireRuntime(options);
  if (found === undefined) {
    runtime.warn({
      code: "YAVIO-1100",
      level: "error",
      message: "interception failed: withYavio expects an McpServer or a low-level Server of @modelcontextprotocol/sdk (1.x) or @modelcontextprotocol/server (2.x)",
    });
    return;
  }
  const mcp = found.mcp;
  let binding: ProtocolBinding;
  try {
    binding = isV2Server(found.low) ? new V2Binding(runtime, found.low, mcp, options.sessionKey) : new V1Binding(runtime, found.low, mcp, options.sessionKey);
  } catch (error) {
    runtime.warn({ code: "YAVIO-1100", level: "error", message: `interception failed: ${String(error)}` });
    return;
  }
  runtime.liveServers += 1;
  serverGone.register(found.low, runtime);
  try {
    binding.attach();
  } catch (error) {
    runtime.warn({ code: "YAVIO-1100", level: "error", message: `interception failed: ${String(error)}` });
  }
}

const NOOP_HANDLE: YavioHandle = {
  forUser: (distinctId, options) => yavio.forUser(distinctId, options),
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
  stats: () => ({ openSessions: 0, droppedEvents: 0 }),
};

/**
 * The delivery handle of a wrapped server: `flush()` and `shutdown()`. For a server that was not
 * wrapped, a handle that does nothing.
 * @example await getYavio(server).shutdown();
 */
export function getYavio(server: object): YavioHandle {
  let binding: ProtocolBinding | undefined;
  try {
    const found = lowLevelOf(server);
    binding = found === undefined ? undefined : bindingOf(found.low);
  } catch {
    binding = undefined; // a hostile object (a Proxy that throws): the no-op handle
  }
  if (binding === undefined) return NOOP_HANDLE;
  const runtime = binding.runtime;
  return {
    // Held: the host awaits these, and every delivery timer is unref'd.
    flush: () => runtime.pipeline.hold(runtime.flush()),
    shutdown: () => runtime.pipeline.hold(runtime.shutdown()),
    forUser: (distinctId, options) => runtime.forUser(distinctId, options),
    stats: () => ({ openSessions: runtime.sessions.size, droppedEvents: runtime.pipeline.droppedCount }),
  };
}

/** For tests and benchmarks: the number of live runtimes (distinct configurations). */
export function liveRuntimeCount(): number {
  return runtimes.size;
}
