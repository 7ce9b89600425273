// Sharding groups (cost/comm/shardGroups.ts, docs/MEMORY.md "Sharding groups"): HSDP and Megatron's distributed-optimizer
// instances shard over the shard group, reduce-scatter inside it and all-reduce the shard across the replicas.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import { parameterCounts } from '../../../src/model/cost/memory/params';
import { shardGroups } from '../../../src/model/cost/comm/shardGroups';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const P = parameterCounts(llama8b).total;

/** Llama 3 8B data parallel over 2 nodes × 8 H100, one micro-batch per step. */
function design(plan: Partial<ParallelPlan>): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 16, zero: 3, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 16, microbatches: 1, schedule: '1f1b', recompute: 'full', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 2, worldSize: 16 },
  };
}

const run = (plan: Partial<ParallelPlan>) => {
  const result = estimate(design(plan));
  expect(result.estimate, JSON.stringify(result.problems)).not.toBeNull();
  return result.estimate!;
};

describe('shard groups', () => {
  it('split dp·cp into replicas of shard groups; experts likewise', () => {
    expect(shardGroups({ tp: 1, cp: 1, dp: 16, ep: 1, etp: 1, dataParallelReplicas: 2 })).toEqual({ replicas: 2, denseShards: 8, expertShards: 8 });
    expect(shardGroups({ tp: 2, cp: 2, dp: 8, ep: 8, etp: 1, dataParallelReplicas: 4 })).toEqual({ replicas: 4, denseShards: 4, expertShards: 1 });
    expect(shardGroups({ tp: 1, cp: 1, dp: 16, ep: 1, etp: 1 })).toEqual({ replicas: 1, denseShards: 16, expertShards: 16 });
  });

  it('HSDP holds twice FSDP\'s sharded states with half the shard group', () => {
    const fsdp = run({}).memory.stages[0]!;
    const hsdp = run({ dataParallelReplicas: 2 }).memory.stages[0]!;
    // ZeRO-3 without PP shards weights, gradients and optimizer state: 2 + 4 + 12 B over 16, then over 8.
    expect(fsdp.optimizerBytes).toBeCloseTo((P * 12) / 16, -3);
    expect(hsdp.optimizerBytes).toBeCloseTo((P * 12) / 8, -3);
    expect(hsdp.parametersBytes).toBeCloseTo((P * 2) / 8, -3);
    expect(hsdp.gradientsBytes).toBeCloseTo((P * 4) / 8, -3);
  });

  it('moves HSDP\'s gathers and reduce-scatters onto NVLink and all-reduces the 1/8 shard over IB', () => {
    const dp = (plan: Partial<ParallelPlan>) => run(plan).traffic.perGpuPerStep.dp;
    // FSDP over 16 ranks of 2 nodes (8 per node), per micro-batch 2 gathers of 2P B and 1 reduce-scatter of 4P B, each
    // hierarchical: NVLink 7/8 of the bytes, IB 1/2 · 1/8 of them.
    const fsdp = dp({});
    expect(fsdp.nvlinkBytes).toBeCloseTo((7 / 8) * (2 * 2 * P + 4 * P), -4);
    expect(fsdp.ibBytes).toBeCloseTo((1 / 16) * (2 * 2 * P + 4 * P), -4);
    // HSDP: gathers and reduce-scatter inside the node (NVLink 7/8), then an all-reduce of 4P/8 B between the two
    // replicas, one GPU per node: IB 2 · 1/2 · P/2.
    const hsdp = dp({ dataParallelReplicas: 2 });
    expect(hsdp.nvlinkBytes).toBeCloseTo((7 / 8) * (2 * 2 * P + 4 * P), -4);
    expect(hsdp.ibBytes).toBeCloseTo(P / 2, -4);
  });

  it('Megatron\'s optimizer instances: ZeRO-1 shards the optimizer over dp/instances and all-reduces across them', () => {
    const one = run({ zero: 1 });
    const two = run({ zero: 1, dataParallelReplicas: 2 });
    expect(two.memory.stages[0]!.optimizerBytes / one.memory.stages[0]!.optimizerBytes).toBeCloseTo(2, 9);
    // ZeRO-1: a reduce-scatter of 4P B and a gather of 2P B inside each node, an all-reduce of 4P/8 B across nodes.
    const traffic = two.traffic.perGpuPerStep.dp;
    expect(traffic.nvlinkBytes).toBeCloseTo((7 / 8) * (4 * P + 2 * P), -4);
    expect(traffic.ibBytes).toBeCloseTo(P / 2, -4);
  });

  it('refuses replicas that do not divide the data-parallel ranks', () => {
    const problems = estimate(design({ dataParallelReplicas: 3 })).problems;
    expect(problems.map((p) => p.code)).toContain('layout/shard-groups');
  });
});
