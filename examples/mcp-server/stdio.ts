// The team-ledger server over stdio: `npm run example:stdio`, or point an MCP client at
// `npx tsx examples/mcp-server/stdio.ts` (run from the project root).
// stdout is the protocol stream: nothing else is written there. yavio-mcp ends the analytics
// session and flushes when the client closes stdin, and the process then exits by itself.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./server.js";

await createServer().connect(new StdioServerTransport());
