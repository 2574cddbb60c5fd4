import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getYavio, withYavio, yavio } from "../../src/index.js";
import type { YavioContext } from "../../src/index.js";
import { capture, connectClient, text } from "../helpers.js";

describe("concurrent sessions", () => {
  it("never lets interleaved calls of different sessions see each other's user or traits", async () => {
    const cap = capture();
    const sessions = 8;
    const callsPerSession = 12;
    // One server per connection, as since SDK 1.26; all share one runtime (same options object).
    const servers = Array.from({ length: sessions }, () => {
      const server = withYavio(new McpServer({ name: "c", version: "1" }), { ...cap.options, ambientContext: true });
      server.registerTool("login", { inputSchema: { user: z.string() } }, async ({ user }, extra) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        (extra as unknown as { yavio: YavioContext }).yavio.identify(user, { team: `team-of-${user}` });
        return { content: [{ type: "text", text: "ok" }] };
      });
      server.registerTool("whoami", { inputSchema: { expect: z.string() } }, async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        const before = yavio.userId;
        await new Promise((r) => setImmediate(r));
        yavio.track("probe", { seen: yavio.userId });
        return { content: [{ type: "text", text: `${before}|${yavio.userId}|${String(yavio.traits.team)}` }] };
      });
      return server;
    });
    const clients = await Promise.all(servers.map((s) => connectClient(s)));
    await Promise.all(clients.map((c, i) => c.callTool({ name: "login", arguments: { user: `user-${i}` } })));
    const answers = await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: callsPerSession }, () => c.callTool({ name: "whoami", arguments: { expect: `user-${i}` } }).then((r) => [i, text(r)] as const)),
      ),
    );
    for (const [i, answer] of answers) expect(answer).toBe(`user-${i}|user-${i}|team-of-user-${i}`);
    await Promise.all(clients.map((c) => c.close()));
    await getYavio(servers[0]!).flush();

    const bySession = new Map<string, Set<string>>();
    for (const event of cap.sink.events) {
      if (event.user_id === undefined) continue;
      const users = bySession.get(event.session_id) ?? new Set();
      users.add(event.user_id);
      bySession.set(event.session_id, users);
      if (event.user_traits) expect(event.user_traits.team).toBe(`team-of-${event.user_id}`);
      if (event.event_type === "track") expect(event.metadata?.seen).toBe(event.user_id);
    }
    expect(bySession.size).toBe(sessions);
    for (const users of bySession.values()) expect(users.size).toBe(1);
    expect(cap.sink.events.filter((e) => e.event_type === "tool_call")).toHaveLength(sessions * (callsPerSession + 1));
    await getYavio(servers[0]!).shutdown();
  });
});
