import { isPlaceholder } from "./placeholders.js";
import { keyWords } from "./sensitive-keys.js";

/**
 * Values that name or point at a secret without holding one: references (`${DB_PASSWORD}`,
 * `{{ .Values.password }}`, `<%= ENV["X"] %>`, `$PGPASS`, `%API_KEY%`, `<your-token>`), masks
 * (`****`, `xxxx`), empty literals (`null`, `None`, `undefined`) and placeholders.
 */
const REFERENCE = /^(?:\$\{[^}]*\}?|\$\(|\$[A-Za-z_]\w*$|\{\{|\{%|<%|%[A-Za-z_]\w*%$|<[^>]*>?$|!\w)/;
// Masks and elided examples: `****`, `xxxx`, `yav_…`, `sk-...`.
const MASK = /^(?:\*+|x+|X+|•+)$|(?:\.{3}|…)$/;
const EMPTY_LITERAL = /^(?:null|nil|none|undefined|true|false|""|''|NaN)$/i;

/**
 * The name of a secret, not its value: lower-case words joined by `-`, `_`, `.` or `/` whose last
 * word says what kind of secret it names (`stripe-key`, `db-password`, `prod/github-token`), as
 * `--secret=…`, `secretKeyRef` and secret managers take them.
 */
const SECRET_NAME = /^[a-z][a-z0-9]*(?:[-_.\/][a-z][a-z0-9]*)*[-_.\/](?:api[-_]?)?(?:keys?|tokens?|secrets?|passwords?|passwd|pwd|pass|creds|credentials?|certs?|certificate)$/;

/**
 * A URL that holds no credential of its own: no `user:password@` and no query. Its userinfo and
 * query pairs are what other passes read (`postgres://localhost:5432/app` is an address).
 */
const PLAIN_URL = /^[a-z][a-z0-9+.-]{1,20}:\/\/[^\s@?#]{1,2048}$/i;

export function isReferenceOrMask(value: string): boolean {
  return value === "" || isPlaceholder(value) || REFERENCE.test(value) || MASK.test(value) || EMPTY_LITERAL.test(value) || SECRET_NAME.test(value) || PLAIN_URL.test(value);
}

/** `PWD=/home/jane/app` in an environment dump is the shell's working directory. */
export function isWorkingDirectory(key: string, value: string): boolean {
  return /^(?:\/|~|[A-Za-z]:\\)/.test(value) && /^(?:old)?pwd$/.test(keyWords(key).join(""));
}

// Type names after `name:` in signatures (`password: str`, `token: string`).
const TYPE_NAMES = new Set(["str", "string", "String", "int", "number", "bool", "boolean", "bytes", "any", "unknown", "object", "Optional", "SecretStr", "char"]);
// Words that start an expression: `token = await getToken()`, `key = new Key(…)`, `pw = yield x`.
const EXPRESSION_KEYWORDS = new Set(["await", "new", "yield", "typeof", "function", "async", "lambda", "require", "import", "not", "void", "this", "self", "super"]);
// A dotted identifier path: `process.env.X`, `config.jwt.secret`, `settings.OAUTH_CLIENT_SECRET`.
const MEMBER_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
// `YOUR_SECRET_ACCESS_KEY`, `DB_PASSWORD`: an upper-case snake name is a variable or a placeholder.
const CONSTANT_NAME = /^[A-Z][A-Z]*(?:_[A-Z]+)+$/;
// `somePassword`, `userToken`, `apiKey`: a camelCase variable named after what it holds.
const NAMED_VARIABLE = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*(?:Password|Passwd|Pwd|Token|Secret|Key|Pass|Credentials?)$/;

/**
 * Whether a value read after a secret key in free text is code rather than a literal: a call or an
 * index (`getApiKey(…)`, `os.environ['X']`: `next` is the character after the value), a member
 * path, a type annotation, a constant's name, or a variable named like the key (`password = password`).
 */
export function isExpression(key: string, value: string, next: string): boolean {
  // Calls and indexes, also through optional chaining (`req.headers.authorization?.split(…)`).
  if (next === "(" || next === "[") return /^[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*)*$/.test(value);
  // A generic type: `token: Option<String>`, `secret: Secret<String>`.
  if (next === "<") return /^[A-Z][A-Za-z0-9_]*$/.test(value) || MEMBER_PATH.test(value);
  if (EXPRESSION_KEYWORDS.has(value) && (next === " " || next === "")) return true;
  // `req.cookies?.session`, `this.tokenService?.current`: a member path through optional chaining.
  if (/^[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*)+$/.test(value) && /[?!]\./.test(value)) return true;
  if (value.startsWith("`")) return value.includes("${");
  if ((MEMBER_PATH.test(value) && !value.split(".").some(isTokenSegment)) || CONSTANT_NAME.test(value) || NAMED_VARIABLE.test(value) || TYPE_NAMES.has(value)) return true;
  const words = keyWords(key);
  return value.toLowerCase() === words.join("") || value.toLowerCase() === words[words.length - 1];
}

/** A segment of a dotted value that reads as generated data (`eyJhbGciOiJIUzI1NiJ9`), not a name. */
function isTokenSegment(segment: string): boolean {
  return segment.length >= 12 && /\d/.test(segment) && /[A-Z]/.test(segment) && /[a-z]/.test(segment);
}
