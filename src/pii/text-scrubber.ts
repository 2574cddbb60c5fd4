import { redactCliPasswords } from "./cli-passwords.js";
import { createContextRedactor } from "./context.js";
import { redactEmails } from "./email.js";
import { createKeyValueRedactor } from "./key-value.js";
import { IPV4_CANDIDATE, redactIpv6, replaceIpv4 } from "./ip-rules.js";
import { CARD_CANDIDATE, IBAN_CANDIDATE, replaceCard, replaceIban, replaceSsn, SSN_CANDIDATE } from "./numbers.js";
import type { ResolvedPiiOptions } from "./options.js";
import { redactPrivateKeys } from "./pem.js";
import { INTERNATIONAL_PHONE, NORTH_AMERICAN_PHONE, replaceInternational } from "./phone.js";
import { PLACEHOLDER } from "./placeholders.js";
import { BEARER, replaceBearer, replaceUrlPassword, replaceVendorToken, URL_PASSWORD, VENDOR_TOKEN, WEBHOOK_URL } from "./secrets.js";
import type { KeyClassifier } from "./sensitive-keys.js";
import * as shape from "./shape.js";

/**
 * Whole strings that cannot be personal data: a lower-case UUID, a lower-case hex hash (with at
 * least one letter, so an all-digit card number never qualifies, and not opening like a lower-case
 * IBAN, `de89…`), an ISO date or timestamp.
 */
const SAFE_WHOLE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?![a-f]{2}\d{2})(?=[0-9]*[a-f])[0-9a-f]{7,64}|\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?)$/;

type Replacer = (match: string, ...rest: never[]) => string;

/** One detector over a line: it runs only when the line's shape has every flag of `needs`. */
export interface Pass {
  readonly name: string;
  readonly needs: number;
  readonly run: (input: string) => string;
}

/**
 * A regex detector as a replace loop that gives back the very same string when nothing changed
 * (`String.prototype.replace` builds a new one for every match, even one given back unchanged).
 */
function regexPass(name: string, needs: number, regex: RegExp, replacer: Replacer | string): Pass {
  const fn = replacer as (...args: unknown[]) => string;
  return {
    name,
    needs,
    run: (input) => {
      regex.lastIndex = 0;
      let out = "";
      let from = 0;
      for (let m = regex.exec(input); m !== null; m = regex.exec(input)) {
        const whole = m[0];
        if (whole === "") {
          regex.lastIndex++;
          continue;
        }
        const next = typeof replacer === "string" ? replacer : fn(...m, m.index, input);
        if (next === whole) continue;
        out += input.slice(from, m.index) + next;
        from = m.index + whole.length;
      }
      return from === 0 ? input : out + input.slice(from);
    },
  };
}

/**
 * The built-in detectors in the order they run on a line. Order matters: URL passwords first (their
 * bodies look like other things), then vendor tokens and `key=value` pairs, then e-mails (after URL
 * passwords, so `user:pw@host.com` is not read as an address), then IBANs before cards and phones,
 * which would otherwise claim pieces of them; last the values that only the words in front of them
 * identify, so the values other passes took are placeholders by then.
 */
export function builtinPasses(options: ResolvedPiiOptions, keys: KeyClassifier): Pass[] {
  const on = options.detectors;
  const passes: Pass[] = [];
  if (on.has("SECRET")) {
    passes.push(regexPass("webhook URL", shape.URL, WEBHOOK_URL, PLACEHOLDER.SECRET));
    passes.push(regexPass("URL password", shape.URL | shape.AT, URL_PASSWORD, replaceUrlPassword));
    passes.push(regexPass("vendor token", shape.VENDOR, VENDOR_TOKEN, replaceVendorToken));
    passes.push(regexPass("bearer token", shape.BEARER, BEARER, replaceBearer));
    passes.push({ name: "key=value", needs: shape.PAIR, run: createKeyValueRedactor(keys) });
  }
  if (on.has("EMAIL")) passes.push({ name: "e-mail", needs: shape.AT, run: redactEmails });
  if (on.has("IBAN")) passes.push(regexPass("IBAN", shape.IBAN, IBAN_CANDIDATE, replaceIban));
  if (on.has("CREDIT_CARD")) passes.push(regexPass("card", shape.CARD, CARD_CANDIDATE, replaceCard));
  if (on.has("US_SSN")) passes.push(regexPass("SSN", shape.SSN, SSN_CANDIDATE, replaceSsn));
  if (on.has("PHONE")) {
    passes.push(regexPass("international phone", shape.INTERNATIONAL, INTERNATIONAL_PHONE, replaceInternational));
    passes.push(regexPass("North American phone", shape.NANP, NORTH_AMERICAN_PHONE, PLACEHOLDER.PHONE));
  }
  if (on.has("IP")) {
    passes.push({ name: "IPv6", needs: shape.IPV6, run: redactIpv6 });
    passes.push(regexPass("IPv4", shape.IPV4, IPV4_CANDIDATE, replaceIpv4));
  }
  if (on.has("SECRET")) passes.push({ name: "CLI password", needs: shape.CLI, run: redactCliPasswords });
  const context = { phone: on.has("PHONE"), ssn: on.has("US_SSN"), secret: on.has("SECRET") };
  if (context.phone || context.ssn || context.secret) passes.push({ name: "context", needs: shape.CONTEXT, run: createContextRedactor(context) });
  return passes;
}

// Taken once: module namespaces may be getters in some loaders.
const { TEMPLATE, ANY_DETECTOR, shapeOf, shapeAfterReplace, lineShapes } = shape;

/** A placeholder with a letter or digit right before or after it. */
const TOUCHING_PLACEHOLDER = /[A-Za-z0-9]\[[A-Z_]{0,12}REDACTED\]|REDACTED\][A-Za-z0-9]/;

/** How far a template value (`${…`, `` `…``) can reach: the key-value pass looks 2 KB ahead for its end. */
const TEMPLATE_REACH = 2048;

/**
 * Compiles the scrubber for a set of options. Custom patterns run first, on the whole text, then
 * whole private keys (they span lines); the other detectors never reach across a line break, so
 * they run line by line, and only the detectors whose flags a line's one-scan shape has
 * (`shape.ts`): a line with none of them is not looked at again.
 */
export function createTextScrubber(options: ResolvedPiiOptions, keys: KeyClassifier): (input: string) => string {
  const passes = builtinPasses(options, keys);
  const privateKeys = options.detectors.has("SECRET");
  const patterns = options.patterns;

  function scrubLine(line: string, flags: number): string {
    let out = line;
    for (const pass of passes) {
      if ((flags & pass.needs) !== pass.needs) continue;
      const next = pass.run(out);
      if (next === out) continue;
      out = next;
      // Placeholders hold no digits, separators or marks, so the flags can only drop, except where
      // a placeholder now stands right next to a letter or digit: a number glued to what it
      // replaced is free now (`…3952[SECRET_REDACTED]`). Then the line is scanned again.
      if (TOUCHING_PLACEHOLDER.test(out)) flags = shapeAfterReplace(out, flags);
    }
    return out;
  }

  function scrubLines(text: string): string {
    let out = "";
    let from = 0;
    let start = 0;
    const shapeAt = lineShapes(text);
    while (start < text.length) {
      let end = lineEnd(text, start);
      let flags = shapeAt(start, end);
      // A template value's end is looked for up to 2 KB on, maybe lines further: keep them together.
      let reach = flags & TEMPLATE ? end + TEMPLATE_REACH : -1;
      while (end < reach && end < text.length) {
        const next = lineEnd(text, end + 1);
        const more = shapeAt(end + 1, next);
        if (more & TEMPLATE) reach = next + TEMPLATE_REACH;
        flags |= more;
        end = next;
      }
      if (flags & ANY_DETECTOR) {
        const line = text.slice(start, end);
        const scrubbed = scrubLine(line, flags);
        if (scrubbed !== line) {
          out += text.slice(from, start) + scrubbed;
          from = end;
        }
      }
      start = end + 1;
    }
    return from === 0 ? text : out + text.slice(from);
  }

  /** One line without further ado: most values are a single short line with no flag at all. */
  function scrubText(text: string, safeWhole: boolean): string {
    if (text.indexOf("\n") >= 0) return scrubLines(text);
    const flags = shapeOf(text);
    if ((flags & ANY_DETECTOR) === 0) return text;
    // The ids, hashes and timestamps that fill most payloads are recognised whole, in one test.
    if (safeWhole && text.length <= 64 && SAFE_WHOLE.test(text)) return text;
    return scrubLine(text, flags);
  }

  // Nothing under six characters can hold any built-in type (`a@b.co` is the shortest).
  if (patterns.length === 0) {
    return (input) => {
      if (input.length < 6) return input;
      if (privateKeys && input.includes("-----BEGIN ")) {
        const out = redactPrivateKeys(input);
        if (out !== input) return scrubText(out, false);
      }
      return scrubText(input, true);
    };
  }
  return (input) => {
    let out = input;
    for (const p of patterns) out = out.replace(p.regex, () => p.replacement);
    if (privateKeys && out.includes("-----BEGIN ")) out = redactPrivateKeys(out);
    return scrubText(out, false);
  };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}
