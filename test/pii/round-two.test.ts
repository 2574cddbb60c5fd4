import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import { loadHoldoutObjects, loadHoldoutText, scoreCorpus, scoreObjects } from "../fixtures/pii/quality.js";

const scrub = createScrubber();

describe("PII round two: text found by its context", () => {
  it.each([
    // Phones without `+`, national formats, when the text says it is a phone.
    ["Tel: 0113 496 0000", "Tel: [PHONE_REDACTED]"],
    ["Handynummer: 0170 1234567", "Handynummer: [PHONE_REDACTED]"],
    ["mobile 07400 123456 (evenings)", "mobile [PHONE_REDACTED] (evenings)"],
    ["Téléphone : 05 61 22 33 44", "Téléphone : [PHONE_REDACTED]"],
    ["móvil 699 12 34 56", "móvil [PHONE_REDACTED]"],
    ["call us at 0800 123 4567.", "call us at [PHONE_REDACTED]."],
    ['{"msisdn": "4917612345678"}', '{"msisdn": "[PHONE_REDACTED]"}'],
    ["mobile=447911123456&sender=ACME", "mobile=[PHONE_REDACTED]&sender=ACME"],
    ["support: (555) 010-9999", "support: [PHONE_REDACTED]"],
    ["555-123-4567", "[PHONE_REDACTED]"],
    // Passwords by context, whatever their shape.
    ["the password is Blue-Moon-88", "the password is [SECRET_REDACTED]"],
    ["Our wifi password is Garden2024, ask at the desk", "Our wifi password is [SECRET_REDACTED], ask at the desk"],
    ["pg_dump --password='a b c1' db", "pg_dump --password='[SECRET_REDACTED]' db"],
    ["app --db-password Hx7!kq2", "app --db-password [SECRET_REDACTED]"],
    ["PGPASSWORD=zz9Top psql", "PGPASSWORD=[SECRET_REDACTED] psql"],
    ["mail_pass: Summer22", "mail_pass: [SECRET_REDACTED]"],
    ["curl --user ops:Tr1cky! https://x.example", "curl --user ops:[SECRET_REDACTED] https://x.example"],
    ["Kennwort: Hafen1999", "Kennwort: [SECRET_REDACTED]"],
    // Contiguous SSNs after a label, valid areas only.
    ["SSN: 123456789", "SSN: [SSN_REDACTED]"],
    ["social security number 234-56-7890", "social security number [SSN_REDACTED]"],
    ["Social Security No. 345678901", "Social Security No. [SSN_REDACTED]"],
    // AWS secret access keys by the words naming them.
    ["secret access key: AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/Ab", "secret access key: [SECRET_REDACTED]"],
    // Percent-encoded e-mail addresses.
    ["?to=a.b%40c.example.com&x=1", "?to=[EMAIL_REDACTED]&x=1"],
    ["mailto%3Ajo%40mail.example", "mailto%3A[EMAIL_REDACTED]"],
    // Our own key format.
    ["key yav_live_Zq81kPL0sWmE4rT7yUiO2", "key [SECRET_REDACTED]"],
    ['{"yavio_key": "whatever-it-is"}', '{"yavio_key": "[SECRET_REDACTED]"}'],
    // Harmless cookies stay, the session goes.
    ["Set-Cookie: lang=fr; sessionid=9fK2pL7qW3eR5tY8; Path=/", "Set-Cookie: lang=fr; sessionid=[SECRET_REDACTED]; Path=/"],
  ])("redacts %j", (input, expected) => {
    expect(scrub.text(input)).toBe(expected);
  });

  it.each([
    // Code that names a secret without holding one.
    ["const token = process.env.GITHUB_TOKEN;"],
    ["api_key = os.environ['API_KEY']"],
    ["secret = load_secret('prod')"],
    ["password: `${prefix}${suffix}`,"],
    ["auth_token: userToken,"],
    ["password = password"],
    ["client_secret: ${CLIENT_SECRET}"],
    ["PASSWORD=${DB_PASSWORD:-changeme}"],
    ["token: Optional[str] = None"],
    ["secret_key = YOUR_SECRET_KEY_HERE"],
    // Words near numbers that are not phones, SSNs or passwords.
    ["Mobile build 2024.06.11 shipped"],
    ["phone_count=12345678"],
    ["the password is wrong"],
    ["password reset 3 times"],
    ["SSN: 987654321"],
    ["ssn_last_updated=2024-01-01"],
    ["Set-Cookie: theme=dark; Path=/"],
    ["Cookie: locale=en-US; cookie_consent=yes"],
    ["PWD=/var/lib/app OLDPWD=/tmp"],
    ["hotel 0151 23456789"],
    ["apiKey: \"yav_…\""],
  ])("leaves %j untouched", (input) => {
    expect(scrub.text(input)).toBe(input);
  });

  it("is idempotent on what it redacted", () => {
    const once = scrub.text("Tel: 020 7946 0958, the password is Xk9#mQ2v, SSN# 536901234, jane%40example.org");
    expect(scrub.text(once)).toBe(once);
  });
});

describe("PII round two: structured values", () => {
  it("redacts one-time, second-factor, anti-forgery and routing keys", () => {
    const out = scrub.value({
      pin: "1234", otp_secret: "JBSWY3DPEHPK3PXP", totp: "123456", recovery_codes: ["a1b2-c3d4"], backupCodes: ["9"],
      _csrf: "abc", "X-XSRF-TOKEN": "def", authenticity_token: "ghi", routing_key: "R0ABCDEF1234567890ABCDEF12345678",
      yavio_key: "yav_x", integration_key: "k",
    });
    expect(Object.values(out).every((v) => v === "[REDACTED]")).toBe(true);
  });

  it("keeps an AMQP routing key, a name rather than a key, and counts next to secret names", () => {
    const input = { routingKey: "orders.created", pin_length: 6, otp_digits: 6, codes_remaining: 3 };
    expect(scrub.value(input)).toBe(input);
  });

  it("walks a cookies object: the session goes, preferences stay", () => {
    const out = scrub.value({ cookies: { sid: "s3ss10n-v4lue-abcdef", theme: "dark", lang: "en", csrftoken: "x" } });
    expect(out).toEqual({ cookies: { sid: "[REDACTED]", theme: "dark", lang: "en", csrftoken: "[REDACTED]" } });
  });

  it("walks a list of Set-Cookie strings and of { name, value } cookies", () => {
    const out = scrub.value({
      "set-cookie": ["sid=abc123def456ghi789; HttpOnly", "theme=light; Path=/"],
      cookies: [{ name: "session", value: "v" }, { name: "lang", value: "de" }],
    });
    expect(out).toEqual({
      "set-cookie": ["sid=[REDACTED]; HttpOnly", "theme=light; Path=/"],
      cookies: [{ name: "session", value: "[REDACTED]" }, { name: "lang", value: "de" }],
    });
  });

  it("walks phones and emails lists: numbers and addresses go, labels and flags stay", () => {
    const input = {
      phones: [{ type: "mobile", number: "07700 900123", primary: true }, "+44 20 7946 0958"],
      emails: [{ label: "work", address: "a@b.example" }, "c@d.example"],
    };
    const before = JSON.stringify(input);
    expect(scrub.value(input)).toEqual({
      phones: [{ type: "mobile", number: "[REDACTED]", primary: true }, "[REDACTED]"],
      emails: [{ label: "work", address: "[REDACTED]" }, "[REDACTED]"],
    });
    expect(JSON.stringify(input)).toBe(before);
  });

  it("keeps PWD as a directory, templates as references, and redacts our key under `key`", () => {
    const out = scrub.value({ env: { PWD: "/srv/app", DB_PASSWORD: "${DB_PASSWORD}" }, key: "yav_live_Zq81kPL0sWmE4rT7yUiO2", msisdn: 447700900123 });
    expect(out).toEqual({ env: { PWD: "/srv/app", DB_PASSWORD: "${DB_PASSWORD}" }, key: "[SECRET_REDACTED]", msisdn: "[REDACTED]" });
  });

  it("stays idempotent and copy-on-write on containers", () => {
    const input = { cookies: { theme: "dark" }, phones: [{ type: "home" }] };
    expect(scrub.value(input)).toBe(input);
    const once = scrub.value({ cookies: { sid: "abcdefghijklmnop1234" }, phones: ["0151 23456789"] });
    expect(scrub.value(once)).toEqual(once);
  });
});

describe("hand-written holdout corpus (test/fixtures/pii/holdout-*)", () => {
  // Written before the round-two detectors; 45.5 % text recall then. Now part of the regression set.
  const text = scoreCorpus((t) => scrub.text(t), loadHoldoutText());
  const objects = scoreObjects((v) => scrub.value(v), loadHoldoutObjects());

  it("finds at least 98 % of the labelled values and alters no hard negative", () => {
    const labelled = text.types.reduce((n, t) => n + t.labelled, 0);
    const found = text.types.reduce((n, t) => n + t.found, 0);
    expect(found / labelled, JSON.stringify(text.missed)).toBeGreaterThanOrEqual(0.98);
    expect(text.negativesAltered).toEqual([]);
    expect(text.overRedacted).toEqual([]);
  });

  it("redacts every sensitive path and keeps every ordinary one in the objects", () => {
    expect(objects.missed).toEqual([]);
    expect(objects.lost).toEqual([]);
  });
});
