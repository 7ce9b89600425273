// When a complete search ranks nothing it says why: the space is empty, or no layout fits and every one needs at
// least `leastPeakBytes` per GPU, the least of the memory bounds and estimates that ruled them out. That figure is
// a lower bound, so it is checked against the estimated peak of every layout of small spaces; and a design no
// layout of which can be priced (an unknown GPU, a precision it does not run) is refused before any search.
import { describe, expect, it } from 'vitest';
import { searchDesign } from './searchDesigns';
import type { Design } from '../../../src/model/design';
import { estimate, pricingProblem } from '../../../src/model/estimate';
import { enumerateFamilies, mergeSearchParts, noLayoutReason, searchLayouts } from '../../../src/model/search';
import { searchLayoutsPart } from '../../../src/model/search/index';
import { choicePlan } from '../../../src/model/search/space';

const GIB = 2 ** 30;

/** The least estimated peak memory per GPU over every layout of the space. */
function leastEstimatedPeak(d: Design, maxMicroBatchSize: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (const family of enumerateFamilies(d, { maxMicroBatchSize })) {
    for (const choice of family.schedules) {
      for (const zero of family.zeros) {
        const result = estimate({ ...d, plan: { ...choicePlan(family.plan, choice), zero } });
        if (result.estimate) least = Math.min(least, result.estimate.memory.peakBytes);
      }
    }
  }
  return least;
}

const TOO_SMALL: [string, Design, number][] = [
  ['Llama 3 8B on 8 GPUs of 6 GB', searchDesign('llama3-8b', 1, { globalBatchSize: 16, microbatches: 2, seqLength: 2048 }, 6), 2],
  ['Mixtral 8x7B on 16 GPUs of 12 GB (EP, ETP, DualPipe)', searchDesign('mixtral-8x7b', 2, { globalBatchSize: 16, microbatches: 1, seqLength: 2048 }, 12), 1],
];

describe('a search that ranks no layout', () => {
  for (const [name, d, maxMicroBatchSize] of TOO_SMALL) {
    it(`${name}: says what every layout needs at least, and no layout needs less`, () => {
      const result = searchLayouts(d, { maxMicroBatchSize });
      expect(result.status).toBe('complete');
      expect(result.space).toBeGreaterThan(0);
      expect(result.feasible).toBe(0);
      expect(result.results).toEqual([]);
      const capacityBytes = d.cluster.hbmGB! * GIB;
      expect(result.leastPeakBytes).toBeGreaterThan(capacityBytes);
      const least = leastEstimatedPeak(d, maxMicroBatchSize);
      expect(result.leastPeakBytes!).toBeLessThanOrEqual(least * (1 + 1e-9));
      // A bound worth reading: within a factor of two of the least layout's estimate.
      expect(result.leastPeakBytes!).toBeGreaterThan(least / 2);
      expect(noLayoutReason(result, d)).toBe(
        `none of the ${result.space} layouts fits in ${d.cluster.hbmGB!.toFixed(1)} GiB per GPU: each needs at least `
        + `${(result.leastPeakBytes! / GIB).toFixed(1)} GiB (the least of the memory bounds and estimates that ruled them out)`,
      );
    });
  }

  it('gives the same figure searched in parts, as worker threads search', () => {
    const [, d, maxMicroBatchSize] = TOO_SMALL[1]!;
    const whole = searchLayouts(d, { maxMicroBatchSize });
    const parts = [0, 1, 2].map((index) => searchLayoutsPart(d, { maxMicroBatchSize, part: { index, count: 3 } }));
    expect(mergeSearchParts(parts, 10, 0).leastPeakBytes).toBe(whole.leastPeakBytes);
  });

  it('says nothing of memory when some layout fits, or when the search was cut short', () => {
    const d = searchDesign('llama3-8b', 1, { globalBatchSize: 16, microbatches: 2, seqLength: 2048 });
    const result = searchLayouts(d, { maxMicroBatchSize: 2 });
    expect(result.feasible).toBeGreaterThan(0);
    expect(result.leastPeakBytes).toBeUndefined();
    expect(noLayoutReason(result, d)).toBeUndefined();
    const [, small, maxMicroBatchSize] = TOO_SMALL[0]!;
    let clock = 0;
    const cut = searchLayouts(small, { maxMicroBatchSize, budgetMs: 0, now: () => (clock += 1) });
    expect(cut.status).toBe('budget');
    expect(cut.leastPeakBytes).toBeUndefined();
    expect(noLayoutReason(cut, small)).toBeUndefined();
  });

  it('says the space is empty when no DP of the cluster divides the global batch', () => {
    // 8,000,000 GPUs: TP, CP and PP leave a DP of more than 3 on every split.
    const d = searchDesign('llama3-8b', 1_000_000, { globalBatchSize: 3, microbatches: 1, dp: 8_000_000 });
    const result = searchLayouts(d);
    expect(result.space).toBe(0);
    expect(result.leastPeakBytes).toBeUndefined();
    expect(noLayoutReason(result, d)).toMatch(/^the space is empty: no split of the 8000000 GPUs into TP × CP × PP × DP has a DP that divides the global batch of 3 /);
  });

  it('is refused before a search when no layout can be priced', () => {
    const d = searchDesign('llama3-8b', 1, {});
    expect(pricingProblem(d)).toBeUndefined();
    expect(pricingProblem({ ...d, cluster: { ...d.cluster, gpu: 'Z9000' } })).toMatchObject({ code: 'cluster/unknown-gpu', message: 'unknown GPU "Z9000" (plens catalog gpus lists the known ones)' });
    expect(pricingProblem({ ...d, cluster: { ...d.cluster, gpu: 'A100-80GB' }, plan: { ...d.plan, precision: 'fp8' } })).toMatchObject({ code: 'precision/unsupported', message: 'A100-80GB has no FP8 tensor cores' });
    // The same problems the estimate of any layout of those designs reports.
    expect(estimate({ ...d, cluster: { ...d.cluster, gpu: 'Z9000' } }).problems).toContainEqual(pricingProblem({ ...d, cluster: { ...d.cluster, gpu: 'Z9000' } }));
  });
});
