import { PLACEHOLDER } from "./placeholders.js";
import { isReferenceOrMask } from "./values.js";

/**
 * Passwords given to command-line tools in the ways those tools take them, which no `--password`
 * rule sees: `mysql -pX` (glued: `-p X` prompts and names a database), `sshpass -p X`,
 * `redis-cli -a X`, `ldapsearch -w X`, `sqlcmd -P X`, `7z -pX`, `openssl … -passout pass:X`,
 * `keytool -storepass X`, `smbclient -U user%X`, and the positional ones: `htpasswd -b file user X`,
 * `net user NAME X`, `net use \\share X`, `rabbitmqctl add_user NAME X`. One scan finds the tool
 * names; each command is read once, to its end (`|`, `;`, `&`, `>`, a line break, 1 KB at most), and
 * the scan resumes after it, so the pass stays linear.
 */

/** How a tool takes its password. */
interface ToolRule {
  /** Flags followed by the password, glued (`-pX`) or as the next word (`-p X`). */
  readonly flags?: readonly string[];
  /** Flags that take the password glued only (`mysql -pX`: `-p X` prompts). */
  readonly glued?: readonly string[];
  /** A subcommand that must come first (`docker login`). */
  readonly sub?: readonly string[];
  /** The password is the positional argument at this index after the subcommand (`net user NAME X`: 1). */
  readonly positional?: number;
  /** A device before the positionals is not one of them (`net use Z: \\srv\share X`, `*`, `LPT1:`). */
  readonly device?: boolean;
  /** The password is the last positional argument when a flag cluster holds this letter (`htpasswd -b`). */
  readonly lastWith?: string;
  /** `-U user%password`, `--user=user%password` (Samba). */
  readonly percentUser?: boolean;
  /** `-passin pass:X` (OpenSSL). */
  readonly passPrefix?: readonly string[];
}

const MYSQL: ToolRule = { glued: ["-p"] };
const LDAP: ToolRule = { flags: ["-w"] };
const MONGO: ToolRule = { flags: ["-p"] };
const MSSQL: ToolRule = { flags: ["-P"] };
const LOGIN: ToolRule = { flags: ["-p"], sub: ["login"] };
const SEVEN_ZIP: ToolRule = { glued: ["-p"] };
const SAMBA: ToolRule = { percentUser: true };

const TOOLS = new Map<string, ToolRule>([
  ...["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mysqlcheck", "mysqlslap", "mariadb", "mariadb-dump", "mariadb-admin"].map((t) => [t, MYSQL] as const),
  ["sshpass", { flags: ["-p"] }],
  ["redis-cli", { flags: ["-a", "--pass"] }],
  ...["ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapwhoami", "ldappasswd", "ldapmodrdn", "ldapcompare"].map((t) => [t, LDAP] as const),
  ["htpasswd", { lastWith: "b" }],
  ...["sqlcmd", "bcp", "osql", "isql", "ipmitool", "psexec", "psexec64"].map((t) => [t, MSSQL] as const),
  ...["mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop"].map((t) => [t, MONGO] as const),
  ...["docker", "podman", "nerdctl", "buildah", "skopeo", "helm", "az", "oras"].map((t) => [t, LOGIN] as const),
  ["zip", { flags: ["-P"] }],
  ["unzip", { flags: ["-P"] }],
  ...["7z", "7za", "7zr", "rar", "unrar"].map((t) => [t, SEVEN_ZIP] as const),
  ["openssl", { flags: ["-k"], passPrefix: ["-pass", "-passin", "-passout"] }],
  ...["keytool", "jarsigner"].map((t) => [t, { flags: ["-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass"] }] as const),
  ["net", { sub: ["user", "use"], positional: 1, device: true }],
  ["rabbitmqctl", { sub: ["add_user", "change_password"], positional: 1 }],
  ...["smbclient", "rpcclient", "smbmap", "smbget"].map((t) => [t, SAMBA] as const),
  ...["useradd", "usermod"].map((t) => [t, { flags: ["-p"] }] as const),
]);

/**
 * A tool name, written as a trie (irregexp scans a shared-prefix alternation fastest), in lower case
 * (a case-insensitive scan costs a third more); text with `NET ` in it (Windows, `NET USER`) is
 * scanned with {@link CLI_TOOL_ANY_CASE}. What stands in front is checked in code: a lookbehind
 * first would be tried at every position of the text.
 */
export const CLI_TOOL_HINT =
  /(?:m(?:ysql(?:dump|admin|import|show|check|slap)?|ariadb(?:-dump|-admin)?|ongo(?:sh|dump|restore|export|import|stat|top)?)|s(?:shpass|qlcmd|kopeo|mb(?:client|map|get))|r(?:edis-cli|abbitmqctl|pcclient|ar)|ldap(?:search|add|modify|delete|whoami|passwd|modrdn|compare)|h(?:tpasswd|elm)|bcp|buildah|o(?:sql|penssl|ras)|i(?:sql|pmitool)|p(?:sexec(?:64)?|odman)|d(?:ocker)|n(?:erdctl|et)|az|u(?:n(?:zip|rar)|ser(?:add|mod))|zip|7z[ar]?|keytool|jarsigner)(?:\.exe)?(?=[ \t])/g;
const CLI_TOOL_ANY_CASE = new RegExp(CLI_TOOL_HINT.source, "gi");

function toolScan(input: string): RegExp {
  return input.includes("NET ") || input.includes("Net ") ? CLI_TOOL_ANY_CASE : CLI_TOOL_HINT;
}

/** Whether the character before a tool name lets it start a command (not inside a word, path part or flag). */
function startsCommand(input: string, at: number): boolean {
  if (at === 0) return true;
  const c = input.charCodeAt(at - 1);
  return !((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45);
}

interface Arg {
  readonly start: number;
  readonly end: number;
  /** The argument without its quotes. */
  readonly text: string;
  /** The argument as written. */
  readonly raw: string;
}

const COMMAND_LIMIT = 1024;

/** `|`, `;`, `&`, `>`, `<`, a line break, a closing backtick or bracket: where a command ends. */
function isCommandEnd(c: number): boolean {
  return c === 124 || c === 59 || c === 38 || c === 62 || c === 60 || c === 10 || c === 13 || c === 96 || c === 41;
}

/** The arguments after a tool name, to the end of the command. */
function argsOf(input: string, from: number): { args: Arg[]; end: number } {
  const args: Arg[] = [];
  const limit = Math.min(input.length, from + COMMAND_LIMIT);
  let i = from;
  while (i < limit) {
    const c = input.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (isCommandEnd(c)) break;
    const start = i;
    let text = "";
    while (i < limit) {
      const d = input.charCodeAt(i);
      if (d === 34 || d === 39) {
        // Looked for within the command's 1 KB only, so an unclosed quote costs no more than that.
        let close = i + 1;
        while (close < limit && input.charCodeAt(close) !== d) close++;
        if (close >= limit) {
          i = limit;
          break;
        }
        text += input.slice(i + 1, close);
        i = close + 1;
        continue;
      }
      if (d === 32 || d === 9 || isCommandEnd(d)) break;
      text += input[i];
      i++;
    }
    args.push({ start, end: i, text, raw: input.slice(start, i) });
  }
  if (i < limit || limit === input.length) return { args, end: i };
  // Longer than 1 KB (or an unclosed quote): the command is left alone and skipped to its end, so a
  // second scrub meets the same commands (a cut would fall elsewhere once values were replaced).
  while (i < input.length && !isCommandEnd(input.charCodeAt(i))) i++;
  return { args: [], end: i };
}

/**
 * The span of a password inside an argument from `offset` characters of its unquoted text, inside
 * its quotes when it has them (`-p'x'`, `'pass:x'`), or undefined for a reference, a mask or a prompt.
 */
function secretSpan(arg: Arg, offset: number): [number, number] | undefined {
  const value = arg.text.slice(offset);
  if (value === "" || isReferenceOrMask(value) || /^[-$*<{%]/.test(value)) return undefined;
  const q = arg.raw.charCodeAt(0);
  let start = arg.start + offset + (offset > 0 && (q === 34 || q === 39) ? 1 : 0);
  let end = arg.end;
  const open = arg.raw.charCodeAt(start - arg.start);
  if ((open === 34 || open === 39) && arg.raw.charCodeAt(arg.raw.length - 1) === open) {
    start++;
    end--;
  } else if ((q === 34 || q === 39) && arg.raw.charCodeAt(arg.raw.length - 1) === q) {
    end--;
  }
  return end > start ? [start, end] : undefined;
}

/** A Windows device name as `net use` takes it before the share: a drive letter, `*`, a port. */
const DEVICE = /^(?:[A-Za-z]:|\*|(?:LPT|COM)\d:)$/i;

function passwordsOf(rule: ToolRule, args: readonly Arg[]): [number, number][] {
  const spans: [number, number][] = [];
  let first = 0;
  if (rule.sub !== undefined) {
    const at = args.findIndex((a) => !a.text.startsWith("-") && !a.text.startsWith("/"));
    if (at < 0 || !rule.sub.includes((args[at]?.text ?? "").toLowerCase())) return spans;
    first = at + 1;
  }
  const positional: Arg[] = [];
  let cluster = false;
  for (let k = first; k < args.length; k++) {
    const arg = args[k] as Arg;
    const t = arg.text;
    for (const f of rule.flags ?? []) {
      if (t === f && k + 1 < args.length) {
        const span = secretSpan(args[k + 1] as Arg, 0);
        if (span !== undefined) spans.push(span);
        k++;
        break;
      }
      if (f.length === 2 && arg.raw.startsWith(f) && arg.raw.length > 2) {
        const span = secretSpan(arg, 2);
        if (span !== undefined) spans.push(span);
      }
    }
    for (const f of rule.glued ?? []) {
      // `-p'secret'`, `-p"secret"`: the argument opens with the flag, the quotes come after it.
      if (arg.raw.startsWith(f) && arg.raw.length > f.length) {
        const span = secretSpan(arg, f.length);
        if (span !== undefined) spans.push(span);
      }
    }
    if (rule.passPrefix?.includes(t) && k + 1 < args.length) {
      const next = args[k + 1] as Arg;
      if (next.text.startsWith("pass:")) {
        const span = secretSpan(next, 5);
        if (span !== undefined) spans.push(span);
      }
      k++;
      continue;
    }
    if (rule.percentUser === true && (t === "-U" || t === "--user") && k + 1 < args.length) {
      const next = args[k + 1] as Arg;
      const pct = next.text.indexOf("%");
      if (pct > 0) {
        const span = secretSpan(next, pct + 1);
        if (span !== undefined) spans.push(span);
      }
      k++;
      continue;
    }
    if (t.startsWith("-") || t.startsWith("/")) {
      if (rule.lastWith !== undefined && /^-[A-Za-z]+$/.test(t) && t.includes(rule.lastWith)) cluster = true;
      continue;
    }
    if (rule.device === true && positional.length === 0 && DEVICE.test(t)) continue;
    positional.push(arg);
  }
  if (rule.positional !== undefined) {
    const arg = positional[rule.positional];
    const span = arg === undefined ? undefined : secretSpan(arg, 0);
    if (span !== undefined) spans.push(span);
  }
  if (cluster && positional.length >= 2) {
    const span = secretSpan(positional[positional.length - 1] as Arg, 0);
    if (span !== undefined) spans.push(span);
  }
  return spans;
}

/**
 * Whether `input` can hold a tool's password: every rule reads a flag (`-p`, `-a`…) except the
 * positional ones of `net user`/`net use` and `rabbitmqctl add_user`. A few substring tests, far
 * cheaper than the tool-name scan.
 */
export function mayHoldCliPassword(input: string): boolean {
  return input.includes(" -") || input.includes("\t-") || input.includes("et use") || input.includes("ET USE") || input.includes("mqctl");
}

/** Every command of a known tool in `input` with its password arguments replaced. */
export function redactCliPasswords(input: string): string {
  if (!mayHoldCliPassword(input)) return input;
  let out = "";
  let from = 0;
  const scan = toolScan(input);
  scan.lastIndex = 0;
  for (let m = scan.exec(input); m !== null; m = scan.exec(input)) {
    if (!startsCommand(input, m.index)) continue;
    const name = m[0].toLowerCase().replace(/\.exe$/, "");
    const rule = TOOLS.get(name);
    const { args, end } = argsOf(input, m.index + m[0].length);
    // The command is read once; the next tool name is looked for after it.
    scan.lastIndex = Math.max(end, m.index + m[0].length);
    if (rule === undefined) continue;
    for (const [start, stop] of passwordsOf(rule, args).sort((a, b) => a[0] - b[0])) {
      if (start < from) continue;
      out += input.slice(from, start) + PLACEHOLDER.SECRET;
      from = stop;
    }
  }
  return from === 0 ? input : out + input.slice(from);
}
