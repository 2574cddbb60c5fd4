import { boundForQueue } from "../event/index.js";
import { isPlainObject, toJsonSafe } from "../identity/index.js";

export const MAX_EVENT_NAME_LENGTH = 256;

/** An event name is a non-blank string of 1–256 characters. */
export function validateEventName(name: unknown): string | undefined {
  if (typeof name !== "string") return `event name must be a string, got ${name === null ? "null" : typeof name}`;
  if (name.trim().length === 0) return "event name must not be empty";
  if (name.length > MAX_EVENT_NAME_LENGTH) return `event name is ${name.length} characters; at most ${MAX_EVENT_NAME_LENGTH}`;
  return undefined;
}

/**
 * Properties must be a plain object; they are made JSON-safe. Anything else is reported and dropped.
 * Runs on the tool's path, so the size is judged first by a bounded scan: properties surely over the
 * event limit become the truncation marker at once (reported through `oversized`), and nothing
 * walks or copies megabytes of the host's data.
 */
export function toProperties(
  value: unknown,
  report: (message: string) => void,
  oversized: (bytes: number) => void,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    report(`expected a plain object, got ${Array.isArray(value) ? "array" : typeof value}`);
    return undefined;
  }
  const bounded = boundForQueue(value);
  if (bounded !== value) {
    const marker = bounded as { truncated: true; bytes: number; preview: string };
    oversized(marker.bytes);
    return marker;
  }
  return toJsonSafe(value) as Record<string, unknown>;
}

const ISO_4217: ReadonlySet<string> | undefined = (() => {
  try {
    const list = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("currency");
    return list && list.length > 100 ? new Set(list) : undefined;
  } catch {
    return undefined;
  }
})();

/** An ISO 4217 code in upper case, or undefined. Uses the runtime's currency list where it has one. */
export function normalizeCurrency(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^[A-Za-z]{3}$/.test(value)) return undefined;
  const code = value.toUpperCase();
  if (ISO_4217 !== undefined && !ISO_4217.has(code)) return undefined;
  return code;
}

const MAX_STACK_FRAMES = 12;
const MAX_FRAME_LENGTH = 300;

/** Class, message and a trimmed stack of anything thrown or passed to captureError. */
export function describeThrown(error: unknown): { errorClass: string; message: string; stack?: string } {
  if (error instanceof Error) {
    const stack = typeof error.stack === "string" ? trimStack(error.stack) : undefined;
    return { errorClass: error.name || error.constructor?.name || "Error", message: String(error.message), ...(stack ? { stack } : {}) };
  }
  if (typeof error === "string") return { errorClass: "string", message: error };
  if (error !== null && typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    let text: string;
    try {
      text = typeof message === "string" ? message : JSON.stringify(toJsonSafe(error));
    } catch {
      text = Object.prototype.toString.call(error);
    }
    return { errorClass: (error).constructor?.name ?? "Object", message: text };
  }
  return { errorClass: typeof error, message: String(error) };
}

function trimStack(stack: string): string {
  const lines = stack.split("\n");
  const frames = lines.filter((l) => l.trimStart().startsWith("at ")).slice(0, MAX_STACK_FRAMES);
  return frames.map((f) => (f.length > MAX_FRAME_LENGTH ? f.slice(0, MAX_FRAME_LENGTH) : f.trim())).join("\n");
}
