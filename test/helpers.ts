import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { afterEach } from "vitest";
import type { WireEvent, YavioMcpServer, YavioWarning } from "../src/index.js";
import { getYavio, withYavio } from "../src/index.js";
import { MemorySink } from "../src/testing.js";

/** Connects a real SDK Client to the server over a linked in-memory pair. */
export async function connectClient(server: McpServer | Server, name = "test-client", version = "1.0.0"): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name, version });
  await client.connect(clientSide);
  return client;
}

/** A memory sink and a warnings list, with options that route both to the test. */
export function capture(): { sink: MemorySink; warnings: YavioWarning[]; options: { sink: MemorySink; onWarning: (w: YavioWarning) => void; logLevel: "silent" } } {
  const sink = new MemorySink();
  const warnings: YavioWarning[] = [];
  return { sink, warnings, options: { sink, onWarning: (w) => warnings.push(w), logLevel: "silent" } };
}

export function ofType(events: readonly WireEvent[], type: WireEvent["event_type"], name?: string): WireEvent[] {
  return events.filter((e) => e.event_type === type && (name === undefined || e.event_name === name));
}

export function text(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? "").join("");
}

/**
 * For a test file: `setup()` wraps a fresh McpServer around a capture; every server made so is
 * shut down after each test, as is anything pushed to `cleanups`.
 */
export function wrappedServers(name: string): {
  setup: (options?: Record<string, unknown>) => ReturnType<typeof capture> & { server: YavioMcpServer };
  cleanups: (() => Promise<void>)[];
} {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0)) await fn();
  });
  const setup = (options: Record<string, unknown> = {}) => {
    const cap = capture();
    const server = withYavio(new McpServer({ name, version: "1.0.0" }), { ...cap.options, ...options });
    cleanups.push(() => getYavio(server).shutdown());
    return { ...cap, server };
  };
  return { setup, cleanups };
}
