// ZeRO++ hierarchical partitioning (hpZ; cost/comm/shardGroups.ts, docs/MEMORY.md "Sharding groups"): a secondary
// 16-bit weight shard over the hpZ group, and every weight gather of a step but the first inside that group.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { parameterCounts } from '../../../src/model/cost/memory/params';
import { hpzGroups, splitGathers } from '../../../src/model/cost/comm/shardGroups';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const P = parameterCounts(llama8b).total;

/** Llama 3 8B, FSDP / ZeRO-3 over 2 nodes × 8 H100, two micro-batches per step (gradient accumulation). */
function design(plan: Partial<ParallelPlan>): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 16, zero: 3, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 32, microbatches: 2, schedule: '1f1b', recompute: 'full', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 2, worldSize: 16 },
  };
}

const run = (plan: Partial<ParallelPlan>) => {
  const result = estimate(design(plan));
  expect(result.estimate, JSON.stringify(result.problems)).not.toBeNull();
  return result.estimate!;
};

describe('ZeRO++ hpZ', () => {
  it('secondary groups: within the shard group, only for ZeRO-3 without PP', () => {
    const groups = { denseShards: 16, expertShards: 4 };
    expect(hpzGroups({ zero: 3, pp: 1, hpzPartitionSize: 8 }, groups)).toEqual({ dense: 8, expert: 4 });
    // Larger than the shard group: DeepSpeed caps it (min(group_size, world_size)).
    expect(hpzGroups({ zero: 3, pp: 1, hpzPartitionSize: 32 }, groups)).toEqual({ dense: 16, expert: 4 });
    expect(hpzGroups({ zero: 3, pp: 1, hpzPartitionSize: 8 }, { denseShards: 16, expertShards: 1 })).toEqual({ dense: 8, expert: 0 });
    expect(hpzGroups({ zero: 2, pp: 1, hpzPartitionSize: 8 }, groups)).toEqual({ dense: 0, expert: 0 });
    expect(hpzGroups({ zero: 3, pp: 4, hpzPartitionSize: 8 }, groups)).toEqual({ dense: 0, expert: 0 });
    expect(hpzGroups({ zero: 3, pp: 1, hpzPartitionSize: 1 }, groups)).toEqual({ dense: 0, expert: 0 });
    // The first gather after the optimizer step spans the shard group; the rest stay in the hpZ group.
    expect(splitGathers(4, true)).toEqual({ primary: 1, hpz: 3 });
    expect(splitGathers(4, false)).toEqual({ primary: 4, hpz: 0 });
  });

  it('holds a secondary 16-bit shard of the weights over the hpZ group: 2P/8 more per GPU with hpZ 8', () => {
    const plain = run({}).memory.stages[0]!;
    const hpz = run({ hpzPartitionSize: 8 }).memory.stages[0]!;
    expect(plain.hpzCopyBytes).toBe(0);
    expect(hpz.hpzCopyBytes).toBeCloseTo((2 * P) / 8, -2);
    expect(hpz.parametersBytes - plain.parametersBytes).toBeCloseTo((2 * P) / 8, -2);
    expect(hpz.optimizerBytes).toBe(plain.optimizerBytes);
    expect(hpz.gradientsBytes).toBe(plain.gradientsBytes);
  });

  it('keeps the backward and later micro-batches\' gathers on NVLink: IB bytes fall by (2m − 1) gathers\' share', () => {
    const dp = (plan: Partial<ParallelPlan>) => run(plan).traffic.perGpuPerStep.dp;
    // ZeRO-3 over 16 ranks on 2 nodes, m = 2: 2m gathers of 2P B and m reduce-scatters of 4P B, each hierarchical
    // (NVLink 7/8 of the bytes, IB 1/16 of them): IB (4·2P + 2·4P)/16 = P.
    const plain = dp({});
    expect(plain.nvlinkBytes).toBeCloseTo((7 / 8) * (4 * 2 * P + 2 * 4 * P), -4);
    expect(plain.ibBytes).toBeCloseTo(P, -4);
    // hpZ 8 = GPUs per node: one gather over all 16 (IB 2P/16), three inside the node (NVLink 7/8 · 2P each, no
    // IB), the reduce-scatters unchanged (IB 2·4P/16): IB P/8 + P/2 = 5P/8, NVLink as before.
    const hpz = dp({ hpzPartitionSize: 8 });
    expect(hpz.nvlinkBytes).toBeCloseTo(plain.nvlinkBytes, -4);
    expect(hpz.ibBytes).toBeCloseTo((5 * P) / 8, -4);
  });

  it('with an hpZ group as large as the shard group the traffic is unchanged and the copy is still held', () => {
    const plain = run({});
    const whole = run({ hpzPartitionSize: 16 });
    expect(whole.traffic.perGpuPerStep.dp).toEqual(plain.traffic.perGpuPerStep.dp);
    expect(whole.memory.stages[0]!.hpzCopyBytes).toBeCloseTo((2 * P) / 16, -2);
  });

  it('exposes less DP time: the in-node gathers skip the IB phase', () => {
    const plain = run({}).breakdown.exposedComm.dp;
    const hpz = run({ hpzPartitionSize: 8 }).breakdown.exposedComm.dp;
    expect(plain).toBeGreaterThan(0);
    expect(hpz).toBeLessThan(plain);
  });

  it('under parameter offload the secondary copy lives on the host and each in-group gather copies it up', () => {
    const offloaded = run({ parameterOffload: true }).memory.stages[0]!;
    const both = run({ parameterOffload: true, hpzPartitionSize: 8 });
    const stage = both.memory.stages[0]!;
    expect(stage.host.parametersBytes - offloaded.host.parametersBytes).toBeCloseTo((2 * P) / 8, -2);
    expect(stage.parametersBytes).toBe(0);
    // Host copies before the 4 gathers: the primary shard (2P/16) once, the hpZ copy (2P/8) three times.
    const link = findGpu('H100-SXM')!.host.linkBytesPerSecond;
    expect(both.breakdown.hostTransferSeconds).toBeCloseTo(((2 * P) / 16 + (3 * 2 * P) / 8) / link, 6);
  });

  it('says it changes nothing outside ZeRO-3 without PP, and refuses a size that does not divide the shard group', () => {
    const zero2 = estimate(design({ zero: 2, hpzPartitionSize: 8 }));
    expect(zero2.problems.filter((p) => p.code === 'value/no-effect').map((p) => p.field)).toEqual(['plan.hpzPartitionSize']);
    expect(zero2.estimate!.memory).toEqual(estimate(design({ zero: 2 })).estimate!.memory);
    expect(estimate(design({ hpzPartitionSize: 3 })).problems.map((p) => p.code)).toContain('layout/hpz-groups');
  });
});
