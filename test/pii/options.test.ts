import { describe, expect, it } from "vitest";
import { createScrubber, hashUserId, looksLikeContactInfo } from "../../src/pii/index.js";
import type { PiiOptions } from "../../src/pii/index.js";
import { YavioConfigError } from "../../src/warnings/index.js";

function configError(options: unknown): YavioConfigError {
  try {
    createScrubber(options as PiiOptions);
  } catch (error) {
    if (YavioConfigError.is(error)) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("options", () => {
  it.each([
    ["not an object", "nope"],
    ["an unknown option", { detector: {} }],
    ["an unknown detector", { detectors: { SSN: false } }],
    ["a non-boolean detector flag", { detectors: { EMAIL: "off" } }],
    ["an invalid regex string", { patterns: [{ name: "x", pattern: "(" }] }],
    ["a pattern that matches the empty string", { patterns: [{ name: "x", pattern: /a*/ }] }],
    ["a pattern without a name", { patterns: [{ pattern: /x/ }] }],
    ["a non-string replacement", { patterns: [{ name: "x", pattern: /x/, replacement: 1 }] }],
    ["sensitiveKeys.add with a non-string", { sensitiveKeys: { add: [1] } }],
    ["a fractional maxDepth", { maxDepth: 1.5 }],
    ["a zero maxDepth", { maxDepth: 0 }],
    ["a non-boolean hashUserIds", { hashUserIds: "yes" }],
  ])("throws YAVIO-1003 at construction for %s", (_name, options) => {
    expect(configError(options).code).toBe("YAVIO-1003");
  });

  it("turns a single detector off", () => {
    const s = createScrubber({ detectors: { IP: false } });
    expect(s.text("203.0.113.7 jane@acme.io")).toBe("203.0.113.7 [EMAIL_REDACTED]");
  });

  it("applies custom patterns with their replacement, before the built-ins", () => {
    const s = createScrubber({
      patterns: [
        { name: "order", pattern: /\bORD-\d{6}\b/ },
        { name: "emp", pattern: "EMP\\d{4}", replacement: "<employee>" },
      ],
    });
    expect(s.text("ORD-123456 by EMP1234")).toBe("[ORDER_REDACTED] by <employee>");
  });

  it("makes a sticky custom pattern global instead of matching only once", () => {
    const s = createScrubber({ patterns: [{ name: "x", pattern: /X\d/y }] });
    expect(s.text("a X1 b X2")).toBe("a [X_REDACTED] b [X_REDACTED]");
  });

  it("adds and removes sensitive keys by normalised name", () => {
    const s = createScrubber({ sensitiveKeys: { add: ["employee-pin"], remove: ["Email"] } });
    expect(s.value({ employeePin: "1234", email: "plain" })).toEqual({ employeePin: "[REDACTED]", email: "plain" });
  });

  it("treats an added key as secret in free text too", () => {
    const s = createScrubber({ sensitiveKeys: { add: ["pin"] } });
    expect(s.text("pin=8812 ok")).toBe("pin=[SECRET_REDACTED] ok");
  });

  it("carries hashUserIds for the middleware", () => {
    expect(createScrubber({ hashUserIds: true }).hashUserIds).toBe(true);
    expect(createScrubber().hashUserIds).toBe(false);
  });
});

describe("looksLikeContactInfo", () => {
  it.each([
    ["jane@acme.io", "email"],
    ["  JANE.DOE+x@mail.example.co.uk ", "email"],
    ["+44 20 7946 0958", "phone"],
    ["(415) 555-2671", "phone"],
    ["4155552671", "phone"],
    ["+14155552671", "phone"],
    ["usr_8f2k", undefined],
    ["1234567890", undefined],
    ["123e4567-e89b-12d3-a456-426614174000", undefined],
    ["@handle", undefined],
    ["", undefined],
  ])("classifies %j as %s", (value, kind) => {
    expect(looksLikeContactInfo(value)).toBe(kind);
  });
});

describe("hashUserId", () => {
  it("is stable, prefixed and one-way", () => {
    const h = hashUserId("jane@acme.io");
    expect(h).toBe(hashUserId("jane@acme.io"));
    expect(h).toMatch(/^uh_[0-9a-f]{32}$/);
    expect(h).not.toContain("jane");
    expect(hashUserId("jane@acme.io ")).not.toBe(h);
  });
});
