import { describe, expect, it } from "vitest";
import { categorizeError } from "../../src/core/index.js";
import { detectPlatform } from "../../src/core/index.js";

describe("detectPlatform", () => {
  it.each([
    ["claude-ai", "claude"],
    ["claude-code", "claude-code"],
    ["Claude Desktop", "claude"],
    ["cursor-vscode", "cursor"],
    ["Visual Studio Code", "vscode"],
    ["codex-mcp-client", "codex"],
    ["openai-mcp", "chatgpt"],
    ["gemini-cli-mcp-client", "gemini-cli"],
    ["@cline/core", "cline"],
    ["continue-client", "continue"],
    ["Zed", "zed"],
    ["windsurf-client", "windsurf"],
    ["opencode", "opencode"],
    ["my-own-client", "unknown"],
  ])("maps client name %s to %s", (name, platform) => {
    expect(detectPlatform(name)).toBe(platform);
  });

  it("falls back to the User-Agent, then the Origin header", () => {
    expect(detectPlatform(undefined, { "user-agent": "Cursor/1.2 (darwin)" })).toBe("cursor");
    expect(detectPlatform("node", { "user-agent": "node", origin: "https://claude.ai" })).toBe("claude");
    expect(detectPlatform(undefined, { "user-agent": ["openai-mcp/1.0"] })).toBe("chatgpt");
    expect(detectPlatform(undefined, {})).toBe("unknown");
  });
});

describe("categorizeError", () => {
  it.each([
    ["an HTTP 401 status", Object.assign(new Error("nope"), { status: 401 }), undefined, "auth"],
    ["an HTTP 429 status", Object.assign(new Error("slow"), { statusCode: 429 }), undefined, "rate_limit"],
    ["an HTTP 504 status", Object.assign(new Error("gw"), { status: 504 }), undefined, "timeout"],
    ["an HTTP 503 status", Object.assign(new Error("down"), { status: 503 }), undefined, "server"],
    ["an HTTP 422 status", Object.assign(new Error("bad"), { status: 422 }), undefined, "validation"],
    ["an MCP invalid-params code", Object.assign(new Error("x"), { code: -32602 }), undefined, "validation"],
    ["an AbortError", Object.assign(new Error("aborted"), { name: "AbortError" }), undefined, "timeout"],
    ["a ZodError", Object.assign(new Error("parse"), { name: "ZodError" }), undefined, "validation"],
    ["a timed-out message", undefined, "upstream timed out after 30s", "timeout"],
    ["an unauthorized message", undefined, "Unauthorized: token expired", "auth"],
    ["a too-many-requests message", undefined, "Too Many Requests", "rate_limit"],
    ["a not-found message", undefined, "Tool nope not found", "validation"],
    ["a connection-refused message", undefined, "connect ECONNREFUSED 127.0.0.1:5432", "server"],
    ["a generic internal error code with a rate-limit message", Object.assign(new Error("rate limit exceeded"), { code: -32603 }), "rate limit exceeded", "rate_limit"],
    ["a generic internal error code", Object.assign(new Error("weird"), { code: -32603 }), "weird", "server"],
    ["a plain Error with an unrecognised message", new Error("it broke"), "it broke", "server"],
    ["a non-Error with an unrecognised message", undefined, "something", "unknown"],
  ])("classifies %s", (_label, error, message, category) => {
    expect(categorizeError(error, message ?? (error instanceof Error ? error.message : undefined))).toBe(category);
  });
});
