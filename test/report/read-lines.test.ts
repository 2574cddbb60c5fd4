import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLines } from "../../src/report/index.js";

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe("readLines", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "yavio-read-lines-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("yields LF and CRLF lines and a last line without a newline", async () => {
    const file = join(dir, "mixed.jsonl");
    await writeFile(file, "one\r\ntwo\n\nthree");
    expect(await collect(readLines(file))).toEqual(["one", "two", "", "three"]);
  });

  it("joins a multi-byte character split across chunks", async () => {
    const bytes = Buffer.from("héllo €\nnext\n", "utf8");
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)];
    expect(await collect(readLines(Readable.from(chunks, { objectMode: false })))).toEqual(["héllo €", "next"]);
  });

  it("cuts an over-long line once and carries on with the next line", async () => {
    const chunks = ["x".repeat(30), "x".repeat(30), "\nafter\n"];
    expect(await collect(readLines(Readable.from(chunks), { maxLineLength: 40 }))).toEqual(["x".repeat(40), "after"]);
  });

  it("rejects when the file cannot be read", async () => {
    await expect(collect(readLines(join(dir, "missing.jsonl")))).rejects.toThrow(/ENOENT/);
  });
});
