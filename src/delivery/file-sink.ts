import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { WireEvent } from "../event/index.js";
import { YavioConfigError, createWarner } from "../warnings/index.js";
import type { Warn } from "../warnings/index.js";
import { FileLock } from "./file-lock.js";
import { nodeFileSystem } from "./file-sink-fs.js";
import type { FileSinkFileSystem, FileSinkHandle } from "./file-sink-fs.js";
import { serializeEvent } from "./serialize.js";
import type { SendOptions, SendResult, Sink } from "./sink.js";
import { DELIVERY_DEFAULTS } from "./defaults.js";

export interface FileSinkOptions {
  /** Path of the JSON-lines file, e.g. `<cwd>/.yavio/events.jsonl` (the default chosen by the configuration). */
  path: string;
  /** Size at which the file is rotated to `<path>.1`. Default 10 MiB. `0` turns rotation off. */
  maxBytes?: number | undefined;
  /**
   * Rotated files kept (`<path>.1` newest … `<path>.N` oldest), 1 to 1000. Default 20. When a rotation
   * pushes the oldest one out, it is deleted with a YAVIO-1213 warning saying how many events went.
   */
  maxFiles?: number | undefined;
  /** Receives YAVIO-1213…1215. Default: one JSON line per warning on stderr. */
  warn?: Warn | undefined;
  /** How long a write waits for another process's lock before it appends without rotating. Default 2000. */
  lockTimeoutMs?: number | undefined;
  /** File-system calls, for tests that inject failures. Default `node:fs/promises`. */
  fs?: FileSinkFileSystem | undefined;
}

const LOCK_STALE_MS = 10_000;
const NEWLINE = 0x0a;

function toLines(batch: readonly WireEvent[]): Buffer {
  let text = "";
  for (const event of batch) text += `${serializeEvent(event)}\n`;
  return Buffer.from(text, "utf8");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/**
 * Appends one JSON event per line, rotating by size, safe with several processes on one file (the
 * normal desktop setup: several stdio servers started in one folder).
 *
 * Each batch is appended under a lock file (`<path>.lock`) with one `write` call, after a look at the
 * real size of the file (what other processes wrote counts). When the batch would pass `maxBytes`,
 * the file is rotated first: `<path>.N` … `<path>.1` move up one, the oldest beyond `maxFiles` is
 * deleted (YAVIO-1213 with its event and byte counts), and `<path>` becomes `<path>.1`. A file
 * another process rotated in between is not an error: the append opens the new one.
 *
 * A reader never sees a torn event: a write cut short (a full disk) is truncated back to where it
 * began; if even that fails, the next append starts with a newline, so the fragment stands alone as
 * one unreadable line that readers skip (YAVIO-1214).
 *
 * @example
 * const sink = new FileSink({ path: ".yavio/events.jsonl", maxBytes: 5_000_000, maxFiles: 50 });
 */
export class FileSink implements Sink {
  readonly name = "file";
  readonly path: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly warn: Warn;
  private readonly fs: FileSinkFileSystem;
  private readonly lock: FileLock;
  private tail: Promise<unknown> = Promise.resolve();
  private dirReady = false;
  private warnedTorn = false;
  private warnedLock = false;
  private warnedRotate = false;
  private lastEnd = { size: -1, ino: -1 };

  constructor(options: FileSinkOptions) {
    if (typeof options?.path !== "string" || options.path === "") {
      throw new YavioConfigError("YAVIO-1003", "FileSink needs a non-empty path");
    }
    const maxBytes = options.maxBytes ?? DELIVERY_DEFAULTS.eventsFileMaxBytes;
    const maxFiles = options.maxFiles ?? DELIVERY_DEFAULTS.eventsFileMaxFiles;
    const lockTimeoutMs = options.lockTimeoutMs ?? 2000;
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new YavioConfigError("YAVIO-1003", "FileSink maxBytes must be an integer ≥ 0");
    if (!Number.isInteger(maxFiles) || maxFiles < 1 || maxFiles > 1000) {
      throw new YavioConfigError("YAVIO-1003", "FileSink maxFiles must be an integer between 1 and 1000");
    }
    if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 0) throw new YavioConfigError("YAVIO-1003", "FileSink lockTimeoutMs must be an integer ≥ 0");
    this.path = options.path;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.warn = options.warn ?? createWarner();
    this.fs = options.fs ?? nodeFileSystem;
    this.lock = new FileLock({ path: `${options.path}.lock`, fs: this.fs, timeoutMs: lockTimeoutMs, staleMs: LOCK_STALE_MS });
  }

  // The signal is not used: an append takes milliseconds, and stopping one half-way would tear a line.
  send(batch: readonly WireEvent[], _options?: SendOptions): Promise<SendResult> {
    if (batch.length === 0) return Promise.resolve({ status: "success" });
    // Writes of this process are chained as well: the lock file is between processes.
    const result = this.tail.then(() => this.write(batch));
    this.tail = result;
    return result;
  }

  private async write(batch: readonly WireEvent[]): Promise<SendResult> {
    let data: Buffer;
    try {
      data = toLines(batch);
      if (!this.dirReady) {
        await this.fs.mkdir(dirname(this.path), { recursive: true });
        this.dirReady = true;
      }
    } catch (error) {
      return { status: "retryable", reason: `file write failed: ${errorText(error)}` };
    }
    const token = await this.lock.acquire().catch(() => undefined);
    if (token === undefined && !this.warnedLock) {
      this.warnedLock = true;
      this.warn({
        code: "YAVIO-1215",
        message: `could not lock ${this.path}.lock: appending without rotation for now (the file may pass its size limit)`,
        details: { path: this.path },
      });
    } else if (token !== undefined) {
      this.warnedLock = false;
    }
    try {
      return await this.append(data, token !== undefined);
    } finally {
      if (token !== undefined) await this.lock.release(token);
    }
  }

  /** One append. `locked`: no other writer is between our look at the file and our write. */
  private async append(data: Buffer, locked: boolean): Promise<SendResult> {
    let handle: FileSinkHandle | undefined;
    try {
      handle = await this.openAppend();
      let { size, ino } = await handle.stat();
      if (locked && this.maxBytes > 0 && size > 0 && size + data.length > this.maxBytes) {
        await handle.close();
        handle = undefined;
        try {
          await this.rotate();
          this.warnedRotate = false;
        } catch (error) {
          // A rotation that fails must not cost the batch: it goes to the current file. Once per episode.
          if (!this.warnedRotate) {
            this.warnedRotate = true;
            this.warn({
              code: "YAVIO-1215",
              message: `could not rotate ${this.path} (${errorText(error)}): appending to it anyway`,
              details: { path: this.path },
            });
          }
        }
        handle = await this.openAppend();
        ({ size, ino } = await handle.stat());
      }
      // The file is as our last write left it (same file, same size): it ends with our newline.
      const ours = size === this.lastEnd.size && ino === this.lastEnd.ino;
      const torn = size > 0 && !ours && !(await this.endsWithNewline(handle, size));
      const out = torn ? Buffer.concat([Buffer.from("\n"), data]) : data;
      if (torn) this.warnTorn("ends in a partial line (an earlier write was cut short): it is left as one unreadable line");
      let written = 0;
      try {
        // One write call: with O_APPEND the whole batch lands at the end in one piece.
        written = (await handle.write(out, 0, out.length, null)).bytesWritten;
      } catch (error) {
        await this.undo(handle, size, locked);
        throw error;
      }
      if (written !== out.length) {
        await this.undo(handle, size, locked);
        throw new Error(`short write: ${written} of ${out.length} bytes (disk full?)`);
      }
      this.warnedTorn = false;
      this.lastEnd = { size: size + out.length, ino };
      return { status: "success" };
    } catch (error) {
      this.dirReady = false;
      return { status: "retryable", reason: `file write failed: ${errorText(error)}` };
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private async openAppend(): Promise<FileSinkHandle> {
    try {
      return await this.fs.open(this.path, "a+");
    } catch (error) {
      if (!isMissing(error)) throw error;
      // The folder was removed while we ran.
      await this.fs.mkdir(dirname(this.path), { recursive: true });
      return await this.fs.open(this.path, "a+");
    }
  }

  private async endsWithNewline(handle: FileSinkHandle, size: number): Promise<boolean> {
    const last = Buffer.alloc(1);
    const { bytesRead } = await handle.read(last, 0, 1, size - 1);
    return bytesRead === 0 || last[0] === NEWLINE;
  }

  /**
   * Removes the part of a failed write. Only under the lock: without it another process may have
   * appended after our fragment, and truncating would cut its lines.
   */
  private async undo(handle: FileSinkHandle, size: number, locked: boolean): Promise<void> {
    if (locked) {
      try {
        await handle.truncate(size);
        return;
      } catch {
        // Fall through: the next append starts on a new line instead.
      }
    }
    this.warnTorn("a write was cut short and could not be undone: the partial line is left as one unreadable line");
  }

  private warnTorn(what: string): void {
    if (this.warnedTorn) return;
    this.warnedTorn = true;
    this.warn({ code: "YAVIO-1214", message: `${this.path}: ${what}`, details: { path: this.path } });
  }

  /**
   * Runs under the lock. Only the unbroken run `<path>.1` … `<path>.k` moves up: the first free
   * number ends it, so no rename ever lands on an existing file, and a rotation costs as many calls
   * as there are files, not `maxFiles`. Every step tolerates a file that is not there.
   */
  private async rotate(): Promise<void> {
    let run = 0;
    while (run < this.maxFiles && (await this.exists(`${this.path}.${run + 1}`))) run += 1;
    if (run === this.maxFiles) {
      const oldest = `${this.path}.${this.maxFiles}`;
      const counted = await this.countLines(oldest);
      if (counted !== undefined) {
        // If this throws, nothing has moved: the rotation is abandoned and the file is kept.
        await this.fs.unlink(oldest).catch((error: unknown) => {
          if (!isMissing(error)) throw error;
        });
        this.warn({
          code: "YAVIO-1213",
          message: `event file rotation deleted ${oldest}: ${counted.events} events (${counted.bytes} bytes) are gone; raise eventsFileMaxFiles (YAVIO_EVENTS_FILE_MAX_FILES) to keep more`,
          details: { path: oldest, events: counted.events, bytes: counted.bytes, maxFiles: this.maxFiles },
        });
      }
      run -= 1;
    }
    const ignoreMissing = (error: unknown): void => {
      if (!isMissing(error)) throw error;
    };
    for (let i = run; i >= 1; i -= 1) await this.fs.rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(ignoreMissing);
    await this.fs.rename(this.path, `${this.path}.1`).catch(ignoreMissing);
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.fs.stat(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Events (lines) and bytes in a file, or undefined when it does not exist. */
  private async countLines(path: string): Promise<{ events: number; bytes: number } | undefined> {
    let handle: FileSinkHandle;
    try {
      handle = await this.fs.open(path, "r");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const chunk = Buffer.alloc(64 * 1024);
      let events = 0;
      let bytes = 0;
      let last = NEWLINE;
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        bytes += bytesRead;
        for (let at = chunk.indexOf(NEWLINE); at !== -1 && at < bytesRead; at = chunk.indexOf(NEWLINE, at + 1)) events += 1;
        last = chunk[bytesRead - 1] as number;
      }
      if (last !== NEWLINE) events += 1;
      return { events, bytes };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * The exit path: no waiting for a lock and no rotation (the file may pass its limit by this batch),
   * but the same one-write, undo-on-failure append.
   */
  persistSync(batch: readonly WireEvent[]): void {
    let fd: number | undefined;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      fd = openSync(this.path, "a+");
      const size = fstatSync(fd).size;
      let data = toLines(batch);
      if (size > 0) {
        const last = Buffer.alloc(1);
        if (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== NEWLINE) data = Buffer.concat([Buffer.from("\n"), data]);
      }
      let written = 0;
      try {
        written = writeSync(fd, data, 0, data.length, null);
      } catch {
        written = -1;
      }
      // Without the lock another process may have appended in between: then the fragment stays, and
      // the next append of anyone starts on a new line.
      if (written !== data.length && fstatSync(fd).size === size + Math.max(written, 0)) ftruncateSync(fd, size);
    } catch {
      // Exit path: nothing left to try.
    } finally {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // ignore
        }
      }
    }
  }

  async shutdown(): Promise<void> {
    await this.tail.catch(() => undefined);
  }
}
