import type { Platform } from "../event/index.js";

/** Ordered: more specific names first ("claude-code" before "claude", "gemini-cli" before "gemini"). */
const RULES: readonly (readonly [RegExp, Platform])[] = [
  [/openai-mcp|chatgpt/i, "chatgpt"],
  [/codex/i, "codex"],
  [/claude[-_ ]?code/i, "claude-code"],
  [/claude|anthropic/i, "claude"],
  [/cursor/i, "cursor"],
  [/gemini[-_ ]?cli/i, "gemini-cli"],
  [/gemini/i, "gemini"],
  [/opencode/i, "opencode"],
  [/windsurf|codeium/i, "windsurf"],
  [/cline/i, "cline"],
  [/continue/i, "continue"],
  [/\bzed\b/i, "zed"],
  [/visual studio code|vscode|vs code/i, "vscode"],
];

function match(value: string | undefined): Platform | undefined {
  if (!value) return undefined;
  for (const [pattern, platform] of RULES) if (pattern.test(value)) return platform;
  return undefined;
}

/** Reads one header (lower-case name) of the request, or a plain headers object. */
export type HeaderSource = ((name: string) => string | undefined) | Record<string, unknown>;

/**
 * The client's platform from its `clientInfo.name`, else the User-Agent, else the Origin header.
 * `cursor-vscode` is Cursor, not VS Code: the rules are ordered so the product wins over the base.
 */
export function detectPlatform(clientName: string | undefined, headers?: HeaderSource): Platform {
  const fromName = match(clientName);
  if (fromName) return fromName;
  if (headers) {
    const fromUa = match(headerValue(headers, "user-agent"));
    if (fromUa) return fromUa;
    const fromOrigin = match(headerValue(headers, "origin"));
    if (fromOrigin) return fromOrigin;
  }
  return "unknown";
}

/** A header's value from a lookup or a plain object (Node's `IncomingHttpHeaders`: string or string[]). */
export function headerValue(headers: HeaderSource | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers === "function") return headers(name);
  const value = headers[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}
