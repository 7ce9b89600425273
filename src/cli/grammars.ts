// The shell and Python readers parse with tree-sitter grammars shipped as .wasm files beside dist/cli.js (the
// build copies them there). Running from source (tests), the same files come from this package's node_modules.
// Never from the working directory: a workspace is untrusted, and its node_modules could carry any .wasm.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { initShellGrammar } from '../config/megatron/megatronShell';
import { initPythonGrammar } from '../config/torchtitan/torchtitanPython';

const FILES = {
  runtime: ['web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm'],
  bash: ['tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'],
  python: ['tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'],
} as const;

/** Running from source when this file still sits in the package's src/cli (the bundle lives in dist/). */
const FROM_SOURCE = basename(__dirname) === 'cli' && basename(dirname(__dirname)) === 'src';

function locate([shipped, installed]: readonly [string, string]): Uint8Array | undefined {
  const root = join(__dirname, '..', '..');
  const candidates = FROM_SOURCE ? [join(root, 'dist', shipped), join(root, 'node_modules', installed)] : [join(__dirname, shipped)];
  const found = candidates.find((path) => existsSync(path));
  return found === undefined ? undefined : readFileSync(found);
}

let ready: Promise<void> | undefined;

/** Loads both grammars once. A missing file leaves that reader answering `reader/not-initialised`. */
export function ensureGrammars(): Promise<void> {
  ready ??= (async () => {
    const runtime = locate(FILES.runtime);
    const bash = locate(FILES.bash);
    const python = locate(FILES.python);
    if (!runtime) return;
    // A grammar that fails to load only disables its reader, which then says so; other formats still work.
    if (bash) await initShellGrammar({ runtime, bash }).catch(() => undefined);
    if (python) await initPythonGrammar({ runtime, python }).catch(() => undefined);
  })();
  return ready;
}
