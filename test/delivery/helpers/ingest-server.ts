import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { loadBatchValidator } from "./contract.js";

/** What the fake ingest does with one request. */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { reset: true }
  | { hang: true }
  | ((events: Record<string, unknown>[]) => { status: number; headers?: Record<string, string>; body?: unknown });

export interface ReceivedRequest {
  authorization: string | undefined;
  contentEncoding: string | undefined;
  rawBytes: number;
  body: { events: Record<string, unknown>[]; sdk_version?: string; sent_at?: string };
  status: number | "reset" | "hang";
}

/**
 * A fake Yavio ingest on 127.0.0.1. Every body is validated against the contract; faults are
 * served in order from `script`, then `fallback` (default 200).
 */
export class IngestServer {
  readonly requests: ReceivedRequest[] = [];
  readonly invalidBodies: string[][] = [];
  /** event_id → number of times it arrived in a 2xx request. */
  readonly delivered = new Map<string, number>();
  script: Fault[] = [];
  fallback: Fault = { status: 200, body: { accepted: 0, rejected: 0 } };
  private readonly server: Server;
  private readonly validate = loadBatchValidator();
  private readonly hung: ServerResponse[] = [];
  private waiters: (() => void)[] = [];
  url = "";
  /** Keep each request's parsed body in `requests` (off for the soak, which would hoard 200 000 events). */
  keepBodies = true;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/v1/events`;
    return this;
  }

  /** Resolves when `n` requests have arrived in total. */
  untilRequests(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.requests.length >= n) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers["content-encoding"];
      const text = (encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
      const body = JSON.parse(text) as ReceivedRequest["body"];
      const issues = this.validate(body);
      if (issues.length > 0) this.invalidBodies.push(issues);
      const fault = this.script.shift() ?? this.fallback;
      const record: ReceivedRequest = {
        authorization: req.headers.authorization,
        contentEncoding: encoding,
        rawBytes: raw.length,
        body: this.keepBodies ? body : { events: [] },
        status: 0,
      };
      this.requests.push(record);
      if (typeof fault === "object" && "reset" in fault) {
        record.status = "reset";
        req.socket.destroy();
      } else if (typeof fault === "object" && "hang" in fault) {
        record.status = "hang";
        this.hung.push(res);
      } else {
        const answer = typeof fault === "function" ? fault(body.events) : fault;
        record.status = answer.status;
        if (answer.status >= 200 && answer.status < 300) {
          const rejected = new Set<number>();
          const errors = (answer.body as { errors?: { index: number }[] } | undefined)?.errors ?? [];
          for (const e of errors) rejected.add(e.index);
          body.events.forEach((e, i) => {
            if (rejected.has(i)) return;
            const id = String(e.event_id);
            this.delivered.set(id, (this.delivered.get(id) ?? 0) + 1);
          });
        }
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      }
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
