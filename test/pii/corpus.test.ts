import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import { loadObjectCorpus, loadTextCorpus, PII_TYPES, scoreCorpus } from "../fixtures/pii/quality.js";

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
