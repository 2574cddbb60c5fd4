import { isPlainObject, toJsonSafe } from "../identity/index.js";

export const MAX_EVENT_NAME_LENGTH = 256;

/** An event name is a non-blank string of 1–256 characters. */
export function validateEventName(name: unknown): string | undefined {
  if (typeof name !== "string") return `event name must be a string, got ${name === null ? "null" : typeof name}`;
  if (name.trim().length === 0) return "event name must not be empty";
  if (name.length > MAX_EVENT_NAME_LENGTH) return `event name is ${name.length} characters; at most ${MAX_EVENT_NAME_LENGTH}`;
  return undefined;
}

/** Properties must be a plain object; they are made JSON-safe. Anything else is reported and dropped. */
export function toProperties(value: unknown, report: (message: string) => void): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    report(`expected a plain object, got ${Array.isArray(value) ? "array" : typeof value}`);
    return undefined;
  }
  return toJsonSafe(value) as Record<string, unknown>;
}
