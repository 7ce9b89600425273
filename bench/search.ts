// The layout search on issue 12's two designs: GPT-3 175B on 128 × 8 A100-80GB (bench/gpt3-175b-1024.plens.yaml, the
// side-by-side with Calculon) and the DeepSeek-V3 catalog model on 256 × 8 H800 (examples/deepseek-v3.plens.yaml).
// Each: the complete search in this process once warm, and `plens search --json` as a whole process (start-up, JIT
// and all), timed with child_process and performance.now, wall and CPU (user + system of the child), on one thread
// (`--workers 1`) and on one worker thread per core.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { completeDesign } from '../src/config/completion/complete';
import { readConfig } from '../src/config/index';
import { searchLayouts, type SearchResult } from '../src/model/search';
import { DEFAULT_MAX_SEARCH_WORKERS, defaultSearchWorkers, searchCores } from '../src/worker/searchDriver';
import type { BenchRow } from './measure';

export const SEARCH_DESIGN = 'bench/gpt3-175b-1024.plens.yaml';
const CLI = 'dist/cli.js';

const DESIGNS = [
  { label: 'search GPT-3 175B 128×8 A100', file: SEARCH_DESIGN, warmRuns: 3, processRuns: 5 },
  // About a second a run now: seven runs give a median that one slow or one lucky run does not move.
  { label: 'search DeepSeek-V3 256×8 H800', file: 'examples/deepseek-v3.plens.yaml', warmRuns: 3, processRuns: 7 },
] as const;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchSearch(): BenchRow[] {
  return DESIGNS.flatMap((d) => benchOne(d.label, d.file, d.warmRuns, d.processRuns));
}

function benchOne(label: string, file: string, warmRuns: number, processRuns: number): BenchRow[] {
  const text = readFileSync(file, 'utf8');
  const read = readConfig(text, file);
  const design = read && completeDesign(read, { text }).design;
  if (!design) throw new Error(`${file} does not complete to a design`);
  // One run warms the JIT; the median of the next ones is reported, each a complete search (no budget).
  searchLayouts(design);
  const runs: { ms: number; result: SearchResult }[] = [];
  for (let i = 0; i < warmRuns; i++) {
    const start = performance.now();
    const result = searchLayouts(design);
    runs.push({ ms: performance.now() - start, result });
  }
  const { result } = runs[0]!;
  if (result.status !== 'complete') throw new Error(`the search of ${file} ended ${result.status}`);
  const ms = median(runs.map((run) => run.ms));
  return [
    { name: `${label}: layouts in the space`, value: result.space, unit: 'layouts' },
    { name: '  of them estimated in full', value: result.evaluated, unit: 'layouts' },
    { name: '  of them pruned by a bound', value: result.pruned, unit: 'layouts' },
    { name: `  complete search, in-process warm (median of ${warmRuns})`, value: ms, unit: 'ms' },
    { name: '  layouts/s (space ÷ time)', value: result.space / (ms / 1000), unit: 'layouts/s' },
    { name: '  time per layout in the space', value: ms / result.space, unit: 'ms' },
    { name: '  time per layout estimated in full', value: ms / result.evaluated, unit: 'ms' },
    ...wholeProcess(file, processRuns),
  ];
}

/**
 * `node dist/cli.js search <design> --json`, start to exit: wall and CPU medians, with `--workers 1` (one thread) and
 * one worker per core (at most 8, when there are 2 or more), alternated run by run so both see the same load; the
 * row of the default (defaultSearchWorkers: one thread below 4 cores) says so.
 */
function wholeProcess(file: string, runs: number): BenchRow[] {
  const perCore = Math.min(searchCores(), DEFAULT_MAX_SEARCH_WORKERS);
  const counts = perCore > 1 ? [1, perCore] : [1];
  const variants = counts.map((workers) => ({
    label: `plens search --json --workers ${workers}${workers === defaultSearchWorkers() ? ', the default' : ''}`,
    args: ['--workers', String(workers)],
  }));
  const samples = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    variants.forEach((variant, v) => {
      const run = runCli(file, variant.args);
      samples[v]!.wall.push(run.wallMs);
      samples[v]!.cpu.push(run.cpuMs);
      // A missing dist/searchWorker.js would quietly search in one thread: the figure would not be what it says.
      if (run.workers !== Number(variant.args[1])) throw new Error(`plens search ${variant.args.join(' ')} ran on ${run.workers} thread(s)`);
    });
  }
  return variants.flatMap((variant, v) => {
    const { wall, cpu } = samples[v]!;
    return [
      { name: `  ${variant.label}: whole process, wall (median of ${runs})`, value: median(wall), unit: 'ms' },
      { name: `  ${variant.label}: whole process, CPU user+sys (median of ${runs})`, value: median(cpu), unit: 'ms' },
    ];
  });
}

/** One run of `plens search FILE --json ARGS` as a child process: wall, CPU (all its threads), how many workers ran. */
function runCli(file: string, args: string[]): { wallMs: number; cpuMs: number; workers: number } {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run bench builds it first`);
  const before = childCpuTicks();
  const start = performance.now();
  const run = spawnSync(process.execPath, [CLI, 'search', file, '--json', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  if (run.status !== 0) throw new Error(`plens search ${file} failed: ${run.stderr}`);
  const { status, workers } = JSON.parse(run.stdout) as { status: string; workers: number };
  if (status !== 'complete') throw new Error(`plens search ${file} ended ${status}`);
  const after = childCpuTicks();
  const cpuMs = before === undefined || after === undefined ? Number.NaN : ((after - before) * 1000) / CLOCK_TICKS_PER_SECOND;
  return { wallMs, cpuMs, workers };
}

/** USER_HZ: the unit of /proc's process times on Linux (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * User + system time of this process's children that have ended, in clock ticks (/proc/self/stat fields 16 and
 * 17: cutime, cstime), undefined where /proc is missing. spawnSync waits for its child, so the difference across
 * one run is that child's CPU: a figure the other users of a shared machine inflate far less than the wall time.
 */
function childCpuTicks(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The command name (field 2) may hold spaces; the fields after it start with the state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16 - 3]) + Number(fields[17 - 3]);
  } catch {
    return undefined;
  }
}
