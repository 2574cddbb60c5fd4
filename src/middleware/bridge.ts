// TEMPORARY: bridges to the pii/ and transport/ APIs while those folders are being built.
// Removed once both export their final names.
import * as pii from "../pii/index.js";
import * as transport from "../transport/index.js";
import type { WireEvent } from "../event/index.js";
import type { Warn } from "../warnings/index.js";

type AnyRecord = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DeliveryOptions { apiKey?: string; endpoint?: string; sink?: transport.Sink | transport.Sink[]; [k: string]: unknown }

export function createDeliveryPipeline<T>(args: { options: AnyRecord; prepare: (item: T) => WireEvent | null; warn: Warn }): transport.Pipeline<T> {
  const real = (transport as AnyRecord).createDeliveryPipeline as ((a: unknown) => transport.Pipeline<T>) | undefined;
  if (real) return real(args);
  const sinkOpt = args.options.sink as transport.Sink | transport.Sink[] | undefined;
  const sinks = sinkOpt ? (Array.isArray(sinkOpt) ? sinkOpt : [sinkOpt]) : [new transport.FileSink({ path: `${process.cwd()}/.yavio/events.jsonl` })];
  return transport.createPipeline<T>({ sinks, prepare: args.prepare, warn: args.warn });
}

export function looksLikeContactInfo(value: string): "email" | "phone" | undefined {
  const real = (pii as AnyRecord).looksLikeContactInfo as ((v: string) => "email" | "phone" | undefined) | undefined;
  if (real) return real(value);
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)) return "email";
  if (/^\+?[\d\s().-]{7,}$/.test(value)) return "phone";
  return undefined;
}

export function hashUserId(value: string): string {
  const real = (pii as AnyRecord).hashUserId as ((v: string) => string) | undefined;
  return real ? real(value) : value;
}
