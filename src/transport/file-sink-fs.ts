import { link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";

/** The part of an open file the file sink uses; `node:fs/promises`' FileHandle fits it. */
export interface FileSinkHandle {
  write(buffer: Uint8Array, offset?: number, length?: number, position?: number | null): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
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
  readFile(path: string, encoding: "utf8"): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, target: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
}

export const nodeFileSystem: FileSinkFileSystem = { open, stat, readFile, rename, link, unlink, mkdir };
