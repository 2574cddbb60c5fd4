import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

export interface ReadLinesOptions {
  /**
   * Longest line kept, in characters. A longer one is yielded cut to this length (it then fails
   * to parse and counts as one bad line), so a file without newlines cannot exhaust memory.
   * Default 8 MiB; an event is at most 50 KB on the wire.
   */
  maxLineLength?: number;
}

/**
 * The lines of a file (or of a readable stream such as stdin), streamed in chunks: memory is one
 * chunk plus one line, whatever the file size. Accepts `\n` and `\r\n` endings.
 */
export async function* readLines(source: string | Readable, options: ReadLinesOptions = {}): AsyncGenerator<string> {
  const maxLineLength = options.maxLineLength ?? 8 * 1024 * 1024;
  const stream =
    typeof source === "string" ? createReadStream(source, { encoding: "utf8", highWaterMark: 1 << 20 }) : source;
  if (typeof source !== "string") stream.setEncoding("utf8");
  let pending = "";
  let overlong = false;
  for await (const chunk of stream) {
    const text = pending + (chunk as string);
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end === -1) break;
      if (overlong) overlong = false;
      else yield trimCr(text.slice(start, end));
      start = end + 1;
    }
    pending = text.slice(start);
    if (pending.length > maxLineLength) {
      if (!overlong) yield pending.slice(0, maxLineLength);
      overlong = true;
      pending = "";
    }
  }
  if (pending.length > 0 && !overlong) yield trimCr(pending);
}

function trimCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
