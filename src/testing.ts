/**
 * Helpers for testing a server that uses yavio-mcp. Anything exported here is public API.
 */
export { MemorySink } from "./delivery/index.js";
