import { PLACEHOLDER } from "./placeholders.js";

/**
 * Vendor token formats, one regex so the text is scanned once. Every branch starts with a fixed
 * prefix and has bounded repeats, so a megabyte-long token costs one bounded attempt, not one per
 * character. Formats whose body holds `-` are anchored on "no token character before" instead of
 * `\b`: `\b` matches after every `-`, so `eyJ-eyJ-…` would start a fresh 8 KB attempt every four
 * characters (seconds per megabyte).
 */
export const VENDOR_TOKEN = new RegExp(
  "\\b(?:" +
    [
      "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])", // AWS access key id
      "gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])", // GitHub classic / OAuth / app tokens
      "github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])", // GitHub fine-grained
      "[rs]k_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])", // Stripe secret / restricted
      "whsec_[A-Za-z0-9+/=]{20,100}", // Stripe webhook signing secret
      "npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", // npm access token
      "hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])", // Hugging Face
      "yav_[A-Za-z0-9_]{16,128}(?![A-Za-z0-9_])", // Yavio project key (ours)
      "do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])", // DigitalOcean personal / OAuth / refresh
      "shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}(?![A-Za-z0-9])", // Shopify
      "gl(?:sa|c)_[A-Za-z0-9_+\\/]{32,200}=*(?![A-Za-z0-9_+\\/=])", // Grafana service account / cloud
      "lin_(?:api|oauth)_[A-Za-z0-9]{32,64}(?![A-Za-z0-9])", // Linear
      "sntr[ysu]s?_[A-Za-z0-9_+\\/=]{40,400}", // Sentry auth tokens
      "figd_[A-Za-z0-9_]{30,80}(?![A-Za-z0-9_])", // Figma
      "(?:gsk|nfp|ntn|r8|rubygems)_[A-Za-z0-9]{32,80}(?![A-Za-z0-9])", // Groq, Netlify, Notion, Replicate, RubyGems
      "hv[sbr]\\.[A-Za-z0-9_-]{24,400}(?![\\w-])", // HashiCorp Vault service / batch / recovery token
    ].join("|") +
    ")|(?<![A-Za-z0-9_-])(?:" +
    [
      "sk-[A-Za-z0-9_-]{20,400}", // OpenAI (sk-, sk-proj-…) and Anthropic (sk-ant-…)
      "xox[abeoprs]-[A-Za-z0-9-]{10,250}", // Slack bot/user/app tokens
      "xapp-\\d-[A-Za-z0-9-]{10,250}", // Slack app-level token
      "AIza[0-9A-Za-z_-]{35}(?![\\w-])", // Google API key
      "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![\\w-])", // SendGrid
      "gl(?:pat|ptt|dt|rt|cbt|imt|oas|ft|soat|agent)-[A-Za-z0-9_-]{20,64}", // GitLab personal, trigger, deploy, runner… tokens
      "dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])", // Docker Hub access token
      "pypi-AgE[A-Za-z0-9_-]{50,1000}(?![A-Za-z0-9_-])", // PyPI API token (a macaroon)
      "xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9_-])", // Brevo (Sendinblue)
      "tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9-]{16,100}(?![A-Za-z0-9_-])", // Tailscale
      "(?:pplx|xai)-[A-Za-z0-9]{40,100}(?![\\w-])", // Perplexity, xAI
      "sq0(?:atp|csp)-[A-Za-z0-9_-]{22,60}(?![A-Za-z0-9_-])", // Square
      "CFPAT-[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", // Contentful
      "eyJ[A-Za-z0-9_-]{8,8192}\\.eyJ[A-Za-z0-9_-]{8,16384}\\.[A-Za-z0-9_-]{0,8192}", // JWT (JWS compact)
    ].join("|") +
    ")",
  "g",
);

/**
 * What every {@link VENDOR_TOKEN} match contains: a `_` or `-`, the `SG.` or `eyJ` of the dotted
 * formats, or one of the prefixes of the formats made of letters and digits only (AWS, Google). A
 * string without any of these cannot hold a vendor token, and the token scan is skipped. A new
 * format must keep this true (test/pii/pre-checks.test.ts generates tokens of every format).
 */
export const VENDOR_TOKEN_HINT = /[_-]|SG\.|eyJ|A(?:KI|SI|BI|CC)A|AIza|hv[sbr]\./;

/** Replacer for {@link VENDOR_TOKEN}: an `sk-` word without digits is prose (`sk-learn-style-name`). */
export function replaceVendorToken(match: string): string {
  if (match.startsWith("sk-") && !/\d/.test(match)) return match;
  // `yav_session_handler_name`: a snake_case identifier, not a key (keys mix case or digits).
  if (match.startsWith("yav_") && !/\d|[A-Z]/.test(match)) return match;
  return PLACEHOLDER.SECRET;
}

/** Slack and Discord incoming-webhook URLs: the path is the credential. */
export const WEBHOOK_URL =
  /https?:\/\/(?:hooks\.slack\.com\/(?:services|workflows|triggers)|(?:discord|discordapp)\.com\/api\/webhooks)\/[A-Za-z0-9_\/-]{8,400}/g;

/** `scheme://user:PASSWORD@host`: anchored on `://` so the scan jumps from one URL to the next. */
export const URL_PASSWORD = /:\/\/([^\s:@\/?#\[\]]{0,256}):([^\s@\/?#]{1,256})@(?=[\w\[])/g;

export function replaceUrlPassword(match: string, user: string, password: string): string {
  return password === PLACEHOLDER.SECRET ? match : `://${user}:${PLACEHOLDER.SECRET}@`;
}

/** `Bearer <token>` anywhere (headers pasted into text, curl commands). */
export const BEARER = /\b([Bb]earer[ \t]+|BEARER[ \t]+)([A-Za-z0-9\-._~+\/]{8,4096}=*)(?![A-Za-z0-9\-._~+\/=])/g;

/** Replacer for {@link BEARER}: "Bearer authentication" is prose; tokens have digits or symbols or length. */
export function replaceBearer(match: string, head: string, token: string): string {
  if (token.length < 24 && /^[A-Za-z]+$/.test(token)) return match;
  return head + PLACEHOLDER.SECRET;
}
