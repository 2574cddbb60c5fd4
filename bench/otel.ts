/**
 * OpenTelemetry overhead, in one run over the in-memory transport (SDK v1), calls interleaved:
 *
 * 1. No SDK registered: withYavio (events off) with and without the otel() plugin — the price of
 *    the plugin when the host has no OpenTelemetry at all (the API is a no-op).
 * 2. The host's SDK registered (BasicTracerProvider + BatchSpanProcessor + OTLP/HTTP JSON exporter,
 *    MeterProvider + PeriodicExportingMetricReader + OTLP exporter) posting to a receiver in a
 *    child process on 127.0.0.1: the same server instrumented only by the host (its tool makes
 *    one span of its own) against the same server with withYavio({ events: false, plugins: [otel()] }).
 *
 * CPU per call is this process's (user + system) over each block of calls, exports included; the
 * receiver's CPU is in its own process and not counted. Run with `npm run bench -- otel`.
 */
import { spawn } from "node:child_process";
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { withYavio } from "../src/index.js";
import { otel } from "../src/otel/index.js";

const payload = "x".repeat(200);

function buildServer(options: Parameters<typeof withYavio>[1] | undefined): McpServer {
  const server = new McpServer({ name: "bench-otel", version: "1.0.0" });
  if (options !== undefined) withYavio(server, options);
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) =>
    // The host's own instrumentation: one span per call.
    trace.getTracer("host").startActiveSpan("host.work", (span) => {
      span.end();
      return { content: [{ type: "text" as const, text }] };
    }),
  );
  return server;
}

async function connect(server: McpServer): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: "bench-client", version: "1.0.0" });
  await client.connect(a);
  return client;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Stats {
  calls: number;
  p50: number;
  p99: number;
  mean: number;
  cpu: number;
}

/** Interleaved blocks of calls per variant; `after` runs after each block (an export), charged to it. */
async function measure(variants: Record<string, Client>, after: () => Promise<void>): Promise<Record<string, Stats>> {
  const names = Object.keys(variants);
  const call = (client: Client) => client.callTool({ name: "echo", arguments: { text: payload } });
  for (const name of names) for (let i = 0; i < 1500; i++) await call(variants[name]!);
  const samples: Record<string, number[]> = {};
  const cpu: Record<string, number> = {};
  for (const name of names) {
    samples[name] = [];
    cpu[name] = 0;
  }
  const rounds = 8;
  const perRound = 1000;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const client = variants[name]!;
      const start = process.cpuUsage();
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await call(client);
        samples[name]!.push((performance.now() - t0) * 1000);
      }
      await after();
      const used = process.cpuUsage(start);
      cpu[name]! += used.user + used.system;
    }
  }
  const out: Record<string, Stats> = {};
  for (const name of names) {
    const sorted = samples[name]!.sort((x, y) => x - y);
    const calls = sorted.length;
    out[name] = { calls, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: sorted.reduce((s, x) => s + x, 0) / calls, cpu: cpu[name]! / calls };
  }
  return out;
}

function table(stats: Record<string, Stats>, base: string, labels: Record<string, string>): string[] {
  const rows = ["| variant | calls | mean µs | p50 µs | p99 µs | CPU µs/call |", "|---|---:|---:|---:|---:|---:|"];
  for (const [name, s] of Object.entries(stats)) {
    rows.push(`| ${labels[name]} | ${s.calls} | ${s.mean.toFixed(1)} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.cpu.toFixed(1)} |`);
  }
  const b = stats[base]!;
  for (const [name, s] of Object.entries(stats)) {
    if (name === base) continue;
    rows.push(`| **added by ${labels[name]}** | | **${(s.mean - b.mean).toFixed(1)}** | ${(s.p50 - b.p50).toFixed(1)} | ${(s.p99 - b.p99).toFixed(1)} | **${(s.cpu - b.cpu).toFixed(1)}** |`);
  }
  return rows;
}

/** An OTLP receiver in its own process, so its parsing is not charged to the server. */
async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const code = `
    const http = require("node:http");
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end("{}"); });
    });
    server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => void child.kill() };
}

const quiet = { events: false, logLevel: "silent" as const, handleProcessExit: false };

async function main(): Promise<void> {
  // 1. No SDK: the API is a no-op.
  const noSdk = {
    yavio: await connect(buildServer({ ...quiet })),
    yavioOtel: await connect(buildServer({ ...quiet, plugins: [otel()] })),
  };
  const first = await measure(noSdk, () => Promise.resolve());
  process.stdout.write("### Without an OpenTelemetry SDK (API no-op)\n\n");
  process.stdout.write(`${table(first, "yavio", { yavio: "withYavio (events off)", yavioOtel: "withYavio (events off) + otel()" }).join("\n")}\n\n`);
  for (const client of Object.values(noSdk)) await client.close();

  // 2. The host's SDK with a batch processor and OTLP exporters to a local receiver.
  const receiver = await startReceiver();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), { maxQueueSize: 8192 })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${receiver.url}/v1/metrics` }), exportIntervalMillis: 60_000 })],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const withSdk = {
    host: await connect(buildServer(undefined)),
    yavioOtel: await connect(buildServer({ ...quiet, plugins: [otel()] })),
  };
  const second = await measure(withSdk, async () => {
    await tracerProvider.forceFlush();
    await meterProvider.forceFlush();
  });
  process.stdout.write("### With the host's SDK (BatchSpanProcessor + OTLP/HTTP JSON to 127.0.0.1, exports charged per block)\n\n");
  process.stdout.write(`${table(second, "host", { host: "host SDK only (1 span/call)", yavioOtel: "host SDK + withYavio (events off) + otel()" }).join("\n")}\n\n`);
  for (const client of Object.values(withSdk)) await client.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  receiver.stop();
}

await main();
