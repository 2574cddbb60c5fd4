import { link, lstat, mkdir, open, readFile, readlink, rename, stat, symlink, unlink } from "node:fs/promises";

/** The part of an open file the file sink uses; `node:fs/promises`' FileHandle fits it. */
export interface FileSinkHandle {
  write(buffer: Uint8Array, offset?: number, length?: number, position?: number | null): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number; ino: number }>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-system calls of the file sink, injectable so a test can make a write fail part-way
 * (ENOSPC) without mocking modules. The default is `node:fs/promises`.
 */
export interface FileSinkFileSystem {
  open(path: string, flags: string): Promise<FileSinkHandle>;
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  lstat(path: string): Promise<{ mtimeMs: number }>;
  readFile(path: string, encoding: "utf8"): Promise<string>;
  readlink(path: string): Promise<string>;
  symlink(target: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, target: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
}

export const nodeFileSystem: FileSinkFileSystem = {
  open,
  stat,
  lstat,
  readFile,
  readlink: (path) => readlink(path, "utf8"),
  symlink: (target, path) => symlink(target, path),
  rename,
  link,
  unlink,
  mkdir,
};
