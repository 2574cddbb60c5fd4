import { randomBytes } from "node:crypto";
import type { FileSinkFileSystem } from "./file-sink-fs.js";

export interface FileLockOptions {
  /** The lock file, e.g. `<events file>.lock`. */
  path: string;
  fs: FileSinkFileSystem;
  /** How long `acquire` waits for another holder before giving up. */
  timeoutMs: number;
  /** A lock older than this is taken to be left behind by a crash, whatever its pid. */
  staleMs: number;
  /** Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Default a real (ref'd) timer: the wait is part of a write in progress and short. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An advisory lock between processes that write one event file. The lock is a symbolic link
 * `<path>` → `"<pid> <token>"`: creating it is one atomic call that fails with EEXIST when it is
 * held, and it needs no data block, so it works on a full disk. Where symbolic links are refused
 * (Windows without the privilege) it is a file created with `wx` (O_CREAT|O_EXCL) holding the same
 * text. Held for one append (and the rotation before it), so a few milliseconds. A lock whose
 * holder is dead, or that is older than `staleMs`, is taken over: a crash while holding it cannot
 * block the writers for good.
 *
 * Taking over a stale lock renames it to a unique name first, so of two processes that find the same
 * stale lock at once only one removes it; the other sees ENOENT and tries again. (If a live lock was
 * moved by mistake it is linked back; a third process creating one in that instant could still make
 * two holders — it needs a crashed holder and three writers within microseconds, and costs at most
 * an out-of-order rotation, never a torn or lost line, because every append is one O_APPEND write.)
 */
export class FileLock {
  private readonly options: FileLockOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private useSymlink = true;
  private acquiredAt = 0;

  constructor(options: FileLockOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Resolves with the token that `release` needs, or `undefined` when the lock could not be had
   * (timeout, or the folder refuses a lock): the caller then writes without it.
   */
  async acquire(): Promise<string | undefined> {
    const token = `${process.pid} ${randomBytes(8).toString("hex")}`;
    const deadline = this.now() + this.options.timeoutMs;
    let wait = 2;
    for (;;) {
      const created = await this.create(token);
      if (created !== "exists") {
        this.acquiredAt = this.now();
        return created?.held;
      }
      if (await this.removeIfStale()) continue;
      if (this.now() >= deadline) return undefined;
      // Jitter keeps several waiting processes from retrying in lockstep.
      await this.sleep(wait + Math.floor(Math.random() * wait));
      wait = Math.min(wait * 2, 50);
    }
  }

  /** Removes the lock if it is still ours (a stale-lock takeover may have moved it). */
  async release(token: string): Promise<void> {
    const { fs, path } = this.options;
    try {
      // Held for less than half the stale age and our process is alive: nobody can have taken it over.
      if (this.now() - this.acquiredAt < this.options.staleMs / 2 || (await this.content(path)) === token) await fs.unlink(path);
    } catch {
      // Gone already: someone judged it stale. Nothing to undo.
    }
  }

  /** What we hold when created, `"exists"` when held by someone, `undefined` when no lock can be made here. */
  private async create(token: string): Promise<{ held: string } | "exists" | undefined> {
    const { fs, path } = this.options;
    if (this.useSymlink) {
      try {
        await fs.symlink(token, path);
        return { held: token };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") return "exists";
        if (code === "ENOENT" || code === "EACCES" || code === "EROFS") return undefined;
        this.useSymlink = false; // EPERM, ENOSYS, EINVAL…: this file system has no symbolic links for us
      }
    }
    try {
      const handle = await fs.open(path, "wx");
      // The file is ours from its creation on. If the token does not fit (full disk), we hold an empty
      // lock file, which `release("")` removes and which others judge by its age alone.
      let written = token;
      try {
        await handle.write(Buffer.from(token));
      } catch {
        written = "";
      } finally {
        await handle.close().catch(() => undefined);
      }
      return { held: written };
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EEXIST" ? "exists" : undefined;
    }
  }

  private async content(path: string): Promise<string> {
    const { fs } = this.options;
    try {
      return await fs.readlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
      return await fs.readFile(path, "utf8"); // a lock file, not a link
    }
  }

  private async removeIfStale(): Promise<boolean> {
    const { fs, path, staleMs } = this.options;
    let content: string;
    let mtimeMs: number;
    try {
      content = await this.content(path);
      mtimeMs = (await fs.lstat(path)).mtimeMs;
    } catch {
      return true; // released in between: try again at once
    }
    const pid = Number(content.split(" ")[0]);
    // An empty file is a holder between its create and its write: young, so it is left alone.
    const deadHolder = content !== "" && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
    if (!deadHolder && this.now() - mtimeMs < staleMs) return false;
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await fs.rename(path, aside);
    } catch {
      return true; // another process moved it first
    }
    try {
      // Between our read and the rename, the stale lock may have been replaced by a live one: put that back.
      if ((await this.content(aside)) !== content) await fs.link(aside, path).catch(() => undefined);
      await fs.unlink(aside);
    } catch {
      // A leftover `.stale-…` entry is harmless.
    }
    return true;
  }
}
