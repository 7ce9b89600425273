// DualPipe's drain bound (search/dualPipeDrain.ts): the ops a rank runs between its last forward and its last
// backward of a direction are the same at every m past the steady state, and the bound they give is at most the
// simulated makespan on random layouts, and above the busiest rank's work on most of them.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { costEnvironment, estimate, peakFlopsOf } from '../../../src/model/estimate';
import { busiestRankBound } from '../../../src/model/search/bound';
import { dualPipeDrainBound, dualPipeTails, tailsHold } from '../../../src/model/search/dualPipeDrain';
import { scheduleFacts } from '../../../src/model/search/scheduleFacts';
import { planSchedule } from '../../../src/model/schedule/index';
import { sharedStageCosts } from '../../../src/model/stageCostCache';
import { seededRandom } from '../../testInputs';

describe('DualPipe drain bound', () => {
  it('reads the same ops between the last forward and backward at every m with p + 1 micro-batches per direction or more', () => {
    for (const ranks of [2, 4, 6, 8, 16, 32]) {
      const small = dualPipeTails(ranks)!;
      for (const perDirection of [ranks + 1, ranks + 2, 2 * ranks + 3, 5 * ranks]) {
        expect(tailsHold(ranks, 2 * perDirection)).toBe(true);
        const large = dualPipeTails(ranks, 2 * perDirection)!;
        expect(large.kinds.map((k) => [...k])).toEqual(small.kinds.map((k) => [...k]));
        expect(large.stages.map((s) => [...s])).toEqual(small.stages.map((s) => [...s]));
        expect([...large.backwardAt]).toEqual([...small.backwardAt]);
      }
      expect(tailsHold(ranks, 2 * ranks)).toBe(false);
    }
  });

  it('is at most the simulated makespan, and above the busiest rank\'s work on most layouts', () => {
    const random = seededRandom(77);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let checked = 0;
    let tighter = 0;
    for (let n = 0; n < 120; n++) {
      const model = findModel(pick(['deepseek-v3', 'deepseek-v2', 'mixtral-8x7b', 'llama3-8b', 'qwen3-30b-a3b']))!.arch;
      const pp = pick([2, 4, 8, 16].filter((p) => p <= model.layers));
      const perDirection = pp + 1 + Math.floor(random() * 3 * pp);
      const nodes = pick([1, 2, 4]);
      const world = nodes * 8;
      if (world % pp !== 0) continue;
      const dp = world / pp;
      const ep = model.experts > 0 ? pick([1, 2, 4, 8].filter((e) => e <= dp * 1 && model.experts % e === 0 && dp % e === 0)) : 1;
      const plan: ParallelPlan = {
        tp: 1, pp, vpp: 1, cp: 1, ep, etp: 1, dp, zero: 1, sequenceParallel: false, seqLength: pick([1024, 2048, 4096]), microBatchSize: 1,
        globalBatchSize: 2 * perDirection * dp, microbatches: 2 * perDirection, schedule: 'dualpipe', recompute: pick(['none', 'selective', 'full'] as const),
        precision: 'bf16', nodeLimit: null, ...(random() < 0.4 ? { epCommOverlap: true } : {}),
      };
      const design: Design = { model, plan, cluster: { gpu: pick(['H800', 'H100-SXM', 'A100-80GB']), gpusPerNode: 8, nodes, worldSize: world, hbmGB: 10_000 } };
      const result = estimate(design);
      if (!result.estimate || !result.timeline) continue;
      const gpu = findGpu(design.cluster.gpu)!;
      const { costs } = sharedStageCosts(design, costEnvironment(design, gpu, peakFlopsOf(design, gpu)), undefined);
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params)!;
      const makespan = result.timeline.timeline.makespan;
      const bound = dualPipeDrainBound(facts.counts, dualPipeTails(pp)!, costs, pp);
      expect(bound).toBeLessThanOrEqual(makespan * (1 + 1e-9));
      if (bound > busiestRankBound(facts.counts, costs) * (1 + 1e-6)) tighter++;
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
    expect(tighter).toBeGreaterThan(checked / 2);
  });
});
