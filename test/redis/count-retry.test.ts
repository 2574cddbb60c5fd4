import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { expect, it } from "vitest";
import { InMemorySessionStore } from "../../src/core/index.js";
import type { EndReply, IdentifyReply, SessionCounts, SharedSessionBackend, TouchReply } from "../../src/core/index.js";
import { getYavio, withYavio } from "../../src/index.js";
import { capture, connectClient } from "../helpers.js";

/** A store that answers at once, except the first count claim, which fails. */
class FlakyCountStore extends InMemorySessionStore {
  readonly counted: SessionCounts[] = [];
  private countClaims = 0;
  connectShared(): SharedSessionBackend {
    return {
      touch: () => Promise.resolve<TouchReply>({ startWon: true, resumed: false, userId: undefined, step: 0, traits: [] }),
      identify: () => Promise.resolve<IdentifyReply>({ accepted: true, userId: undefined, userIdSet: false, traitsChanged: false, traits: [] }),
      step: () => Promise.resolve(1),
      count: (_id, deltas) => {
        if (this.countClaims++ === 0) return Promise.reject(new Error("connection reset"));
        this.counted.push(deltas);
        return Promise.resolve();
      },
      end: () =>
        Promise.resolve<EndReply>({ won: true, alive: false, userId: undefined, startedAt: undefined, counts: this.total(), traits: [] }),
    };
  }
  total(): SessionCounts {
    const sum = { toolCalls: 0, resourceReads: 0, promptGets: 0, errors: 0 };
    for (const d of this.counted) {
      sum.toolCalls += d.toolCalls;
      sum.resourceReads += d.resourceReads;
      sum.promptGets += d.promptGets;
      sum.errors += d.errors;
    }
    return sum;
  }
}

it("the counts of a count claim that failed are sent again with the next one", async () => {
  const store = new FlakyCountStore();
  const cap = capture();
  const server = withYavio(new McpServer({ name: "s", version: "1" }), { ...cap.options, sessionStore: store, sessionKey: () => "anchor" });
  server.registerTool("work", {}, () => ({ content: [] }));
  server.registerTool("fail", {}, () => ({ content: [], isError: true }));
  const client = await connectClient(server);
  await client.callTool({ name: "fail", arguments: {} });
  await getYavio(server).flush();
  await client.callTool({ name: "work", arguments: {} });
  await getYavio(server).flush();
  await client.callTool({ name: "work", arguments: {} });
  await getYavio(server).shutdown();
  expect(store.total()).toEqual({ toolCalls: 3, resourceReads: 0, promptGets: 0, errors: 1 });
  expect(cap.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(["YAVIO-1220", "YAVIO-1221"]));
  const end = cap.sink.events.find((e) => e.event_name === "session_end")!;
  expect(end.metadata).toMatchObject({ tool_calls: 3, errors: 1 });
});
