import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import {
  loadCategoryObjects,
  loadCategoryText,
  loadFreshObjects,
  loadFreshText,
  loadHoldoutObjects,
  loadHoldoutText,
  loadObjectCorpus,
  loadTextCorpus,
  PII_TYPES,
  scoreCorpus,
  scoreObjects,
} from "../fixtures/pii/quality.js";

const scrub = createScrubber();
const cases = loadTextCorpus();
const objects = loadObjectCorpus();
const score = scoreCorpus((t) => scrub.text(t), cases);

function at(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) v = (v as Record<string, unknown> | undefined)?.[key];
  return v;
}

function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number") return [String(value)];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(leaves);
}

describe("labelled corpus (test/fixtures/pii)", () => {
  it("holds at least 300 text lines, a third of them hard negatives, and 50 objects", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(cases.filter((c) => c.kind === "negative").length).toBeGreaterThanOrEqual(cases.length / 3);
    expect(cases.filter((c) => c.kind === "mixed").length).toBeGreaterThanOrEqual(50);
    expect(objects.length).toBeGreaterThanOrEqual(50);
  });

  it.each(PII_TYPES)("finds at least 98 %% of the labelled %s values", (type) => {
    const t = score.types.find((s) => s.type === type)!;
    expect(t.labelled).toBeGreaterThanOrEqual(40);
    expect(t.recall, JSON.stringify(score.missed.filter((m) => m.type === type))).toBeGreaterThanOrEqual(0.98);
  });

  it("alters none of the hard negatives", () => {
    expect(score.negativesAltered).toEqual([]);
  });

  it("never puts more placeholders of a type in a line than it has labelled values", () => {
    expect(score.overRedacted).toEqual([]);
  });

  it.each(objects.map((o) => [o.id, o] as const))("%s: keep paths unchanged, redact paths scrubbed", (_id, o) => {
    const before = JSON.stringify(o.value);
    const out = scrub.value(o.value);
    expect(JSON.stringify(o.value)).toBe(before);
    for (const path of o.keep) expect(at(out, path), path.join(".")).toEqual(at(o.value, path));
    for (const path of o.redact) {
      const original = at(o.value, path);
      const now = at(out, path);
      expect(now, path.join(".")).not.toEqual(original);
      // Nothing of a redacted personal value survives: no original leaf appears verbatim.
      for (const leaf of leaves(original)) {
        if (leaf.length >= 6) expect(JSON.stringify(now)).not.toContain(leaf);
      }
    }
  });
});

/**
 * The fresh corpus (FRESH.md): its pre-fix score was the independent measure (text recall 90.3 %,
 * negatives unaltered 95.9 %, structured 97.1 % / 99.5 %). The issue-15 fixes were made by category
 * against its misses, so these are regression bounds at the goals, not independent figures.
 */
describe("fresh corpus (regression, issue 15 goals)", () => {
  const text = scoreCorpus((t) => scrub.text(t), loadFreshText());
  const structured = scoreObjects((v) => scrub.value(v), loadFreshObjects());
  const labelled = text.types.reduce((n, t) => n + t.labelled, 0);
  const found = text.types.reduce((n, t) => n + t.found, 0);

  it("finds at least 98 % of the labelled values", () => {
    expect(found / labelled, JSON.stringify(text.missed)).toBeGreaterThanOrEqual(0.98);
  });

  it("leaves at least 99 % of the hard negatives unaltered", () => {
    expect(1 - text.negativesAltered.length / text.negatives, JSON.stringify(text.negativesAltered)).toBeGreaterThanOrEqual(0.99);
  });

  it("redacts and keeps at least 98 % of the structured paths", () => {
    expect(structured.redacted / structured.redactPaths, JSON.stringify(structured.missed)).toBeGreaterThanOrEqual(0.98);
    expect(structured.kept / structured.keepPaths, JSON.stringify(structured.lost)).toBeGreaterThanOrEqual(0.98);
  });
});

describe("category examples of the issue-15 rules (categories-*.json[l])", () => {
  const text = scoreCorpus((t) => scrub.text(t), loadCategoryText());
  const structured = scoreObjects((v) => scrub.value(v), loadCategoryObjects());

  it("finds every labelled value and over-redacts none", () => {
    expect(text.missed).toEqual([]);
    expect(text.overRedacted).toEqual([]);
  });

  it("alters none of the hard negatives", () => {
    expect(text.negativesAltered).toEqual([]);
  });

  it("redacts every sensitive path and keeps every ordinary one", () => {
    expect(structured.missed).toEqual([]);
    expect(structured.lost).toEqual([]);
  });
});

describe("holdout corpus keeps its hard negatives", () => {
  it("alters none of the holdout negatives and keeps every ordinary path", () => {
    expect(scoreCorpus((t) => scrub.text(t), loadHoldoutText()).negativesAltered).toEqual([]);
    expect(scoreObjects((v) => scrub.value(v), loadHoldoutObjects()).lost).toEqual([]);
  });
});
