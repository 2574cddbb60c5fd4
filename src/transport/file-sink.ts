import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { WireEvent } from "../event/index.js";
import { YavioConfigError } from "../warnings/index.js";
import { serializeEvent } from "./serialize.js";
import type { SendResult, Sink } from "./sink.js";

export interface FileSinkOptions {
  /** Path of the JSON-lines file, e.g. `<cwd>/.yavio/events.jsonl` (the default chosen by the configuration). */
  path: string;
  /** Size at which the file is rotated to `<path>.1`. Default 10 MiB. `0` turns rotation off. */
  maxBytes?: number | undefined;
  /** Rotated files kept (`<path>.1` … `<path>.N`), the oldest is deleted. Default 3. */
  maxFiles?: number | undefined;
}

function toLines(batch: readonly WireEvent[]): string {
  let text = "";
  for (const event of batch) text += `${serializeEvent(event)}\n`;
  return text;
}

/**
 * Appends one JSON event per line, rotating by size.
 *
 * @example
 * const sink = new FileSink({ path: ".yavio/events.jsonl", maxBytes: 5_000_000 });
 */
export class FileSink implements Sink {
  readonly name = "file";
  readonly path: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private size: number | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: FileSinkOptions) {
    if (typeof options?.path !== "string" || options.path === "") {
      throw new YavioConfigError("YAVIO-1003", "FileSink needs a non-empty path");
    }
    const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    const maxFiles = options.maxFiles ?? 3;
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new YavioConfigError("YAVIO-1003", "FileSink maxBytes must be an integer ≥ 0");
    if (!Number.isInteger(maxFiles) || maxFiles < 1) throw new YavioConfigError("YAVIO-1003", "FileSink maxFiles must be an integer ≥ 1");
    this.path = options.path;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
  }

  send(batch: readonly WireEvent[]): Promise<SendResult> {
    if (batch.length === 0) return Promise.resolve({ status: "success" });
    // Writes are chained: two appends racing a rotation would interleave or land in the wrong file.
    const result = this.tail.then(() => this.write(batch));
    this.tail = result;
    return result;
  }

  private async write(batch: readonly WireEvent[]): Promise<SendResult> {
    try {
      const text = toLines(batch);
      const bytes = Buffer.byteLength(text);
      if (this.size === undefined) {
        await mkdir(dirname(this.path), { recursive: true });
        this.size = await stat(this.path).then(
          (s) => s.size,
          () => 0,
        );
      }
      if (this.maxBytes > 0 && this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
      await appendFile(this.path, text, "utf8");
      this.size += bytes;
      return { status: "success" };
    } catch (error) {
      this.size = undefined;
      return { status: "retryable", reason: `file write failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async rotate(): Promise<void> {
    await rm(`${this.path}.${this.maxFiles}`, { force: true });
    for (let i = this.maxFiles - 1; i >= 1; i -= 1) {
      await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => undefined);
    }
    await rename(this.path, `${this.path}.1`);
    this.size = 0;
  }

  persistSync(batch: readonly WireEvent[]): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      appendFileSync(this.path, toLines(batch), "utf8");
    } catch {
      // Exit path: nothing left to try.
    }
  }

  async shutdown(): Promise<void> {
    await this.tail.catch(() => undefined);
  }
}
