import type { LatencySummary } from "./report.js";

export interface QuantilesOptions {
  /** Values kept exactly before switching to the sketch. Default 4096. */
  exactLimit?: number;
  /** Relative accuracy of the sketch. Default 0.01 (1 %). */
  relativeAccuracy?: number;
}

/** Below this a value counts as zero in the sketch: the log buckets cannot reach 0. */
const MIN_INDEXABLE = 1e-6;

/**
 * Percentiles of a stream of non-negative numbers in bounded memory.
 *
 * Exact (nearest rank over every value) up to `exactLimit` values; beyond that the values move
 * into a log-bucket sketch in the manner of DDSketch: bucket i holds values in
 * (γ^(i-1), γ^i] with γ = (1+α)/(1-α), so any percentile it returns is within α of a true value
 * at that rank. Memory is then one map entry per occupied bucket (about 1 000 for 1 µs … 3 h at
 * α = 1 %), whatever the number of values.
 */
export class Quantiles {
  private exact: number[] | undefined = [];
  private sorted = true;
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  private readonly exactLimit: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(options: QuantilesOptions = {}) {
    this.exactLimit = options.exactLimit ?? 4096;
    const alpha = options.relativeAccuracy ?? 0.01;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  /** Ignores anything that is not a finite number; clamps negatives (clock skew) to 0. */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = value < 0 ? 0 : value;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.exact !== undefined) {
      this.exact.push(v);
      this.sorted = false;
      if (this.exact.length > this.exactLimit) {
        for (const x of this.exact) this.addToSketch(x);
        this.exact = undefined;
      }
      return;
    }
    this.addToSketch(v);
  }

  /**
   * Adds every value of `other` (built with the same options). Exact values stay exact while they
   * fit; past that both sides meet in the sketch, which keeps its accuracy: buckets add up.
   */
  merge(other: Quantiles): void {
    if (other.count === 0) return;
    if (other.exact !== undefined) {
      for (const v of other.exact) this.add(v);
      return;
    }
    if (this.exact !== undefined) {
      for (const x of this.exact) this.addToSketch(x);
      this.exact = undefined;
    }
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.zeros += other.zeros;
    for (const [key, n] of other.buckets) this.buckets.set(key, (this.buckets.get(key) ?? 0) + n);
  }

  get method(): "exact" | "sketch" {
    return this.exact === undefined ? "sketch" : "exact";
  }

  /** Nearest-rank percentile for q in [0, 1]; null without values. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    if (this.exact !== undefined) {
      if (!this.sorted) {
        this.exact.sort((a, b) => a - b);
        this.sorted = true;
      }
      return this.exact[rank - 1] ?? null;
    }
    if (rank <= this.zeros) return this.min;
    let seen = this.zeros;
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      seen += this.buckets.get(key) ?? 0;
      if (seen >= rank) {
        const estimate = (2 * this.gamma ** key) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      mean: empty ? null : this.sum / this.count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: empty ? null : this.max,
      method: this.method,
    };
  }

  private addToSketch(v: number): void {
    if (v < MIN_INDEXABLE) {
      this.zeros++;
      return;
    }
    const key = Math.ceil(Math.log(v) / this.logGamma);
    this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
  }
}
