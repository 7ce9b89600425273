// What users download: the size of each bundle the build ships, and of plens's code caches (src/cli/launch.ts).
import { existsSync, statSync } from 'node:fs';
import type { BenchRow } from './measure';

const BUNDLES = ['dist/extension.js', 'dist/webview.js', 'dist/cli.js', 'dist/plens.js', 'dist/plens.cache', 'dist/plens.search.cache', 'dist/scheduleWorker.js'];

export function benchBundles(): BenchRow[] {
  return BUNDLES.filter((path) => existsSync(path)).map((path) => ({ name: `bundle ${path}`, value: statSync(path).size / 1024, unit: 'KiB' }));
}
