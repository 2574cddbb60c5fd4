import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";

const scrub = createScrubber();
const MB = 1024 * 1024;
const repeat = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

// Catastrophic backtracking turns a 1 MB input into minutes; linear passes take milliseconds. The
// bound is loose on purpose (shared CI machines); the benchmark shows the actual growth.
describe("1 MB adversarial inputs", () => {
  it.each([
    ["a long digit run", "4111111111111111"],
    ["spaced digit groups", "4111 1111 "],
    ["dotted digits", "1.2.3.4."],
    ["plus signs and digits", "+1 "],
    ["an @ storm", "@"],
    ["a@b. storm", "a@b."],
    ["a huge token", "aB3dE5gH7jK9mN1pQ"],
    ["JWT-looking segments", "eyJhbGciOi."],
    ["colons", "::"],
    ["hex and colons", "ab:"],
    ["password= storm", "password="],
    ["key: value pairs", "key: value "],
    ["PEM headers", "-----BEGIN PRIVATE KEY-----"],
    ["Bearer storm", "Bearer "],
    ["URL userinfo storm", "://u:"],
    ["IBAN-like groups", "DE89 3704 "],
  ])("scrubs %s in well under a second", (_name, unit) => {
    const input = repeat(unit);
    const start = performance.now();
    const out = scrub.text(input);
    expect(performance.now() - start).toBeLessThan(1500);
    expect(typeof out).toBe("string");
  });
});
