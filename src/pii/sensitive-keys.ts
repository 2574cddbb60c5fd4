/** How a key's value is treated: `secret` keys also count in free text (`password=…`). */
export type KeyKind = "secret" | "personal";

const SECRET_KEYS = [
  "password", "passwd", "passphrase", "passcode", "pwd", "newpassword", "oldpassword", "currentpassword",
  "secret", "secrets", "clientsecret", "secretkey", "secretaccesskey", "apisecret", "appsecret",
  "token", "accesstoken", "refreshtoken", "idtoken", "authtoken", "sessiontoken", "bearertoken",
  "csrftoken", "xsrftoken", "apitoken", "apikey", "xapikey", "accesskey", "accesskeyid",
  "privatekey", "authorization", "proxyauthorization", "cookie", "cookies", "setcookie",
  "credential", "credentials", "otp", "cvv", "cvc", "cvv2", "cvc2", "securitycode",
  "connectionstring", "databaseurl", "dsn",
  // Second factors and one-time secrets.
  "pin", "pincode", "otpsecret", "otpcode", "totp", "totpsecret", "hotpsecret", "mfasecret", "mfacode",
  "twofactorsecret", "recoverycode", "recoverycodes", "backupcode", "backupcodes",
  // Anti-forgery tokens in their framework spellings.
  "csrf", "xsrf", "csrfmiddlewaretoken", "authenticitytoken", "requestverificationtoken",
  // Integration keys that route or sign events (PagerDuty, webhooks), and our own.
  "integrationkey", "servicekey", "routingkey", "signingsecret", "webhooksecret", "yaviokey", "yavioapikey",
  // Passwords in other languages, and glued env names (`PGPASSWORD`, `MYSQL_PWD` splits already).
  "passwort", "kennwort", "wachtwoord", "senha", "contrasena", "motdepasse", "haslo", "losenord", "passord", "adgangskode", "salasana", "heslo",
  // Pre-shared keys of Wi-Fi, VPN and WireGuard setups.
  "psk", "presharedkey", "wpapsk", "wpakey", "wepkey", "ikepsk",
  // Request signatures in signed URLs and headers (`sig=`, `X-Amz-Signature`, `Signature=`): token-shaped only.
  "sig", "signature",
];

const PERSONAL_KEYS = [
  "ssn", "socialsecuritynumber", "cardnumber", "creditcard", "creditcardnumber", "ccnumber",
  "iban", "accountnumber", "bankaccount", "bankaccountnumber", "routingnumber",
  "email", "emails", "emailaddress", "phone", "phones", "phonenumber", "mobile", "mobilenumber",
  "telephone", "tel", "msisdn", "cell", "cellphone", "fax", "telefon", "telefono", "handy", "ipaddress", "ip", "clientip", "remoteaddr", "remoteaddress", "xforwardedfor",
  "xrealip", "dob", "dateofbirth", "birthdate",
];

/** Only whole keys: as a last word these are too common (`boarding_pass`). */
const WHOLE_ONLY = ["pass"];

/** `pass` as a last word after a service or role is a password (`smtp_pass`, `DB_PASS`); `boarding_pass` is not. */
const PASS_OWNERS = new Set([
  "smtp", "mail", "email", "imap", "pop", "pop3", "db", "database", "mysql", "postgres", "pg", "redis", "mongo", "ftp",
  "sftp", "ldap", "admin", "root", "user", "login", "wifi", "vpn", "app", "api", "auth", "bind", "proxy", "sa", "rabbitmq", "amqp",
]);

/** Keys whose values are secrets only when token-shaped: an AMQP `routingKey` is `orders.created`. */
const TOKEN_SHAPED_ONLY = new Set(["routingkey", "sig", "signature"]);

/** Whether a value looks like a generated key rather than a name: long, no spaces or dots. */
export function isTokenShaped(value: string): boolean {
  // `%` and `~`: percent-encoded base64 (`%2B`, `%3D`) and URL-safe signatures.
  return value.length >= 16 && /^[A-Za-z0-9_+\/=~%-]+$/.test(value) && /\d/.test(value);
}

/** Last words that repeat the field before them: `password_confirmation`, `secret_again`. */
const REPEAT_WORDS = new Set(["confirmation", "confirm", "again", "repeat", "retype", "verify", "verification"]);

/** Lower-case alphanumeric words of a key: `x-api-key`, `xApiKey`, `X_API_KEY` → x, api, key. */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let word = "";
  for (let i = 0; i < key.length; i++) {
    const ch = key[i] ?? "";
    const c = key.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!upper && !lower && !digit) {
      if (word !== "") words.push(word);
      word = "";
      continue;
    }
    if (upper && word !== "") {
      const prev = key.charCodeAt(i - 1);
      const next = key.charCodeAt(i + 1);
      const prevLower = (prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57);
      const nextLower = next >= 97 && next <= 122;
      const prevUpper = prev >= 65 && prev <= 90;
      // camelCase boundary, or the end of an acronym (`XMLHttp` → xml, http).
      if (prevLower || (prevUpper && nextLower)) {
        words.push(word);
        word = "";
      }
    }
    word += ch.toLowerCase();
  }
  if (word !== "") words.push(word);
  return words;
}

export interface KeyClassifier {
  /** The kind of a key, or undefined when its value is scanned like any other value. */
  kind(key: string): KeyKind | undefined;
  /** Whether the key's value counts only when it is token-shaped ({@link isTokenShaped}). */
  tokenShapedOnly(key: string): boolean;
}

/**
 * Matches normalised whole names, and names whose last one to three words form a sensitive name
 * (`db_password`, `githubToken`, `X-Api-Key`), never substrings: `max_tokens`, `tokens_used`,
 * `passwordless`, `primary_key`, `email_verified` and `sessionId` are kept.
 */
export function createKeyClassifier(add: readonly string[], remove: readonly string[]): KeyClassifier {
  const names = new Map<string, KeyKind>();
  for (const k of PERSONAL_KEYS) names.set(k, "personal");
  for (const k of SECRET_KEYS) names.set(k, "secret");
  const whole = new Map<string, KeyKind>(WHOLE_ONLY.map((k) => [k, "secret"]));
  for (const k of add) names.set(keyWords(k).join(""), "secret");
  for (const k of remove) {
    const n = keyWords(k).join("");
    names.delete(n);
    whole.delete(n);
  }
  const cache = new Map<string, KeyKind | null>();

  function classify(key: string): KeyKind | undefined {
    // A numbered copy is the same field (`password2`, `email_1`); a bare number names nothing.
    const words = keyWords(key)
      .map((w) => w.replace(/(?<=[a-z])\d+$/, ""))
      .filter((w) => !/^\d+$/.test(w));
    if (words.length === 0) return undefined;
    const kind = classifyWords(words);
    if (kind !== undefined || words.length < 2 || !REPEAT_WORDS.has(words[words.length - 1] ?? "")) return kind;
    // `password_confirmation` holds the password again; `email_verification` is a status, so only
    // secrets carry over.
    return classifyWords(words.slice(0, -1)) === "secret" ? "secret" : undefined;
  }

  function classifyWords(words: readonly string[]): KeyKind | undefined {
    const joined = words.join("");
    const exact = names.get(joined) ?? whole.get(joined);
    if (exact !== undefined) return exact;
    const last = words[words.length - 1] ?? "";
    if (last === "pass" && words.length >= 2 && PASS_OWNERS.has(words[words.length - 2] ?? "") && whole.has("pass")) return "secret";
    // One glued word that ends in a password word: `PGPASSWORD`, `rootpassword`, `wifipasswd`.
    if (words.length === 1 && /^[a-z]{2,12}(?:password|passwd)$/.test(last) && names.get("password") === "secret") return "secret";
    let tail = "";
    for (let i = words.length - 1; i >= Math.max(0, words.length - 3); i--) {
      tail = (words[i] ?? "") + tail;
      const kind = names.get(tail);
      if (kind !== undefined) return kind;
    }
    return undefined;
  }

  return {
    tokenShapedOnly(key) {
      const words = keyWords(key);
      return TOKEN_SHAPED_ONLY.has(words.join("")) || TOKEN_SHAPED_ONLY.has(words.slice(-2).join("")) || TOKEN_SHAPED_ONLY.has(words[words.length - 1] ?? "");
    },
    kind(key) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit ?? undefined;
      const kind = classify(key);
      // Keys repeat across events; a bounded cache keeps classification off the hot path.
      if (cache.size >= 4096) cache.clear();
      cache.set(key, kind ?? null);
      return kind;
    },
  };
}
