import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";

const scrub = createScrubber();

describe("text detectors", () => {
  it.each([
    ["mail jane.doe+billing@acme.io", "mail [EMAIL_REDACTED]"],
    ["JANE@EXAMPLE.CO.UK wrote", "[EMAIL_REDACTED] wrote"],
    ["ops@eu.mail.example.photography.", "[EMAIL_REDACTED]."],
    ["mail jane@bücher.de now", "mail [EMAIL_REDACTED] now"],
    ["From: jörg.müller@example.com", "From: [EMAIL_REDACTED]"],
    ["иван@почта.рф", "[EMAIL_REDACTED]"],
    ["联系jane@example.com谢谢", "联系[EMAIL_REDACTED]谢谢"],
    ["call (415) 555-2671 now", "call [PHONE_REDACTED] now"],
    ["+1-415-555-2671", "[PHONE_REDACTED]"],
    ["Phone:415-555-2671", "Phone:[PHONE_REDACTED]"],
    ["tel:415-555-2671", "tel:[PHONE_REDACTED]"],
    ["phone:(415) 555-2671", "phone:[PHONE_REDACTED]"],
    ["tel 1 800 555 0199", "tel [PHONE_REDACTED]"],
    ["+44 (0) 20 7946 0958", "[PHONE_REDACTED]"],
    ["+33.6.12.34.56.78", "[PHONE_REDACTED]"],
    ["+919876543210", "[PHONE_REDACTED]"],
    ["card 4111 1111 1111 1111 exp 12/27", "card [CC_REDACTED] exp 12/27"],
    ["qty 2 4111-1111-1111-1111", "qty 2 [CC_REDACTED]"],
    ["amex 3782 822463 10005", "amex [CC_REDACTED]"],
    ["jane,4111111111111111,12/27", "jane,[CC_REDACTED],12/27"],
    ["card:4111111111111111", "card:[CC_REDACTED]"],
    ["cc:4111 1111 1111 1111", "cc:[CC_REDACTED]"],
    ["ssn 219-09-9999", "ssn [SSN_REDACTED]"],
    ["ssn 219 09 9999", "ssn [SSN_REDACTED]"],
    ["DE89 3704 0044 0532 0130 00 EUR", "[IBAN_REDACTED] EUR"],
    ["GB82WEST12345698765432", "[IBAN_REDACTED]"],
    ["de89370400440532013000", "[IBAN_REDACTED]"],
    ["iban de89 3704 0044 0532 0130 00", "iban [IBAN_REDACTED]"],
    ["pay to gb33bukb20201555555555 today", "pay to [IBAN_REDACTED] today"],
    ["from 203.0.113.7:8080", "from [IP_REDACTED]:8080"],
    ["client 10.0.0.7 connected", "client [IP_REDACTED] connected"],
    ["dev 10.1.2.3 up", "dev [IP_REDACTED] up"],
    ["ssh -i k.pem jane@52.1.2.3", "ssh -i k.pem jane@[IP_REDACTED]"],
    ["root@3.91.2.10 and python 3.11.4.1:8080", "root@[IP_REDACTED] and python [IP_REDACTED]:8080"],
    ["peer [2001:db8::1]:443", "peer [[IP_REDACTED]]:443"],
    ["mapped ::ffff:192.0.2.128.", "mapped [IP_REDACTED]."],
    ["fe80::1ff:fe23:4567:890a%eth0 up", "[IP_REDACTED] up"],
  ])("redacts %j", (input, expected) => {
    expect(scrub.text(input)).toBe(expected);
  });

  it.each([
    ["AKIAIOSFODNN7EXAMPLE"],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh"],
    ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    ["rk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    ["sk-proj-abc123def456ghi789jkl012mno345"],
    ["sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGH"],
    ["xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"],
    ["https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
    ["AIzaSyA1234567890abcdefghijklmnopqrstuv"],
    ["npm_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
  ])("redacts the token %s whole", (token) => {
    expect(scrub.text(`key ${token} end`)).toBe("key [SECRET_REDACTED] end");
  });

  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  it.each([
    [`Authorization: Bearer ${jwt}`, "Authorization: Bearer [SECRET_REDACTED]"],
    [`{"id_token":"${jwt}"}`, '{"id_token":"[SECRET_REDACTED]"}'],
    [`jwt='${jwt}'`, "jwt='[SECRET_REDACTED]'"],
    [`(${jwt})`, "([SECRET_REDACTED])"],
  ])("redacts a JWT in %j", (input, expected) => {
    expect(scrub.text(input)).toBe(expected);
  });

  it.each([
    ["eyJ-".repeat(64)],
    ["x-sk-learn-pipeline-extra-words-here"],
  ])("leaves the dash-joined look-alike %j untouched", (input) => {
    expect(scrub.text(input)).toBe(input);
  });

  it.each([
    ["Authorization: Bearer abc.def123-xyz", "Authorization: Bearer [SECRET_REDACTED]"],
    ["postgres://admin:s3cr3t@db.example.com:5432/app", "postgres://admin:[SECRET_REDACTED]@db.example.com:5432/app"],
    ["DB_PASSWORD=hunter2 next", "DB_PASSWORD=[SECRET_REDACTED] next"],
    ['{"apiKey": "k-123-456", "plan": "pro"}', '{"apiKey": "[SECRET_REDACTED]", "plan": "pro"}'],
    ["https://x.io/cb?token=abc123&x=1", "https://x.io/cb?token=[SECRET_REDACTED]&x=1"],
    ["Authorization: Basic dXNlcjpwYXNz", "Authorization: [SECRET_REDACTED]"],
    ["secret: 'a b c'", "secret: '[SECRET_REDACTED]'"],
    ["DB_PASSWORD=123456", "DB_PASSWORD=[SECRET_REDACTED]"],
    ["client_secret=654321 grant=x", "client_secret=[SECRET_REDACTED] grant=x"],
    ["api_key=123456", "api_key=[SECRET_REDACTED]"],
    ["user_password: 271828", "user_password: [SECRET_REDACTED]"],
    ['{"smtpPassword": 4242}', '{"smtpPassword": [SECRET_REDACTED]}'],
    ["password2=hunter2 password_confirmation: hunter2", "password2=[SECRET_REDACTED] password_confirmation: [SECRET_REDACTED]"],
    ["pwd=s3cret passcode: 4711", "pwd=[SECRET_REDACTED] passcode: [SECRET_REDACTED]"],
  ])("redacts the credential in %j", (input, expected) => {
    expect(scrub.text(input)).toBe(expected);
  });

  it("redacts a whole PEM private key block, body included", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----";
    expect(scrub.text(`key:\n${pem}\ndone`)).toBe("key:\n[SECRET_REDACTED]\ndone");
  });

  it("redacts a truncated private key to the end of the string", () => {
    expect(scrub.text("x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r")).toBe("x [SECRET_REDACTED]");
  });

  it.each([
    ["123e4567-e89b-12d3-a456-426614174000"],
    ["ses_V1StGXR8_Z5jdHi6B-myT tr_2x4Kj9PqZ0aBcDeFgHiJk"],
    ["2024-01-15T12:30:45.123Z 2024-01-15 12:30 15/01/2024"],
    ["epoch 1700000000 ms 1700000000123 us 1700000000123456"],
    ["v1.2.3 1.2.3-beta.4 version 1.2.0.4 v1.2.3.4 build 10.0.19045.3693"],
    ["3f786850e387550fdab836ed7e6dc881de23001b"],
    ["order 4111111111111112 and 7000000000000000"],
    ["DE89370400440532013001 (bad checksum)"],
    ["zip 94107-1234, $1,234.56, €12,50, port :8080"],
    ["/usr/local/bin C:\\Users\\dev\\app https://example.com/a?b=c&page_size=5"],
    ["-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----"],
    ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dev@laptop"],
    ["pk_live_51H8abcdefghijklmnopqrstuv"],
    ["****4242 and **** **** **** 4242 and XXX-XX-1234"],
    ["max_tokens=4096 tokens_used: 12 passwordless=true primary_key=id"],
    ["max_token=512 num_token: 3 token_limit=4096 min_token=1"],
    ["PWD=/home/jane/app OLDPWD=~/src email_verification=pending"],
    ["127.0.0.1:3000 0.0.0.0:80 255.255.255.0 ::1"],
    ["666-12-3456 000-12-3456 912-12-3456 123-00-4567 123-45-0000"],
    ["12:30:45 00:1a:2b:3c:4d:5e std::vector Foo::bar"],
    ["pkg@1.2.3 git@github.com:acme/app.git user@localhost"],
    ["assets/logo@2x.png icon@3x.webp größe@1.5x.png"],
    ["span_id=be97ab53900754f7 parent de52a1b2c3d4e5f6a7b8c9"],
    ["be97ab53900754f7"],
    ["python 3.11.4.1"],
    ["upgrade to 4.2.1.0"],
    ["pkg@1.2.3.4 and @scope/pkg@2.1.3.4"],
    ["bumped to 3.1.4.1; .NET 4.7.2.1; version: 1.2.3.4"],
    ["Use a Bearer token in the header"],
  ])("leaves %j untouched", (input) => {
    expect(scrub.text(input)).toBe(input);
  });

  it("passes non-strings through text() unchanged", () => {
    expect(scrub.text(42 as unknown as string)).toBe(42);
  });
});
