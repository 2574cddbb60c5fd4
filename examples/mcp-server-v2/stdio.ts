// The team-ledger server on SDK 2.x over stdio: `npm run example:v2:stdio`, or point an MCP client
// at `npx tsx examples/mcp-server-v2/stdio.ts` (run from the project root). Both protocol eras:
// a 2025-11-25 client opens with `initialize`, a 2026-07-28 one sends requests straight away.
// stdout is the protocol stream: nothing else is written there. When the client closes stdin,
// yavio-mcp ends the analytics session and flushes, and the process then exits by itself.
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import type { WithYavioOptionsV2 } from "yavio-mcp/v2";
import { Ledger } from "../mcp-server/ledger.js";
import { createServer } from "./server.js";

// Created once: serveStdio calls the factory per connection (and once more for a `server/discover`
// probe that an auto-negotiating client may send), and every server must share one pipeline.
const ledger = new Ledger();
// LEDGER_CAPTURE_INTENT=1 (the demo sets it) turns on intent capture: every listed tool gains an
// optional "context" argument the agent fills with why it calls the tool.
const yavio: WithYavioOptionsV2 = process.env.LEDGER_CAPTURE_INTENT === "1" ? { capture: { intent: true } } : {};

serveStdio(() => createServer({ ledger, yavio }));
