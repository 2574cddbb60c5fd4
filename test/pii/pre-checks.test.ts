import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import { VENDOR_TOKEN, VENDOR_TOKEN_HINT } from "../../src/pii/secrets.js";

// The token regex with its assertions (\b, lookarounds) taken out: it matches at least every
// string a real token match consumes, so a hint that holds for all of them holds for every token.
const TOKEN_BODY = new RegExp(`^(?:${VENDOR_TOKEN.source.replace(/\\b/g, "").replace(/\(\?<?![^()]*\)/g, "")})$`);
// The same with `_` and `-` taken out of every character class: the tokens whose variable parts
// avoid them, the hard case for the hint (random generation favours those characters).
const PLAIN_TOKEN_BODY = new RegExp(TOKEN_BODY.source.replace(/\[([^\]]*)\]/g, (_m, body: string) => `[${body.replace(/_|-(?=$)/g, "")}]`));

describe("the vendor-token pre-check", () => {
  it.each([
    ["any", TOKEN_BODY],
    ["no _ or - in its variable parts", PLAIN_TOKEN_BODY],
  ])("finds its hint in every token of every format (%s)", (_label, language) => {
    expect(language.source).not.toMatch(/\(\?<?[!=]/);
    fc.assert(
      fc.property(fc.stringMatching(language), (token) => {
        expect(VENDOR_TOKEN_HINT.test(token)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["AKIAIOSFODNN7EXAMPLE"],
    ["ASIAIOSFODNN7EXAMPLE"],
    ["AIzaSyA1234567890abcdefghijklmnopqrstuv"],
    ["SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"],
  ])("still redacts %s, a token without _ or -, in a sentence", (token) => {
    expect(createScrubber().text(`the key is ${token} ok.`)).toBe("the key is [SECRET_REDACTED] ok.");
  });

  it("leaves prose without any hint untouched", () => {
    const prose = "Benchmarking the echo tool to measure analytics overhead per call.";
    expect(VENDOR_TOKEN_HINT.test(prose)).toBe(false);
    expect(createScrubber().text(prose)).toBe(prose);
  });
});

describe("the length gate before the vendor-token pass", () => {
  it.each(["xoxb-1234567890", "xapp-1-AB12345678", "sk_live_a1b2c3d4e5"])("lets the shortest tokens through to the detector: %s", (token) => {
    const scrubbed = createScrubber().text(`token ${token} here`);
    expect(scrubbed).not.toContain(token);
    expect(scrubbed).toContain("token ");
  });
});

describe("password words by context", () => {
  it.each(["http://a.pw ses_AAAAAAAAAAAAAAAA9AAAA", "see files/pw 2024-01-01", "host example.pw 10.0"])("does not read a domain or path ending in pw as a password word: %s", (line) => {
    expect(createScrubber({ detectors: { IP: false } }).text(line)).toBe(line);
  });

  it("still redacts the value after a real password word", () => {
    expect(createScrubber().text("pw: s3cr3t-Value")).not.toContain("s3cr3t");
  });
});
