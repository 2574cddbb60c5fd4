import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WireEvent } from "../event/index.js";
import { YavioConfigError } from "../warnings/index.js";
import type { Warn } from "../warnings/index.js";
import { chunkForIngest } from "./ingest-limits.js";
import { serializeEvent } from "./serialize.js";
import type { SendOptions, SendResult, Sink } from "./sink.js";
import { DELIVERY_DEFAULTS } from "./defaults.js";

export interface SpoolOptions {
  /** Directory of spool files, e.g. `<cwd>/.yavio/spool`. */
  dir: string;
  /** Total size the spool may reach; the oldest files go first. Default 10 MiB. */
  maxBytes?: number | undefined;
  /** Deliver what an earlier run left in the spool, as soon as the sink is created. Default true. */
  replayOnStart?: boolean | undefined;
  /** Time one spool file's delivery may take during a replay. Default 30 000. */
  replayTimeoutMs?: number | undefined;
  warn: Warn;
}

const SPOOL_EXT = ".jsonl";

/**
 * What every spooling sink of this process shares: a sequence for file names (two sinks spooling in
 * the same millisecond must not pick the same name) and the files this process's sinks have claimed
 * for a replay. A claimed file carries the pid, so a claim of a live pid is left alone: this set
 * tells this process's own live claims from those a replay gave up on. On globalThis, so that an
 * ESM and a CommonJS copy of the package share it.
 */
interface SpoolRegistry {
  seq: number;
  claimed: Set<string>;
}
const REGISTRY_KEY = Symbol.for("yavio-mcp.spool-registry.v1");
function spoolRegistry(): SpoolRegistry {
  const holder = globalThis as unknown as Record<symbol, SpoolRegistry | undefined>;
  let r = holder[REGISTRY_KEY];
  if (!r) {
    r = { seq: 0, claimed: new Set() };
    holder[REGISTRY_KEY] = r;
  }
  return r;
}

// Spool writes are synchronous on purpose: they run when delivery failed, at shutdown and from the
// `exit` event, where an await may never come back. They are rare and small.

/**
 * Keeps what the wrapped sink could not deliver (retries exhausted, auth refused, shutdown
 * deadline) in files under `dir`, and delivers them at the next start or once the sink works again.
 * A batch the receiver called invalid (a non-permanent `failure`) is not spooled: it would fail again.
 *
 * @example
 * const sink = new SpoolingSink(new RetryingSink(http, { warn }), { dir: ".yavio/spool", warn });
 */
export class SpoolingSink implements Sink {
  readonly name: string;
  readonly dir: string;
  private readonly inner: Sink;
  private readonly maxBytes: number;
  private readonly replayTimeoutMs: number;
  private readonly warn: Warn;
  private replaying: Promise<void> | undefined;
  private replayAbort: AbortController | undefined;
  private dirty = false;
  private warnedSpooling = false;
  private warnedFull = false;
  // A spool write failed and no write or delivery has worked since: one YAVIO-1211 per such episode.
  private writeFailing = false;
  private closed = false;

  constructor(inner: Sink, options: SpoolOptions) {
    if (typeof options.dir !== "string" || options.dir === "") throw new YavioConfigError("YAVIO-1003", "spool dir must be a non-empty path");
    const maxBytes = options.maxBytes ?? DELIVERY_DEFAULTS.spoolMaxBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new YavioConfigError("YAVIO-1003", "spool maxBytes must be a positive integer");
    this.inner = inner;
    this.name = inner.name;
    this.dir = options.dir;
    this.maxBytes = maxBytes;
    this.replayTimeoutMs = options.replayTimeoutMs ?? DELIVERY_DEFAULTS.exportTimeoutMs;
    this.warn = options.warn;
    if (options.replayOnStart !== false) this.replay();
  }

  async send(batch: readonly WireEvent[], options: SendOptions): Promise<SendResult> {
    if (options.signal.aborted) return this.spool(batch, "the delivery deadline had passed");
    let onAbort: (() => void) | undefined;
    let onAbortResult: SendResult | undefined;
    // Spool the moment the export is aborted: the process may be about to end.
    const aborted = new Promise<SendResult>((resolve) => {
      onAbort = () => {
        onAbortResult = this.spool(batch, "the delivery deadline passed");
        resolve(onAbortResult);
      };
      options.signal.addEventListener("abort", onAbort, { once: true });
    });
    let result: SendResult;
    let delivered = false;
    try {
      result = await Promise.race([
        this.inner.send(batch, options).then((r) => {
          delivered = r.status === "success";
          return r;
        }),
        aborted,
      ]);
    } catch (error) {
      result = { status: "retryable", reason: error instanceof Error ? error.message : String(error) };
    } finally {
      if (onAbort) options.signal.removeEventListener("abort", onAbort);
    }
    // Aborted: the abort listener has spooled the batch, or says why it could not.
    if (onAbortResult !== undefined && !delivered) return onAbortResult;
    if (result.status === "success") {
      this.writeFailing = false;
      // The receiver works again: time to send what earlier failures left behind.
      if (delivered && this.dirty) this.replay();
      return result;
    }
    if (result.status === "failure" && result.permanent !== true) return result;
    return this.spool(batch, result.reason);
  }

  /** Spool files waiting for delivery. */
  pendingFiles(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith(SPOOL_EXT))
        .sort();
    } catch {
      return [];
    }
  }

  private spool(batch: readonly WireEvent[], reason: string): SendResult {
    const written = this.write(batch);
    // Reported by the pipeline (YAVIO-1211, once per episode), which sees this failure.
    if (written !== true) return { status: "failure", reason: `not delivered (${reason}) and could not be spooled (${written}): lost` };
    this.dirty = true;
    if (!this.warnedSpooling) {
      this.warnedSpooling = true;
      this.warn({
        code: "YAVIO-1212",
        message: `sink "${this.name}": ${batch.length} undelivered events spooled to ${this.dir} (${reason}); they are sent at the next start`,
        details: { dir: this.dir, events: batch.length },
      });
    }
    return { status: "success" };
  }

  /** True when written; otherwise why not (the spool full, a write error). */
  private write(batch: readonly WireEvent[]): true | string {
    if (batch.length === 0) return true;
    let lines = batch.map((event) => `${serializeEvent(event)}\n`);
    const sizes = new Map<string, number>();
    const sizeOf = (line: string): number => {
      let size = sizes.get(line);
      if (size === undefined) {
        size = Buffer.byteLength(line);
        sizes.set(line, size);
      }
      return size;
    };
    let bytes = lines.reduce((sum, line) => sum + sizeOf(line), 0);
    try {
      mkdirSync(this.dir, { recursive: true });
      if (bytes > this.maxBytes) {
        // Keep the newest events that fit, as makeRoom keeps the newest files.
        let keep = lines.length;
        let kept = 0;
        while (keep > 0 && kept + sizeOf(lines[keep - 1] as string) <= this.maxBytes) {
          keep -= 1;
          kept += sizeOf(lines[keep] as string);
        }
        const discarded = keep;
        lines = lines.slice(keep);
        bytes = kept;
        this.warnFull(`spool full: ${discarded} of ${batch.length} events did not fit in the spool (${this.maxBytes} bytes) and were discarded`, {
          events: discarded,
          maxBytes: this.maxBytes,
        });
        if (lines.length === 0) return "the spool is full";
      }
      this.makeRoom(bytes);
      // One file per ingest-sized chunk: a replay sends a file as one request, which must be accepted.
      for (const chunk of chunkForIngest(lines, sizeOf)) this.writeFile(chunk.join(""));
      this.writeFailing = false;
      return true;
    } catch (error) {
      this.writeFailing = true;
      return `spool write failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Writes one spool file atomically (throws on failure). */
  private writeFile(text: string, name = this.nextName()): string {
    const tmp = join(this.dir, `${name}.tmp`);
    writeFileSync(tmp, text, "utf8");
    // A rename is atomic: a replay in another process never reads half a file.
    const path = join(this.dir, `${name}${SPOOL_EXT}`);
    renameSync(tmp, path);
    return path;
  }

  private nextName(): string {
    const registry = spoolRegistry();
    registry.seq += 1;
    return `${Date.now().toString().padStart(15, "0")}-${process.pid}-${registry.seq.toString().padStart(6, "0")}`;
  }

  /**
   * Deletes the oldest spool files until `incoming` more bytes fit. Leftovers that are never
   * replayed (`.corrupt` files, `.tmp` files of a write that died) count toward the bound and go
   * first.
   */
  private makeRoom(incoming: number): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      names = [];
    }
    const sized = (name: string): { path: string; size: number } => {
      const path = join(this.dir, name);
      let size = 0;
      try {
        size = statSync(path).size;
      } catch {
        // Gone meanwhile (delivered by a replay).
      }
      return { path, size };
    };
    const leftovers = names.filter((n) => n.endsWith(".corrupt") || (n.endsWith(".tmp") && isDeadWrite(n))).sort().map(sized);
    const files = names.filter((n) => n.endsWith(SPOOL_EXT)).sort().map(sized);
    // Files being replayed still take disk space, though they are not ours to delete.
    const claimed = names.filter((n) => /\.sending\.\d+$/.test(n)).map(sized);
    let total = [...leftovers, ...files, ...claimed].reduce((sum, f) => sum + f.size, 0);
    let discarded = 0;
    let discardedBytes = 0;
    for (const file of [...leftovers, ...files]) {
      if (total + incoming <= this.maxBytes) break;
      try {
        unlinkSync(file.path);
      } catch {
        // Already gone.
      }
      total -= file.size;
      if (file.path.endsWith(SPOOL_EXT)) {
        discarded += 1;
        discardedBytes += file.size;
      }
    }
    if (discarded > 0) {
      this.warnFull(`spool full (${this.maxBytes} bytes): ${discarded} oldest spool files discarded`, {
        files: discarded,
        bytes: discardedBytes,
        maxBytes: this.maxBytes,
      });
    }
  }

  /** YAVIO-1210 once per episode: until the spool has been delivered again. */
  private warnFull(message: string, details: Record<string, unknown>): void {
    if (this.warnedFull) return;
    this.warnedFull = true;
    this.warn({ code: "YAVIO-1210", message: `${message} (said once until the spool drains)`, details });
  }

  /** Starts a replay unless one runs. */
  private replay(): void {
    if (this.replaying || this.closed) return;
    this.dirty = false;
    this.replaying = Promise.resolve()
      .then(() => this.replayFiles())
      .catch(() => undefined)
      .finally(() => {
        this.replaying = undefined;
      });
  }

  private async replayFiles(): Promise<void> {
    this.reclaimOrphans();
    for (const file of this.pendingFiles()) {
      if (this.closed) return;
      const path = join(this.dir, file);
      const claimed = `${path}.sending.${process.pid}`;
      const registry = spoolRegistry();
      try {
        // Claiming by rename keeps two processes, and two pipelines of one, from sending the same file.
        renameSync(path, claimed);
      } catch {
        continue;
      }
      registry.claimed.add(claimed);
      try {
        if (!(await this.replayClaimed(file, path, claimed))) return;
      } finally {
        registry.claimed.delete(claimed);
      }
    }
    this.warnedSpooling = false;
    this.warnedFull = false;
  }

  /** Delivers one claimed spool file; false when delivery stopped and the replay must end. */
  private async replayClaimed(file: string, path: string, claimed: string): Promise<boolean> {
    const batch = this.read(claimed);
    if (batch === undefined) {
      this.warn({ code: "YAVIO-1209", message: `spool file ${file} is corrupt: skipped`, details: { file } });
      try {
        renameSync(claimed, `${path}.corrupt`);
      } catch {
        // Leave it; it no longer matches the spool extension.
      }
      return true;
    }
    // A file from an older version may hold more than one request may carry: send it in chunks.
    const chunks = chunkForIngest(batch, (event) => Buffer.byteLength(serializeEvent(event)) + 1);
    let sent = 0;
    let stopped = false;
    for (const chunk of chunks) {
      if (this.closed || !(await this.deliver(chunk))) {
        stopped = true;
        break;
      }
      sent += 1;
    }
    if (!stopped) {
      try {
        unlinkSync(claimed);
      } catch {
        // Already gone.
      }
      return true;
    }
    this.putBack(claimed, path, sent === 0 ? undefined : chunks.slice(sent).flat());
    this.dirty = true;
    return false;
  }

  /** Sends one chunk of a spool file; false when it must stay in the spool (retryable, auth refused). */
  private async deliver(chunk: readonly WireEvent[]): Promise<boolean> {
    const controller = new AbortController();
    this.replayAbort = controller;
    const timer = setTimeout(() => controller.abort(), this.replayTimeoutMs);
    timer.unref();
    let result: SendResult;
    try {
      result = await this.inner.send(chunk, { signal: controller.signal });
    } catch (error) {
      result = { status: "retryable", reason: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
      this.replayAbort = undefined;
    }
    // A batch the receiver called invalid would fail again: only that chunk is dropped.
    return result.status === "success" || (result.status === "failure" && result.permanent !== true);
  }

  /** Returns a claimed file to the spool, keeping only `rest` when part of it was delivered. */
  private putBack(claimed: string, path: string, rest: readonly WireEvent[] | undefined): void {
    try {
      if (rest === undefined) {
        renameSync(claimed, path);
        return;
      }
      let text = "";
      for (const event of rest) text += `${serializeEvent(event)}\n`;
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, text, "utf8");
      renameSync(tmp, path);
      unlinkSync(claimed);
    } catch {
      // Keep the claimed name; reclaimOrphans picks it up after this process ends.
    }
  }

  /** Files claimed by a process that died mid-replay go back into the spool. */
  private reclaimOrphans(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const match = /^(.*\.jsonl)\.sending\.(\d+)$/.exec(name);
      if (!match) continue;
      const pid = Number(match[2]);
      // A live process's claim is its own business; so is a claim of a live sink of this process.
      if (pid === process.pid ? spoolRegistry().claimed.has(join(this.dir, name)) : isAlive(pid)) continue;
      try {
        renameSync(join(this.dir, name), join(this.dir, match[1] as string));
      } catch {
        // Someone else took it.
      }
    }
  }

  private read(path: string): WireEvent[] | undefined {
    try {
      const events: WireEvent[] = [];
      for (const line of readFileSync(path, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const value: unknown = JSON.parse(line);
        if (typeof value !== "object" || value === null || typeof (value as { event_id?: unknown }).event_id !== "string") return undefined;
        events.push(value as WireEvent);
      }
      return events.length > 0 ? events : undefined;
    } catch {
      return undefined;
    }
  }

  busy(): boolean {
    return this.replaying !== undefined;
  }

  async flush(): Promise<void> {
    await this.replaying;
    await this.inner.flush?.();
  }

  persistSync(batch: readonly WireEvent[]): void {
    // At exit no pipeline sees the outcome: say it here, unless this failure episode was said already.
    const failingBefore = this.writeFailing;
    const written = this.write(batch);
    if (written !== true && !failingBefore) {
      this.warn({
        code: "YAVIO-1211",
        message: `sink "${this.name}": ${batch.length} undelivered events could not be spooled at exit (${written}): lost`,
        details: { dir: this.dir, events: batch.length },
      });
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.replayAbort?.abort();
    await this.replaying;
    await this.inner.shutdown?.();
  }
}

/** A `.tmp` left by a write of this process (writes are synchronous, so none is in progress) or of a dead one. */
function isDeadWrite(name: string): boolean {
  const match = /^\d+-(\d+)-/.exec(name);
  if (!match) return true;
  const pid = Number(match[1]);
  return pid === process.pid || !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
