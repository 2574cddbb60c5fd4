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

/**
 * The client's platform from its `clientInfo.name`, else the User-Agent, else the Origin header.
 * `cursor-vscode` is Cursor, not VS Code: the rules are ordered so the product wins over the base.
 */
export function detectPlatform(clientName: string | undefined, headers?: Record<string, unknown>): Platform {
  const fromName = match(clientName);
  if (fromName) return fromName;
  if (headers) {
    const ua = headerValue(headers, "user-agent");
    const fromUa = match(ua);
    if (fromUa) return fromUa;
    const fromOrigin = match(headerValue(headers, "origin"));
    if (fromOrigin) return fromOrigin;
  }
  return "unknown";
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}
