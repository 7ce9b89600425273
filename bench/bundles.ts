// What users download: the size of each bundle the build ships.
import { existsSync, statSync } from 'node:fs';
import type { BenchRow } from './measure';

const BUNDLES = ['dist/extension.js', 'dist/webview.js', 'dist/cli.js', 'dist/scheduleWorker.js'];

export function benchBundles(): BenchRow[] {
  return BUNDLES.filter((path) => existsSync(path)).map((path) => ({ name: `bundle ${path}`, value: statSync(path).size / 1024, unit: 'KiB' }));
}
