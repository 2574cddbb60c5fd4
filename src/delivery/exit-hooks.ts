/**
 * One process-wide set of exit listeners shared by every live pipeline.
 *
 * Why shared: a listener per pipeline would trip Node's MaxListeners warning and cost a closure per
 * pipeline. Why careful with signals: adding a SIGTERM/SIGINT listener removes Node's default
 * "terminate", so when the host has no handler of its own we re-raise the signal after flushing, and
 * when it has one we leave the exit to the host.
 */
export interface ExitParticipant {
  /** Events queued or in flight (or a sink's background work not yet given its exit drain). */
  hasPendingWork(): boolean;
  flush(): Promise<void>;
  /**
   * Drains under the exit deadline and keeps the process alive meanwhile; at the deadline what is
   * left goes to the spool. From `beforeExit`, which comes only once nothing else holds the loop.
   */
  drainForExit(): Promise<void>;
  /** Shuts the pipeline down under its short exit deadline. */
  closeForExit(): Promise<void>;
  /** Flushes under the exit deadline and stays open: the host handles the signal and may keep running. */
  flushForExit(): Promise<void>;
  /** Synchronous last resort from the `exit` event. */
  persistNow(): void;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;
type ExitSignal = (typeof SIGNALS)[number];

interface Registry {
  live: Set<ExitParticipant>;
  /** Run first, synchronously, on every exit path: they may still enqueue (e.g. session ends). */
  preparers: Set<() => void>;
  installed: boolean;
  signalling: Set<ExitSignal>;
  onBeforeExit: () => void;
  onExit: () => void;
  onSignal: Record<ExitSignal, () => void>;
}

// Kept on globalThis so two copies of the package (ESM + CJS) still share one set of listeners.
const KEY = Symbol.for("yavio-mcp.exit-hooks.v1");

function createRegistry(): Registry {
  const registry: Registry = {
    live: new Set(),
    preparers: new Set(),
    installed: false,
    signalling: new Set(),
    onBeforeExit: () => {
      prepare(registry);
      // Nothing holds the loop any more (HTTP sockets are unref'd): drain now, under the exit deadline.
      for (const p of registry.live) if (p.hasPendingWork()) void p.drainForExit();
    },
    onExit: () => {
      prepare(registry);
      for (const p of registry.live) p.persistNow();
    },
    onSignal: {
      SIGTERM: () => handleSignal(registry, "SIGTERM"),
      SIGINT: () => handleSignal(registry, "SIGINT"),
    },
  };
  return registry;
}

function handleSignal(registry: Registry, signal: ExitSignal): void {
  // Ours is one of the listeners; any other one belongs to the host, which then owns the exit.
  const hostHandles = process.listenerCount(signal) > 1;
  if (registry.signalling.has(signal)) {
    // A second signal while we flush: the user insists, terminate now as Node would have.
    if (!hostHandles) reraise(registry, signal);
    return;
  }
  registry.signalling.add(signal);
  // Without a host handler the process ends after the drain: what is about to stop records so
  // first. A host that handles the signal may keep running; its exit runs the preparers then.
  if (!hostHandles) prepare(registry);
  // A host that handles the signal may keep running: flush, but leave the pipelines open (the
  // `exit` listener persists what is left if the host does end).
  const closing = [...registry.live].map((p) => (hostHandles ? p.flushForExit() : p.closeForExit()));
  void Promise.allSettled(closing).then(() => {
    registry.signalling.delete(signal);
    if (!hostHandles) reraise(registry, signal);
    else if (registry.live.size === 0 && registry.signalling.size === 0) uninstall(registry);
  });
}

function prepare(registry: Registry): void {
  for (const fn of registry.preparers ?? []) {
    try {
      fn();
    } catch {
      // Exit path: never throw out of a process listener.
    }
  }
}

function reraise(registry: Registry, signal: ExitSignal): void {
  uninstall(registry);
  // Whatever is still queued is persisted by the exit listener; it is gone now, so do it here.
  for (const p of registry.live) p.persistNow();
  process.kill(process.pid, signal);
}

function install(registry: Registry): void {
  if (registry.installed) return;
  registry.installed = true;
  process.on("beforeExit", registry.onBeforeExit);
  process.on("exit", registry.onExit);
  for (const s of SIGNALS) process.on(s, registry.onSignal[s]);
}

function uninstall(registry: Registry): void {
  if (!registry.installed) return;
  registry.installed = false;
  process.removeListener("beforeExit", registry.onBeforeExit);
  process.removeListener("exit", registry.onExit);
  for (const s of SIGNALS) process.removeListener(s, registry.onSignal[s]);
}

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let r = holder[KEY];
  if (!r) {
    r = createRegistry();
    holder[KEY] = r;
  }
  return r;
}

/** Adds a pipeline to the shared exit handling; the listeners go away with the last pipeline. */
export function registerForExit(participant: ExitParticipant): { unregister(): void } {
  const r = registry();
  r.live.add(participant);
  install(r);
  return {
    unregister() {
      r.live.delete(participant);
      if (r.live.size === 0 && r.signalling.size === 0) uninstall(r);
    },
  };
}

/**
 * Adds work that must run before the pipelines drain or persist at exit (beforeExit, exit, and a
 * SIGTERM/SIGINT the host does not handle): it runs synchronously and may still enqueue events.
 * It never installs listeners by itself; they come with the first registered pipeline.
 */
export function addExitPreparer(fn: () => void): { remove(): void } {
  const r = registry();
  // A registry made by another copy of this package may predate preparers.
  r.preparers ??= new Set();
  r.preparers.add(fn);
  return {
    remove() {
      r.preparers?.delete(fn);
    },
  };
}

/** For tests: how many pipelines are registered, and whether the listeners are installed. */
export function exitHookState(): { live: number; installed: boolean } {
  const r = registry();
  return { live: r.live.size, installed: r.installed };
}
