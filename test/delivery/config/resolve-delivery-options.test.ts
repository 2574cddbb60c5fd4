import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveDeliveryOptions, resolveEndpoint } from "../../../src/delivery/config/index.js";
import { MemorySink } from "../../../src/delivery/index.js";
import type { WarningInput } from "../../../src/warnings/index.js";

let root: string;
let cwd: string;
let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const codes = (): string[] => warnings.map((w) => w.code);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "yavio-config-"));
  cwd = join(root, "project", "packages", "server");
  mkdirSync(cwd, { recursive: true });
  // The project root (a monorepo with packages/server in it); `root` plays a shared parent folder.
  writeFileSync(join(root, "project", "package.json"), "{}");
  warnings = [];
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  expect(JSON.stringify(warnings)).not.toContain("SECRET");
});

const rc = (dir: string, content: unknown): void => {
  writeFileSync(join(dir, ".yaviorc.json"), typeof content === "string" ? content : JSON.stringify(content));
};

describe("resolveDeliveryOptions", () => {
  it("without key or endpoint, writes to <cwd>/.yavio/events.jsonl and says so with an info YAVIO-1000", () => {
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(r.endpoint).toBeUndefined();
    expect(r.eventsFile).toBe(join(cwd, ".yavio", "events.jsonl"));
    expect(warnings).toEqual([expect.objectContaining({ level: "info", code: "YAVIO-1000" })]);
    expect(warnings[0]?.message).toContain(join(cwd, ".yavio", "events.jsonl"));
  });

  it("uses the cloud endpoint when only a key is given, and no event file", () => {
    const r = resolveDeliveryOptions({ apiKey: "yav_SECRET" }, { env: {}, cwd, warn });
    expect(r.endpoint).toBe("https://ingest.yavio.ai/v1/events");
    expect(r.eventsFile).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("prefers code over env over .yaviorc.json, key by key", () => {
    rc(join(root, "project"), { apiKey: "yav_file_SECRET", maxQueueSize: 111, scheduledDelayMs: 222, exportTimeoutMs: 333 });
    const r = resolveDeliveryOptions(
      { scheduledDelayMs: 1 },
      { env: { YAVIO_API_KEY: "yav_env_SECRET", YAVIO_SCHEDULED_DELAY_MS: "2", YAVIO_EXPORT_TIMEOUT_MS: "3" }, cwd, warn },
    );
    expect(r.apiKey).toBe("yav_env_SECRET");
    expect(r.maxQueueSize).toBe(111);
    expect(r.scheduledDelayMs).toBe(1);
    expect(r.exportTimeoutMs).toBe(3);
  });

  it("finds the nearest .yaviorc.json walking up and resolves its paths against its own directory", () => {
    rc(join(root, "project"), { maxQueueSize: 5 });
    rc(join(root, "project", "packages"), { maxQueueSize: 7, eventsFile: "logs/events.jsonl" });
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(r.maxQueueSize).toBe(7);
    expect(r.eventsFile).toBe(join(root, "project", "packages", "logs", "events.jsonl"));
  });

  it("reads the project root's own .yaviorc.json", () => {
    rc(join(root, "project"), { maxQueueSize: 7, eventsFile: "logs/events.jsonl" });
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(r.maxQueueSize).toBe(7);
    expect(r.eventsFile).toBe(join(root, "project", "logs", "events.jsonl"));
  });

  it.each([
    ['{"apiKey": yav_live_SECRET}'],
    ['{"apiKey": "yav_live_SECRET",}'],
    ['{"apiKey": "yav_live_SECRET"'],
  ])("never quotes the file's content in YAVIO-1004 for malformed JSON %s", (content) => {
    rc(cwd, content);
    resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(codes()).toContain("YAVIO-1004");
    expect(JSON.stringify(warnings)).not.toContain("yav_live");
  });

  it("ignores a malformed .yaviorc.json with YAVIO-1004", () => {
    rc(cwd, "{ apiKey: nope");
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(codes()).toContain("YAVIO-1004");
    expect(r.apiKey).toBeUndefined();
  });

  it.each([
    [{ maxQueueSize: "big" }, "YAVIO-1004"],
    [{ gzip: "yes" }, "YAVIO-1004"],
    [{ apiKey: 42 }, "YAVIO-1001"],
    [{ endpoint: "not a url" }, "YAVIO-1002"],
    [{ colour: "blue" }, "YAVIO-1004"],
  ])("warns and ignores a bad value in the file: %j → %s", (content, code) => {
    rc(cwd, content);
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(codes()).toContain(code);
    expect(r.maxQueueSize).toBe(10_000);
    expect(r.gzip).toBe(true);
  });

  it.each([
    [{ YAVIO_MAX_QUEUE_SIZE: "ten" }, "YAVIO-1003"],
    [{ YAVIO_MAX_EXPORT_BATCH_SIZE: "5000" }, "YAVIO-1003"],
    [{ YAVIO_GZIP: "maybe" }, "YAVIO-1003"],
    [{ YAVIO_API_KEY: "yav with SECRET space" }, "YAVIO-1001"],
    [{ YAVIO_ENDPOINT: "ftp://x" }, "YAVIO-1002"],
  ])("warns and ignores a bad environment value: %j → %s", (env, code) => {
    const r = resolveDeliveryOptions({}, { env, cwd, warn });
    expect(codes()).toContain(code);
    expect(r.maxQueueSize).toBe(10_000);
    expect(r.maxExportBatchSize).toBe(1000);
    expect(r.apiKey).toBeUndefined();
    expect(r.endpoint).toBeUndefined();
  });

  it.each([
    [{ maxQueueSize: 0 }, "YAVIO-1003"],
    [{ maxExportBatchSize: 2000 }, "YAVIO-1003"],
    [{ gzip: "true" }, "YAVIO-1003"],
    [{ apiKey: "" }, "YAVIO-1001"],
    [{ endpoint: "nope" }, "YAVIO-1002"],
    [{ apiKey: "yav_SECRET", endpoint: "http://ingest.example.com" }, "YAVIO-1002"],
    [{ sink: { name: "x" } }, "YAVIO-1003"],
    [{ eventsFile: 3 }, "YAVIO-1003"],
  ])("throws YavioConfigError for a bad code option %j (%s)", (options, code) => {
    expect(() => resolveDeliveryOptions(options as never, { env: {}, cwd, warn })).toThrow(expect.objectContaining({ code }));
  });

  it("never falls back to the cloud when an env key meets an unsafe env endpoint", () => {
    const r = resolveDeliveryOptions({}, { env: { YAVIO_API_KEY: "yav_SECRET", YAVIO_ENDPOINT: "http://ingest.example.com" }, cwd, warn });
    expect(codes()).toContain("YAVIO-1002");
    expect(r.endpoint).toBeUndefined();
    expect(r.eventsFile).toBe(join(cwd, ".yavio", "events.jsonl"));
  });

  it("flags a key that does not start with yav_ but uses it", () => {
    const r = resolveDeliveryOptions({ apiKey: "SECRET-self-hosted" }, { env: {}, cwd, warn });
    expect(r.apiKey).toBe("SECRET-self-hosted");
    expect(codes()).toEqual(["YAVIO-1001"]);
  });

  it("allows a user sink alongside HTTP and the file, and no default file when a user sink is given", () => {
    const memory = new MemorySink();
    const withSinkOnly = resolveDeliveryOptions({ sink: memory }, { env: {}, cwd, warn });
    expect(withSinkOnly.sinks).toEqual([memory]);
    expect(withSinkOnly.eventsFile).toBeUndefined();
    const all = resolveDeliveryOptions({ sink: [memory], apiKey: "yav_SECRET", eventsFile: "out.jsonl" }, { env: {}, cwd, warn });
    expect(all.endpoint).toBeDefined();
    expect(all.eventsFile).toBe(join(cwd, "out.jsonl"));
    expect(all.sinks).toEqual([memory]);
  });

  it.each(["false", "off", "0"])("turns the event file and spool off with %s in the environment", (off) => {
    const r = resolveDeliveryOptions({ sink: new MemorySink() }, { env: { YAVIO_EVENTS_FILE: off, YAVIO_SPOOL_DIR: off }, cwd, warn });
    expect(r.eventsFile).toBeUndefined();
    expect(r.spoolDir).toBeUndefined();
  });

  it("defaults the spool to <cwd>/.yavio/spool", () => {
    expect(resolveDeliveryOptions({}, { env: {}, cwd, warn }).spoolDir).toBe(join(cwd, ".yavio", "spool"));
  });
});

describe("resolveEndpoint", () => {
  it.each([
    ["http://localhost:3001", "http://localhost:3001/v1/events"],
    ["https://ingest.example.com/custom/path", "https://ingest.example.com/custom/path"],
    ["http://10.1.2.3:3001", "http://10.1.2.3:3001/v1/events"],
  ])("resolves %s without a key to %s", (input, href) => {
    expect(resolveEndpoint(input, false).href).toBe(href);
  });
});

describe("a .yaviorc.json cannot take the key elsewhere (issue 10.4)", () => {
  const planted = { endpoint: "https://collector.example.net", apiKey: "yav_planted_SECRET", maxQueueSize: 3, spoolDir: "/tmp" };

  it("stops the search at the project root (package.json): a file in a parent folder is never read", () => {
    rc(root, planted);
    const r = resolveDeliveryOptions({ apiKey: "yav_code_SECRET" }, { env: {}, cwd, warn });
    expect(r.endpoint).toBe("https://ingest.yavio.ai/v1/events");
    expect(r.apiKey).toBe("yav_code_SECRET");
    expect(r.maxQueueSize).toBe(10_000);
    expect(r.spoolDir).toBe(join(cwd, ".yavio", "spool"));
    expect(warnings).toEqual([]);
  });

  it("takes a .git folder as the project root too", () => {
    rmSync(join(root, "project", "package.json"));
    mkdirSync(join(root, "project", ".git"));
    rc(root, planted);
    rc(join(root, "project"), { maxQueueSize: 9 });
    expect(resolveDeliveryOptions({}, { env: {}, cwd, warn }).maxQueueSize).toBe(9);
  });

  it("without a project root, reads only the working directory's own file", () => {
    rmSync(join(root, "project", "package.json"));
    rc(join(root, "project"), planted);
    const parentOnly = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(parentOnly.endpoint).toBeUndefined();
    expect(parentOnly.maxQueueSize).toBe(10_000);
    rc(cwd, { maxQueueSize: 4 });
    expect(resolveDeliveryOptions({}, { env: {}, cwd, warn }).maxQueueSize).toBe(4);
  });

  it("never sends a key from code to the project file's endpoint: the endpoint is ignored, HTTP is off, YAVIO-1005 says why", () => {
    rc(join(root, "project"), { endpoint: "https://collector.example.net" });
    const r = resolveDeliveryOptions({ apiKey: "yav_code_SECRET" }, { env: {}, cwd, warn });
    expect(r.endpoint).toBeUndefined();
    expect(r.eventsFile).toBe(join(cwd, ".yavio", "events.jsonl"));
    expect(codes()).toContain("YAVIO-1005");
    expect(warnings.find((w) => w.code === "YAVIO-1005")?.message).toContain("collector.example.net");
  });

  it("never sends a key from code to an endpoint from the environment either", () => {
    const r = resolveDeliveryOptions({ apiKey: "yav_code_SECRET" }, { env: { YAVIO_ENDPOINT: "https://collector.example.net" }, cwd, warn });
    expect(r.endpoint).toBeUndefined();
    expect(codes()).toEqual(expect.arrayContaining(["YAVIO-1005"]));
  });

  it.each([
    ["code", { apiKey: "yav_code_SECRET", trustConfigEndpoint: true }, {}],
    ["env", { trustConfigEndpoint: true }, { YAVIO_API_KEY: "yav_env_SECRET" }],
    ["env (opted in by env)", {}, { YAVIO_API_KEY: "yav_env_SECRET", YAVIO_TRUST_CONFIG_ENDPOINT: "true" }],
  ])("with trustConfigEndpoint, sends a key from %s to the file's endpoint, and warns YAVIO-1005", (_, options, env) => {
    rc(join(root, "project"), { endpoint: "https://collector.example.net" });
    const r = resolveDeliveryOptions(options, { env, cwd, warn });
    expect(r.endpoint).toBe("https://collector.example.net/v1/events");
    expect(codes()).toContain("YAVIO-1005");
  });

  it("an opt-in from the environment does not unlock a key given in code", () => {
    rc(join(root, "project"), { endpoint: "https://collector.example.net" });
    const r = resolveDeliveryOptions({ apiKey: "yav_code_SECRET" }, { env: { YAVIO_TRUST_CONFIG_ENDPOINT: "1" }, cwd, warn });
    expect(r.endpoint).toBeUndefined();
  });

  it("ignores trustConfigEndpoint in the file it would trust (YAVIO-1005)", () => {
    rc(join(root, "project"), { endpoint: "https://collector.example.net", trustConfigEndpoint: true });
    const r = resolveDeliveryOptions({}, { env: { YAVIO_API_KEY: "yav_env_SECRET" }, cwd, warn });
    expect(r.endpoint).toBeUndefined();
    expect(codes().filter((c) => c === "YAVIO-1005")).toHaveLength(2);
  });

  it.each([
    ["code", { endpoint: "https://ingest.example.com" }, {}],
    ["env", {}, { YAVIO_ENDPOINT: "https://ingest.example.com" }],
  ])("sends a key from the file to an endpoint from a higher source (%s) without a warning", (_, options, env) => {
    rc(join(root, "project"), { apiKey: "yav_file_SECRET" });
    const r = resolveDeliveryOptions(options, { env, cwd, warn });
    expect(r.apiKey).toBe("yav_file_SECRET");
    expect(r.endpoint).toBe("https://ingest.example.com/v1/events");
    expect(warnings).toEqual([]);
  });

  it("keeps a key and an endpoint from the same file together", () => {
    rc(join(root, "project"), { apiKey: "yav_file_SECRET", endpoint: "https://ingest.example.com" });
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(r.endpoint).toBe("https://ingest.example.com/v1/events");
    expect(warnings).toEqual([]);
  });

  it.each([
    ["eventsFile", "../../../elsewhere/events.jsonl"],
    ["eventsFile", "/var/log/app.log"],
    ["spoolDir", "."],
    ["spoolDir", "../outside"],
  ])("ignores a file's %s %s outside the file's folder (YAVIO-1006) and keeps the default", (key, value) => {
    rc(join(root, "project"), { [key]: value });
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(codes()).toContain("YAVIO-1006");
    if (key === "eventsFile") expect(r.eventsFile).toBe(join(cwd, ".yavio", "events.jsonl"));
    else expect(r.spoolDir).toBe(join(cwd, ".yavio", "spool"));
  });

  it("accepts a file path inside the file's folder, absolute or relative", () => {
    rc(join(root, "project"), { eventsFile: join(root, "project", "data", "e.jsonl"), spoolDir: "data/spool" });
    const r = resolveDeliveryOptions({}, { env: {}, cwd, warn });
    expect(r.eventsFile).toBe(join(root, "project", "data", "e.jsonl"));
    expect(r.spoolDir).toBe(join(root, "project", "data", "spool"));
    expect(codes()).not.toContain("YAVIO-1006");
  });
});
