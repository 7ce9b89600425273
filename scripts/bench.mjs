// Bundles bench/index.ts with the product's own build options (so it measures the code that ships) and runs it.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { commonOptions, nodeCjs } from './esbuildOptions.mjs';

await esbuild.build({ ...commonOptions(true), ...nodeCjs, sourcemap: false, entryPoints: ['bench/index.ts'], outfile: '.bench/bench.js' });
// The bundle finds the tree-sitter grammars beside itself, as dist/cli.js does (src/cli/grammars.ts).
mkdirSync('.bench', { recursive: true });
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
  copyFileSync(`node_modules/${wasm}`, `.bench/${wasm.split('/')[1]}`);
}
const result = spawnSync(process.execPath, ['.bench/bench.js'], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
