// Reading a file the workspace names (a `# plens: model=` path, the workspace plens.yaml) as untrusted input:
// inside the workspace folder after symlinks are resolved, a regular file (never a FIFO that blocks or a device
// that never ends), its size checked before it is read. A refusal is one sentence that completion shows at the
// directive; nothing here reads without a bound.
import { constants, promises as fs } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';

/** No model config.json or plens.yaml comes near this (the CLI's limit too). */
export const MAX_WORKSPACE_FILE_BYTES = 4 * 1024 * 1024;

export type WorkspaceRead = { text: string } | { refused: string };

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function tooLarge(name: string, bytes: number): WorkspaceRead {
  return { refused: `${name}: ${(bytes / 1024 / 1024).toFixed(1)} MiB is larger than any config Parallelism Lens reads (limit ${MAX_WORKSPACE_FILE_BYTES / 1024 / 1024} MiB)` };
}

/** Reads `uri` if it is a regular file of bounded size inside `folder`; `name` is how the user wrote it. */
export async function readWorkspaceFile(uri: vscode.Uri, folder: vscode.Uri, name: string): Promise<WorkspaceRead> {
  if (uri.scheme !== folder.scheme || uri.authority !== folder.authority || !inside(uri.path, folder.path)) {
    return { refused: `${name}: outside the workspace folder; Parallelism Lens reads files inside it only` };
  }
  if (uri.scheme === 'file') return readLocal(uri.fsPath, folder.fsPath, name);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return { refused: `${name}: no such file` };
  }
  // Virtual file systems cannot say where a link leads, so a link is not followed there.
  if ((stat.type & vscode.FileType.SymbolicLink) !== 0) return { refused: `${name}: a symbolic link; not followed outside a local folder` };
  if (stat.type !== vscode.FileType.File) return { refused: `${name}: not a regular file` };
  if (stat.size > MAX_WORKSPACE_FILE_BYTES) return tooLarge(name, stat.size);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.byteLength > MAX_WORKSPACE_FILE_BYTES) return tooLarge(name, bytes.byteLength);
  return { text: new TextDecoder().decode(bytes) };
}

/** A local file: symlinks resolved and checked again, then read from one descriptor with a bound. */
async function readLocal(path: string, folder: string, name: string): Promise<WorkspaceRead> {
  let real: string;
  let realFolder: string;
  try {
    [real, realFolder] = await Promise.all([fs.realpath(path), fs.realpath(folder)]);
  } catch {
    return { refused: `${name}: no such file` };
  }
  if (!inside(real, realFolder)) return { refused: `${name}: resolves to ${real}, outside the workspace folder` };
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the stat below refuses it.
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return { refused: `${name}: cannot be opened` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { refused: `${name}: ${stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe (FIFO)' : 'a device or other special file'}, not a regular file` };
    if (stat.size > MAX_WORKSPACE_FILE_BYTES) return tooLarge(name, stat.size);
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_WORKSPACE_FILE_BYTES) return tooLarge(name, length);
    return { text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    await handle.close();
  }
}
