import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SDK_VERSION, WARNING_CODES } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies?: Record<string, string>;
};

describe("the package", () => {
  beforeAll(() => {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "pipe" });
  }, 120_000);

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
