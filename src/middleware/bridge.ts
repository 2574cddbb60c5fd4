// TEMPORARY: bridges to the pii/ and transport/ APIs while those folders are being built.
// Removed once both export their final names.
import * as pii from "../pii/index.js";

type AnyRecord = Record<string, unknown>;

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
