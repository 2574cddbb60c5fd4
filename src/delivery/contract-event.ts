import type { WireEvent } from "../event/index.js";

// The ingest v1 contract knows fewer platforms than we detect. The fine value travels in
// `metadata.platform_detail` so nothing is lost and every body validates against the contract.
const CONTRACT_PLATFORMS: ReadonlySet<string> = new Set(["chatgpt", "claude", "cursor", "vscode", "windsurf", "unknown"]);
const NEAREST: Readonly<Record<string, string>> = { "claude-code": "claude", codex: "chatgpt" };

/** The event as the ingest v1 contract accepts it, or the same object when it already does. */
export function toContractEvent(event: WireEvent): WireEvent {
  const platform = event.platform;
  if (platform === undefined || CONTRACT_PLATFORMS.has(platform)) return event;
  const metadata = typeof event.metadata === "object" && event.metadata !== null ? event.metadata : {};
  return {
    ...event,
    platform: (NEAREST[platform] ?? "unknown") as WireEvent["platform"],
    metadata: { ...metadata, platform_detail: platform },
  };
}
