import { createContextRedactor, hasContextWord } from "./context.js";
import { redactEmails } from "./email.js";
import { createKeyValueRedactor } from "./key-value.js";
import { IPV4_CANDIDATE, redactIpv6, replaceIpv4 } from "./ip-rules.js";
import { CARD_CANDIDATE, IBAN_CANDIDATE, replaceCard, replaceIban, replaceSsn, SSN_CANDIDATE } from "./numbers.js";
import type { ResolvedPiiOptions } from "./options.js";
import { redactPrivateKeys } from "./pem.js";
import { INTERNATIONAL_PHONE, NORTH_AMERICAN_PHONE, replaceInternational } from "./phone.js";
import { PLACEHOLDER } from "./placeholders.js";
import {
  BEARER,
  replaceBearer,
  replaceUrlPassword,
  replaceVendorToken,
  URL_PASSWORD,
  VENDOR_TOKEN,
  VENDOR_TOKEN_HINT,
  WEBHOOK_URL,
} from "./secrets.js";
import type { KeyClassifier } from "./sensitive-keys.js";

/** Cheap facts about a string, gathered in one loop, that decide which passes can match. */
interface Shape {
  readonly digits: number;
  readonly at: boolean;
  readonly plus: boolean;
  readonly colons: number;
  readonly dots: number;
  readonly dashes: number;
  readonly slashes: number;
  readonly equals: boolean;
}

// Past this length every pass is worth running and counting would cost as much as a pass.
const SHAPE_LIMIT = 2048;
const LONG: Shape = { digits: 99, at: true, plus: true, colons: 99, dots: 99, dashes: 99, slashes: 99, equals: true };

function shapeOf(input: string): Shape {
  if (input.length > SHAPE_LIMIT) return LONG;
  let digits = 0;
  let colons = 0;
  let dots = 0;
  let dashes = 0;
  let slashes = 0;
  let at = false;
  let plus = false;
  let equals = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c > 64 || c < 43) continue;
    if (c >= 48 && c <= 57) digits++;
    else if (c === 58) colons++;
    else if (c === 46) dots++;
    else if (c === 45) dashes++;
    else if (c === 47) slashes++;
    else if (c === 64) at = true;
    else if (c === 43) plus = true;
    else if (c === 61) equals = true;
  }
  return { digits, at, plus, colons, dots, dashes, slashes, equals };
}

/**
 * Whole strings that cannot be personal data: a lower-case UUID, a lower-case hex hash (with at
 * least one letter, so an all-digit card number never qualifies, and not opening like a lower-case
 * IBAN, `de89…`), an ISO date or timestamp.
 */
const SAFE_WHOLE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?![a-f]{2}\d{2})(?=[0-9]*[a-f])[0-9a-f]{7,64}|\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?)$/;

// Cheap tests that decide whether the context passes can match at all.

type Replacer = (match: string, ...rest: never[]) => string;

interface Pass {
  readonly applies: (input: string, shape: Shape) => boolean;
  readonly run: (input: string) => string;
}

function regexPass(applies: Pass["applies"], regex: RegExp, replacer: Replacer | string): Pass {
  return {
    applies,
    // A fresh lastIndex is not needed: String.prototype.replace resets global regexes itself.
    run: (input) => input.replace(regex, replacer as (substring: string, ...args: unknown[]) => string),
  };
}

/**
 * Compiles the passes once for a set of options. Order matters: whole private keys and URL
 * passwords first (their bodies look like other things), then vendor tokens and `key=value`
 * pairs, then e-mails (after URL passwords, so `user:pw@host.com` is not read as an address), then
 * IBANs before cards and phones, which would otherwise claim pieces of them.
 */
export function createTextScrubber(options: ResolvedPiiOptions, keys: KeyClassifier): (input: string) => string {
  const on = options.detectors;
  const passes: Pass[] = [];
  let contextPass: Pass | undefined;

  for (const p of options.patterns) {
    passes.push(regexPass(() => true, p.regex, () => p.replacement));
  }
  if (on.has("SECRET")) {
    passes.push({ applies: (s, sh) => sh.dashes >= 10 && s.includes("PRIVATE KEY"), run: redactPrivateKeys });
    const isUrl = (s: string, sh: Shape): boolean => sh.slashes >= 2 && sh.colons > 0 && s.includes("://");
    passes.push(regexPass(isUrl, WEBHOOK_URL, PLACEHOLDER.SECRET));
    passes.push(regexPass((s, sh) => sh.at && isUrl(s, sh), URL_PASSWORD, replaceUrlPassword));
    passes.push(regexPass((s) => s.length >= 15 && VENDOR_TOKEN_HINT.test(s), VENDOR_TOKEN, replaceVendorToken));
    passes.push(regexPass((s) => s.length >= 15 && (s.includes("earer") || s.includes("EARER")), BEARER, replaceBearer));
    passes.push({ applies: (_s, sh) => sh.colons > 0 || sh.equals, run: createKeyValueRedactor(keys) });
  }
  if (on.has("EMAIL")) passes.push({ applies: (s, sh) => sh.at || s.includes("%40"), run: redactEmails });
  if (on.has("IBAN")) passes.push(regexPass((_s, sh) => sh.digits >= 11, IBAN_CANDIDATE, replaceIban));
  if (on.has("CREDIT_CARD")) passes.push(regexPass((_s, sh) => sh.digits >= 13, CARD_CANDIDATE, replaceCard));
  if (on.has("US_SSN")) {
    passes.push(regexPass((_s, sh) => sh.digits >= 9, SSN_CANDIDATE, replaceSsn));
  }
  if (on.has("PHONE")) {
    passes.push(regexPass((_s, sh) => sh.plus && sh.digits >= 8, INTERNATIONAL_PHONE, replaceInternational));
    passes.push(regexPass((_s, sh) => sh.digits >= 10, NORTH_AMERICAN_PHONE, PLACEHOLDER.PHONE));
  }
  // Values that only the words in front of them identify: one scan for all their words, last, so
  // the values other passes took are placeholders by then.
  const context = { phone: on.has("PHONE"), ssn: on.has("US_SSN"), secret: on.has("SECRET") };
  if (context.phone || context.ssn || context.secret) {
    const run = createContextRedactor(context);
    contextPass = { applies: (s, sh) => s.length >= 8 && (sh.digits >= 8 || (context.secret && hasContextWord(s, sh.digits > 0 || sh.colons > 0 || s.includes('"') || s.includes("'")))), run };
  }
  if (on.has("IP")) {
    passes.push({ applies: (s, sh) => sh.colons >= 7 || (sh.colons >= 2 && s.includes("::")), run: redactIpv6 });
    passes.push(regexPass((_s, sh) => sh.digits >= 4 && sh.dots >= 3, IPV4_CANDIDATE, replaceIpv4));
  }
  if (contextPass !== undefined) passes.push(contextPass);

  // Nothing under six characters can hold any built-in type (`a@b.co` is the shortest), and the
  // ids, hashes and timestamps that fill most payloads are recognised whole, in one test.
  const builtinsOnly = options.patterns.length === 0;
  const minLength = builtinsOnly ? 6 : 1;
  return (input) => {
    if (input.length < minLength) return input;
    if (builtinsOnly && input.length <= 64 && SAFE_WHOLE.test(input)) return input;
    const shape = shapeOf(input);
    let out = input;
    for (const pass of passes) {
      if (pass.applies(out, shape)) out = pass.run(out);
    }
    return out;
  };
}
