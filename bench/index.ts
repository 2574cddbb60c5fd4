/**
 * `npm run bench`: runs every benchmark in its own process (a clean heap each) and prints their
 * tables. Benchmarks print numbers; they assert nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const suites = ["core.ts", "pii.ts", "transport.ts", "report.ts", "otel.ts", "redis.ts"];
const only = process.argv.slice(2);

for (const suite of suites) {
  if (only.length > 0 && !only.some((o) => suite.startsWith(o))) continue;
  const file = join(here, suite);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n## ${suite.replace(/\.ts$/, "")}\n\n`);
  const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file], { stdio: "inherit" });
  if (run.status !== 0) process.stdout.write(`(bench ${suite} exited with ${run.status})\n`);
}
