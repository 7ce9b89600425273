// What the input-driven suites (fuzzing, the YAML corpus, the script readers) share: every file under a folder, a
// seeded random source so a failing case can be replayed from its seed and index, and the bash grammar.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initShellGrammar } from '../src/config/megatron/megatronShell';

export function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** mulberry32: small, seedable, good enough to spread cases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Loads the bash grammar from the installed packages, as the CLI does from its bundle, for suites that read scripts. */
export async function loadShellGrammar(): Promise<void> {
  await initShellGrammar({
    runtime: readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
    bash: readFileSync('node_modules/tree-sitter-bash/tree-sitter-bash.wasm'),
  });
}
