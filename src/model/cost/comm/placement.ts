// Where each parallel group's ranks sit on nodes, and so which link its collectives cross.
//
// Rank order (Megatron-LM's default `--rank-order tp-cp-ep-dp-pp`, its RankGenerator): TP varies fastest, then CP,
// then DP, then PP. Consecutive ranks fill a node first, so a group whose members are `stride` ranks apart
// sits on ⌈n·stride / gpusPerNode⌉ nodes when stride < gpusPerNode and on n nodes otherwise.
// Expert layers regroup the same tp·cp·dp ranks of one pipeline stage as etp × ep × expert-dp (Megatron's
// expert RankGenerator, order `tp-ep-dp-pp` with tp = etp): expert TP fastest, then EP, then expert DP.
import type { ParallelPlan } from '../../design';

export interface GroupPlacement {
  /** Ranks in the group. */
  size: number;
  /** Distance between consecutive members in global rank order. */
  stride: number;
  /** Nodes the group spans. */
  nodes: number;
  /** Members that share a node (the most on any node). */
  perNode: number;
}

export interface Placement {
  tp: GroupPlacement;
  cp: GroupPlacement;
  dp: GroupPlacement;
  pp: GroupPlacement;
  ep: GroupPlacement;
  /** Expert data parallelism: the ranks holding the same expert shard, over which expert gradients reduce. */
  expertDp: GroupPlacement;
}

/** How a group of `size` ranks, `stride` apart, lands on nodes of `gpusPerNode` GPUs (the group starting at rank 0). */
export function placeGroup(size: number, stride: number, gpusPerNode: number): GroupPlacement {
  const n = Math.max(1, Math.floor(size));
  const step = Math.max(1, Math.floor(stride));
  const g = Math.max(1, Math.floor(gpusPerNode));
  // Members sit at ranks 0, step, 2·step, …: a step of a node or more puts each on its own node; a shorter one
  // leaves no node between the first and the last empty, and no node holds more than the first does.
  if (step >= g) return { size: n, stride: step, nodes: n, perNode: 1 };
  return { size: n, stride: step, nodes: Math.floor(((n - 1) * step) / g) + 1, perNode: Math.min(n, Math.ceil(g / step)) };
}

export function placePlan(plan: ParallelPlan, gpusPerNode: number): Placement {
  const { tp, cp, dp, pp, ep, etp } = plan;
  const expertDpSize = Math.max(1, Math.floor((tp * cp * dp) / Math.max(1, ep * etp)));
  return {
    tp: placeGroup(tp, 1, gpusPerNode),
    cp: placeGroup(cp, tp, gpusPerNode),
    dp: placeGroup(dp, tp * cp, gpusPerNode),
    pp: placeGroup(pp, tp * cp * dp, gpusPerNode),
    ep: placeGroup(ep, etp, gpusPerNode),
    expertDp: placeGroup(expertDpSize, etp * ep, gpusPerNode),
  };
}
