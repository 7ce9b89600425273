// What a command may do to the outside world. Commands receive it instead of touching process or fs, so tests
// run them in-process and capture everything they print.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileRefusal, isInside, readGuarded, type GuardOptions } from './fileGuard';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** A config file's text, bounded and checked (fileGuard.ts); a refusal is a UsageError of one line. */
  readFile(path: string, options?: GuardOptions): string;
  writeFile(path: string, text: string): void;
  exists(path: string): boolean;
  /** Environment variables, for NO_COLOR and the like. */
  env: Record<string, string | undefined>;
}

/** A problem with the command line or its input: main prints `message` as one line and exits 2. */
export class UsageError extends Error {}

/** Output that could not be written (disk full, no permission): main prints `message` as one line and exits 1. */
export class OutputError extends Error {}

/** A failed write as one line: a missing folder is the user's path (exit 2), the rest is the system's (exit 1). */
function writeError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new UsageError(`cannot write ${path}: its folder does not exist`);
  if (code === 'EISDIR') return new UsageError(`cannot write ${path}: it is a folder`);
  if (code === 'ENOSPC') return new OutputError(`cannot write ${path}: no space left on the device (ENOSPC)`);
  if (code === 'EACCES' || code === 'EPERM') return new OutputError(`cannot write ${path}: permission denied`);
  return new OutputError(`cannot write ${path}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
}

/**
 * Characters a terminal acts on rather than shows: C0 controls but tab and newline (and a carriage return outside a
 * CRLF), DEL, C1 controls, and the bidirectional overrides and isolates that reorder what a line shows.
 */
const TERMINAL_ACTIVE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/g;

/**
 * `text` with every character a terminal would act on written as `\uXXXX`: a config is untrusted, and a value it
 * holds (a GPU's name, a path) reaches messages and tables as it is. The same spelling is a JSON string escape, so
 * `--json` output stays valid and reads back the same (JSON.stringify has escaped the C0 controls already).
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_ACTIVE, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(terminalSafe(text)),
    stderr: (text) => process.stderr.write(terminalSafe(text)),
    readFile: (path, options) => {
      try {
        return readGuarded(path, options);
      } catch (error) {
        if (error instanceof FileRefusal) throw new UsageError(error.message);
        throw error;
      }
    },
    writeFile: (path, text) => {
      try {
        writeFileSync(path, text);
      } catch (error) {
        throw writeError(path, error);
      }
    },
    exists: (path) => existsSync(path),
    env: process.env,
  };
}

/** An in-memory io for tests. */
export function memoryIo(files: Record<string, string> = {}): CliIo & { out: string; err: string; files: Record<string, string> } {
  const io = {
    out: '',
    err: '',
    files: { ...files },
    stdout(text: string) { io.out += text; },
    stderr(text: string) { io.err += text; },
    readFile(path: string, options?: GuardOptions) {
      if (options?.within && !options.within.some((folder) => isInside(resolve(path), resolve(folder)))) {
        throw new UsageError(`${path}: outside the config's folder and the working directory`);
      }
      const text = io.files[path];
      if (text === undefined) throw new UsageError(`${path}: no such file`);
      return text;
    },
    writeFile(path: string, text: string) { io.files[path] = text; },
    exists(path: string) { return path in io.files; },
    env: {} as Record<string, string | undefined>,
  };
  return io;
}
