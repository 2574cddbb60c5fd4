import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireEvent } from "../src/index.js";
import { SDK_VERSION, WARNING_CODES } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies?: Record<string, string>;
};

// One build for every test in this file: the consumer project below installs the packed result.
beforeAll(() => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "pipe" });
}, 120_000);

describe("the package", () => {
  it("keeps SDK_VERSION equal to package.json's version", () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it("has the MCP SDK as a peer dependency and no runtime dependency at all", () => {
    expect(pkg.peerDependencies["@modelcontextprotocol/sdk"]).toBeDefined();
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it("builds ESM and CommonJS entry points that publint accepts", async () => {
    const { publint } = await import("publint");
    const { messages } = await publint({ pkgDir: root, level: "warning", pack: false });
    expect(messages).toEqual([]);
  });

  it("loads through require() and import() with the same public names", async () => {
    const require = createRequire(import.meta.url);
    const cjs = require(`${root}dist/cjs/index.js`) as Record<string, unknown>;
    const esm = (await import(`${root}dist/esm/index.js`)) as Record<string, unknown>;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(typeof cjs.withYavio).toBe("function");
    expect(typeof esm.getYavio).toBe("function");
    const testing = require(`${root}dist/cjs/testing.js`) as Record<string, unknown>;
    expect(typeof testing.MemorySink).toBe("function");
    const otelCjs = require(`${root}dist/cjs/otel/index.js`) as Record<string, unknown>;
    const otelEsm = (await import(`${root}dist/esm/otel/index.js`)) as Record<string, unknown>;
    expect(Object.keys(otelCjs).sort()).toEqual(Object.keys(otelEsm).sort());
    expect(typeof otelCjs.otel).toBe("function");
  });

  it("has @opentelemetry/api as an optional peer, for yavio-mcp/otel only", () => {
    const meta = (pkg as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }).peerDependenciesMeta;
    expect(pkg.peerDependencies["@opentelemetry/api"]).toBeDefined();
    expect(meta?.["@opentelemetry/api"]?.optional).toBe(true);
    // The main entry must load without it: no built file outside otel/ imports OpenTelemetry.
    const files = (readdirSync(`${root}dist`, { recursive: true }) as string[]).filter((f) => f.endsWith(".js"));
    const importing = files.filter((f) => readFileSync(`${root}dist/${f}`, "utf8").includes("@opentelemetry"));
    expect(importing.length).toBeGreaterThan(0);
    expect(importing.filter((f) => !f.split(/[\\/]/).includes("otel"))).toEqual([]);
  });

  it("ships a working report CLI bin", () => {
    const out = execFileSync(process.execPath, [`${root}dist/cjs/cli.js`, "--help"], { encoding: "utf8" });
    expect(out).toMatch(/report/);
  });

  it("leaves every bin of package.json executable after a build", () => {
    const bins = Object.values(pkg.bin);
    expect(bins).toContain("./dist/cjs/cli.js");
    for (const bin of bins) expect((statSync(`${root}${bin}`).mode & 0o777).toString(8), bin).toBe("755");
    // Run as a program, the way npx and a shell do, not through `node <file>`.
    expect(execFileSync(`${root}dist/cjs/cli.js`, ["--help"], { encoding: "utf8" })).toMatch(/report/);
  });

  it("packs dist and the README but not the test contract", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const files = (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(files).toContain("dist/cjs/cli.js");
    expect(files.filter((f) => !f.startsWith("dist/"))).toEqual(expect.arrayContaining(["README.md", "package.json"]));
    expect(files.some((f) => f.startsWith("contracts/"))).toBe(false);
  });

  it("lists every warning code in the README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const code of Object.keys(WARNING_CODES)) expect(readme, code).toContain(code);
  });
});

/** The README's first ```ts block that imports `from`: a "complete first server" as printed. */
function readmeFirstServer(from = "yavio-mcp"): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  for (const match of readme.matchAll(/```ts\n([\s\S]*?)```/g)) if (match[1]!.includes(`from "${from}";`)) return match[1]!;
  throw new Error(`no ts block importing ${from} in the README`);
}

/**
 * A scratch project as a user would have it: the packed tarball installed under node_modules, the
 * SDK, zod and @types/node beside it (linked from this checkout: no network), a package.json
 * without "type" (CommonJS, as npm init makes it) and a strict tsconfig that checks libraries too.
 */
function consumerProject(packages: readonly string[] = ["@modelcontextprotocol/sdk", "zod", "@types/node"]): string {
  const dir = mkdtempSync(join(tmpdir(), "yavio-consumer-"));
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: root, encoding: "utf8" });
  const tarball = join(dir, out.trim().split("\n").at(-1)!);
  const target = join(dir, "node_modules", "yavio-mcp");
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
  for (const name of packages) {
    mkdirSync(dirname(join(dir, "node_modules", name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name), "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "first-server", version: "1.0.0", private: true }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, noEmit: true, types: ["node"] },
      include: ["*.ts"],
    }),
  );
  return dir;
}

describe("the README's first server, in a project that installed the packed package", () => {
  let dir: string;
  beforeAll(() => {
    dir = consumerProject();
    writeFileSync(join(dir, "server.ts"), readmeFirstServer());
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("type-checks with strict and skipLibCheck: false", () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { cwd: dir, encoding: "utf8", stdio: "pipe" })).not.toThrow();
  }, 120_000);

  it("runs as printed over stdio: the client's call is answered and the session is complete on disk after it disconnects", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), "server.ts"],
      cwd: dir,
      stderr: "pipe",
      env: { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "" },
    });
    const client = new Client({ name: "claude-code", version: "2.0.0" });
    await client.connect(transport);
    const result = await client.callTool({ name: "add_note", arguments: { text: "buy milk" } });
    expect(result.content).toEqual([{ type: "text", text: "saved: buy milk" }]);
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await client.close();
    expect(await exited).toBe(0);
    const files = readdirSync(join(dir, ".yavio"));
    expect(files).toContain("events.jsonl");
    const events = readFileSync(join(dir, ".yavio", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as WireEvent);
    expect(events.map((e) => `${e.event_type}:${e.event_name ?? ""}`)).toEqual([
      "connection:session_start",
      "identify:",
      "track:note_added",
      "tool_call:add_note",
      "connection:session_end",
    ]);
    expect(events.every((e) => e.session_id === events[0]!.session_id)).toBe(true);
    expect(events.slice(1).every((e) => e.user_id === "user_42")).toBe(true);
    expect(events[0]).toMatchObject({ client_name: "claude-code", platform: "claude-code", transport: "stdio" });
  }, 60_000);
});

describe("the README's SDK 2.x server, in a project with only @modelcontextprotocol/server installed", () => {
  let dir: string;
  beforeAll(() => {
    // No @modelcontextprotocol/sdk in this project: neither the types nor the code may need it.
    dir = consumerProject(["@modelcontextprotocol/server", "@modelcontextprotocol/core", "zod", "@types/node"]);
    writeFileSync(join(dir, "server.ts"), readmeFirstServer("yavio-mcp/v2"));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has no SDK 1.x to lean on", () => {
    expect(() => createRequire(join(dir, "package.json")).resolve("@modelcontextprotocol/sdk/package.json")).toThrow();
    expect(createRequire(join(dir, "package.json")).resolve("yavio-mcp/v2")).toContain(join(dir, "node_modules", "yavio-mcp"));
  });

  it("type-checks with strict and skipLibCheck: false", () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { cwd: dir, encoding: "utf8", stdio: "pipe" })).not.toThrow();
  }, 120_000);

  it.each(["2025-11-25", "2026-07-28"] as const)("runs as printed under serveStdio (%s): answered, and the session complete on disk after the client leaves", async (era) => {
    rmSync(join(dir, ".yavio"), { recursive: true, force: true });
    const transport = new StdioClientTransportV2({
      command: process.execPath,
      args: ["--import", import.meta.resolve("tsx"), "server.ts"],
      cwd: dir,
      stderr: "pipe",
      env: { ...process.env, YAVIO_API_KEY: "", YAVIO_ENDPOINT: "" },
    });
    const client = new ClientV2({ name: "claude-code", version: "2.0.0" }, era === "2026-07-28" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
    await client.connect(transport);
    const result = await client.callTool({ name: "add_note", arguments: { text: "buy milk" } });
    expect(result.content).toEqual([{ type: "text", text: "saved: buy milk" }]);
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await client.close();
    expect(await exited).toBe(0);
    const events = readFileSync(join(dir, ".yavio", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as WireEvent);
    expect(events.map((e) => `${e.event_type}:${e.event_name ?? ""}`)).toEqual([
      "connection:session_start",
      "identify:",
      "track:note_added",
      "tool_call:add_note",
      "connection:session_end",
    ]);
    expect(events[0]).toMatchObject({ client_name: "claude-code", platform: "claude-code", transport: "stdio", protocol_version: era });
    expect(events.slice(1).every((e) => e.user_id === "user_42")).toBe(true);
  }, 60_000);
});
