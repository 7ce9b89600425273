// Reading a file a workspace names, as an attacker might have written the workspace: a regular file only (never a
// FIFO that blocks, a device that never ends, a directory), its size checked on the open descriptor before a byte is
// read, symlinks resolved and the real path checked against the folders the caller allows. Every refusal is one
// line (a FileRefusal), which callers turn into a per-file problem or a usage error; nothing here hangs or grows.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** No training config or model config.json comes near this; a larger file is refused before it is read. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Why a file was not read, in one line that names it. */
export class FileRefusal extends Error {}

export interface GuardOptions {
  /** Folders the file's real path must lie in (after resolving symlinks); omit for a file the user named. */
  within?: readonly string[];
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENOTDIR') return 'a path component is not a folder';
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** True when `path` is `folder` or inside it (both already real, absolute paths). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of a folder the caller allows, or undefined when it does not exist. */
export function realFolder(path: string): string | undefined {
  try {
    return realpathSync(resolve(path));
  } catch {
    return undefined;
  }
}

/** Reads `path` as UTF-8 text under the rules above, or throws a FileRefusal. */
export function readGuarded(path: string, options: GuardOptions = {}): string {
  let real: string;
  try {
    real = realpathSync(resolve(path));
  } catch (error) {
    throw new FileRefusal(`${path}: ${describe(error)}`);
  }
  if (options.within) {
    const folders = options.within.map(realFolder).filter((folder): folder is string => folder !== undefined);
    if (!folders.some((folder) => isInside(real, folder))) {
      throw new FileRefusal(`${path}: resolves to ${real}, outside the config's folder and the working directory (plens reads files there only; --allow-outside lifts this)`);
    }
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat below then refuses it.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new FileRefusal(`${path}: ${describe(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FileRefusal(`${path}: ${kindOf(stat)}, not a regular file; plens reads regular files only`);
    if (stat.size > MAX_FILE_BYTES) {
      throw new FileRefusal(`${path}: ${(stat.size / 1024 / 1024).toFixed(1)} MiB is larger than any config plens reads (limit ${MAX_FILE_BYTES / 1024 / 1024} MiB); not read`);
    }
    // Read at most one byte past the limit: a file that grows while it is read is still bounded.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_FILE_BYTES) throw new FileRefusal(`${path}: grew past ${MAX_FILE_BYTES / 1024 / 1024} MiB while being read; not read`);
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof FileRefusal) throw error;
    throw new FileRefusal(`${path}: ${describe(error)}`);
  } finally {
    closeSync(fd);
  }
}

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}
