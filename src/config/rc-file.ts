import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Warn } from "../warnings/index.js";

export const RC_FILE_NAME = ".yaviorc.json";

/** The nearest `.yaviorc.json` at or above `cwd`, parsed; undefined when there is none or it is unreadable (YAVIO-1004). */
export function findRcFile(cwd: string, warn: Warn): { path: string; dir: string; values: Record<string, unknown> } | undefined {
  let dir = cwd;
  for (;;) {
    const path = join(dir, RC_FILE_NAME);
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        const values: unknown = JSON.parse(text);
        if (typeof values !== "object" || values === null || Array.isArray(values)) throw new Error("not an object");
        return { path, dir, values: values as Record<string, unknown> };
      } catch (error) {
        warn({
          code: "YAVIO-1004",
          message: `${path} is not a JSON object (${error instanceof Error ? error.message : "unreadable"}): ignored`,
          details: { path },
        });
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
