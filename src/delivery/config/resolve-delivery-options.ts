import { isAbsolute, join, relative, resolve } from "node:path";
import type { Sink } from "../sink.js";
import { YavioConfigError } from "../../warnings/index.js";
import type { Warn, WarningCode } from "../../warnings/index.js";
import type { DeliveryOptions, ResolvedDeliveryOptions } from "./delivery-options.js";
import { DEFAULT_ENDPOINT, resolveEndpoint } from "./endpoint.js";
import { findRcFile } from "./rc-file.js";
import { DELIVERY_DEFAULTS } from "../defaults.js";

export interface ResolveContext {
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Default `process.cwd()`. */
  cwd?: string | undefined;
  warn: Warn;
}

type Source = "code" | "env" | "file";
/** How far a source is trusted: a key is only sent to an endpoint from its own source or a higher one. */
const TRUST: Record<Source, number> = { code: 3, env: 2, file: 1 };
const DAY_MS = 86_400_000;
const RC_FILE = ".yaviorc.json";

const NUMBERS = {
  maxQueueSize: { env: "YAVIO_MAX_QUEUE_SIZE", min: 1, max: 10_000_000, fallback: DELIVERY_DEFAULTS.maxQueueSize },
  maxExportBatchSize: { env: "YAVIO_MAX_EXPORT_BATCH_SIZE", min: 1, max: 1000, fallback: DELIVERY_DEFAULTS.maxExportBatchSize },
  scheduledDelayMs: { env: "YAVIO_SCHEDULED_DELAY_MS", min: 0, max: DAY_MS, fallback: DELIVERY_DEFAULTS.scheduledDelayMs },
  exportTimeoutMs: { env: "YAVIO_EXPORT_TIMEOUT_MS", min: 1, max: DAY_MS, fallback: DELIVERY_DEFAULTS.exportTimeoutMs },
  shutdownTimeoutMs: { env: "YAVIO_SHUTDOWN_TIMEOUT_MS", min: 0, max: DAY_MS, fallback: DELIVERY_DEFAULTS.shutdownTimeoutMs },
  exitTimeoutMs: { env: "YAVIO_EXIT_TIMEOUT_MS", min: 0, max: DAY_MS, fallback: DELIVERY_DEFAULTS.exitTimeoutMs },
  requestTimeoutMs: { env: "YAVIO_REQUEST_TIMEOUT_MS", min: 1, max: DAY_MS, fallback: DELIVERY_DEFAULTS.requestTimeoutMs },
  maxAttempts: { env: "YAVIO_MAX_ATTEMPTS", min: 1, max: 1000, fallback: DELIVERY_DEFAULTS.maxAttempts },
  spoolMaxBytes: { env: "YAVIO_SPOOL_MAX_BYTES", min: 1024, max: 2 ** 40, fallback: DELIVERY_DEFAULTS.spoolMaxBytes },
  eventsFileMaxBytes: { env: "YAVIO_EVENTS_FILE_MAX_BYTES", min: 0, max: 2 ** 40, fallback: DELIVERY_DEFAULTS.eventsFileMaxBytes },
  eventsFileMaxFiles: { env: "YAVIO_EVENTS_FILE_MAX_FILES", min: 1, max: 1000, fallback: DELIVERY_DEFAULTS.eventsFileMaxFiles },
} as const;
type NumberKey = keyof typeof NUMBERS;

const BOOLEANS = {
  gzip: { env: "YAVIO_GZIP", fallback: true },
  console: { env: "YAVIO_CONSOLE", fallback: false },
  handleProcessExit: { env: "YAVIO_HANDLE_PROCESS_EXIT", fallback: true },
} as const;
type BooleanKey = keyof typeof BOOLEANS;

const KNOWN_KEYS = new Set<string>([
  "apiKey",
  "endpoint",
  "sink",
  "eventsFile",
  "spoolDir",
  ...Object.keys(NUMBERS),
  ...Object.keys(BOOLEANS),
]);

function parseEnvBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  return undefined;
}

/**
 * Merges code options, environment and `.yaviorc.json` (in that order of precedence) into checked
 * delivery options. A bad code option throws YavioConfigError; a bad environment or file value is
 * a warning (YAVIO-1001 key, 1002 endpoint, 1003 env value, 1004 file value) and is ignored.
 *
 * @example
 * const resolved = resolveDeliveryOptions({ maxQueueSize: 500 }, { warn: createWarner() });
 */
export function resolveDeliveryOptions(code: DeliveryOptions, context: ResolveContext): ResolvedDeliveryOptions {
  const warn = context.warn;
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  if (typeof code !== "object" || code === null) throw new YavioConfigError("YAVIO-1003", "delivery options must be an object");
  const rc = findRcFile(cwd, warn);
  const file = rc?.values ?? {};
  if (rc) {
    for (const key of Object.keys(file)) {
      if (key === "trustConfigEndpoint") {
        warn({ code: "YAVIO-1005", message: `${rc.path}: trustConfigEndpoint cannot be set in the file it would trust; ignored`, details: { path: rc.path } });
      } else if (!KNOWN_KEYS.has(key) || key === "sink") {
        warn({ code: "YAVIO-1004", message: `${rc.path}: unknown key "${key}" ignored`, details: { path: rc.path, key } });
      }
    }
  }

  /** Reports a bad value: thrown for code, warned and ignored for env and file. */
  const reject = (source: Source, code: WarningCode, message: string): undefined => {
    if (source === "code") throw new YavioConfigError(code, message);
    const where = source === "env" ? "environment" : (rc?.path ?? ".yaviorc.json");
    warn({ code: source === "file" && code === "YAVIO-1003" ? "YAVIO-1004" : code, message: `${where}: ${message}; ignored` });
    return undefined;
  };

  const number = (key: NumberKey): number => {
    const spec = NUMBERS[key];
    const check = (source: Source, value: unknown): number | undefined => {
      if (value === undefined) return undefined;
      if (typeof value === "number" && Number.isInteger(value) && value >= spec.min && value <= spec.max) return value;
      return reject(source, "YAVIO-1003", `${key} must be an integer between ${spec.min} and ${spec.max}`);
    };
    const rawEnv = env[spec.env];
    const fromEnv =
      rawEnv === undefined || rawEnv.trim() === ""
        ? undefined
        : /^-?\d+$/.test(rawEnv.trim())
          ? check("env", Number(rawEnv.trim()))
          : reject("env", "YAVIO-1003", `${spec.env} must be an integer`);
    return check("code", code[key]) ?? fromEnv ?? check("file", file[key]) ?? spec.fallback;
  };

  const boolean = (key: BooleanKey): boolean => {
    const spec = BOOLEANS[key];
    const codeValue = code[key];
    if (codeValue !== undefined && typeof codeValue !== "boolean") return reject("code", "YAVIO-1003", `${key} must be a boolean`) ?? spec.fallback;
    const rawEnv = env[spec.env];
    let fromEnv: boolean | undefined;
    if (rawEnv !== undefined && rawEnv.trim() !== "") {
      fromEnv = parseEnvBoolean(rawEnv);
      if (fromEnv === undefined) reject("env", "YAVIO-1003", `${spec.env} must be true or false`);
    }
    const fileValue = file[key];
    let fromFile: boolean | undefined;
    if (fileValue !== undefined) {
      if (typeof fileValue === "boolean") fromFile = fileValue;
      else reject("file", "YAVIO-1004", `${key} must be a boolean`);
    }
    return codeValue ?? fromEnv ?? fromFile ?? spec.fallback;
  };

  /**
   * A path or `false`; relative paths resolve against cwd (code, env) or the file's directory. A
   * path from the file must stay inside the file's folder (a file could otherwise make the event
   * file's rotation or the spool's clean-up rename and delete files anywhere).
   */
  const pathOrFalse = (key: "eventsFile" | "spoolDir", envName: string): string | false | undefined => {
    const check = (source: Source, value: unknown, base: string): string | false | undefined => {
      if (value === undefined) return undefined;
      if (value === false) return false;
      if (typeof value === "string" && value.trim() !== "") {
        const path = isAbsolute(value) ? value : resolve(base, value);
        if (source === "file") {
          const inside = relative(base, path);
          if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
            warn({
              code: "YAVIO-1006",
              message: `${rc?.path ?? RC_FILE}: ${key} must name a path inside ${base}; ignored`,
              details: { path: rc?.path, key },
            });
            return undefined;
          }
        }
        return path;
      }
      return reject(source, "YAVIO-1003", `${key} must be a path or false`);
    };
    const rawEnv = env[envName];
    let fromEnv: string | false | undefined;
    if (rawEnv !== undefined && rawEnv.trim() !== "") {
      fromEnv = parseEnvBoolean(rawEnv) === false ? false : check("env", rawEnv, cwd);
    }
    return check("code", code[key], cwd) ?? fromEnv ?? check("file", file[key], rc?.dir ?? cwd);
  };

  // apiKey: a string without whitespace; not starting with yav_ is allowed (self-hosted) but flagged.
  const key = (source: Source, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "" || /\s/.test(value)) {
      return reject(source, "YAVIO-1001", "apiKey must be a non-empty string without spaces");
    }
    if (!value.startsWith("yav_")) {
      warn({ code: "YAVIO-1001", message: `the API key from ${source === "code" ? "options" : source} does not start with "yav_"; using it anyway` });
    }
    return value;
  };
  const rawEnvKey = env.YAVIO_API_KEY;
  let keySource: Source | undefined;
  const keyFrom = (source: Source, value: unknown): string | undefined => {
    const found = key(source, value);
    if (found !== undefined) keySource = source;
    return found;
  };
  const apiKey =
    keyFrom("code", code.apiKey) ??
    (rawEnvKey !== undefined && rawEnvKey !== "" ? keyFrom("env", rawEnvKey) : undefined) ??
    keyFrom("file", file.apiKey);

  // The opt-in counts only from a source at least as trusted as the key's: an environment cannot
  // unlock a key given in code, and the file cannot unlock anything.
  const trustFromCode = code.trustConfigEndpoint;
  if (trustFromCode !== undefined && typeof trustFromCode !== "boolean") reject("code", "YAVIO-1003", "trustConfigEndpoint must be a boolean");
  const rawTrustEnv = env.YAVIO_TRUST_CONFIG_ENDPOINT;
  let trustFromEnv: boolean | undefined;
  if (rawTrustEnv !== undefined && rawTrustEnv.trim() !== "") {
    trustFromEnv = parseEnvBoolean(rawTrustEnv);
    if (trustFromEnv === undefined) reject("env", "YAVIO-1003", "YAVIO_TRUST_CONFIG_ENDPOINT must be true or false");
  }
  const trusted = trustFromCode === true || (trustFromEnv === true && keySource !== "code");
  const label = (source: Source): string => (source === "code" ? "options" : source === "env" ? "the environment" : (rc?.path ?? RC_FILE));
  let warnedUntrusted = false;
  /** False when the key must not go to an endpoint from `source` (warned once). */
  const mayReceiveKey = (source: Source, url: URL): boolean => {
    if (keySource === undefined || TRUST[source] >= TRUST[keySource]) return true;
    const where = `${url.origin}${url.pathname}`;
    if (trusted) {
      warn({
        code: "YAVIO-1005",
        message: `the API key from ${label(keySource)} is sent to ${where}, the endpoint from ${label(source)} (trustConfigEndpoint)`,
        details: { keyFrom: keySource, endpointFrom: source },
      });
      return true;
    }
    if (!warnedUntrusted) {
      warnedUntrusted = true;
      warn({
        code: "YAVIO-1005",
        message: `the endpoint ${where} from ${label(source)} is ignored: the API key comes from ${label(keySource)}, and a key is never sent to an endpoint from a lower source; HTTP delivery is off. Set the endpoint next to the key, or trustConfigEndpoint: true`,
        details: { keyFrom: keySource, endpointFrom: source },
      });
    }
    return false;
  };

  let endpointRejected = false;
  const endpointFrom = (source: Source, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string") return reject(source, "YAVIO-1002", "endpoint must be a URL string");
    try {
      const url = resolveEndpoint(value, apiKey !== undefined);
      if (mayReceiveKey(source, url)) return url.href;
      endpointRejected = true;
      return undefined;
    } catch (error) {
      // A code endpoint is thrown on, except when only the key from env/file makes it unsafe.
      const onlyUnsafeWithOtherKey = code.apiKey === undefined && error instanceof Error && /plain http/.test(error.message);
      if (source === "code" && !onlyUnsafeWithOtherKey) throw error;
      endpointRejected = true;
      warn({ code: "YAVIO-1002", message: `${source === "code" ? "options" : source === "env" ? "YAVIO_ENDPOINT" : (rc?.path ?? "file")}: ${(error as Error).message}; HTTP delivery disabled for this value` });
      return undefined;
    }
  };
  const rawEnvEndpoint = env.YAVIO_ENDPOINT;
  const endpoint =
    endpointFrom("code", code.endpoint) ??
    (rawEnvEndpoint !== undefined && rawEnvEndpoint !== "" ? endpointFrom("env", rawEnvEndpoint) : undefined) ??
    endpointFrom("file", file.endpoint) ??
    // A rejected endpoint never falls back to the cloud: events would go somewhere the user did not choose.
    (apiKey !== undefined && !endpointRejected ? DEFAULT_ENDPOINT : undefined);

  const sinks: Sink[] = [];
  if (code.sink !== undefined) {
    const list = Array.isArray(code.sink) ? (code.sink as readonly Sink[]) : [code.sink as Sink];
    for (const s of list) {
      if (typeof s !== "object" || s === null || typeof (s as Partial<Sink>).send !== "function") {
        throw new YavioConfigError("YAVIO-1003", "sink must be a Sink (an object with send(batch, {signal})) or an array of them");
      }
      sinks.push(s);
    }
  }

  const consoleOn = boolean("console");
  const eventsFileOption = pathOrFalse("eventsFile", "YAVIO_EVENTS_FILE");
  const defaultFile = join(cwd, ".yavio", "events.jsonl");
  let eventsFile: string | undefined;
  if (typeof eventsFileOption === "string") eventsFile = eventsFileOption;
  else if (eventsFileOption === undefined && endpoint === undefined && sinks.length === 0 && !consoleOn) {
    eventsFile = defaultFile;
    warn({
      level: "info",
      code: "YAVIO-1000",
      message: `no API key or endpoint configured: events are written to ${eventsFile}`,
      details: { eventsFile },
    });
  }
  const spoolOption = pathOrFalse("spoolDir", "YAVIO_SPOOL_DIR");

  return {
    apiKey,
    endpoint,
    sinks,
    eventsFile,
    eventsFileMaxBytes: number("eventsFileMaxBytes"),
    eventsFileMaxFiles: number("eventsFileMaxFiles"),
    console: consoleOn,
    gzip: boolean("gzip"),
    maxQueueSize: number("maxQueueSize"),
    maxExportBatchSize: number("maxExportBatchSize"),
    scheduledDelayMs: number("scheduledDelayMs"),
    exportTimeoutMs: number("exportTimeoutMs"),
    shutdownTimeoutMs: number("shutdownTimeoutMs"),
    exitTimeoutMs: number("exitTimeoutMs"),
    requestTimeoutMs: number("requestTimeoutMs"),
    maxAttempts: number("maxAttempts"),
    spoolDir: spoolOption === false ? undefined : (spoolOption ?? join(cwd, ".yavio", "spool")),
    spoolMaxBytes: number("spoolMaxBytes"),
    handleProcessExit: boolean("handleProcessExit"),
  };
}
