/**
 * Core overhead: a bare McpServer vs the same server wrapped by withYavio, side by side in one
 * run, over the in-memory transport with 1 KB arguments and results — on SDK 1.x and on SDK 2.x,
 * all four variants interleaved in the same run. Also memory per open session and the heap after
 * 100 000 sessions opened and closed (SDK 1.x).
 *
 * Run with `npm run bench -- core` (needs --expose-gc, which bench/index.ts passes).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { InMemoryTransport as InMemoryTransportV2, McpServer as McpServerV2 } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Sink, WireEvent } from "../src/index.js";
import { getYavio, withYavio } from "../src/index.js";
import { withYavio as withYavioV2 } from "../src/v2.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Counts what it receives and keeps nothing, so the bench measures the middleware, not a growing array. */
class CountingSink implements Sink {
  readonly name = "counting";
  count = 0;
  send(batch: readonly WireEvent[]) {
    this.count += batch.length;
    return Promise.resolve({ status: "success" as const });
  }
}

const quietOptions = (sink: Sink) => ({ sink, logLevel: "silent" as const, eventsFile: false as const, spoolDir: false as const, handleProcessExit: false });
const sink = new CountingSink();
const options = quietOptions(sink);
// SDK 2.x servers get their own pipeline, so each SDK's events and flushes are its own.
const sinkV2 = new CountingSink();
const optionsV2 = quietOptions(sinkV2);
const payload = "x".repeat(1000);
const root = fileURLToPath(new URL("..", import.meta.url));
const versionOf = (pkg: string) => (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

function buildServer(wrapped: boolean): McpServer {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  if (wrapped) withYavio(server, options);
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
  return server;
}

async function connect(server: McpServer): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: "bench-client", version: "1.0.0" });
  await client.connect(a);
  return client;
}

/** The same echo server on SDK 2.x: a `z.object` schema, the SDK's own in-memory transport and Client. */
function buildServerV2(wrapped: boolean): McpServerV2 {
  const server = new McpServerV2({ name: "bench", version: "1.0.0" });
  if (wrapped) withYavioV2(server, optionsV2);
  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({ content: [{ type: "text", text }] }));
  return server;
}

/** In memory the 2.x Client speaks 2025-11-25: only serveStdio and createMcpHandler serve 2026-07-28. */
async function connectV2(server: McpServerV2): Promise<ClientV2> {
  const [a, b] = InMemoryTransportV2.createLinkedPair();
  await server.connect(b);
  const client = new ClientV2({ name: "bench-client", version: "1.0.0" });
  await client.connect(a);
  return client;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface BenchClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

async function latencyRun(): Promise<string[]> {
  const wrappedV1 = buildServer(true);
  const wrappedV2 = buildServerV2(true);
  const variants: Record<string, { client: BenchClient; flush?: () => Promise<void> }> = {
    "v1 bare": { client: await connect(buildServer(false)) },
    "v1 wrapped": { client: await connect(wrappedV1), flush: () => getYavio(wrappedV1).flush() },
    "v2 bare": { client: await connectV2(buildServerV2(false)) },
    "v2 wrapped": { client: await connectV2(wrappedV2), flush: () => getYavio(wrappedV2).flush() },
  };
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const calls: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const callOnce = (client: BenchClient) => client.callTool({ name: "echo", arguments: { text: payload } });
  for (const { client } of Object.values(variants)) for (let i = 0; i < 2000; i++) await callOnce(client);
  // 12 rounds: each variant goes first, second, third and last three times each.
  const rounds = 12;
  const perRound = 1000;
  for (let round = 0; round < rounds; round++) {
    // Rotate which variant goes first, so none always runs on a warmer or colder heap.
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const { client, flush } = variants[name]!;
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await callOnce(client);
        samples[name]!.push((performance.now() - t0) * 1000);
      }
      // The pipeline's work (wire form, scrubbing, serialising) is charged to the wrapped variant.
      if (flush !== undefined) await flush();
      const used = process.cpuUsage(cpuStart);
      cpu[name]! += used.user + used.system;
      calls[name]! += perRound;
    }
  }
  await getYavio(wrappedV1).flush();
  await getYavio(wrappedV2).flush();
  const stats: Record<string, { p50: number; p99: number; cpu: number }> = {};
  for (const name of names) {
    const sorted = samples[name]!.sort((x, y) => x - y);
    stats[name] = { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), cpu: cpu[name]! / calls[name]! };
  }
  const rows: string[] = [];
  rows.push("| SDK | variant | calls | p50 µs | p99 µs | CPU µs/call (incl. pipeline) |");
  rows.push("|---|---|---:|---:|---:|---:|");
  const sdks = [
    { key: "v1", label: `1.x (${versionOf("@modelcontextprotocol/sdk")})`, delivered: sink.count },
    { key: "v2", label: `2.x (server ${versionOf("@modelcontextprotocol/server")})`, delivered: sinkV2.count },
  ];
  for (const { key, label } of sdks) {
    const b = stats[`${key} bare`]!;
    const w = stats[`${key} wrapped`]!;
    rows.push(`| ${label} | bare McpServer | ${calls[`${key} bare`]} | ${b.p50.toFixed(1)} | ${b.p99.toFixed(1)} | ${b.cpu.toFixed(1)} |`);
    rows.push(`| ${label} | withYavio | ${calls[`${key} wrapped`]} | ${w.p50.toFixed(1)} | ${w.p99.toFixed(1)} | ${w.cpu.toFixed(1)} |`);
    rows.push(`| ${label} | **added** | | **${(w.p50 - b.p50).toFixed(1)}** | ${(w.p99 - b.p99).toFixed(1)} | **${(w.cpu - b.cpu).toFixed(1)}** |`);
  }
  rows.push("");
  for (const { key, label } of sdks) {
    const b = stats[`${key} bare`]!;
    const w = stats[`${key} wrapped`]!;
    rows.push(`**SDK ${label}: added per call ${(w.p50 - b.p50).toFixed(1)} µs p50 latency, ${(w.cpu - b.cpu).toFixed(1)} µs CPU** (the CPU includes the pipeline's deferred work: wire form, scrubbing, serialising, export).`);
  }
  rows.push("");
  rows.push(
    `(events delivered to the counting sinks: ${sdks.map((s) => `SDK ${s.key} ${s.delivered}`).join(", ")}; PII scrubbing on, default options otherwise; ` +
      "both SDKs over their in-memory transport, protocol 2025-11-25)",
  );
  for (const { client } of Object.values(variants)) await client.close();
  return rows;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function memoryPerSession(): Promise<string[]> {
  const n = 3000;
  const measure = async (wrapped: boolean) => {
    const keep: Client[] = [];
    const before = heapUsed();
    for (let i = 0; i < n; i++) {
      const client = await connect(buildServer(wrapped));
      await client.callTool({ name: "echo", arguments: { text: "hi" } });
      keep.push(client);
    }
    if (wrapped) await getYavio(buildServer(true)).flush();
    const after = heapUsed();
    for (const client of keep) await client.close();
    return (after - before) / n;
  };
  await measure(false); // warm-up of code paths
  await measure(true);
  const bare: number[] = [];
  const wrapped: number[] = [];
  for (let i = 0; i < 3; i++) {
    bare.push(await measure(false));
    wrapped.push(await measure(true));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
  const b = median(bare);
  const w = median(wrapped);
  return [
    "| open sessions | heap per session, bare | heap per session, wrapped | added per session |",
    "|---:|---:|---:|---:|",
    `| ${n} (median of 3) | ${(b / 1024).toFixed(2)} KB | ${(w / 1024).toFixed(2)} KB | **${((w - b) / 1024).toFixed(2)} KB** |`,
  ];
}

async function churn(): Promise<string[]> {
  const total = 100_000;
  const warm = 2000;
  const cycle = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const server = buildServer(true);
      const client = await connect(server);
      await client.callTool({ name: "echo", arguments: { text: "hi" } });
      await client.close();
    }
  };
  await cycle(warm);
  await getYavio(buildServer(true)).flush();
  const baseline = heapUsed();
  const t0 = performance.now();
  await cycle(total);
  const seconds = (performance.now() - t0) / 1000;
  await getYavio(buildServer(true)).flush();
  const after = heapUsed();
  const open = getYavio(buildServer(true)).stats().openSessions;
  return [
    "| sessions opened and closed | heap before | heap after | change | open sessions after | time |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${total.toLocaleString("en")} | ${(baseline / 1048576).toFixed(2)} MB | ${(after / 1048576).toFixed(2)} MB | **${(((after - baseline) / baseline) * 100).toFixed(1)} %** | ${open} | ${seconds.toFixed(1)} s |`,
  ];
}

/**
 * The stdio example as a child process: time from the client closing stdin to the child's exit,
 * by which point the session end is flushed to the event file. The SDK's client sends SIGTERM
 * 2 s after closing stdin, so this must stay well under that.
 */
async function stdioDisconnect(): Promise<string[]> {
  const times: number[] = [];
  const runs = 5;
  let complete = 0;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), "yavio-bench-stdio-"));
    const file = join(dir, "events.jsonl");
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), join(root, "examples/mcp-server/stdio.ts")],
      cwd: root,
      stderr: "ignore",
      env: { ...process.env, YAVIO_EVENTS_FILE: file, YAVIO_SPOOL_DIR: join(dir, "spool"), YAVIO_API_KEY: "", YAVIO_ENDPOINT: "" },
    });
    const client = new Client({ name: "bench-client", version: "1.0.0" });
    await client.connect(transport);
    await client.callTool({ name: "login", arguments: { token: "tok_ada" } });
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const t0 = performance.now();
    await client.close();
    await exited;
    times.push(performance.now() - t0);
    if (readFileSync(file, "utf8").includes('"session_end"')) complete += 1;
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return [
    "| runs | disconnect → child exited, median | max | runs with session_end on disk |",
    "|---:|---:|---:|---:|",
    `| ${runs} | ${times[Math.floor(runs / 2)]!.toFixed(0)} ms | ${times.at(-1)!.toFixed(0)} ms | ${complete}/${runs} |`,
  ];
}

const quick = process.env.BENCH_QUICK === "1";
console.log("### Tool-call overhead (in-memory transport, 1 KB arguments and results, SDK 1.x and 2.x in one run)\n");
console.log((await latencyRun()).join("\n"));
console.log("\n### Memory per open session\n");
console.log((await memoryPerSession()).join("\n"));
console.log("\n### Disconnect flush on stdio (the example server as a child process)\n");
console.log((await stdioDisconnect()).join("\n"));
if (!quick) {
  console.log("\n### Heap after 100 000 sessions opened and closed\n");
  console.log((await churn()).join("\n"));
}
await getYavio(buildServer(true)).shutdown();
await getYavio(buildServerV2(true)).shutdown();
