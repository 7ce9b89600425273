// Expert capacity and padding (cost/compute/capacity.ts, COSTMODEL.md §7 row 11): the busiest expert is capped at
// the capacity, padding runs every expert and the all-to-all at it, and what is dropped is said.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import { expertLoad } from '../../../src/model/cost/compute/capacity';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const mixtral = findModel('mixtral-8x7b')!.arch;

/** Mixtral 8x7B with EP 8 over one 8 × H100 node. */
function design(plan: Partial<ParallelPlan> = {}): Design {
  return {
    model: mixtral,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 8, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'full', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8 },
  };
}

const run = (plan: Partial<ParallelPlan>) => estimate(design(plan));

describe('the busiest expert under a capacity', () => {
  it('is the imbalance without one, capped at the factor, or padded up to it', () => {
    expect(expertLoad({}, 1.1)).toEqual({ busiest: 1.1, traffic: 1, droppedOfBusiest: 0 });
    const capped = expertLoad({ expertCapacityFactor: 1 }, 1.1);
    expect(capped.busiest).toBe(1);
    expect(capped.traffic).toBe(1);
    expect(capped.droppedOfBusiest).toBeCloseTo(0.1 / 1.1, 12);
    expect(expertLoad({ expertCapacityFactor: 1.25, padExpertsToCapacity: true }, 1.1)).toEqual({ busiest: 1.25, traffic: 1.25, droppedOfBusiest: 0 });
    // Under the balanced share even the average expert overflows: fewer copies travel.
    expect(expertLoad({ expertCapacityFactor: 0.5 }, 1.1)).toMatchObject({ busiest: 0.5, traffic: 0.5 });
  });
});

describe('the estimate', () => {
  it('sends capacity slots through the all-to-all when padding: 1.25 × the bytes', () => {
    const ep = (plan: Partial<ParallelPlan>) => run(plan).estimate!.traffic.perGpuPerStep.ep;
    const base = ep({});
    const padded = ep({ expertCapacityFactor: 1.25, padExpertsToCapacity: true });
    expect(padded.nvlinkBytes / base.nvlinkBytes).toBeCloseTo(1.25, 12);
    expect(ep({ expertCapacityFactor: 1.25 }).nvlinkBytes).toBe(base.nvlinkBytes);
  });

  it('prices the busiest rank\'s expert GEMMs at the capped or padded load', () => {
    const expertGemm = (plan: Partial<ParallelPlan>) => run(plan).estimate!.breakdown.compute.expertGemm;
    expect(expertGemm({ expertCapacityFactor: 1 })).toBeLessThan(expertGemm({}));
    expect(expertGemm({ expertCapacityFactor: 1.25, padExpertsToCapacity: true })).toBeGreaterThan(expertGemm({}));
    // A capacity above the imbalance drops nothing and changes no time.
    expect(expertGemm({ expertCapacityFactor: 2 })).toBe(expertGemm({}));
  });

  it('states what is dropped, as an info problem and in estimate.moe', () => {
    const result = run({ expertCapacityFactor: 1 });
    expect(result.estimate!.moe).toMatchObject({ capacityFactor: 1, padded: false, busiestExpertLoad: 1 });
    expect(result.estimate!.moe!.droppedFractionOfBusiestExpert).toBeCloseTo((1.1 - 1) / 1.1, 12);
    const dropped = result.problems.filter((p) => p.code === 'moe/tokens-dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.message).toBe('expert capacity 1 is under the expert imbalance 1.1: the busiest expert drops 9 % of the token copies routed to it; the average expert drops less, depending on the routing');
    expect(run({}).estimate!.moe).toEqual({ capacityFactor: null, padded: false, busiestExpertLoad: 1.1, droppedFractionOfBusiestExpert: 0 });
    expect(run({}).problems.map((p) => p.code)).not.toContain('moe/tokens-dropped');
  });
});
