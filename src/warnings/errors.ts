import type { WarningCode } from "./codes.js";

const BRAND = Symbol.for("yavio-mcp.YavioConfigError");

/**
 * Thrown only at construction time, for configuration that cannot work (a bad option, a bad PII
 * pattern). Runtime problems are warnings, never exceptions.
 *
 * `YavioConfigError.is(e)` recognises errors from any copy of this package, where `instanceof`
 * would fail across duplicate installs.
 */
export class YavioConfigError extends Error {
  readonly code: WarningCode;
  readonly [BRAND] = true;

  constructor(code: WarningCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "YavioConfigError";
    this.code = code;
  }

  static is(value: unknown): value is YavioConfigError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
