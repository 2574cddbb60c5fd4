/**
 * `await store.ready()` at a module's top level: the store's socket and reconnect timer are
 * unref'd, so without a ref'd hold the process ended under the await (exit 13 under ESM).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { describeRedis } from "./redis-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const host = join(root, "test", "fixtures", "redis", "ready-host.mts");

function run(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, host, url], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

it("with nothing listening on the port: the await returns false and the process goes on", { timeout: 30_000 }, async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const out = await run(`redis://127.0.0.1:${port}`);
  expect(out.stdout).toBe("after false\n");
  expect(out.code).toBe(0);
});

describeRedis("ready() at the top level with a running Redis", (url) => {
  it("the await returns true and the process goes on", { timeout: 30_000 }, async () => {
    const out = await run(url);
    expect(out.stdout).toBe("after true\n");
    expect(out.code).toBe(0);
  });
});
