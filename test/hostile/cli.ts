// The real `plens`, bundled as scripts/build.mjs bundles it (grammars beside it), run as a child process so a hang
// is a killed process and a failed test rather than a stuck test run, and so stdout can be a closed pipe or a full
// device. Each run is given HANG_BOUND_MS: a generous bound for a hang, not a speed target.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
// @ts-expect-error: a plain .mjs shared with scripts/build.mjs, without type declarations.
import { commonOptions, nodeCjs } from '../../scripts/esbuildOptions.mjs';

export const HANG_BOUND_MS = 2000;

export interface Plens {
  /** Scratch folder the bundle lives in; tests make their workspaces beside it. */
  folder: string;
  run(args: string[], options?: { cwd?: string; stdout?: 'pipe' | number }): SpawnSyncReturns<string>;
}

export function bundlePlens(): Plens {
  const folder = mkdtempSync(join(tmpdir(), 'plens-hostile-'));
  const cli = join(folder, 'cli.js');
  buildSync({ ...commonOptions(false), ...nodeCjs, sourcemap: false, logLevel: 'silent', entryPoints: ['src/cli/plens.ts'], outfile: cli, define: { ...nodeCjs.define, PLENS_VERSION: '"test"' } });
  for (const [file, from] of [['web-tree-sitter.wasm', 'web-tree-sitter'], ['tree-sitter-bash.wasm', 'tree-sitter-bash'], ['tree-sitter-python.wasm', 'tree-sitter-python']] as const) {
    copyFileSync(join('node_modules', from, file), join(folder, file));
  }
  return {
    folder,
    run(args, options = {}) {
      return spawnSync(process.execPath, [cli, ...args], {
        cwd: options.cwd ?? folder,
        encoding: 'utf8',
        timeout: HANG_BOUND_MS,
        // A runaway read must not take the machine with it.
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
      });
    },
  };
}

/**
 * A workspace folder with a design to put directives in: a plens.yaml that names everything but the model, so a
 * `# plens: model=./config.json` directive completes it. YAML, so the run needs no grammar (a second of CPU).
 */
export const DESIGN_WITHOUT_MODEL = 'cluster: {gpu: H100, nodes: 1}\nparallel:\n  tp: 4\n  pp: 2\n  zero: 1\nschedule: 1f1b\ntraining: {seqLength: 4096, microBatchSize: 1, globalBatchSize: 16}\n';

export function workspace(plens: Plens, name: string): { dir: string; script(directive: string, file: string): string } {
  const dir = mkdtempSync(join(plens.folder, `${name}-`));
  const base = DESIGN_WITHOUT_MODEL;
  return {
    dir,
    script(directive, file) {
      const path = join(dir, file);
      writeFileSync(path, `# plens: ${directive}\n${base}`);
      return path;
    },
  };
}
