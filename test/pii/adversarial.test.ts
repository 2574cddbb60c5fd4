import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";

const scrub = createScrubber();
const MB = 1024 * 1024;
const repeat = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

// Catastrophic backtracking turns a 1 MB input into seconds or minutes, which the runner's timeout
// catches: each case gets 5 s where a linear scan takes milliseconds (the old JWT pattern took ~10 s
// on `eyJ-`). No wall-clock limit is asserted; bench/pii.ts measures the growth (256 KB → 1 MB).
const RUNNER_TIMEOUT_MS = 5_000;
describe("1 MB adversarial inputs", () => {
  it.each<[string, string]>([
    ["a long digit run", "4111111111111111"],
    ["spaced digit groups", "4111 1111 "],
    ["dotted digits", "1.2.3.4."],
    ["plus signs and digits", "+1 "],
    ["an @ storm", "@"],
    ["a@b. storm", "a@b."],
    ["a huge token", "aB3dE5gH7jK9mN1pQ"],
    ["JWT-looking segments", "eyJhbGciOi."],
    ["dash-joined JWT prefixes", "eyJ-"],
    ["a JWT header then dash-joined prefixes", "eyJhbGciOiJI.eyJ-"],
    ["dash-joined sk- prefixes", "sk-"],
    ["dash-joined AIza prefixes", "AIza-"],
    ["dash-joined SendGrid prefixes", "SG.-"],
    ["package@version pairs", "pkg@1.2.3.4 "],
    ["logins at addresses after ssh", "ssh a@1.2.3.4 "],
    ["versions after a verb", "upgraded to 1.2.3.4 "],
    ["colons", "::"],
    ["hex and colons", "ab:"],
    ["password= storm", "password="],
    ["key: value pairs", "key: value "],
    ["PEM headers", "-----BEGIN PRIVATE KEY-----"],
    ["Bearer storm", "Bearer "],
    ["URL userinfo storm", "://u:"],
    ["IBAN-like groups", "DE89 3704 "],
    ["lower-case IBAN-like groups", "de89 ab12 "],
    // Round two: every new context pattern, its words repeated and its value shapes run long.
    ["phone words then digit groups", "tel 0 1 2 3 4 5 6 7 8 9 "],
    ["phone words storm", "call me on "],
    ["phone word before a long number", "Handy 0151 2345678901234567890 "],
    ["password prose storm", "the password is "],
    ["password for storm", "password for the x is "],
    ["password flag storm", "--password "],
    ["curl user flag storm", "-u a:"],
    ["AWS secret words storm", "aws secret access key "],
    ["AWS words then 40-char runs", "secret access key is AAAAaaaa0000AAAAaaaa0000AAAAaaaa0000AAAAaaaa "],
    ["SSN label storm", "SSN# "],
    ["SSN label then digits", "ssn=123456789"],
    ["percent-encoded @ storm", "%40"],
    ["a%40b. storm", "a%40b."],
    ["cookie header pairs", "Cookie: a=b; "],
    ["yav_ prefixes", "yav_"],
    ["template values after keys", "password=${"],
    ["template literals after keys", "token=`"],
    // Issue 15: every new category pattern, its words repeated and its value shapes run long.
    ["phone words of more languages then digit groups", "Telefoon 0 1 2 3 4 5 6 7 8 9 "],
    ["Polish and Dutch call phrases storm", "zadzwoń pod numer bel me op "],
    ["phones one after another", "Tel. 030 1234567 oder "],
    ["a placeholder then digit groups", "[PHONE_REDACTED] or 0 1 2 "],
    ["password words of more languages storm", "hasło do x to Lösenordet är "],
    ["password copula storm", "Passwort ist jetzt "],
    ["command names storm", "mysql "],
    ["glued mysql password flags", "mysql -p"],
    ["htpasswd batch commands", "htpasswd -b a b "],
    ["net user commands", "net user a b "],
    ["unclosed quotes after a tool", "sshpass -p 'x "],
    ["a tool then one unclosed quote", "redis-cli -a \""],
    ["SSN label then a note", "SSN (no dashes) "],
    ["SSN label then an unclosed note", "SSN ("],
    ["secrets named in prose", "secret for a b c d "],
    ["token notes storm", "token (x) "],
    ["API key prose then long values", "api key is Ab1Ab1Ab1Ab1Ab1Ab1 "],
    ["Docker token prefixes", "dckr_pat_"],
    ["PyPI token prefixes", "pypi-AgE"],
    ["Vault token prefixes", "hvs."],
    ["signature pairs", "sig=Ab1%2F&"],
    ["sentences after a password word", "password: word word "],
    ["analytics cookies", "Cookie: _ga=GA1.2.3; "],
  ])("scrubs %s of 1 MB and is idempotent on the result", (_name, unit) => {
    const input = repeat(unit);
    const out = scrub.text(input);
    expect(typeof out).toBe("string");
    expect(scrub.text(out)).toBe(out);
  }, RUNNER_TIMEOUT_MS);
});
