// The team-ledger server over stdio: `npm run example:stdio`, or point an MCP client at
// `npx tsx examples/mcp-server/stdio.ts` (run from the project root).
// stdout is the protocol stream: nothing else is written there. yavio-mcp ends the analytics
// session and flushes when the client closes stdin, and the process then exits by itself.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./server.js";

// LEDGER_CAPTURE_INTENT=1 (the demo sets it) turns on intent capture: every listed tool gains an
// optional `context` argument for the agent's reason, recorded on its tool_call event.
await createServer(process.env.LEDGER_CAPTURE_INTENT === "1" ? { yavio: { capture: { intent: true } } } : {}).connect(new StdioServerTransport());
