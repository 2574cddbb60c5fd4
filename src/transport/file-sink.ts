import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { WireEvent } from "../event/index.js";
import type { SendResult, Sink } from "./sink.js";

export interface FileSinkOptions {
  /** Path of the JSON-lines file. Default `.yavio/events.jsonl` under the working directory. */
  path: string;
}

/** Appends one JSON event per line. */
export class FileSink implements Sink {
  readonly name = "file";
  readonly path: string;
  private dirReady: Promise<unknown> | undefined;

  constructor(options: FileSinkOptions) {
    this.path = options.path;
  }

  async send(batch: readonly WireEvent[]): Promise<SendResult> {
    if (batch.length === 0) return { status: "success" };
    try {
      this.dirReady ??= mkdir(dirname(this.path), { recursive: true });
      await this.dirReady;
      let text = "";
      for (const event of batch) text += `${JSON.stringify(event)}\n`;
      await appendFile(this.path, text, "utf8");
      return { status: "success" };
    } catch (error) {
      this.dirReady = undefined;
      return { status: "retryable", reason: `file write failed: ${(error as Error).message}` };
    }
  }
}
