import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Warn } from "../../warnings/index.js";

export const RC_FILE_NAME = ".yaviorc.json";

/** What marks a project's root folder. */
const ROOT_MARKERS = ["package.json", ".git"];

/**
 * The project root of `cwd`: the nearest folder at or above it that holds a `package.json` or a
 * `.git`; undefined when there is none up to the file system's root.
 */
export function findProjectRoot(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    if (ROOT_MARKERS.some((marker) => existsSync(join(dir, marker)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The nearest `.yaviorc.json` from `cwd` up to the project root (`findProjectRoot`), parsed;
 * undefined when there is none or it is unreadable (YAVIO-1004). Without a project root only `cwd`
 * itself is searched: a file in a shared parent folder (a temporary folder, a home directory, a
 * monorepo's parent) never configures a project it does not belong to.
 */
export function findRcFile(cwd: string, warn: Warn): { path: string; dir: string; values: Record<string, unknown> } | undefined {
  let dir = resolve(cwd);
  const top = findProjectRoot(dir) ?? dir;
  for (;;) {
    const path = join(dir, RC_FILE_NAME);
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      let values: unknown;
      let problem: string | undefined;
      try {
        values = JSON.parse(text);
        if (typeof values !== "object" || values === null || Array.isArray(values)) problem = "not a JSON object";
      } catch (error) {
        problem = `invalid JSON${where(text, error)}`;
      }
      if (problem !== undefined) {
        // Only a position: JSON.parse's own message quotes the file, which may hold the API key.
        warn({ code: "YAVIO-1004", message: `${path} is ignored: ${problem}`, details: { path } });
        return undefined;
      }
      return { path, dir, values: values as Record<string, unknown> };
    }
    const parent = dirname(dir);
    if (dir === top || parent === dir) return undefined;
    dir = parent;
  }
}

/** " at line L, column C" from a JSON.parse error that gives a position; "" otherwise. */
function where(text: string, error: unknown): string {
  const match = error instanceof Error ? /position (\d+)/.exec(error.message) : null;
  if (!match) return "";
  const position = Math.min(Number(match[1]), text.length);
  const before = text.slice(0, position).split("\n");
  return ` at line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}
