import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createScrubber } from "../../src/pii/index.js";
import { resolveOptions } from "../../src/pii/options.js";
import { createKeyClassifier } from "../../src/pii/sensitive-keys.js";
import { ANY_DETECTOR, lineShapes, shapeOf } from "../../src/pii/shape.js";
import { builtinPasses } from "../../src/pii/text-scrubber.js";
import { loadCategoryText, loadFreshText, loadHoldoutText, loadTextCorpus } from "../fixtures/pii/quality.js";

/**
 * The scan in shape.ts decides which detectors run on a line, and skips a line with no flag at all.
 * Each flag must be a necessary condition of its detector: whenever a detector would change a
 * line, the line's shape has that detector's flags. These properties try it on generated near
 * misses: pieces of the labelled corpora (real values and the words around them) glued together
 * with digits, separators and the characters every flag looks at.
 */

const corpus = [...loadTextCorpus(), ...loadHoldoutText(), ...loadFreshText(), ...loadCategoryText()].map((c) => c.text);
const pieces = [...new Set(corpus.flatMap((t) => t.split(/(\s+)/)).filter((w) => w !== "" && !w.includes("\n")))];
const marks = [
  " ", " ", "\t", "-", ".", "/", "(", ")", "+", ":", "=", "@", "%40", "_", "`", "${", "'", '"', "#", "--", "::", "://",
  "password", "PASSWORD", "pw", "Passwort", "secret", "SECRET", "Bearer ", "bearer ", "tel", "Tel.", "phone:", "mobile",
  "call me on", "ssn", "SSN#", "social security", "-u ", "--user ", "aws secret access key ", "AKIA", "ASIA", "AIza",
  "eyJ", "SG.", "sk-", "xoxb-", "xapp-", "glpat-", "ghp_", "yav_", "token=", "api_key: ", "Cookie: ", "contraseña", "senha",
  "wachtwoord", "kennwort", "2024-01-31", "31.01.2024", "+49", "+1", "00", "555", "4111", "1111", "DE89", "de89", "3704",
  "0044", "0532", "0130", "192.168.1.20", "10.0.0.7", "fe80::1", "2001:db8::1", "[EMAIL_REDACTED]", "[SECRET_REDACTED]",
  "ab", "Z", "x", "é", "电话", "\u0130", "\u0140", "\u012d",
  // Command-line tools and how they take passwords (cli-passwords.ts).
  "mysql", "mysql -p", "-pS3cret", "sshpass", "redis-cli", "ldapsearch", "htpasswd", "-b", "-bc", "net", "NET", "Net", "use", "user", "USE",
  "net use", "NET USE", "rabbitmqctl", "add_user", "change_password", "-p", "-a", "-w", "-P", "-U", "-k", "%", "-storepass", "keytool",
  "openssl", "-passout", "pass:", "docker", "login", "7z", "smbclient", "admin%Pa55", "|", ";", "&", ">", "\\\\srv\\share", "'-p'", '"x',
  // Words the context pass reads before a value (context.ts).
  "token", "Token:", "TOKEN", "api key", "API_KEY", "api-key", "Api Key is", "hasło", "HASŁO", "haslo", "heslo", "lösenord",
  "Lösenordet är", "LÖSENORD", "passord", "adgangskode", "salasana", "jelszó", "pasuwaado", "パスワード", "密码", "пароль", "ПАРОЛЬ",
  " is ", " to ", "är", " for the ", "(staging)", "[PHONE_REDACTED]", "oder", "030 1234567", "020 7946 0958",
  // Vendor prefixes with a dash or a dot (secrets.ts).
  "pypi-AgE", "xkeysib-", "tskey-auth-", "pplx-", "xai-", "sq0atp-", "sq0csp-", "CFPAT-", "glptt-", "gldt-", "glrt-", "glagent-",
  "hvs.", "hvb.", "hvr.", "dckr_pat_", "shpat_", "do_v1_", "xsk-", "ask-", "-sk-", "_sk-", "Xai-",
];
/** Token bodies of the lengths the vendor formats want. */
const body = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."ABCDEFGHabcdefgh0123456789"), minLength: 16, maxLength: 70 }),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }).map((h) => `${h}-AbCdEfGh12345678`),
);
const digits = fc.integer({ min: 1, max: 15 }).chain((n) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n }));
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...pieces) },
  { weight: 3, arbitrary: fc.constantFrom(...marks) },
  { weight: 2, arbitrary: digits },
  { weight: 1, arbitrary: body },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789 .-/()+"), maxLength: 12 }) },
);
const loose = fc.array(piece, { minLength: 1, maxLength: 14 }).map((ps) => ps.join(""));

/**
 * Lines shaped like what the issue-15 detectors look for, so that every word, tool and prefix meets
 * a value often: a word of the context pass, a connector and a value; a tool, a flag and a password;
 * a vendor prefix and a body of the length its format wants, with near misses around each.
 */
const blank = fc.constantFrom(" ", "\t", "  ", "");
const bare = fc.string({ unit: fc.constantFrom(..."abcXYZ019!"), minLength: 1, maxLength: 10 });
const value = fc.oneof(bare, bare.map((v) => `'${v}'`), bare.map((v) => `"${v}"`), body);
const contextWords = [
  "password", "pw", "secret", "token", "Token", "TOKEN", "api key", "API-KEY", "apikey", "hasło", "HASŁO", "haslo", "hasla", "heslo", "Heslo",
  "lösenord", "Lösenordet", "LÖSENORD", "losenord", "passord", "adgangskode", "ADGANGSKODE", "salasana", "Salasana", "jelszó", "JELSZO",
  "pasuwaado", "パスワード", "密码", "пароль", "Пароль", "ПАРОЛЬ", "client secret (staging)", "TOTP secret for the ops account",
];
const connectors = [" is ", ": ", ":", " = ", "=", " ", "\t", " to ", " är ", " er ", " jest ", "：", " was ", " for the db is "];
const contextLine = fc
  .tuple(fc.constantFrom("", "my ", "x", "_", "[", "1", "the "), fc.constantFrom(...contextWords), fc.constantFrom(...connectors), value, fc.constantFrom("", ".", " ok", " and more", "'", "1"))
  .map((parts) => parts.join(""));
const tools = ["mysql", "MYSQL", "sshpass", "redis-cli", "ldapsearch", "htpasswd", "sqlcmd", "mongosh", "docker login", "zip", "7z a", "openssl enc", "keytool", "net user", "NET USE", "net use", "Net User", "rabbitmqctl add_user", "smbclient", "useradd"];
const flags = ["-p", "-P", "-a", "-w", "-k", "-b", "-bc", "-U", "--pass", "-storepass", "-passout", "-passin", "'-p'", '"-p"', ""];
const cliLine = fc
  .tuple(fc.constantFrom("", "$ ", "sudo ", "x"), fc.constantFrom(...tools), blank, fc.constantFrom(...flags), fc.constantFrom("", " ", "\t"), fc.constantFrom("", "pass:", "bob%", "bob "), value, fc.constantFrom("", " db", " | tee", "; ls", " -v"))
  .map((parts) => parts.join(""));
const prefixes = ["sk-", "xoxb-", "xapp-1-", "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "glagent-", "pypi-AgE", "xkeysib-", "tskey-auth-", "pplx-", "xai-", "sq0atp-", "sq0csp-", "CFPAT-", "hvs.", "hvb.", "hvr.", "dckr_pat_"];
const vendorLine = fc
  .tuple(fc.constantFrom("", " ", "x", "-", "_", "=", "1", "a."), fc.constantFrom(...prefixes), fc.integer({ min: 20, max: 70 }), fc.constantFrom("", " ", "x", "-", "."))
  .map(([before, prefix, n, after]) => {
    const tail = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA".repeat(3).slice(0, n);
    // Brevo's keys are 64 hex digits, a dash and 16 letters or digits.
    return `${before}${prefix}${prefix === "xkeysib-" ? `${"0123456789abcdef".repeat(4)}-${tail.slice(0, 16)}` : tail}${after}`;
  });
const focused = fc.oneof(contextLine, cliLine, vendorLine);
const line = fc.oneof({ weight: 3, arbitrary: loose }, { weight: 2, arbitrary: focused });

const passes = builtinPasses(resolveOptions(undefined), createKeyClassifier([], []));

/** Every detector in order on every line, whatever the flags say: the scrubber without its scan. */
function unscanned(text: string): string {
  return text
    .split("\n")
    .map((l) => passes.reduce((out, pass) => pass.run(out), l))
    .join("\n");
}

describe("the shape scan", () => {
  it.each(passes.map((p) => [p.name, p] as const))("has the flags of the %s pass wherever that pass changes a line", (_name, pass) => {
    fc.assert(
      fc.property(line, (text) => {
        if (pass.run(text) !== text) expect(shapeOf(text) & pass.needs).toBe(pass.needs);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives each line of a text the flags it gives the line alone", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const text = lines.join("\n");
        const shapeAt = lineShapes(text);
        let start = 0;
        for (const l of lines) {
          expect(shapeAt(start, start + l.length)).toBe(shapeOf(l));
          start += l.length + 1;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("never skips a line that some detector would change: the scrubber equals running every detector on every line", () => {
    const scrub = createScrubber();
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
        const text = lines.join("\n");
        // Private keys span lines and template values reach past them (both handled on the whole text).
        fc.pre(!text.includes("-----BEGIN ") && !text.includes("`") && !text.includes("${"));
        expect(scrub.text(text)).toBe(unscanned(text));
      }),
      { numRuns: 6000 },
    );
  });

  it("runs on the corpora exactly as every detector on every line does", () => {
    const scrub = createScrubber();
    for (const text of corpus) {
      if (text.includes("-----BEGIN ") || text.includes("`") || text.includes("${")) continue;
      expect(scrub.text(text)).toBe(unscanned(text));
    }
  });

  it("finds no flag in ordinary short values, so they cost one scan", () => {
    for (const value of ["hello world", "search orders", "The weather in Berlin is sunny today.", "Please reply to the customer by Friday.", "order 42 shipped on 2024-06-01"]) {
      expect(shapeOf(value) & ANY_DETECTOR).toBe(0);
    }
  });

  it("scans a line again after a placeholder frees a number glued to what it replaced", () => {
    // The card is glued to the webhook URL (no flag), until the URL becomes `[SECRET_REDACTED]`.
    const text = "from=6011-6721-8590-3952https://hooks.slack.com/services/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";
    expect(createScrubber().text(text)).toBe(unscanned(text));
    expect(unscanned(text)).toBe("from=[CC_REDACTED][SECRET_REDACTED]");
  });

  it("keeps the lines of a template value together: a `${` value hides the pairs after it, as on one line", () => {
    const scrub = createScrubber();
    const text = "password=${\nsecret_key: abc123XYZ\n}";
    expect(scrub.text(text)).toBe(text);
  });
});
