/**
 * A small OTLP/HTTP JSON receiver on 127.0.0.1 for tests: it keeps what the real OpenTelemetry
 * exporters post to /v1/traces and /v1/metrics, and lets a test await a span or a metric instead of
 * polling for it.
 */
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}

export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  events?: { name: string; attributes: OtlpAttribute[] }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}

export interface OtlpHistogramPoint {
  attributes: OtlpAttribute[];
  count: string | number;
  sum?: number;
  bucketCounts: (string | number)[];
  explicitBounds: number[];
}

export interface OtlpMetric {
  name: string;
  unit?: string;
  histogram?: { dataPoints: OtlpHistogramPoint[] };
}

/** SpanKind in OTLP: 2 = SERVER, 3 = CLIENT. StatusCode: 2 = ERROR. */
export const KIND_SERVER = 2;
export const KIND_CLIENT = 3;
export const STATUS_ERROR = 2;

export function attrs(list: readonly OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
}

export class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  /** Every metrics export, in order (cumulative: the last one holds everything). */
  readonly metricExports: OtlpMetric[][] = [];
  readonly contentTypes = new Set<string>();
  private spanWaiters: Waiter<OtlpSpan>[] = [];
  private metricWaiters: Waiter<OtlpMetric[]>[] = [];
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        this.contentTypes.add(String(req.headers["content-type"]));
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        if (req.url === "/v1/traces") this.takeSpans(body);
        else if (req.url === "/v1/metrics") this.takeMetrics(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private takeSpans(body: Record<string, unknown>): void {
    const resourceSpans = (body.resourceSpans ?? []) as { scopeSpans: { spans: OtlpSpan[] }[] }[];
    for (const rs of resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          this.spans.push(span);
          for (const waiter of [...this.spanWaiters]) {
            if (waiter.predicate(span)) {
              this.spanWaiters.splice(this.spanWaiters.indexOf(waiter), 1);
              waiter.resolve(span);
            }
          }
        }
      }
    }
  }

  private takeMetrics(body: Record<string, unknown>): void {
    const resourceMetrics = (body.resourceMetrics ?? []) as { scopeMetrics: { metrics: OtlpMetric[] }[] }[];
    const metrics = resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    this.metricExports.push(metrics);
    for (const waiter of [...this.metricWaiters]) {
      if (waiter.predicate(metrics)) {
        this.metricWaiters.splice(this.metricWaiters.indexOf(waiter), 1);
        waiter.resolve(metrics);
      }
    }
  }

  /** Resolves with the first span (already received or still to come) that matches. */
  span(predicate: (span: OtlpSpan) => boolean): Promise<OtlpSpan> {
    const found = this.spans.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.spanWaiters.push({ predicate, resolve }));
  }

  /** Resolves with the first metrics export that matches. */
  metrics(predicate: (metrics: OtlpMetric[]) => boolean): Promise<OtlpMetric[]> {
    const found = this.metricExports.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.metricWaiters.push({ predicate, resolve }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Histogram points of a metric in one export, by name. */
export function histogramPoints(metrics: readonly OtlpMetric[], name: string): OtlpHistogramPoint[] {
  return metrics.filter((m) => m.name === name).flatMap((m) => m.histogram?.dataPoints ?? []);
}
