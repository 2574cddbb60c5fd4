import { redactEmails } from "./email.js";
import { createKeyValueRedactor } from "./key-value.js";
import { IPV4_CANDIDATE, IPV6_CANDIDATE, replaceIpv4, replaceIpv6 } from "./ip-rules.js";
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
  WEBHOOK_URL,
} from "./secrets.js";
import type { KeyClassifier } from "./sensitive-keys.js";

/** Cheap facts about a string, gathered once, that decide which passes can possibly match. */
interface Shape {
  readonly digits: number;
  readonly at: boolean;
  readonly plus: boolean;
  readonly colons: number;
}

const DIGIT_CAP = 13;

function shapeOf(input: string): Shape {
  let digits = 0;
  let colons = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c <= 58 && c >= 48) {
      if (c === 58) colons++;
      else if (digits < DIGIT_CAP) digits++;
    }
  }
  return { digits, at: input.includes("@"), plus: input.includes("+"), colons };
}

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

  for (const p of options.patterns) {
    passes.push(regexPass(() => true, p.regex, () => p.replacement));
  }
  if (on.has("SECRET")) {
    passes.push({ applies: (s) => s.includes("PRIVATE KEY"), run: redactPrivateKeys });
    passes.push(regexPass((s) => s.includes("://"), WEBHOOK_URL, PLACEHOLDER.SECRET));
    passes.push(regexPass((s, sh) => sh.at && s.includes("://"), URL_PASSWORD, replaceUrlPassword));
    passes.push(regexPass((s) => s.length >= 20, VENDOR_TOKEN, replaceVendorToken));
    passes.push(regexPass((s) => s.includes("earer") || s.includes("EARER"), BEARER, replaceBearer));
    passes.push({ applies: (s, sh) => sh.colons > 0 || s.includes("="), run: createKeyValueRedactor(keys) });
  }
  if (on.has("EMAIL")) passes.push({ applies: (_s, sh) => sh.at, run: redactEmails });
  if (on.has("IBAN")) passes.push(regexPass((_s, sh) => sh.digits >= 11, IBAN_CANDIDATE, replaceIban));
  if (on.has("CREDIT_CARD")) passes.push(regexPass((_s, sh) => sh.digits >= 13, CARD_CANDIDATE, replaceCard));
  if (on.has("US_SSN")) passes.push(regexPass((_s, sh) => sh.digits >= 9, SSN_CANDIDATE, replaceSsn));
  if (on.has("PHONE")) {
    passes.push(regexPass((_s, sh) => sh.plus && sh.digits >= 8, INTERNATIONAL_PHONE, replaceInternational));
    passes.push(regexPass((_s, sh) => sh.digits >= 10, NORTH_AMERICAN_PHONE, PLACEHOLDER.PHONE));
  }
  if (on.has("IP")) {
    passes.push(regexPass((s, sh) => sh.colons >= 7 || (sh.colons >= 2 && s.includes("::")), IPV6_CANDIDATE, replaceIpv6));
    passes.push(regexPass((_s, sh) => sh.digits >= 4, IPV4_CANDIDATE, replaceIpv4));
  }

  // Nothing under six characters can hold any built-in type (`a@b.co` is the shortest).
  const minLength = options.patterns.length > 0 ? 1 : 6;
  return (input) => {
    if (input.length < minLength) return input;
    const shape = shapeOf(input);
    let out = input;
    for (const pass of passes) {
      if (pass.applies(out, shape)) out = pass.run(out);
    }
    return out;
  };
}
