import type { WireEvent } from "../event/index.js";
import type { SendResult, Sink } from "./sink.js";

export interface ConsoleSinkOptions {
  /** Where lines go. Default `process.stderr` (stdout is the protocol stream of a stdio server). */
  stream?: { write(text: string): unknown } | undefined;
}

function describe(event: WireEvent): string {
  const parts = [event.timestamp, event.event_type];
  const name = event.tool_name ?? event.event_name;
  if (name !== undefined) parts.push(String(name));
  if (event.status !== undefined) parts.push(event.status);
  if (typeof event.latency_ms === "number") parts.push(`${event.latency_ms}ms`);
  parts.push(`session=${event.session_id}`);
  if (event.user_id !== undefined) parts.push(`user=${event.user_id}`);
  if (event.platform !== undefined) parts.push(`platform=${event.platform}`);
  return `[yavio] ${parts.join(" ")}\n`;
}

/**
 * One readable line per event on stderr, for development.
 *
 * @example
 * withYavio(server, { sink: new ConsoleSink() });
 */
export class ConsoleSink implements Sink {
  readonly name = "console";
  private readonly stream: { write(text: string): unknown };

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stderr;
  }

  send(batch: readonly WireEvent[]): Promise<SendResult> {
    try {
      let text = "";
      for (const event of batch) text += describe(event);
      this.stream.write(text);
      return Promise.resolve({ status: "success" });
    } catch (error) {
      return Promise.resolve({ status: "failure", reason: `console write failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}
