// Sharding groups (docs/MEMORY.md "Sharding groups"): HSDP (torchtitan data_parallel_replicate_degree ×
// data_parallel_shard_degree) and Megatron's --num-distributed-optimizer-instances shard the ZeRO states over one
// part of the data-parallel group and keep `replicas` copies of that shard group. A GPU holds 1/(shard group) of
// what it shards; a gradient reduction is a reduce-scatter inside the shard group and an all-reduce of the shard
// across the replicas; weights are gathered inside the shard group. Shard groups are the inner (contiguous) part of
// the data-parallel group, so they are the ones NVLink can hold (torchtitan's mesh order dp_replicate, dp_shard, cp,
// tp; Megatron's intra-instance groups are consecutive data-parallel ranks).
import type { ParallelPlan } from '../../design';

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

/**
 * ZeRO++ hierarchical partitioning (hpZ, Wang et al. 2023, arXiv 2306.10209 §3.2; DeepSpeed's
 * `zero_hpz_partition_size`): under ZeRO-3 each GPU keeps, besides its primary shard, a secondary 16-bit copy of
 * the weights sharded over a smaller group of consecutive ranks (DeepSpeed's zero-param intra-parallel groups:
 * ranks i·h … i·h + h − 1, one node when h is the GPUs per node). DeepSpeed drops the secondary copies after every
 * optimizer step (`invalidate_secondary_tensor`) and rebuilds a unit's when it is released after its first forward
 * (`_partition_param_sec`); a gather of a unit that has a secondary copy runs in the hpZ group. So per step the first
 * forward gather spans the whole shard group and every later one (each backward, later micro-batches' forwards)
 * stays in the hpZ group. Only ZeRO-3 without PP re-gathers (zeroSchedule.ts); elsewhere there is no secondary copy.
 */
export interface HpzGroups {
  /** Ranks one non-expert secondary shard spans; 0 without hpZ. */
  dense: number;
  /** Ranks one routed-expert secondary shard spans; 0 without hpZ or when experts are not sharded. */
  expert: number;
}

export const NO_HPZ: HpzGroups = { dense: 0, expert: 0 };

export function hpzGroups(
  plan: Pick<ParallelPlan, 'zero'> & Partial<Pick<ParallelPlan, 'pp' | 'hpzPartitionSize'>>, groups: Pick<ShardGroups, 'denseShards' | 'expertShards'>,
): HpzGroups {
  const asked = Math.floor(plan.hpzPartitionSize ?? 1);
  if (!(asked > 1) || plan.zero !== 3 || Math.max(1, plan.pp ?? 1) > 1) return NO_HPZ;
  // DeepSpeed caps the group at the world (min(group_size, world_size)); a size that does not divide the shard group
  // is layoutChecks' error. Routed experts shard over their own group: one the hpZ group does not divide keeps its
  // secondary copy over all of it (no traffic saved, the copy still held).
  const within = (shards: number): number => {
    if (shards <= 1) return 0;
    const size = Math.min(asked, shards);
    return shards % size === 0 ? size : shards;
  };
  return { dense: within(groups.denseShards), expert: within(groups.expertShards) };
}

/** A step's weight gathers over the whole shard group and inside the hpZ group: with hpZ all but the first. */
export function splitGathers(weightGathers: number, hpz: boolean): { primary: number; hpz: number } {
  const gathers = Math.max(0, weightGathers);
  return hpz && gathers > 0 ? { primary: 1, hpz: gathers - 1 } : { primary: gathers, hpz: 0 };
}
