// Simulator throughput and the latency of one generate+simulate, the numbers the schedule engine promises: the table
// path (`simulate` of a generated table) and the fused path (`simulateProgram`, no table) in-process at 10^5 and
// 2·10^6 ops, and `plens schedule --summary` at 2·10^6 ops as a whole process against its own start-up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ScheduleId } from '../src/model/design';
import { generateSchedule, scheduleProgram, simulate, simulateProgram, uniformCosts } from '../src/model/schedule/index';
import { medianMilliseconds, type BenchRow } from './measure';

const COSTS = { F: 1, B: 2, W: 1, FB: 2.5 };
const CLI = 'dist/cli.js';
const TIME = '/usr/bin/time';

function tableThroughput(id: ScheduleId, ranks: number, microbatches: number, runs = 15): BenchRow {
  const generated = generateSchedule(id, { ranks, microbatches });
  if (!generated.ok) throw new Error(generated.error.message);
  const schedule = generated.schedule;
  const costs = uniformCosts(schedule.stages, COSTS);
  const milliseconds = medianMilliseconds(() => {
    const result = simulate(schedule, costs);
    if (!result.ok) throw new Error(result.error.message);
  }, runs);
  return { name: `simulate table ${id} PP=${ranks} m=${microbatches} (${schedule.opCount} ops)`, value: schedule.opCount / (milliseconds / 1000) / 1e6, unit: 'M ops/s' };
}

/** Generation and simulation together, as `--summary` runs them; the op count comes from the table path. */
function fusedThroughput(id: ScheduleId, ranks: number, microbatches: number, runs = 15): BenchRow {
  const generated = generateSchedule(id, { ranks, microbatches });
  const program = scheduleProgram(id, { ranks, microbatches });
  if (!generated.ok || !program.ok) throw new Error(`${id} PP=${ranks} m=${microbatches} is not a valid schedule`);
  const ops = generated.schedule.opCount;
  const costs = uniformCosts(program.program.stages, COSTS);
  const milliseconds = medianMilliseconds(() => {
    const result = simulateProgram(program.program, costs);
    if (!result.ok) throw new Error(result.error.message);
  }, runs);
  return { name: `generate+simulate fused ${id} PP=${ranks} m=${microbatches} (${ops} ops)`, value: ops / (milliseconds / 1000) / 1e6, unit: 'M ops/s' };
}

interface ProcessRun { wallMs: number; cpuMs: number; peakKb: number }

/** One `node dist/cli.js …` under /usr/bin/time (Linux): wall by performance.now, CPU and peak RSS by time(1). */
function runCli(args: string[]): ProcessRun {
  const start = performance.now();
  const run = spawnSync(TIME, ['-f', '%U %S %M', process.execPath, CLI, ...args], { encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (run.status !== 0) throw new Error(`plens ${args.join(' ')} failed: ${run.stderr}`);
  const [user, system, peakKb] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: (user! + system!) * 1000, peakKb: peakKb! };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Issue 12's from-outside figure: wall (and CPU) time of `plens schedule --schedule 1f1b --pp 64 --microbatches
 * 16384 --summary` minus that of the same command at PP 2 × 2 micro-batches (start-up), medians of 5 alternating
 * runs; bytes per op from the peak RSS difference.
 */
function fromOutside(): BenchRow[] {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run bench builds it first`);
  if (!existsSync(TIME)) return [{ name: `plens schedule --summary from outside: skipped (no ${TIME})`, value: 0, unit: '' }];
  const ops = 2 * 64 * 16384;
  const big: ProcessRun[] = [];
  const tiny: ProcessRun[] = [];
  for (let i = 0; i < 5; i++) {
    big.push(runCli(['schedule', '--schedule', '1f1b', '--pp', '64', '--microbatches', '16384', '--summary']));
    tiny.push(runCli(['schedule', '--schedule', '1f1b', '--pp', '2', '--microbatches', '2', '--summary']));
  }
  const of = (runs: ProcessRun[], key: keyof ProcessRun) => median(runs.map((run) => run[key]));
  const wall = of(big, 'wallMs') - of(tiny, 'wallMs');
  const cpu = of(big, 'cpuMs') - of(tiny, 'cpuMs');
  return [
    { name: 'plens schedule 1f1b PP=64 m=16384 --summary, wall (median of 5)', value: of(big, 'wallMs'), unit: 'ms' },
    { name: '  start-up: the same at PP=2 m=2, wall (median of 5)', value: of(tiny, 'wallMs'), unit: 'ms' },
    { name: '  CPU time user+sys, 2·10^6 ops / start-up', value: of(big, 'cpuMs'), unit: 'ms' },
    { name: '  CPU time user+sys, start-up', value: of(tiny, 'cpuMs'), unit: 'ms' },
    { name: '  from outside: ops ÷ (wall − start-up)', value: ops / (wall / 1000) / 1e6, unit: 'M ops/s' },
    { name: '  from outside: ops ÷ (CPU − start-up CPU)', value: ops / (cpu / 1000) / 1e6, unit: 'M ops/s' },
    { name: '  peak RSS growth per op', value: ((of(big, 'peakKb') - of(tiny, 'peakKb')) * 1024) / ops, unit: 'bytes/op' },
  ];
}

export function benchSchedules(): BenchRow[] {
  const oneShot = medianMilliseconds(() => {
    const generated = generateSchedule('dualpipe', { ranks: 16, microbatches: 128 });
    if (!generated.ok) throw new Error(generated.error.message);
    const result = simulate(generated.schedule, uniformCosts(generated.schedule.stages, COSTS));
    if (!result.ok) throw new Error(result.error.message);
  }, 200);
  return [
    // Issue 12's two sizes: 10^5 ops (PP 8 × 6,250) and 2·10^6 (the size `plens schedule --summary` is held to).
    tableThroughput('1f1b', 8, 6250),
    tableThroughput('1f1b', 64, 16384, 5),
    fusedThroughput('1f1b', 8, 6250),
    fusedThroughput('1f1b', 64, 16384, 5),
    fusedThroughput('dualpipe', 64, 1024),
    fusedThroughput('zbv', 64, 1024),
    { name: 'generate+simulate table dualpipe PP=16 m=128 (median)', value: oneShot, unit: 'ms' },
    ...fromOutside(),
  ];
}
