import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";

const scrub = createScrubber();

describe("command-line passwords: net use with a device before the share", () => {
  // The device (drive letter, `*`, a port) is not a positional argument: the password is the one
  // after the share. Review finding: the share path was redacted and the password left.
  it.each([
    ["net use Z: \\\\srv\\share hunter2 /user:bob", "hunter2", "\\\\srv\\share"],
    ["net use * \\\\srv\\share hunter2 /user:bob", "hunter2", "\\\\srv\\share"],
    ['net use Z: \\\\srv\\share "hunter 2" /user:DOM\\bob', "hunter 2", "\\\\srv\\share"],
    ["NET USE LPT1: \\\\srv\\printer pw123 /user:x", "pw123", "\\\\srv\\printer"],
    ["net use \\\\srv\\share hunter2 /user:bob", "hunter2", "\\\\srv\\share"],
  ])("%s", (line, password, share) => {
    const out = scrub.text(line);
    expect(out).not.toContain(password);
    expect(out).toContain(share);
    expect(out).toContain("[SECRET_REDACTED]");
  });

  it("keeps a user's name and takes the password of net user", () => {
    expect(scrub.text("net user alice S3cret!x /add")).toBe("net user alice [SECRET_REDACTED] /add");
  });
});
