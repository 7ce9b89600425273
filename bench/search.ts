// The layout search on issue 12's side-by-side design (GPT-3 175B on 128 × 8 A100-80GB, bench/gpt3-175b-1024.plens.yaml):
// the complete search in this process once warm, and `plens search --json` as a whole process (start-up, JIT
// and all), timed here with child_process and performance.now.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { completeDesign } from '../src/config/completion/complete';
import { readConfig } from '../src/config/index';
import { searchLayouts, type SearchResult } from '../src/model/search';
import type { BenchRow } from './measure';

export const SEARCH_DESIGN = 'bench/gpt3-175b-1024.plens.yaml';
const CLI = 'dist/cli.js';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchSearch(): BenchRow[] {
  const text = readFileSync(SEARCH_DESIGN, 'utf8');
  const read = readConfig(text, SEARCH_DESIGN);
  const design = read && completeDesign(read, { text }).design;
  if (!design) throw new Error(`${SEARCH_DESIGN} does not complete to a design`);
  // One run warms the JIT; the median of three is reported, each a complete search (no budget).
  searchLayouts(design);
  const runs: { ms: number; result: SearchResult }[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const result = searchLayouts(design);
    runs.push({ ms: performance.now() - start, result });
  }
  const { result } = runs[0]!;
  if (result.status !== 'complete') throw new Error(`the search of ${SEARCH_DESIGN} ended ${result.status}`);
  const ms = median(runs.map((run) => run.ms));
  return [
    { name: 'search GPT-3 175B 128×8 A100: layouts in the space', value: result.space, unit: 'layouts' },
    { name: '  of them estimated in full', value: result.evaluated, unit: 'layouts' },
    { name: '  of them pruned by a bound', value: result.pruned, unit: 'layouts' },
    { name: '  complete search, in-process warm (median of 3)', value: ms, unit: 'ms' },
    { name: '  layouts/s (space ÷ time)', value: result.space / (ms / 1000), unit: 'layouts/s' },
    { name: '  time per layout in the space', value: ms / result.space, unit: 'ms' },
    { name: '  time per layout estimated in full', value: ms / result.evaluated, unit: 'ms' },
    ...wholeProcess(),
  ];
}

/** `node dist/cli.js search <design> --json`, start to exit, median of 5 runs. */
function wholeProcess(): BenchRow[] {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run bench builds it first`);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, [CLI, 'search', SEARCH_DESIGN, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    samples.push(performance.now() - start);
    if (run.status !== 0) throw new Error(`plens search failed: ${run.stderr}`);
    const status = (JSON.parse(run.stdout) as { status: string }).status;
    if (status !== 'complete') throw new Error(`plens search ended ${status}`);
  }
  return [{ name: 'plens search GPT-3 175B --json, whole process (median of 5)', value: median(samples), unit: 'ms' }];
}
