// Bundles the three faces of the product: the extension host (node, cjs), the panel (browser) and `plens` (node).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cliTargets, commonOptions, nodeCjs } from './esbuildOptions.mjs';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = commonOptions(production);

const targets = [
  { ...common, ...nodeCjs, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // plens and the search's worker threads (the extension starts the same dist/searchWorker.js).
  ...cliTargets(production, 'dist', version),
  // Large schedules are simulated in this worker so the extension host stays responsive (DESIGN.md §7).
  { ...common, ...nodeCjs, entryPoints: ['src/extension/schedule/scheduleWorker.ts'], outfile: 'dist/scheduleWorker.js' },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The panel replays large timelines in this web worker, off the page's main thread.
  { ...common, entryPoints: ['webview/timeline/replayWorker.ts'], outfile: 'dist/timelineWorker.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

mkdirSync('dist', { recursive: true });
// Caches of an earlier bundle would be refused anyway; none is left to look current.
for (const cache of ['dist/plens.cache', 'dist/plens.search.cache']) rmSync(cache, { force: true });
// The shell grammar is loaded at run time from these files; they travel next to the bundles.
copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
copyFileSync('node_modules/tree-sitter-bash/tree-sitter-bash.wasm', 'dist/tree-sitter-bash.wasm');
copyFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm');
mkdirSync('dist/codicons', { recursive: true });
copyFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/codicons/codicon.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/codicons/codicon.ttf');

if (watch) {
  for (const options of targets) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
  writeCodeCaches('dist');
}

/**
 * The code caches dist/cli.js runs dist/plens.js from (src/cli/launch.ts): one run of `plens search` and one of
 * another command on the bundled example, each writing the bytecode of what it compiled. A run that fails leaves
 * no cache, and plens runs without one.
 */
function writeCodeCaches(outdir) {
  for (const args of [['search', 'examples/deepseek-v3.plens.yaml', '--json', '--workers', '1'], ['estimate', 'examples/deepseek-v3.plens.yaml', '--json']]) {
    const run = spawnSync(process.execPath, [`${outdir}/cli.js`, ...args], { env: { ...process.env, PLENS_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
    if (run.status !== 0) console.warn(`build: plens ${args[0]} exited ${run.status} while writing its code cache`);
  }
}
