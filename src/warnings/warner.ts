import type { WarningCode } from "./codes.js";

/** How much a warning matters. `info` is for notices such as "events go to the local file". */
export type WarningLevel = "info" | "warn" | "error";

/** A structured warning. Delivered to `onWarning` and to the logger; never thrown. */
export interface YavioWarning {
  readonly level: WarningLevel;
  readonly code: WarningCode;
  readonly message: string;
  readonly sessionId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** ISO timestamp of when the warning was raised. */
  readonly time: string;
}

/** Receives warnings instead of the default stderr writer. */
export interface YavioLogger {
  log(warning: YavioWarning): void;
}

/** `silent` turns the logger off; `onWarning` still receives everything. */
export type LogLevel = "silent" | "error" | "warn" | "info";

export interface WarnerOptions {
  onWarning?: ((warning: YavioWarning) => void) | undefined;
  logger?: YavioLogger | undefined;
  logLevel?: LogLevel | undefined;
}

export interface WarningInput {
  level?: WarningLevel;
  code: WarningCode;
  message: string;
  sessionId?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** The single way any part of the package reports a problem at runtime. */
export type Warn = (input: WarningInput) => void;

const RANK: Record<WarningLevel | LogLevel, number> = { silent: 99, error: 3, warn: 2, info: 1 };

/** One JSON line per warning on stderr: machine-readable and harmless to a stdio MCP stream. */
export const stderrLogger: YavioLogger = {
  log(warning) {
    try {
      process.stderr.write(`${safeStringify({ yavio: true, ...warning })}\n`);
    } catch {
      // stderr closed: nothing sensible left to do.
    }
  },
};

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ yavio: true, message: "unserialisable warning" });
  }
}

/**
 * Builds the warn function. Neither the hook nor the logger can throw into the caller: a warning
 * about a broken warning hook would loop, so such failures are swallowed.
 */
export function createWarner(options: WarnerOptions = {}): Warn {
  const threshold = RANK[options.logLevel ?? "info"];
  const logger = options.logger ?? stderrLogger;
  const hook = options.onWarning;
  return (input) => {
    const level = input.level ?? "warn";
    const warning: YavioWarning = {
      level,
      code: input.code,
      message: input.message,
      ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
      ...(input.details !== undefined ? { details: input.details } : {}),
      time: new Date().toISOString(),
    };
    if (hook) {
      try {
        hook(warning);
      } catch {
        // A throwing onWarning must not break the host.
      }
    }
    if (RANK[level] >= threshold) {
      try {
        logger.log(warning);
      } catch {
        // Same for a throwing logger.
      }
    }
  };
}

/** A warn function that reports a code only the first time it is seen by this function. */
export function onceWarner(warn: Warn): Warn {
  const seen = new Set<string>();
  return (input) => {
    const key = `${input.code}:${input.sessionId ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    warn(input);
  };
}
