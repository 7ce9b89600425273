// The drain bound of DualPipe and DualPipeV (search/pairedDrain.ts): the ops each rank runs from its stage's last
// forward to its end are the same at every m ≥ 2p + 2, and the bound they give is at most the simulated makespan
// on random layouts, and above the busiest rank's work on most of them.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { costEnvironment, estimate, peakFlopsOf } from '../../../src/model/estimate';
import { busiestRankBound } from '../../../src/model/search/bound';
import { drainBound, drainTails, tailsHold, tailsMicrobatches, type DrainScheduleId } from '../../../src/model/search/pairedDrain';
import { scheduleFacts } from '../../../src/model/search/scheduleFacts';
import { planSchedule } from '../../../src/model/schedule/index';
import { sharedStageCosts } from '../../../src/model/stageCostCache';
import { seededRandom } from '../../testInputs';

const SCHEDULES: DrainScheduleId[] = ['dualpipe', 'dualpipev'];

describe('drain bound of the pair schedules', () => {
  for (const id of SCHEDULES) {
    it(`${id}: reads the same ops from each stage's last forward to its rank's end at every m ≥ 2p + 2`, () => {
      for (const ranks of [2, 4, 6, 8, 16, 32]) {
        const small = drainTails(id, ranks)!;
        for (const microbatches of [2 * ranks + 2, 2 * ranks + 4, 4 * ranks + 6, 10 * ranks]) {
          expect(tailsHold(ranks, microbatches)).toBe(true);
          const large = drainTails(id, ranks, microbatches)!;
          expect(large.kinds.map((kinds) => [...kinds])).toEqual(small.kinds.map((kinds) => [...kinds]));
          expect(large.opStages.map((stages) => [...stages])).toEqual(small.opStages.map((stages) => [...stages]));
          expect([...large.backwardAt]).toEqual([...small.backwardAt]);
        }
        expect(tailsHold(ranks, 2 * ranks)).toBe(false);
      }
    });
  }

  it('reads the run\'s own table below 2p + 2, where DualPipe on 2 ranks with 4 micro-batches ends otherwise', () => {
    expect(tailsMicrobatches(2, 4)).toBe(4);
    expect(tailsMicrobatches(16, 32)).toBe(32);
    expect(tailsMicrobatches(16, 40)).toBe(34);
    // Its middle ranks run their one steady-state iteration's first pair apart (dualpipe.ts step 4).
    expect(drainTails('dualpipe', 2, 4)!.kinds.map((kinds) => [...kinds])).not.toEqual(drainTails('dualpipe', 2)!.kinds.map((kinds) => [...kinds]));
  });

  it('is at most the simulated makespan, and above the busiest rank\'s work on most layouts', () => {
    const random = seededRandom(77);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const checked = { dualpipe: 0, dualpipev: 0 };
    const tighter = { dualpipe: 0, dualpipev: 0 };
    let below = 0;
    for (let n = 0; n < 240; n++) {
      const schedule = pick(SCHEDULES);
      const model = findModel(pick(['deepseek-v3', 'deepseek-v2', 'mixtral-8x7b', 'llama3-8b', 'qwen3-30b-a3b']))!.arch;
      const pp = pick([2, 4, 8, 16].filter((p) => (schedule === 'dualpipev' ? 2 * p : p) <= model.layers));
      // From the least the schedules allow (2p), where the tails come off the run's own table.
      const microbatches = 2 * pp + 2 * Math.floor(random() * 3 * pp);
      const nodes = pick([1, 2, 4]);
      const world = nodes * 8;
      if (world % pp !== 0) continue;
      const dp = world / pp;
      const ep = model.experts > 0 ? pick([1, 2, 4, 8].filter((e) => model.experts % e === 0 && dp % e === 0)) : 1;
      const plan: ParallelPlan = {
        tp: 1, pp, vpp: 1, cp: 1, ep, etp: 1, dp, zero: 1, sequenceParallel: false, seqLength: pick([1024, 2048, 4096]), microBatchSize: 1,
        globalBatchSize: microbatches * dp, microbatches, schedule, recompute: pick(['none', 'selective', 'full'] as const),
        precision: 'bf16', nodeLimit: null, ...(random() < 0.4 ? { epCommOverlap: true } : {}),
      };
      const design: Design = { model, plan, cluster: { gpu: pick(['H800', 'H100-SXM', 'A100-80GB']), gpusPerNode: 8, nodes, worldSize: world, hbmGB: 10_000 } };
      const result = estimate(design);
      if (!result.estimate || !result.timeline) continue;
      const gpu = findGpu(design.cluster.gpu)!;
      const { costs } = sharedStageCosts(design, costEnvironment(design, gpu, peakFlopsOf(design, gpu)), undefined);
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params)!;
      const bound = drainBound(facts.counts, drainTails(schedule, pp, tailsMicrobatches(pp, microbatches))!, costs);
      if (!tailsHold(pp, microbatches)) below++;
      expect(bound).toBeLessThanOrEqual(result.timeline.timeline.makespan * (1 + 1e-9));
      if (bound > busiestRankBound(facts.counts, costs) * (1 + 1e-6)) tighter[schedule]++;
      checked[schedule]++;
    }
    expect(below).toBeGreaterThan(10);
    for (const id of SCHEDULES) {
      expect(checked[id]).toBeGreaterThan(50);
      expect(tighter[id]).toBeGreaterThan(checked[id] / 2);
    }
  });
});
