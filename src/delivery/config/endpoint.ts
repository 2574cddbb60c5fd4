import { YavioConfigError } from "../../warnings/index.js";

/** Yavio Cloud's ingest. */
export const DEFAULT_ENDPOINT = "https://ingest.yavio.ai/v1/events";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/** True for hosts whose traffic never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Checks an ingest endpoint and returns the URL to post to (a bare origin gets `/v1/events`).
 * Throws YAVIO-1002 for an invalid URL, or when an API key would travel over plain http to a host
 * that is not loopback. Messages never contain the key or URL credentials.
 *
 * @example
 * resolveEndpoint("http://localhost:3001", true).href; // "http://localhost:3001/v1/events"
 */
export function resolveEndpoint(endpoint: string, hasApiKey: boolean): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new YavioConfigError("YAVIO-1002", "endpoint is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new YavioConfigError("YAVIO-1002", `endpoint must use http or https, not ${url.protocol}`);
  }
  if (url.protocol === "http:" && hasApiKey && !isLoopbackHost(url.hostname)) {
    throw new YavioConfigError(
      "YAVIO-1002",
      `refusing to send the API key over plain http to ${url.hostname}: use https (plain http is allowed for loopback hosts only)`,
    );
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/v1/events";
  return url;
}
