import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { WireEvent, YavioWarning } from "../src/index.js";
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
