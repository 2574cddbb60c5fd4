/**
 * PII scrubber benchmark: throughput on realistic tool payloads and free text, growth on adversarial
 * inputs (must be linear), and the corpus quality table. Prints markdown; asserts nothing.
 */
import { createScrubber } from "../src/pii/index.js";
import {
  headlineRows,
  loadCategoryObjects,
  loadCategoryText,
  loadFreshObjects,
  loadFreshText,
  loadHoldoutObjects,
  loadHoldoutText,
  loadObjectCorpus,
  loadTextCorpus,
  qualityTable,
  scoreCorpus,
  scoreObjects,
} from "../test/fixtures/pii/quality.js";

const scrub = createScrubber();
const out = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};

let seed = 42;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const hex = (n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join("");
const alnum = (n: number): string =>
  Array.from({ length: n }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(rnd() * 62)]).join("");
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

const WORDS = "the order was shipped to our warehouse in berlin and the customer asked for a refund because the package arrived late please check the status of ticket and reply with the tracking number".split(" ");
const prose = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(" ");

/** A tool-call event as the middleware builds it: ids, timestamps, arguments, a result. */
function payload(): unknown {
  const pii = rnd() < 0.2;
  return {
    event_id: uuid(),
    session_id: `ses_${alnum(21)}`,
    trace_id: `tr_${alnum(21)}`,
    timestamp: new Date(1_700_000_000_000 + Math.floor(rnd() * 1e10)).toISOString(),
    event_type: "tool_call",
    tool_name: pick(["search_orders", "create_ticket", "send_email", "run_query"]),
    latency_ms: Math.floor(rnd() * 900),
    input_values: {
      query: prose(12) + (pii ? " contact jane.doe@example.com or +44 20 7946 0958" : ""),
      order_id: `ORD-${Math.floor(rnd() * 1e9)}`,
      limit: 50,
      filters: { status: pick(["open", "closed"]), since: "2024-01-01T00:00:00Z", tags: ["vip", "eu", "priority"] },
      max_tokens: 1024,
    },
    output_content: [
      { type: "text", text: `${prose(40)} total $${(rnd() * 1000).toFixed(2)} ref ${uuid()} v1.4.${Math.floor(rnd() * 20)}` },
      { type: "text", text: JSON.stringify({ items: Array.from({ length: 5 }, () => ({ id: uuid(), sku: hex(8), qty: 2, price: 19.99, updated_at: "2024-06-01T12:00:00.000Z" })) }) },
    ],
    metadata: { commit: hex(40), host: "api-7f9c", region: "eu-west-1" },
  };
}

function freeText(): string {
  const corpus = loadTextCorpus().map((c) => c.text);
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(rnd() < 0.3 ? pick(corpus) : `${new Date(1_700_000_000_000 + i * 1000).toISOString()} INFO ${prose(15)} id=${uuid()}`);
  return lines.join("\n");
}

/**
 * Milliseconds of this process's CPU time per call, best of several batches: on a machine shared
 * with other work, CPU time is what one core actually spent, where wall time also counts waiting.
 */
function time(fn: () => void, budgetMs = 400): number {
  fn();
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let best = Number.POSITIVE_INFINITY;
  const end = performance.now() + budgetMs;
  do {
    let runs = 0;
    const start = cpuMs();
    let elapsed = 0;
    while (elapsed < 30 || runs === 0) {
      fn();
      runs++;
      elapsed = cpuMs() - start;
    }
    best = Math.min(best, elapsed / runs);
  } while (performance.now() < end);
  return best;
}

out("### Throughput (one core, CPU time)");
out();
out("| workload | input size | time per pass | throughput |");
out("|---|---:|---:|---:|");
const payloads = Array.from({ length: 400 }, payload);
const payloadBytes = payloads.reduce<number>((n, p) => n + Buffer.byteLength(JSON.stringify(p)), 0);
const tPayload = time(() => {
  for (const p of payloads) scrub.value(p);
});
out(`| JSON tool-call events, \`value()\` (400 events) | ${(payloadBytes / 1024).toFixed(0)} KB | ${tPayload.toFixed(2)} ms | ${(payloadBytes / 1e6 / (tPayload / 1000)).toFixed(0)} MB/s |`);
const jsonText = payloads.map((p) => JSON.stringify(p)).join("\n");
const tJson = time(() => scrub.text(jsonText));
out(`| the same events as one JSON string, \`text()\` | ${(jsonText.length / 1024).toFixed(0)} KB | ${tJson.toFixed(2)} ms | ${(jsonText.length / 1e6 / (tJson / 1000)).toFixed(0)} MB/s |`);
const text = freeText();
const tText = time(() => scrub.text(text));
out(`| free text: logs and corpus lines, \`text()\` | ${(text.length / 1024).toFixed(0)} KB | ${tText.toFixed(2)} ms | ${(text.length / 1e6 / (tText / 1000)).toFixed(0)} MB/s |`);
const lines = text.split("\n");
const tLines = time(() => {
  for (const l of lines) scrub.text(l);
});
out(`| free text line by line, \`text()\` (${lines.length} lines) | ${(text.length / 1024).toFixed(0)} KB | ${tLines.toFixed(2)} ms | ${(text.length / 1e6 / (tLines / 1000)).toFixed(0)} MB/s |`);

// What the event pipeline scrubs on every call: a tool's arguments and result, a few short strings.
const args = { query: "hello world", city: "Berlin", limit: 10 };
const result = { content: [{ type: "text", text: "The weather in Berlin is sunny today, 21 degrees." }], isError: false };
const tCall = time(() => {
  for (let i = 0; i < 1000; i++) {
    scrub.value(args);
    scrub.value(result);
  }
});
out(`| one tool call's arguments and result, \`value()\` (4 short strings) | ${JSON.stringify(args).length + JSON.stringify(result).length} B | ${((tCall / 1000) * 1e6).toFixed(0)} ns | |`);

const repeat = (unit: string, bytes: number): string => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
const ADVERSARIAL: [string, (bytes: number) => string][] = [
  ["one long digit run", (b) => repeat("4111111111111111", b)],
  ["digit groups `4111 1111 `…", (b) => repeat("4111 1111 ", b)],
  ["dotted digits `1.2.3.4.`…", (b) => repeat("1.2.3.4.", b)],
  ["`+1 ` storm", (b) => repeat("+1 ", b)],
  ["`@` storm", (b) => repeat("@", b)],
  ["`a@b.` storm", (b) => repeat("a@b.", b)],
  ["one huge token", (b) => repeat("aB3dE5gH7jK9mN1pQ", b)],
  ["`ghp_` + huge token", (b) => `ghp_${repeat("aB3dE5gH7jK9mN1pQ", b - 4)}`],
  ["`eyJ` segments storm", (b) => repeat("eyJhbGciOi.", b)],
  ["dash-joined `eyJ-` storm", (b) => repeat("eyJ-", b)],
  ["JWT header then `eyJ-` storm", (b) => repeat("eyJhbGciOiJI.eyJ-", b)],
  ["dash-joined `sk-` / `AIza-` storm", (b) => repeat("sk-AIza-", b)],
  ["`pkg@1.2.3.4 ` pairs", (b) => repeat("pkg@1.2.3.4 ", b)],
  ["`ssh a@1.2.3.4 ` logins", (b) => repeat("ssh a@1.2.3.4 ", b)],
  ["colon storm `::`", (b) => repeat("::", b)],
  ["hex and colons `a:`", (b) => repeat("ab:", b)],
  ["`password=` storm", (b) => repeat("password=", b)],
  ["`key: ` pairs", (b) => repeat("key: value ", b)],
  ["`-----BEGIN PRIVATE KEY-----` storm", (b) => repeat("-----BEGIN PRIVATE KEY-----", b)],
  ["`Bearer ` storm", (b) => repeat("Bearer ", b)],
  ["`://u:` storm", (b) => repeat("://u:", b)],
  ["IBAN-like groups `DE89 3704 `…", (b) => repeat("DE89 3704 ", b)],
  ["lower-case IBAN-like groups `de89 ab12 `…", (b) => repeat("de89 ab12 ", b)],
  ["phone words then digit groups", (b) => repeat("tel 0 1 2 3 4 5 6 7 8 9 ", b)],
  ["phone words storm", (b) => repeat("call me on ", b)],
  ["phone word before a long number", (b) => repeat("Handy 0151 2345678901234567890 ", b)],
  ["password prose storm", (b) => repeat("the password is ", b)],
  ["password for storm", (b) => repeat("password for the x is ", b)],
  ["password flag storm", (b) => repeat("--password ", b)],
  ["curl user flag storm", (b) => repeat("-u a:", b)],
  ["AWS secret words storm", (b) => repeat("aws secret access key ", b)],
  ["AWS words then 40-char runs", (b) => repeat("secret access key is AAAAaaaa0000AAAAaaaa0000AAAAaaaa0000AAAAaaaa ", b)],
  ["SSN label storm", (b) => repeat("SSN# ", b)],
  ["SSN label then digits", (b) => repeat("ssn=123456789", b)],
  ["percent-encoded @ storm", (b) => repeat("%40", b)],
  ["a%40b. storm", (b) => repeat("a%40b.", b)],
  ["cookie header pairs", (b) => repeat("Cookie: a=b; ", b)],
  ["yav_ prefixes", (b) => repeat("yav_", b)],
  ["template values after keys", (b) => repeat("password=${", b)],
  ["template literals after keys", (b) => repeat("token=`", b)],
  ["phone words of more languages then digit groups", (b) => repeat("Telefoon 0 1 2 3 4 5 6 7 8 9 ", b)],
  ["Polish and Dutch call phrases storm", (b) => repeat("zadzwoń pod numer bel me op ", b)],
  ["phones one after another", (b) => repeat("Tel. 030 1234567 oder ", b)],
  ["a placeholder then digit groups", (b) => repeat("[PHONE_REDACTED] or 0 1 2 ", b)],
  ["password words of more languages storm", (b) => repeat("hasło do x to Lösenordet är ", b)],
  ["password copula storm", (b) => repeat("Passwort ist jetzt ", b)],
  ["command names storm", (b) => repeat("mysql ", b)],
  ["glued mysql password flags", (b) => repeat("mysql -p", b)],
  ["htpasswd batch commands", (b) => repeat("htpasswd -b a b ", b)],
  ["net user commands", (b) => repeat("net user a b ", b)],
  ["unclosed quotes after a tool", (b) => repeat("sshpass -p 'x ", b)],
  ["a tool then one unclosed quote", (b) => repeat("redis-cli -a \"", b)],
  ["SSN label then a note", (b) => repeat("SSN (no dashes) ", b)],
  ["SSN label then an unclosed note", (b) => repeat("SSN (", b)],
  ["secrets named in prose", (b) => repeat("secret for a b c d ", b)],
  ["token notes storm", (b) => repeat("token (x) ", b)],
  ["API key prose then long values", (b) => repeat("api key is Ab1Ab1Ab1Ab1Ab1Ab1 ", b)],
  ["Docker token prefixes", (b) => repeat("dckr_pat_", b)],
  ["PyPI token prefixes", (b) => repeat("pypi-AgE", b)],
  ["Vault token prefixes", (b) => repeat("hvs.", b)],
  ["signature pairs", (b) => repeat("sig=Ab1%2F&", b)],
  ["sentences after a password word", (b) => repeat("password: word word ", b)],
  ["analytics cookies", (b) => repeat("Cookie: _ga=GA1.2.3; ", b)],
];
out();
out("### Adversarial inputs (`text()`), time must grow linearly");
out();
out("| input | 256 KB | 512 KB | 1 MB | 1 MB / 256 KB |");
out("|---|---:|---:|---:|---:|");
for (const [name, make] of ADVERSARIAL) {
  const times = [256, 512, 1024].map((kb) => {
    const input = make(kb * 1024);
    return time(() => scrub.text(input), 250);
  });
  const [a = 0, b = 0, c = 0] = times;
  out(`| ${name} | ${a.toFixed(2)} ms | ${b.toFixed(2)} ms | ${c.toFixed(2)} ms | ${(c / a).toFixed(1)}× |`);
}

const quality = (title: string, texts: ReturnType<typeof loadTextCorpus>, objects: ReturnType<typeof loadObjectCorpus>): void => {
  const textScore = scoreCorpus((t) => scrub.text(t), texts);
  out();
  out(`### ${title}`);
  out();
  out("| measure | count | score |");
  out("|---|---:|---:|");
  for (const row of headlineRows(textScore, scoreObjects((v) => scrub.value(v), objects))) out(row);
  out();
  out("Per type (text):");
  out();
  out(qualityTable(textScore));
};
quality("Corpus quality: generated corpus (test/fixtures/pii)", loadTextCorpus(), loadObjectCorpus());
quality("Corpus quality: hand-written holdout (holdout-text.jsonl, holdout-objects.json)", loadHoldoutText(), loadHoldoutObjects());
quality("Corpus quality: both together", [...loadTextCorpus(), ...loadHoldoutText()], [...loadObjectCorpus(), ...loadHoldoutObjects()]);
// The fresh corpus was written by a helper who had not read the detectors. Its independent score is
// the one taken before the issue-15 fixes (text recall 90.3 %, negatives unaltered 95.9 %, structured
// 97.1 % redacted / 99.5 % kept); the fixes were made against its misses, so what this prints now is
// a regression figure.
quality("Corpus quality: fresh corpus (fresh-*.json[l]), regression figure (independent pre-fix score: recall 90.3 %, negatives 95.9 %)", loadFreshText(), loadFreshObjects());
quality("Corpus quality: own issue-15 category examples (categories-*.json[l])", loadCategoryText(), loadCategoryObjects());
