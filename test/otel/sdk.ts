/**
 * The host's OpenTelemetry SDK as a test (or the stdio fixture) sets it up: the real SDK packages
 * of the Node 20 line, OTLP/HTTP JSON exporters posting to a receiver on 127.0.0.1, registered as
 * the global providers, with an AsyncLocalStorage context manager and the W3C propagators.
 */
import { context, metrics, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface HostSdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Exports every ended span and the metrics now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startHostSdk(receiverUrl: string, options: { batch?: boolean; serviceName?: string } = {}): HostSdk {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const exporter = new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces` });
  const tracerProvider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "yavio-otel-test" }),
    spanProcessors: [options.batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${receiverUrl}/v1/metrics` }),
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    tracerProvider,
    meterProvider,
    async flush() {
      await tracerProvider.forceFlush();
      await meterProvider.forceFlush();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** A client-side span and the `_meta` carrying its W3C context, as an instrumented MCP client sends it. */
export function clientContext(name: string, baggage?: string): { meta: Record<string, string>; traceId: string; spanId: string; end(): void } {
  const span = trace.getTracer("test-client").startSpan(name, { kind: SpanKind.CLIENT });
  const meta: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), meta);
  if (baggage !== undefined) meta.baggage = baggage;
  const { traceId, spanId } = span.spanContext();
  return { meta, traceId, spanId, end: () => span.end() };
}
