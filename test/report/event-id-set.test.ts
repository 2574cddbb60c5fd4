import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventIdSet } from "../../src/report/event-id-set.js";

describe("EventIdSet", () => {
  it("answers add() like a Set of strings, across growth", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 300 }), (ids) => {
        const set = new EventIdSet(2);
        const reference = new Set<string>();
        for (const id of ids) {
          expect(set.add(id)).toBe(!reference.has(id));
          reference.add(id);
        }
        expect(set.size).toBe(reference.size);
      }),
    );
  });

  it("tells 200 000 uuids apart", () => {
    const set = new EventIdSet();
    let added = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(crypto.randomUUID())) added++;
    expect(added).toBe(200_000);
  });
});
