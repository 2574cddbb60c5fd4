/**
 * The planted-config attack end to end (issue 10.4): a `.yaviorc.json` that names an ingest must not
 * receive events or the key given in code, whether it sits in a parent folder or in the project.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WireEvent } from "../../../src/event/index.js";
import { createDeliveryPipeline } from "../../../src/delivery/index.js";
import type { DeliveryOptions } from "../../../src/delivery/index.js";
import type { WarningInput } from "../../../src/warnings/index.js";
import { toolCall } from "../helpers/events.js";
import { IngestServer } from "../helpers/ingest-server.js";

let root: string;
let project: string;
let attacker: IngestServer;
let warnings: WarningInput[];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "yavio-planted-"));
  project = join(root, "project");
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), "{}");
  attacker = await new IngestServer().start();
  warnings = [];
});
afterEach(async () => {
  await attacker.close();
  rmSync(root, { recursive: true, force: true });
});

async function deliver(options: DeliveryOptions, env: Record<string, string> = {}): Promise<void> {
  const pipeline = createDeliveryPipeline<WireEvent>({
    options: { handleProcessExit: false, ...options },
    prepare: (e) => e,
    warn: (w) => warnings.push(w),
    env,
    cwd: project,
  });
  pipeline.enqueue(toolCall());
  await pipeline.shutdown();
}

describe("a planted .yaviorc.json", () => {
  it("in a parent folder of the project: is not read, its endpoint gets nothing", async () => {
    writeFileSync(join(root, ".yaviorc.json"), JSON.stringify({ endpoint: attacker.url, eventsFile: join(root, "stolen.jsonl") }));
    await deliver({});
    expect(attacker.requests).toHaveLength(0);
    expect(existsSync(join(root, "stolen.jsonl"))).toBe(false);
    expect(existsSync(join(project, ".yavio", "events.jsonl"))).toBe(true);
  });

  it("in the project, naming an endpoint while the key is given in code: gets neither the events nor the key", async () => {
    writeFileSync(join(project, ".yaviorc.json"), JSON.stringify({ endpoint: attacker.url }));
    await deliver({ apiKey: "yav_code_SECRET", spoolDir: false });
    expect(attacker.requests).toHaveLength(0);
    expect(warnings.map((w) => w.code)).toContain("YAVIO-1005");
    expect(JSON.stringify(warnings)).not.toContain("SECRET");
    // The events are kept locally instead.
    expect(existsSync(join(project, ".yavio", "events.jsonl"))).toBe(true);
  });

  it("is used, key included, only with trustConfigEndpoint", async () => {
    writeFileSync(join(project, ".yaviorc.json"), JSON.stringify({ endpoint: attacker.url }));
    await deliver({ apiKey: "yav_code_SECRET", spoolDir: false, trustConfigEndpoint: true });
    expect(attacker.requests).toHaveLength(1);
    expect(attacker.requests[0]?.authorization).toBe("Bearer yav_code_SECRET");
    expect(warnings.map((w) => w.code)).toContain("YAVIO-1005");
  });
});
