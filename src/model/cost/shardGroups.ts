// Sharding groups (docs/MEMORY.md "Sharding groups"): HSDP (torchtitan data_parallel_replicate_degree ×
// data_parallel_shard_degree) and Megatron's --num-distributed-optimizer-instances shard the ZeRO states over one
// part of the data-parallel group and keep `replicas` copies of that shard group. A GPU holds 1/(shard group) of
// what it shards; a gradient reduction is a reduce-scatter inside the shard group and an all-reduce of the shard
// across the replicas; weights are gathered inside the shard group. Shard groups are the inner (contiguous) part of
// the data-parallel group, so they are the ones NVLink can hold (torchtitan's mesh order dp_replicate, dp_shard, cp,
// tp; Megatron's intra-instance groups are consecutive data-parallel ranks).
import type { ParallelPlan } from '../design';

export interface ShardGroups {
  /** Copies of each shard group (1: the shards span all of data parallelism). */
  replicas: number;
  /** Data-parallel ranks one non-expert shard spans: dp·cp / replicas. */
  denseShards: number;
  /** Expert-data-parallel ranks one routed-expert shard spans: tp·cp·dp/(ep·etp) / replicas. */
  expertShards: number;
}

export function shardGroups(plan: Pick<ParallelPlan, 'tp' | 'cp' | 'dp' | 'ep' | 'etp'> & Partial<Pick<ParallelPlan, 'dataParallelReplicas'>>): ShardGroups {
  const dense = Math.max(1, plan.dp) * Math.max(1, plan.cp);
  const expert = Math.max(1, (Math.max(1, plan.tp) * dense) / (Math.max(1, plan.ep) * Math.max(1, plan.etp)));
  const asked = Math.max(1, Math.floor(plan.dataParallelReplicas ?? 1));
  // A replica count that does not divide the group is layoutChecks' error; the estimate never sees it.
  const replicas = dense % asked === 0 ? asked : 1;
  return { replicas, denseShards: dense / replicas, expertShards: expert % replicas === 0 ? expert / replicas : expert };
}
