// What a command may do to the outside world. Commands receive it instead of touching process or fs, so tests
// run them in-process and capture everything they print.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  readBytes(path: string): Uint8Array;
  writeFile(path: string, text: string): void;
  exists(path: string): boolean;
  /** Environment variables, for NO_COLOR and the like. */
  env: Record<string, string | undefined>;
}

/** A problem with the command line or its input: main prints `message` as one line and exits 2. */
export class UsageError extends Error {}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    readBytes: (path) => readFileSync(path),
    writeFile: (path, text) => writeFileSync(path, text),
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
    readFile(path: string) {
      const text = io.files[path];
      if (text === undefined) throw new UsageError(`${path}: no such file`);
      return text;
    },
    readBytes(path: string) { return new TextEncoder().encode(io.readFile(path)); },
    writeFile(path: string, text: string) { io.files[path] = text; },
    exists(path: string) { return path in io.files; },
    env: {} as Record<string, string | undefined>,
  };
  return io;
}
