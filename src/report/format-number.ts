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
