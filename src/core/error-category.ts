import type { ErrorCategory } from "../event/index.js";

const BY_MESSAGE: readonly (readonly [RegExp, ErrorCategory])[] = [
  [/\b(429|rate[- ]?limit(ed)?|too many requests|quota)\b/i, "rate_limit"],
  [/\b(timed? ?out|timeout|deadline exceeded|ETIMEDOUT|ESOCKETTIMEDOUT)\b/i, "timeout"],
  [/\b(401|403|unauthori[sz]ed|forbidden|unauthenticated|permission denied|access denied|not authenticated|invalid (api )?key|invalid token|expired token|auth(entication|orization)? (failed|required|error))\b/i, "auth"],
  [/\b(invalid|validation|required|must be|expected|malformed|not found|unknown tool|input validation)\b/i, "validation"],
  [/\b(5\d\d|internal( server)? error|ECONNREFUSED|ECONNRESET|EAI_AGAIN|unavailable|database|crash(ed)?|failed)\b/i, "server"],
];

const MCP_INVALID_PARAMS = -32602;
const MCP_METHOD_NOT_FOUND = -32601;
const MCP_INTERNAL_ERROR = -32603;
const MCP_REQUEST_TIMEOUT = -32001;

/** Classifies a failure from what is known of it: an error object, a code, or just a message. */
export function categorizeError(error: unknown, message: string | undefined): ErrorCategory {
  if (error !== null && typeof error === "object") {
    const e = error as { name?: unknown; code?: unknown; status?: unknown; statusCode?: unknown };
    const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : undefined;
    if (status === 401 || status === 403) return "auth";
    if (status === 429) return "rate_limit";
    if (status === 408 || status === 504) return "timeout";
    if (status !== undefined && status >= 500) return "server";
    if (status !== undefined && status >= 400) return "validation";
    if (e.code === MCP_INVALID_PARAMS || e.code === MCP_METHOD_NOT_FOUND) return "validation";
    if (e.code === MCP_REQUEST_TIMEOUT) return "timeout";
    if (e.name === "AbortError" || e.name === "TimeoutError" || e.code === "ETIMEDOUT") return "timeout";
    if (e.name === "ZodError" || e.name === "ValidationError") return "validation";
  }
  // The message is more specific than a generic internal-error code.
  if (message) {
    for (const [pattern, category] of BY_MESSAGE) if (pattern.test(message)) return category;
  }
  if (error !== null && typeof error === "object" && (error as { code?: unknown }).code === MCP_INTERNAL_ERROR) return "server";
  return error instanceof Error ? "server" : "unknown";
}
