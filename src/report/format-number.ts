/** Formatting shared by the text and HTML renderings, so both show the same figures. */

/** Shown where a figure has no data or no denominator. */
export const NONE = "-";

/** 1234567 → "1,234,567" (locale-independent). */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 0.125 → "12.5%". */
export function formatRate(rate: number | null): string {
  return rate === null ? NONE : `${(rate * 100).toFixed(1)}%`;
}

/** Milliseconds without the unit: ≥ 100 as an integer, ≥ 1 with one decimal, else two. */
export function formatMs(ms: number | null, approximate = false): string {
  if (ms === null) return NONE;
  const text = ms >= 100 ? formatCount(ms) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(2);
  return approximate ? `~${text}` : text;
}

/** Revenue with the currency's own number of minor digits (2 for USD, 0 for JPY). */
export function formatMoney(value: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not an ISO 4217 code: keep 2.
  }
  const [whole = "0", fraction] = Math.abs(value).toFixed(digits).split(".");
  const sign = value < 0 ? "-" : "";
  return `${sign}${formatCount(Number(whole))}${fraction === undefined ? "" : `.${fraction}`} ${currency}`;
}

/** A duration for people: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return NONE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${formatCount(Math.floor(minutes / 60))} h ${minutes % 60} min`;
}

/** An ISO time as "2026-03-01 10:05" (UTC), or "2026-03-01" for `day`. */
export function formatTime(iso: string, precision: "minute" | "day"): string {
  return precision === "day" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Columns a character takes: 2 for CJK, Hangul, full-width forms and emoji, else 1. */
function columns(grapheme: string): number {
  const cp = grapheme.codePointAt(0) ?? 0;
  return cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x1f300)
    ? 2
    : 1;
}

/**
 * Cuts a name from the event file to at most `max` columns, ending in "…" when cut. Cuts between
 * graphemes, so an emoji or an accented letter is never split; control characters become "?".
 */
export function cutName(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?");
  let width = 0;
  let out = "";
  for (const { segment } of segmenter.segment(clean)) {
    const w = columns(segment);
    if (width + w > max - 1) {
      // Does the rest fit without cutting?
      return displayWidth(clean) <= max ? clean : `${out}…`;
    }
    width += w;
    out += segment;
  }
  return clean;
}

/** Width of a text in columns (see {@link cutName}). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += columns(segment);
  return width;
}
