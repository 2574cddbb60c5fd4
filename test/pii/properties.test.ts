import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import { isCardNumber } from "../../src/pii/card-number.js";

const scrub = createScrubber();

const hexChars = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: min, maxLength: max });
const idChars = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"), minLength: 21, maxLength: 21 });
const digitsOf = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The kinds the issue says must never be touched, each generated with its real shape. */
const untouched = fc.oneof(
  fc.uuid(),
  fc.tuple(fc.constantFrom("ses_", "tr_"), idChars).map(([p, id]) => p + id),
  fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`),
  fc.integer({ min: 1_000_000_000, max: 1_999_999_999 }).map(String),
  fc.integer({ min: 1_000_000_000_000, max: 1_999_999_999_999 }).map(String),
  fc.tuple(fc.nat(30), fc.nat(99), fc.nat(999)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.tuple(fc.nat(9), fc.nat(9), fc.nat(99), fc.nat(9999)).map(([a, b, c, d]) => `v${a}.${b}.${c}.${d}`),
  fc.oneof(hexChars(40, 40), hexChars(64, 64), hexChars(7, 7)),
  fc.integer({ min: 13, max: 19 }).chain((n) => digitsOf(n)).filter((d) => !isCardNumber(d)),
  fc.tuple(fc.constantFrom("DE", "GB", "FR", "NL"), digitsOf(2), digitsOf(18)).map(([c, k, b]) => `${c}${k === "00" ? "01" : k}${b}`)
    .filter((s) => !/^(?:DE|GB|FR|NL)/.test(s) || !ibanValid(s)),
  fc.oneof(digitsOf(5), fc.tuple(digitsOf(5), digitsOf(4)).map(([a, b]) => `${a}-${b}`)),
  fc.tuple(fc.nat(99999), fc.nat(99)).map(([a, c]) => `$${a.toLocaleString("en-US")}.${pad(c)}`),
  fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
  fc.constantFrom("/usr/local/bin/node", "./src/pii/index.ts", "C:\\Users\\dev\\app.js", "~/notes/todo.md"),
  fc.webUrl({ withQueryParameters: false, withFragments: false }).filter((u) => !u.includes("@")),
  fc.constantFrom("pk_live_51H8abcdefghijklmnopqrstuv", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqq dev@laptop"),
  digitsOf(4).map((d) => `****${d}`),
);

function ibanValid(s: string): boolean {
  const r = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of r) rest = /\d/.test(ch) ? (rest * 10 + Number(ch)) % 97 : (rest * 100 + ch.charCodeAt(0) - 55) % 97;
  return rest === 1;
}

const untouchedText = fc
  .array(fc.tuple(untouched, fc.constantFrom(" ", ", ", "\n", " | ", "; ", " and ")), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([v, sep]) => v + sep).join(""));

const withPii = fc.oneof(
  untouchedText,
  fc.emailAddress(),
  fc.constantFrom("+44 20 7946 0958", "4111 1111 1111 1111", "219-09-9999", "DE89370400440532013000", "203.0.113.7", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "password=hunter2"),
  // Round two: values found by the words in front of them, and the containers walked into.
  fc.constantFrom("Tel: 020 7946 0958", "the password is Xk9#mQ2v", "--password 'a b1'", "SSN# 536901234", "jane%40example.org",
    "yav_live_Zq81kPL0sWmE4rT7yUiO2", "Cookie: theme=dark; sid=9fK2pL7qW3eR5tY8", "const password = process.env.DB_PASSWORD;"),
  fc.string(),
  fc.string({ unit: fc.constantFrom(..."0123456789 -.:+@()"), maxLength: 60 }),
);

const json = fc.jsonValue({ maxDepth: 4 });
const payload = fc.oneof(
  json,
  fc.dictionary(fc.constantFrom("password", "email", "note", "max_tokens", "id", "ip", "x-api-key", "cookies", "phones", "emails", "PWD", "routing_key"), fc.oneof(withPii, json), { maxKeys: 6 }),
  fc.array(fc.record({ text: withPii, n: fc.integer() })),
);

describe("scrubber properties", () => {
  it("never alters strings made only of the untouched kinds", () => {
    fc.assert(
      fc.property(untouchedText, (text) => {
        expect(scrub.text(text)).toBe(text);
        expect(scrub.value(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("is idempotent on text", () => {
    fc.assert(
      fc.property(fc.array(withPii, { maxLength: 4 }).map((xs) => xs.join(" ")), (text) => {
        const once = scrub.text(text);
        expect(scrub.text(once)).toBe(once);
      }),
      { numRuns: 1500 },
    );
  });

  it("is idempotent on values", () => {
    fc.assert(
      fc.property(payload, (value) => {
        const once = scrub.value(value);
        expect(scrub.value(once)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });

  it("never mutates its input and returns the same reference when nothing changed", () => {
    fc.assert(
      fc.property(payload, (value) => {
        const before = structuredClone(value);
        const out = scrub.value(value);
        expect(value).toEqual(before);
        if (JSON.stringify(out) === JSON.stringify(value)) expect(out).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});
