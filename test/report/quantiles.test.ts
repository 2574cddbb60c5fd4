import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Quantiles } from "../../src/report/index.js";

function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe("Quantiles", () => {
  it("returns null percentiles without values", () => {
    expect(new Quantiles().summary()).toEqual({ count: 0, mean: null, p50: null, p95: null, p99: null, max: null, method: "exact" });
  });

  it.each([
    [0.5, 50],
    [0.95, 95],
    [0.99, 99],
    [1, 100],
    [0, 1],
  ])("gives the exact nearest-rank percentile q=%s of 1..100 as %s", (q, expected) => {
    const quantiles = new Quantiles();
    for (let v = 100; v >= 1; v--) quantiles.add(v);
    expect(quantiles.quantile(q)).toBe(expected);
  });

  it("ignores non-finite values and clamps negative ones to 0", () => {
    const quantiles = new Quantiles();
    for (const v of [Number.NaN, Infinity, -5, 10]) quantiles.add(v);
    expect(quantiles.summary()).toMatchObject({ count: 2, p50: 0, max: 10 });
  });

  it("switches to the sketch past the exact limit", () => {
    const quantiles = new Quantiles({ exactLimit: 10 });
    for (let v = 1; v <= 10; v++) quantiles.add(v);
    expect(quantiles.method).toBe("exact");
    quantiles.add(11);
    expect(quantiles.method).toBe("sketch");
  });

  it("keeps sketch percentiles within 1 % of the exact nearest-rank value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 20, maxLength: 400 }),
        fc.constantFrom(0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1),
        (values, q) => {
          const sketch = new Quantiles({ exactLimit: 8 });
          for (const v of values) sketch.add(v);
          const exact = nearestRank(values, q);
          const estimate = sketch.quantile(q)!;
          expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * 0.01 * (1 + 1e-9));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Quantiles.merge", () => {
  it.each([
    ["exact into exact", 100, 100],
    ["exact into sketch", 5000, 100],
    ["sketch into exact", 100, 5000],
    ["sketch into sketch", 5000, 5000],
  ])("gives the percentiles of all values together (%s)", (_label, a, b) => {
    const left = new Quantiles();
    const right = new Quantiles();
    const all = new Quantiles();
    for (let i = 1; i <= a; i++) {
      left.add(i * 1.5);
      all.add(i * 1.5);
    }
    for (let i = 1; i <= b; i++) {
      right.add(i * 0.7);
      all.add(i * 0.7);
    }
    left.merge(right);
    expect(left.count).toBe(a + b);
    expect(left.max).toBe(all.max);
    for (const q of [0.5, 0.95, 0.99]) {
      const expected = all.quantile(q)!;
      expect(Math.abs(left.quantile(q)! - expected) / expected).toBeLessThanOrEqual(0.0201);
    }
  });
});
