import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";

const scrub = createScrubber();

describe("value()", () => {
  it("redacts values under sensitive keys and copies the object", () => {
    const input = { password: "hunter2", plan: "pro" };
    const out = scrub.value(input);
    expect(out).toEqual({ password: "[REDACTED]", plan: "pro" });
    expect(out).not.toBe(input);
    expect(input.password).toBe("hunter2");
  });

  it("returns the same reference when nothing changed", () => {
    const input = { a: [1, "two", { c: "2024-01-01T00:00:00Z" }], b: null, d: true };
    expect(scrub.value(input)).toBe(input);
  });

  it("keeps untouched siblings by reference inside a changed copy", () => {
    const keep = { deep: ["x"] };
    const out = scrub.value({ keep, note: "mail jane@acme.io" });
    expect(out.keep).toBe(keep);
    expect(out.note).toBe("mail [EMAIL_REDACTED]");
  });

  it.each([
    ["password"], ["Password"], ["user_password"], ["DB_PASSWORD"], ["newPassword"], ["secret"], ["client_secret"],
    ["token"], ["accessToken"], ["refresh-token"], ["api_key"], ["apiKey"], ["X-API-KEY"], ["x-api-key"],
    ["authorization"], ["Authorization"], ["cookie"], ["Set-Cookie"], ["private_key"], ["privateKey"],
    ["ssn"], ["card_number"], ["cardNumber"], ["cvv"], ["cvc"], ["iban"], ["account_number"], ["email"],
    ["userEmail"], ["phone"], ["phone_number"], ["ip_address"], ["ipAddress"], ["client_ip"], ["credentials"],
    ["password2"], ["password_confirmation"], ["confirmPassword"], ["pwd"], ["passcode"], ["passwd"], ["pass_phrase"],
    ["passphrase"], ["new_password_again"], ["phone2"], ["email_1"],
  ])("redacts the value under the key %s", (key) => {
    expect(scrub.value({ [key]: "plain" })).toEqual({ [key]: "[REDACTED]" });
  });

  it.each([
    ["tokens_used"], ["max_tokens"], ["passwordless"], ["primary_key"], ["cache_key"], ["keyboard_layout"],
    ["sessionId"], ["email_verified"], ["token_count"], ["zip"], ["keyId"], ["password_policy"], ["ship_date"],
    ["password_reset_sent_at"], ["email_verification"], ["sha256"], ["item_2"], ["0"],
  ])("keeps the value under the key %s", (key) => {
    const input = { [key]: "plain" };
    expect(scrub.value(input)).toBe(input);
  });

  it("keeps flags under password variants (passwordless, password_reset_required)", () => {
    const input = { passwordless: true, password_reset_required: true, password2_set: false };
    expect(scrub.value(input)).toBe(input);
  });

  it("redacts numbers and objects under a sensitive key but keeps booleans, null and empty strings", () => {
    expect(scrub.value({ card_number: 4111111111111111, secret: { a: 1 }, email: true, token: null, phone: "" })).toEqual({
      card_number: "[REDACTED]",
      secret: "[REDACTED]",
      email: true,
      token: null,
      phone: "",
    });
  });

  it("scrubs keys that hold personal data", () => {
    expect(scrub.value({ "jane@acme.io": 1 })).toEqual({ "[EMAIL_REDACTED]": 1 });
  });

  it("replaces a reference back to an ancestor with [Circular]", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(scrub.value(a)).toEqual({ name: "a", self: "[Circular]" });
    expect(a.self).toBe(a);
  });

  it("walks a value made of shared references once per container, not once per path", () => {
    // A diamond lattice 20 levels deep: 2^20 paths to the bottom, 21 distinct containers.
    let reads = 0;
    let level: Record<string, unknown> = { leaf: "plain text" };
    for (let i = 0; i < 20; i++) {
      const next = level;
      level = Object.defineProperties({}, {
        left: { enumerable: true, get: () => (reads++, next) },
        right: { enumerable: true, get: () => (reads++, next) },
      });
    }
    const deep = createScrubber({ maxDepth: 32 });
    expect(deep.value(level)).toBe(level);
    expect(reads).toBeLessThan(200);
  });

  it("scrubs a shared sub-object once and reuses the result", () => {
    const shared = { mail: "jane@acme.io" };
    const out = scrub.value({ x: shared, y: shared });
    expect(out.x).toBe(out.y);
    expect(out.x).toEqual({ mail: "[EMAIL_REDACTED]" });
  });

  it("cuts objects nested deeper than maxDepth", () => {
    const s = createScrubber({ maxDepth: 3 });
    expect(s.value({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: "[MaxDepth]" } } });
  });

  it("survives a 10 000-level deep object with the default depth cap", () => {
    let deep: Record<string, unknown> = { end: "jane@acme.io" };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    expect(() => scrub.value(deep)).not.toThrow();
  });

  it("keeps an own __proto__ key as data and never touches prototypes", () => {
    const input = JSON.parse('{"__proto__": {"email": "a@b.co"}, "constructor": "jane@acme.io"}') as Record<string, unknown>;
    const out = scrub.value(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ email: "[REDACTED]" });
    expect(out.constructor).toBe("[EMAIL_REDACTED]");
    expect(({} as Record<string, unknown>).email).toBeUndefined();
  });

  it("scrubs what toJSON() returns for a class instance with private fields", () => {
    class Customer {
      readonly #email = "jane@acme.io";
      readonly #password = "hunter2";
      toJSON(): unknown {
        return { email: this.#email, password: this.#password, note: `mail ${this.#email}` };
      }
    }
    const out = scrub.value({ customer: new Customer() });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ customer: { email: "[REDACTED]", password: "[REDACTED]", note: "mail [EMAIL_REDACTED]" } });
  });

  it("scrubs the string a toJSON() returns, also on a plain object and a URL", () => {
    const out = scrub.value({
      a: { toJSON: () => "call +44 20 7946 0958" },
      b: new URL("https://user:s3cr3t@example.com/x"),
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ a: "call [PHONE_REDACTED]", b: "https://user:[SECRET_REDACTED]@example.com/x" });
  });

  it("keeps an instance whose toJSON() output needs no change, and a Date", () => {
    class Money {
      toJSON(): unknown {
        return { cents: 1999, currency: "EUR" };
      }
    }
    const input = { price: new Money(), at: new Date(0) };
    expect(scrub.value(input)).toBe(input);
  });

  it("scrubs the own keys when toJSON() returns the instance itself or throws", () => {
    const self = { mail: "jane@acme.io", toJSON(): unknown { return this; } };
    const broken = { mail: "jane@acme.io", toJSON(): unknown { throw new Error("no"); } };
    const out = scrub.value({ self, broken }) as unknown as { self: { mail: string }; broken: { mail: string } };
    expect(out.self.mail).toBe("[EMAIL_REDACTED]");
    expect(out.broken.mail).toBe("[EMAIL_REDACTED]");
  });

  it("replaces typed arrays and Buffers with a binary marker", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(scrub.value({ img: png, raw: new Uint8Array(5), buf: new ArrayBuffer(3) })).toEqual({
      img: "[binary:image/png:10]",
      raw: "[binary:application/octet-stream:5]",
      buf: "[binary:application/octet-stream:3]",
    });
  });

  it("replaces base64 blobs and data URIs with a binary marker", () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(300, 7)]).toString("base64");
    expect(scrub.value([pdf, `data:image/jpeg;base64,${Buffer.alloc(30).toString("base64")}`])).toEqual([
      "[binary:application/pdf:309]",
      "[binary:image/jpeg:30]",
    ]);
  });

  it("keeps a long hex hash, which is not a base64 blob", () => {
    const sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e".repeat(2);
    expect(scrub.value(sha512)).toBe(sha512);
  });

  it("keeps Dates as they are", () => {
    const d = new Date(0);
    expect(scrub.value({ d }).d).toBe(d);
  });
});
