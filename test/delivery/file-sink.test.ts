import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveDeliveryOptions } from "../../src/delivery/config/index.js";
import type { WireEvent } from "../../src/event/index.js";
import { createDeliveryPipeline, FileSink } from "../../src/delivery/index.js";
import type { FileSinkFileSystem, FileSinkHandle } from "../../src/delivery/file-sink-fs.js";
import { nodeFileSystem } from "../../src/delivery/file-sink-fs.js";
import { serializeEvent } from "../../src/delivery/serialize.js";
import { YavioConfigError } from "../../src/warnings/index.js";
import type { WarningInput } from "../../src/warnings/index.js";
import { toolCall } from "./helpers/events.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const signal = new AbortController().signal;

let dir: string;
let path: string;
let warnings: WarningInput[];
const warn = (w: WarningInput): void => {
  warnings.push(w);
};
const codes = (): string[] => warnings.map((w) => w.code);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "yavio-file-sink-"));
  path = join(dir, "events.jsonl");
  warnings = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const batchOf = (n: number): WireEvent[] => Array.from({ length: n }, () => toolCall(seq++));
const bytesOf = (batch: readonly WireEvent[]): number => batch.reduce((sum, e) => sum + Buffer.byteLength(serializeEvent(e)) + 1, 0);

/** Every line of a file: parsed events, and the lines that are not an event (torn or glued). */
function read(file: string): { events: WireEvent[]; bad: string[] } {
  const events: WireEvent[] = [];
  const bad: string[] = [];
  const text = readFileSync(file, "utf8");
  if (text !== "" && !text.endsWith("\n")) bad.push("<no final newline>");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const value = JSON.parse(line) as WireEvent;
      if (typeof value.event_id === "string") events.push(value);
      else bad.push(line);
    } catch {
      bad.push(line);
    }
  }
  return { events, bad };
}

/** The current file and its rotated predecessors, oldest first. */
function allFiles(base: string): string[] {
  const rotated = readdirSync(dirname(base))
    .map((name) => /^events\.jsonl\.(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
    .map((n) => `${base}.${n}`);
  return existsSync(base) ? [...rotated, base] : rotated;
}

describe("FileSink retention", () => {
  it("rotating many times, warns YAVIO-1213 for every deleted file with exactly the events and bytes that went", async () => {
    const sink = new FileSink({ path, maxBytes: 3000, maxFiles: 3, warn });
    const written: WireEvent[] = [];
    let writtenBytes = 0;
    for (let i = 0; i < 80; i += 1) {
      const batch = batchOf(2);
      written.push(...batch);
      writtenBytes += bytesOf(batch);
      expect(await sink.send(batch, { signal })).toEqual({ status: "success" });
    }
    const deletions = warnings.filter((w) => w.code === "YAVIO-1213");
    expect(deletions.length).toBeGreaterThan(10);
    expect(codes().every((c) => c === "YAVIO-1213")).toBe(true);
    for (const d of deletions) expect(d.details).toMatchObject({ path: `${path}.3`, maxFiles: 3 });

    const files = allFiles(path);
    expect(files).toEqual([`${path}.3`, `${path}.2`, `${path}.1`, path]);
    const kept = files.flatMap((f) => read(f).events);
    const keptBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    const deletedEvents = deletions.reduce((sum, d) => sum + (d.details?.events as number), 0);
    const deletedBytes = deletions.reduce((sum, d) => sum + (d.details?.bytes as number), 0);
    // Nothing vanished without a word: what is left plus what the warnings counted is everything.
    expect(kept.length + deletedEvents).toBe(written.length);
    expect(keptBytes + deletedBytes).toBe(writtenBytes);
    expect(kept.map((e) => e.event_id)).toEqual(written.slice(written.length - kept.length).map((e) => e.event_id));
  });

  it("keeps 20 rotated files by default and deletes nothing before the 21st rotation", async () => {
    const sink = new FileSink({ path, maxBytes: 1000, warn });
    // One event (~600 bytes) per batch: every batch after the first rotates.
    for (let i = 0; i < 21; i += 1) await sink.send(batchOf(1), { signal });
    expect(allFiles(path)).toHaveLength(21);
    expect(existsSync(`${path}.20`)).toBe(true);
    expect(warnings).toEqual([]);
    await sink.send(batchOf(1), { signal });
    expect(existsSync(`${path}.21`)).toBe(false);
    expect(warnings).toEqual([expect.objectContaining({ code: "YAVIO-1213", details: expect.objectContaining({ events: 1 }) })]);
  });

  it.each([[0], [1001], [1.5], [-1]])("refuses maxFiles %s with YavioConfigError", (maxFiles) => {
    expect(() => new FileSink({ path, maxFiles })).toThrow(YavioConfigError);
  });

  it("resolves eventsFileMaxFiles from code, then YAVIO_EVENTS_FILE_MAX_FILES, default 20; a bad env value is YAVIO-1003", () => {
    const resolve = (code: { eventsFileMaxFiles?: number }, env: Record<string, string>): number =>
      resolveDeliveryOptions(code, { env, cwd: dir, warn }).eventsFileMaxFiles;
    expect(resolve({}, {})).toBe(20);
    expect(resolve({}, { YAVIO_EVENTS_FILE_MAX_FILES: "7" })).toBe(7);
    expect(resolve({ eventsFileMaxFiles: 3 }, { YAVIO_EVENTS_FILE_MAX_FILES: "7" })).toBe(3);
    warnings = [];
    expect(resolve({}, { YAVIO_EVENTS_FILE_MAX_FILES: "0" })).toBe(20);
    expect(codes().filter((c) => c !== "YAVIO-1000")).toEqual(["YAVIO-1003"]);
    expect(() => resolve({ eventsFileMaxFiles: 0 }, {})).toThrow(YavioConfigError);
  });

  it("the delivery pipeline passes the retention and the warn function to the event file", async () => {
    const pipeline = createDeliveryPipeline<WireEvent>({
      options: { eventsFile: path, eventsFileMaxBytes: 1500, maxExportBatchSize: 2, handleProcessExit: false },
      prepare: (e) => e,
      warn,
      env: { YAVIO_EVENTS_FILE_MAX_FILES: "2" },
      cwd: dir,
    });
    for (const e of batchOf(30)) pipeline.enqueue(e);
    await pipeline.shutdown();
    expect(allFiles(path)).toEqual([`${path}.2`, `${path}.1`, path]);
    expect(codes()).toContain("YAVIO-1213");
  });
});

/** A file system whose writes to the event file fail as `plan` says; everything else is real. */
function faultyFs(plan: { write?: "enospc" | "short"; truncate?: "eio" }, state: { armed: boolean }): FileSinkFileSystem {
  return {
    ...nodeFileSystem,
    async open(file, flags) {
      const real = await nodeFileSystem.open(file, flags);
      if (file !== path) return real;
      const handle: FileSinkHandle = {
        read: (...args) => real.read(...args),
        stat: () => real.stat(),
        close: () => real.close(),
        async truncate(length) {
          if (plan.truncate === "eio") throw Object.assign(new Error("EIO: i/o error, ftruncate"), { code: "EIO" });
          await real.truncate(length);
        },
        async write(buffer, offset = 0, length = buffer.length, position = null) {
          if (!state.armed) return real.write(buffer, offset, length, position);
          state.armed = false;
          // All but the last few bytes reach the disk, then it is full: the last event is cut.
          const { bytesWritten } = await real.write(buffer, offset, length - 10, position);
          if (plan.write === "short") return { bytesWritten };
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        },
      };
      return handle;
    },
  };
}

describe("FileSink on a full disk", () => {
  it.each([["enospc" as const], ["short" as const]])(
    "a write cut short (%s) is truncated back: no torn line, the batch is reported, the next one lands",
    async (write) => {
      const state = { armed: false };
      const sink = new FileSink({ path, warn, fs: faultyFs({ write }, state) });
      const first = batchOf(3);
      const lost = batchOf(3);
      const third = batchOf(3);
      await sink.send(first, { signal });
      const sizeBefore = statSync(path).size;
      state.armed = true;
      const result = await sink.send(lost, { signal });
      expect(result.status).toBe("retryable");
      expect(result.status === "retryable" && result.reason).toMatch(write === "enospc" ? /ENOSPC/ : /short write/);
      expect(statSync(path).size).toBe(sizeBefore);
      expect(await sink.send(third, { signal })).toEqual({ status: "success" });
      const { events, bad } = read(path);
      expect(bad).toEqual([]);
      expect(events.map((e) => e.event_id)).toEqual([...first, ...third].map((e) => e.event_id));
      expect(warnings).toEqual([]);
    },
  );

  it("when the truncation fails too, the next append starts on a new line: one unreadable line, never a glued event (YAVIO-1214)", async () => {
    const state = { armed: false };
    const sink = new FileSink({ path, warn, fs: faultyFs({ write: "enospc", truncate: "eio" }, state) });
    const first = batchOf(2);
    const cut = batchOf(2);
    const third = batchOf(2);
    await sink.send(first, { signal });
    state.armed = true;
    expect((await sink.send(cut, { signal })).status).toBe("retryable");
    expect(await sink.send(third, { signal })).toEqual({ status: "success" });
    const { events, bad } = read(path);
    expect(bad).toHaveLength(1);
    expect(serializeEvent(cut[1] as WireEvent)).toContain(bad[0]);
    // The whole lines of the cut batch that reached the disk stay readable.
    expect(events.map((e) => e.event_id)).toEqual([...first, cut[0] as WireEvent, ...third].map((e) => e.event_id));
    expect(codes()).toEqual(["YAVIO-1214"]);
  });

  it("a partial line left by another writer (a crash) is not glued to the next event", async () => {
    const first = batchOf(1);
    writeFileSync(path, `${serializeEvent(first[0] as WireEvent)}\n{"event_id":"cut-he`);
    const next = batchOf(2);
    await new FileSink({ path, warn }).send(next, { signal });
    const { events, bad } = read(path);
    expect(bad).toEqual(['{"event_id":"cut-he']);
    expect(events.map((e) => e.event_id)).toEqual([...first, ...next].map((e) => e.event_id));
    expect(codes()).toEqual(["YAVIO-1214"]);
  });

  it("persistSync does not glue onto a partial line either", () => {
    writeFileSync(path, '{"event_id":"cut');
    const batch = batchOf(2);
    new FileSink({ path, warn }).persistSync(batch);
    const { events, bad } = read(path);
    expect(bad).toEqual(['{"event_id":"cut']);
    expect(events.map((e) => e.event_id)).toEqual(batch.map((e) => e.event_id));
  });
});

// A real small file system. CI runs as root, where this works; elsewhere the test is skipped.
const tiny = mkdtempSync(join(tmpdir(), "yavio-tmpfs-"));
let mounted = false;
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny], { stdio: "ignore" });
  mounted = true;
} catch {
  // not permitted here
}
afterAll(() => {
  if (mounted) {
    try {
      execFileSync("umount", [tiny], { stdio: "ignore" });
    } catch {
      execFileSync("umount", ["-l", tiny], { stdio: "ignore" });
    }
  }
  rmSync(tiny, { recursive: true, force: true });
});

describe("FileSink on a real full file system", () => {
  it.skipIf(!mounted)("filling a 64 KiB tmpfs leaves only whole events, exactly the ones reported written, and recovers when space is freed", async () => {
    const file = join(tiny, "events.jsonl");
    const filler = join(tiny, "filler");
    writeFileSync(filler, Buffer.alloc(16 * 1024));
    const sink = new FileSink({ path: file, maxBytes: 0, warn });
    const delivered: string[] = [];
    let failures = 0;
    for (let i = 0; i < 200 && failures < 3; i += 1) {
      const batch = batchOf(3);
      const result = await sink.send(batch, { signal });
      if (result.status === "success") delivered.push(...batch.map((e) => e.event_id));
      else failures += 1;
    }
    expect(failures).toBe(3);
    expect(delivered.length).toBeGreaterThan(0);
    let { events, bad } = read(file);
    expect(bad).toEqual([]);
    expect(events.map((e) => e.event_id)).toEqual(delivered);

    rmSync(filler);
    const after = batchOf(3);
    expect(await sink.send(after, { signal })).toEqual({ status: "success" });
    ({ events, bad } = read(file));
    expect(bad).toEqual([]);
    expect(events.map((e) => e.event_id)).toEqual([...delivered, ...after.map((e) => e.event_id)]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe("FileSink with other writers", () => {
  it("a rotation that finds the file already moved by another writer (ENOENT) still writes the batch", async () => {
    const elsewhere = join(dir, "moved-by-other.jsonl");
    const fs: FileSinkFileSystem = {
      ...nodeFileSystem,
      async rename(from, to) {
        // Another writer, not using the lock, rotates the file in the same instant.
        if (from === path && to === `${path}.1`) await fsp.rename(path, elsewhere);
        await nodeFileSystem.rename(from, to);
      },
    };
    const sink = new FileSink({ path, maxBytes: 1000, warn, fs });
    const first = batchOf(1);
    const second = batchOf(1);
    await sink.send(first, { signal });
    expect(await sink.send(second, { signal })).toEqual({ status: "success" });
    expect(read(elsewhere).events.map((e) => e.event_id)).toEqual(first.map((e) => e.event_id));
    expect(read(path).events.map((e) => e.event_id)).toEqual(second.map((e) => e.event_id));
    expect(warnings).toEqual([]);
  });

  it("waits for a live writer's lock, then appends without rotating and says so once (YAVIO-1215)", async () => {
    writeFileSync(`${path}.lock`, `${process.pid} someone-else`);
    const sink = new FileSink({ path, maxBytes: 1000, lockTimeoutMs: 30, warn });
    const batches = [batchOf(1), batchOf(1), batchOf(1)];
    for (const b of batches) expect(await sink.send(b, { signal })).toEqual({ status: "success" });
    expect(read(path).events.map((e) => e.event_id)).toEqual(batches.flat().map((e) => e.event_id));
    expect(existsSync(`${path}.1`)).toBe(false);
    expect(codes()).toEqual(["YAVIO-1215"]);
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(`${process.pid} someone-else`);
  });

  it("a rotation that fails appends the batch to the current file and says so once (YAVIO-1215)", async () => {
    const fs: FileSinkFileSystem = {
      ...nodeFileSystem,
      rename: () => Promise.reject(Object.assign(new Error("EACCES: permission denied, rename"), { code: "EACCES" })),
    };
    const sink = new FileSink({ path, maxBytes: 1000, warn, fs });
    const batches = [batchOf(1), batchOf(1), batchOf(1)];
    for (const b of batches) expect(await sink.send(b, { signal })).toEqual({ status: "success" });
    expect(read(path).events.map((e) => e.event_id)).toEqual(batches.flat().map((e) => e.event_id));
    expect(codes()).toEqual(["YAVIO-1215"]);
  });

  it("takes over a lock left by a dead process or older than 10 s", async () => {
    const deadPid = Number(execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }));
    const sink = new FileSink({ path, maxBytes: 1000, lockTimeoutMs: 60_000, warn });
    symlinkSync(`${deadPid} crashed`, `${path}.lock`);
    await sink.send(batchOf(1), { signal });
    writeFileSync(`${path}.lock`, `${process.pid} stuck`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    await sink.send(batchOf(1), { signal });
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes(".stale-"))).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ["a symbolic link", nodeFileSystem],
    ["a plain file (no symbolic links, as on Windows)", { ...nodeFileSystem, symlink: () => Promise.reject(Object.assign(new Error("EPERM"), { code: "EPERM" })) }],
  ])("with the lock as %s, two sinks on one file in one process lose nothing and keep the limit", async (_, fs: FileSinkFileSystem) => {
    const maxBytes = 4000;
    const sinks = [new FileSink({ path, maxBytes, maxFiles: 1000, warn, fs }), new FileSink({ path, maxBytes, maxFiles: 1000, warn, fs })];
    const sent: string[] = [];
    await Promise.all(
      sinks.map(async (sink) => {
        for (let i = 0; i < 40; i += 1) {
          const batch = batchOf(2);
          sent.push(...batch.map((e) => e.event_id));
          expect(await sink.send(batch, { signal })).toEqual({ status: "success" });
        }
      }),
    );
    const files = allFiles(path);
    expect(files.length).toBeGreaterThan(10);
    const ids = files.flatMap((f) => {
      expect(statSync(f).size).toBeLessThanOrEqual(maxBytes);
      const { events, bad } = read(f);
      expect(bad).toEqual([]);
      return events.map((e) => e.event_id);
    });
    expect(ids.sort()).toEqual(sent.sort());
    expect(warnings).toEqual([]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("four processes appending and rotating one small file: every event exactly once, no torn line, no file past the limit", async () => {
    const writers = 4;
    const batches = 120;
    const batchSize = 4;
    const maxBytes = 16 * 1024;
    const child = join(root, "test", "fixtures", "delivery", "file-writer-child.ts");
    const outputs = await Promise.all(
      Array.from(
        { length: writers },
        (_, w) =>
          new Promise<string>((resolve, reject) => {
            const p = spawn(process.execPath, ["--import", tsx, child, path, String(w), String(batches), String(batchSize), String(maxBytes), "1000"], {
              stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            let err = "";
            p.stdout.on("data", (d: Buffer) => (out += d.toString()));
            p.stderr.on("data", (d: Buffer) => (err += d.toString()));
            p.on("error", reject);
            p.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`writer ${w} exited ${code}: ${err}`))));
          }),
      ),
    );
    const reports = outputs.map((o) => JSON.parse(o) as { failed: number; largestBatchBytes: number; warnings: string[] });
    for (const r of reports) expect(r).toMatchObject({ failed: 0, warnings: [] });
    expect(Math.max(...reports.map((r) => r.largestBatchBytes))).toBeLessThan(maxBytes / 4);

    const files = allFiles(path);
    expect(files.length).toBeGreaterThan(20);
    const names: string[] = [];
    for (const f of files) {
      const { events, bad } = read(f);
      expect(bad, f).toEqual([]);
      names.push(...events.map((e) => e.event_name as string));
      // Each append decides on the real size under the lock, so no file passes the limit at all.
      expect(statSync(f).size, f).toBeLessThanOrEqual(maxBytes);
    }
    const expected = Array.from({ length: writers }, (_, w) => Array.from({ length: batches * batchSize }, (_, n) => `w${w}_${n}`)).flat();
    expect(names.length).toBe(expected.length);
    expect(new Set(names)).toEqual(new Set(expected));
    // Each writer's own events stay in order across the rotated files.
    for (let w = 0; w < writers; w += 1) {
      const own = names.filter((n) => n.startsWith(`w${w}_`)).map((n) => Number(n.split("_")[1]));
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 120_000);
});
