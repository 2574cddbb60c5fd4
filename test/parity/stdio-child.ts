// A parity server over stdio in a child process: argv[2] is the SDK ("v1" or "v2"), argv[3]
// "wrapped" or "bare". Events go to .yavio/events.jsonl in the working directory.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { buildV1, buildV2 } from "./servers.js";

const sdk = process.argv[2] ?? "v1";
const wrapped = process.argv[3] !== "bare";
// Options are created once: v2's serveStdio builds a server per connection from the factory.
const options = {};

if (sdk === "v1") {
  await buildV1(wrapped ? options : false).connect(new StdioServerTransport());
} else {
  serveStdio(() => buildV2(wrapped ? options : false));
}
