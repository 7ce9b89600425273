// Properties every schedule must keep, whatever its size and whatever the per-stage costs (DESIGN.md §8): the
// dependencies are re-derived here from the op table alone, independently of the simulator, and checked against
// the simulated timeline.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import {
  generateSchedule, OP_B, OP_F, OP_FB, OP_I, OP_NAMES, OP_W, SCHEDULE_IDS, simulate, uniformCosts,
  type Schedule, type StageCosts, type Timeline,
} from '../../../src/model/schedule/index';

const EPSILON = 1e-9;
const MAX_STAGES = 32;

interface Sizes { ranks: number; microbatches: number; chunks: number }

// Valid sizes only, small enough that a run takes well under a millisecond.
const SIZES: Record<ScheduleId, fc.Arbitrary<Sizes>> = {
  gpipe: plain(8, 24),
  '1f1b': plain(8, 24),
  'zb-h1': plain(8, 24),
  'zb-h2': plain(8, 24),
  zbv: plain(8, 24),
  // Megatron's rule with the default group size p: m a multiple of p.
  'interleaved-1f1b': fc.record({ ranks: fc.integer({ min: 1, max: 6 }), rounds: fc.integer({ min: 1, max: 4 }), chunks: fc.integer({ min: 1, max: 4 }) })
    .map(({ ranks, rounds, chunks }) => ({ ranks, microbatches: ranks * rounds, chunks })),
  dualpipe: fc.record({ half: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 8 }) })
    .map(({ half, extra }) => ({ ranks: 2 * half, microbatches: 4 * half + 2 * extra, chunks: 2 })),
  dualpipev: fc.record({ ranks: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 9 }) })
    .map(({ ranks, extra }) => ({ ranks, microbatches: 2 * ranks + extra, chunks: 2 })),
};

function plain(maxRanks: number, maxMicrobatches: number): fc.Arbitrary<Sizes> {
  return fc.record({ ranks: fc.integer({ min: 1, max: maxRanks }), microbatches: fc.integer({ min: 1, max: maxMicrobatches }), chunks: fc.constant(2) });
}

interface DrawnCosts {
  forward: number[];
  inputGrad: number[];
  weight: number[];
  overlapShare: number[];
  p2p: number;
}

const time = fc.double({ min: 0.05, max: 4, noNaN: true });
const COSTS: fc.Arbitrary<DrawnCosts> = fc.record({
  forward: fc.array(time, { minLength: MAX_STAGES, maxLength: MAX_STAGES }),
  inputGrad: fc.array(time, { minLength: MAX_STAGES, maxLength: MAX_STAGES }),
  weight: fc.array(time, { minLength: MAX_STAGES, maxLength: MAX_STAGES }),
  overlapShare: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: MAX_STAGES, maxLength: MAX_STAGES }),
  p2p: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
});

/** Per-stage costs with 0 < W < B; an overlapped pair costs between the longer half and the sum of both. */
function stageCosts(stages: number, drawn: DrawnCosts): StageCosts {
  const forward = Float64Array.from(drawn.forward.slice(0, stages));
  const weight = Float64Array.from(drawn.weight.slice(0, stages));
  const backward = Float64Array.from(drawn.inputGrad.slice(0, stages), (input, s) => input + weight[s]!);
  const overlapped = Float64Array.from(forward, (f, s) => Math.max(f, backward[s]!) + drawn.overlapShare[s]! * Math.min(f, backward[s]!));
  return { forward, backward, weight, overlapped, p2p: drawn.p2p };
}

/** The first broken invariant, in words, or undefined. */
function brokenInvariant(schedule: Schedule, costs: StageCosts, timeline: Timeline, perPipe: number): string | undefined {
  const { stages, pipes, ranks, rankStart } = schedule;
  const keys = pipes * stages * perPipe;
  const keyOf = (pipe: number, stage: number, mb: number) => (pipe * stages + stage) * perPipe + mb;
  const forwardOp = new Int32Array(keys).fill(-1);
  const backwardOp = new Int32Array(keys).fill(-1);
  const weightOp = new Int32Array(keys).fill(-1);
  const rankOf = new Int32Array(schedule.opCount);
  const name = (i: number) => `${OP_NAMES[schedule.kind[i]!]} pipe ${schedule.pipe[i]} stage ${schedule.stage[i]} mb ${schedule.mb[i]} (op ${i})`;

  for (let r = 0; r < ranks; r++) {
    for (let i = rankStart[r]!; i < rankStart[r + 1]!; i++) {
      rankOf[i] = r;
      const kind = schedule.kind[i]!;
      const halves: [number, number, number, Int32Array][] = [];
      if (kind === OP_F || kind === OP_FB) halves.push([schedule.pipe[i]!, schedule.stage[i]!, schedule.mb[i]!, forwardOp]);
      if (kind === OP_B || kind === OP_I || kind === OP_FB) halves.push([schedule.backPipe[i]!, schedule.backStage[i]!, schedule.backMb[i]!, backwardOp]);
      if (kind === OP_W) halves.push([schedule.pipe[i]!, schedule.stage[i]!, schedule.mb[i]!, weightOp]);
      for (const [pipe, stage, mb, table] of halves) {
        if (pipe >= pipes || stage >= stages || mb >= perPipe) return `${name(i)} names a stage or micro-batch out of range`;
        if (schedule.stageRank[pipe * stages + stage] !== r) return `${name(i)} runs on rank ${r}, not on its stage's rank`;
        const key = keyOf(pipe, stage, mb);
        if (table[key] !== -1) return `${name(i)} repeats op ${table[key]}`;
        table[key] = i;
      }
    }
  }

  // Exactly one forward and one backward per (pipe, stage, micro-batch); a split backward has its W later on the same rank.
  for (let key = 0; key < keys; key++) {
    const where = `pipe ${Math.floor(key / (stages * perPipe))} stage ${Math.floor(key / perPipe) % stages} mb ${key % perPipe}`;
    const f = forwardOp[key]!, b = backwardOp[key]!, w = weightOp[key]!;
    if (f === -1) return `${where} has no forward`;
    if (b === -1) return `${where} has no backward`;
    if (schedule.kind[b] === OP_I) {
      if (w === -1) return `${where} has an input-gradient backward but no W`;
      if (rankOf[w] !== rankOf[b] || w < b) return `${where}: its W does not follow its I on the same rank`;
    } else if (w !== -1) return `${where} has a full backward and a W`;
    if (timeline.end[f]! > timeline.start[b]! + EPSILON) return `${where}: the backward starts before the forward ends`;
  }

  for (let r = 0; r < ranks; r++) {
    for (let i = rankStart[r]!; i < rankStart[r + 1]!; i++) {
      const kind = schedule.kind[i]!;
      const start = timeline.start[i]!;
      // A rank runs one op at a time, each for exactly its cost.
      if (i > rankStart[r]! && start < timeline.end[i - 1]! - EPSILON) return `${name(i)} starts before the previous op on rank ${r} ends`;
      if (Math.abs(timeline.end[i]! - start - duration(schedule, costs, i)) > EPSILON) return `${name(i)} does not last its cost`;
      // No op starts before its inputs have ended and, across ranks, arrived.
      const inputs: number[] = [];
      if (kind === OP_F || kind === OP_FB) {
        const stage = schedule.stage[i]!;
        if (stage > 0) inputs.push(forwardOp[keyOf(schedule.pipe[i]!, stage - 1, schedule.mb[i]!)]!);
      }
      if (kind === OP_B || kind === OP_I || kind === OP_FB) {
        const pipe = schedule.backPipe[i]!, stage = schedule.backStage[i]!, mb = schedule.backMb[i]!;
        inputs.push(stage === stages - 1 ? forwardOp[keyOf(pipe, stage, mb)]! : backwardOp[keyOf(pipe, stage + 1, mb)]!);
      }
      if (kind === OP_W) inputs.push(backwardOp[keyOf(schedule.pipe[i]!, schedule.stage[i]!, schedule.mb[i]!)]!);
      for (const from of inputs) {
        const arrival = timeline.end[from]! + (rankOf[from] === r ? 0 : costs.p2p);
        if (start < arrival - EPSILON) return `${name(i)} starts at ${start} before its input ${name(from)} arrives at ${arrival}`;
      }
    }
  }
  return undefined;
}

function duration(schedule: Schedule, costs: StageCosts, i: number): number {
  const s = schedule.stage[i]!;
  switch (schedule.kind[i]) {
    case OP_F: return costs.forward[s]!;
    case OP_B: return costs.backward[s]!;
    case OP_I: return costs.backward[s]! - costs.weight[s]!;
    case OP_W: return costs.weight[s]!;
    default: return costs.overlapped![s]!;
  }
}

/** Generates and simulates, at unit costs unless costs are given. */
function run(id: ScheduleId, sizes: Sizes, costs?: StageCosts) {
  const generated = generateSchedule(id, sizes);
  if (!generated.ok) throw new Error(generated.error.message);
  const schedule = generated.schedule;
  const used = costs ?? uniformCosts(schedule.stages, { F: 1, B: 2, W: 1 });
  const result = simulate(schedule, used);
  if (!result.ok) throw new Error(result.error.message);
  return { schedule, costs: used, timeline: result.timeline };
}

describe('the invariant checker itself', () => {
  test('accepts ZB-H1 at p=2, m=3 as simulated', () => {
    const { schedule, costs, timeline } = run('zb-h1', { ranks: 2, microbatches: 3, chunks: 2 });
    expect(brokenInvariant(schedule, costs, timeline, 3)).toBeUndefined();
  });

  test('catches an op moved before its input arrives', () => {
    const { schedule, costs, timeline } = run('zb-h1', { ranks: 2, microbatches: 3, chunks: 2 });
    // Rank 1's first op is F of mb 0 on stage 1; it cannot start before rank 0's F ends at t = 1.
    const first = schedule.rankStart[1]!;
    timeline.start[first] = 0.5;
    timeline.end[first] = 1.5;
    expect(brokenInvariant(schedule, costs, timeline, 3)).toMatch(/before its input/);
  });

  test('catches a W whose I is missing', () => {
    const { schedule, costs, timeline } = run('zb-h1', { ranks: 2, microbatches: 3, chunks: 2 });
    const lastOfRank0 = schedule.rankStart[1]! - 1;
    expect(schedule.kind[lastOfRank0]).toBe(OP_W);
    schedule.kind[lastOfRank0] = OP_F;
    expect(brokenInvariant(schedule, costs, timeline, 3)).toMatch(/repeats|no W|does not last/);
  });
});

describe.each(SCHEDULE_IDS)('%s', (id) => {
  test('dependencies, one op at a time, one forward and one backward each, F before its backward', () => {
    fc.assert(
      fc.property(SIZES[id], COSTS, ({ ranks, microbatches, chunks }, drawn) => {
        const stages = id === 'dualpipe' ? ranks : id === 'interleaved-1f1b' ? ranks * chunks : id === 'zbv' || id === 'dualpipev' ? 2 * ranks : ranks;
        const { schedule, costs, timeline } = run(id, { ranks, microbatches, chunks }, stageCosts(stages, drawn));
        expect(schedule.stages).toBe(stages);
        const perPipe = id === 'dualpipe' ? microbatches / 2 : microbatches;
        expect(brokenInvariant(schedule, costs, timeline, perPipe)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});
