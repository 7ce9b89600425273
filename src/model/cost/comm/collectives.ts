// Bytes one GPU moves in a collective, split by link, and the time it takes (COSTMODEL.md §2.4).
//
// Ring collectives inside a node: all-reduce moves 2(n−1)/n·S per rank, reduce-scatter and all-gather (n−1)/n·S.
// A group spanning N nodes with g members per node runs hierarchically, as NCCL does with one NIC per GPU:
// reduce-scatter over NVLink among the g, a ring over IB among the N nodes on the 1/g shard (g rings in
// parallel, one per NIC), then all-gather over NVLink. Per GPU: NVLink 2(g−1)/g·S, IB 2(N−1)/N·S/g (all-reduce);
// half of each for a reduce-scatter or an all-gather. With g = 1 this is the flat ring over IB.
// Time = latency per ring step + bytes / achievable bandwidth, the NVLink and IB phases one after the other.
import type { GroupPlacement } from './placement';

/** Achievable (not marketed) bandwidth per GPU per direction and the per-step latency of each link. */
export interface Links {
  nvlinkBytesPerSecond: number;
  ibBytesPerSecond: number;
  nvlinkLatencySeconds: number;
  ibLatencySeconds: number;
}

export interface LinkBytes {
  nvlinkBytes: number;
  ibBytes: number;
}

export interface CollectiveCost extends LinkBytes {
  seconds: number;
}

export const NO_TRAFFIC: CollectiveCost = { nvlinkBytes: 0, ibBytes: 0, seconds: 0 };

/** All-reduce of `bytes` held by every member. */
export function allReduce(group: GroupPlacement, bytes: number, links: Links): CollectiveCost {
  return hierarchical(group, bytes, 2, links);
}

/** Reduce-scatter of `bytes` held by every member (each ends with bytes/n). */
export function reduceScatter(group: GroupPlacement, bytes: number, links: Links): CollectiveCost {
  return hierarchical(group, bytes, 1, links);
}

/** All-gather whose full result is `bytes` (each member contributes bytes/n). */
export function allGather(group: GroupPlacement, bytes: number, links: Links): CollectiveCost {
  return hierarchical(group, bytes, 1, links);
}

/** One point-to-point send of `bytes`, over IB when the two ranks are on different nodes. */
export function sendRecv(crossesNodes: boolean, bytes: number, links: Links): CollectiveCost {
  if (bytes <= 0) return NO_TRAFFIC;
  return crossesNodes
    ? { nvlinkBytes: 0, ibBytes: bytes, seconds: links.ibLatencySeconds + bytes / links.ibBytesPerSecond }
    : { nvlinkBytes: bytes, ibBytes: 0, seconds: links.nvlinkLatencySeconds + bytes / links.nvlinkBytesPerSecond };
}

/** `passes` = 2 for an all-reduce (reduce-scatter then all-gather), 1 for either half alone. */
function hierarchical(group: GroupPlacement, bytes: number, passes: 1 | 2, links: Links): CollectiveCost {
  if (group.size <= 1 || bytes <= 0) return NO_TRAFFIC;
  const g = group.perNode;
  const nodes = group.nodes;
  const nvlinkBytes = (passes * (g - 1) * bytes) / g;
  const ibBytes = nodes > 1 ? (passes * (nodes - 1) * bytes) / (nodes * g) : 0;
  const steps = passes * ((g - 1) * links.nvlinkLatencySeconds + (nodes - 1) * links.ibLatencySeconds);
  const seconds = steps + nvlinkBytes / links.nvlinkBytesPerSecond + ibBytes / links.ibBytesPerSecond;
  return { nvlinkBytes, ibBytes, seconds };
}

export function addBytes(a: LinkBytes, b: LinkBytes, times = 1): LinkBytes {
  return { nvlinkBytes: a.nvlinkBytes + b.nvlinkBytes * times, ibBytes: a.ibBytes + b.ibBytes * times };
}
