// Communication per parallel dimension: what one micro-batch moves through one layer (TP, CP, EP), what a stage
// boundary sends (PP), what a step reduces (DP), each split into NVLink and IB bytes by the group's placement
// (placement.ts) and priced by collectives.ts / alltoall.ts (COSTMODEL.md §2.4).
import type { Design, ParallelPlan } from '../../design';
import { tokenAllToAll, type TokenAllToAll } from './alltoall';
import { allGather, allReduce, NO_TRAFFIC, reduceScatter, sendRecv, type CollectiveCost, type Links } from './collectives';
import { placeGroup, type Placement } from './placement';
import { hpzGroups, shardGroups, splitGathers } from './shardGroups';
import { expertLoad } from '../compute/capacity';
import { zeroStepPlan, type ZeroStepPlan } from './zeroSchedule';

/** Activations and their gradients travel in 16-bit (TP, CP, PP) whatever the GEMM precision. */
const ACTIVATION_BYTES = 2;

export interface PassComm {
  forward: CollectiveCost;
  backward: CollectiveCost;
}

export interface LayerComm {
  tp: PassComm;
  cp: PassComm;
  ep: PassComm;
}

const NONE: PassComm = { forward: NO_TRAFFIC, backward: NO_TRAFFIC };

export interface CommContext {
  design: Design;
  placement: Placement;
  links: Links;
}

/** Tokens of one micro-batch seen by one TP group (CP splits the sequence). */
function tokensPerTpGroup(design: Design): number {
  return (design.plan.microBatchSize * design.plan.seqLength) / design.plan.cp;
}

function scale(cost: CollectiveCost, times: number): CollectiveCost {
  return { nvlinkBytes: cost.nvlinkBytes * times, ibBytes: cost.ibBytes * times, seconds: cost.seconds * times };
}

export function sum(...costs: CollectiveCost[]): CollectiveCost {
  let nvlinkBytes = 0;
  let ibBytes = 0;
  let seconds = 0;
  // An index loop: an array's iterator is an object per call until the code is optimised (stageTime.ts sumParts).
  for (let i = 0; i < costs.length; i++) {
    const c = costs[i]!;
    nvlinkBytes += c.nvlinkBytes;
    ibBytes += c.ibBytes;
    seconds += c.seconds;
  }
  return { nvlinkBytes, ibBytes, seconds };
}

/**
 * Megatron TP: two all-reduces of the layer's activations forward (after attention, after the MLP) and two
 * backward; with sequence parallelism each becomes a reduce-scatter plus an all-gather of the same volume. Full
 * recomputation repeats the forward two in the backward.
 */
function tensorParallelComm({ design, placement, links }: CommContext): PassComm {
  if (design.plan.tp <= 1) return NONE;
  const bytes = tokensPerTpGroup(design) * design.model.hidden * ACTIVATION_BYTES;
  const one = allReduce(placement.tp, bytes, links);
  const backwardCount = design.plan.recompute === 'full' ? 4 : 2;
  return { forward: scale(one, 2), backward: scale(one, backwardCount) };
}

/**
 * Context parallelism as ring attention: every CP rank needs the K and V of the whole sequence.
 * Megatron / Transformer Engine (Llama 3 §3.3.2): all-gather K and V forward (GQA keeps them to a_kv heads),
 * reduce-scatter their gradients backward.
 * torchtitan runs PyTorch's context_parallel [R: torch/distributed/tensor/experimental/_attention.py, with
 * torchtitan's Llama attention]: the model repeats K and V to every query head before SDPA, so the ring carries
 * a·d per token, not a_kv·d; the default rotater all-gathers K/V once per pass (forward, and again in the
 * backward); the backward also passes each rank's FP32 dK/dV accumulator to the next rank after every one of its
 * c steps (c sends of twice the rank's 16-bit K/V share), over IB when the group spans nodes.
 */
function contextParallelComm({ design, placement, links }: CommContext): PassComm {
  const { cp, tp, microBatchSize, seqLength } = design.plan;
  if (cp <= 1) return NONE;
  const arch = design.model;
  const mla = arch.attention === 'mla' && arch.mla;
  const torchtitan = design.plan.framework === 'torchtitan';
  const kvWidth = mla
    ? arch.heads * (arch.mla!.qkNopeHeadDim + arch.mla!.qkRopeHeadDim + arch.mla!.vHeadDim)
    : 2 * (torchtitan ? arch.heads : arch.kvHeads) * arch.headDim;
  const gathered = (microBatchSize * seqLength * kvWidth * ACTIVATION_BYTES) / tp;
  const forward = allGather(placement.cp, gathered, links);
  if (!torchtitan) return { forward, backward: reduceScatter(placement.cp, gathered, links) };
  const gradientSend = sendRecv(placement.cp.nodes > 1, (2 * gathered) / cp, links);
  return { forward, backward: sum(forward, scale(gradientSend, cp)) };
}

/** The routing facts of one MoE token, or undefined for a dense model. */
export function moeTokenTraffic({ design, placement }: CommContext): TokenAllToAll | undefined {
  const arch = design.model;
  if (arch.experts <= 0) return undefined;
  return tokenAllToAll(
    { experts: arch.experts, topK: arch.topK, hidden: arch.hidden, nodeLimit: design.plan.nodeLimit, precision: design.plan.precision },
    placement.ep,
  );
}

/** ModelComm's moe.ep alone: a search's work bounds read only it. */
export function expertAllToAll(context: CommContext): PassComm {
  return expertParallelComm(context, moeTokenTraffic(context));
}

/**
 * One MoE layer's dispatch + combine for the tokens one GPU holds: the IB and NVLink legs are pipelined by the
 * kernels (DeepEP), so the time is the slower leg plus one latency per all-to-all.
 */
function expertParallelComm(context: CommContext, token: TokenAllToAll | undefined): PassComm {
  const { design, placement, links } = context;
  if (!token || design.plan.ep <= 1) return NONE;
  // Padding to capacity sends capacity slots; a capacity under the balanced share drops copies (capacity.ts).
  const tokens = (tokensPerTpGroup(design) / design.plan.tp) * expertLoad(design.plan, 1).traffic;
  const ibBytes = tokens * token.ibBytesPerToken;
  const nvlinkBytes = tokens * token.nvlinkBytesPerToken;
  const latency = 2 * (placement.ep.nodes > 1 ? links.ibLatencySeconds : links.nvlinkLatencySeconds);
  const seconds = latency + Math.max(ibBytes / links.ibBytesPerSecond, nvlinkBytes / links.nvlinkBytesPerSecond);
  const pass: CollectiveCost = { nvlinkBytes, ibBytes, seconds };
  return { forward: pass, backward: pass };
}

export interface ModelComm {
  dense: LayerComm;
  moe: LayerComm;
  token: TokenAllToAll | undefined;
  /** One activation (or gradient) send across a stage boundary. */
  ppSend: CollectiveCost;
}

export function modelComm(context: CommContext): ModelComm {
  const tp = tensorParallelComm(context);
  const cp = contextParallelComm(context);
  const token = moeTokenTraffic(context);
  return {
    dense: { tp, cp, ep: NONE },
    moe: { tp, cp, ep: expertParallelComm(context, token) },
    token,
    ppSend: pipelineSend(context),
  };
}

/** One activation (or gradient) send across a stage boundary (ModelComm.ppSend), alone: a search's bounds read only it. */
export function pipelineSend({ design, placement, links }: CommContext): CollectiveCost {
  // Megatron's scatter-gather optimisation sends 1/t of the activation per TP rank (COSTMODEL.md §2.4).
  const ppBytes = design.plan.pp > 1 ? (tokensPerTpGroup(design) * design.model.hidden * ACTIVATION_BYTES) / design.plan.tp : 0;
  return sendRecv(placement.pp.nodes > 1, ppBytes, links);
}

/** Weights one GPU holds that data parallelism must keep in sync. */
export interface GpuParams {
  /** Non-expert weights (reduced across DP × CP). */
  dense: number;
  /** Routed-expert weights (reduced across expert DP). */
  expert: number;
}

export interface DataParallelComm {
  /** Per step, over the non-expert (DP × CP) group. */
  dense: CollectiveCost;
  /** Per step, over the expert-data-parallel group. */
  expert: CollectiveCost;
  /** Per step: primary gathers × gatherOnce + hpZ gathers × hpzGatherOnce + reductions × reduceOnce. */
  total: CollectiveCost;
  /** One all-gather of every 16-bit weight the rank holds (both groups), over the whole shard groups. */
  gatherOnce: CollectiveCost;
  /**
   * The same all-gather inside the hpZ groups, as every gather of a step after the first runs with ZeRO++ hpZ
   * (shardGroups.ts); without hpZ it is gatherOnce.
   */
  hpzGatherOnce: CollectiveCost;
  /** Of step.weightGathers, how many run inside the hpZ groups (0 without hpZ). */
  hpzGathers: number;
  /** One reduction of every gradient the rank holds (both groups): all-reduce for ZeRO-0, reduce-scatter otherwise. */
  reduceOnce: CollectiveCost;
  /** How many of each a step issues, and what stays unsharded (zeroSchedule.ts). */
  step: ZeroStepPlan;
}

/**
 * Gradient synchronisation per step (COSTMODEL.md §2.2, §2.4), counted as zeroSchedule.ts says the frameworks
 * run each stage: ZeRO-0 all-reduces the gradients once; ZeRO-1 reduce-scatters them and all-gathers the updated
 * weights once; ZeRO-2 reduce-scatters after every micro-batch; ZeRO-3 gathers the weights for every
 * micro-batch's forward and backward and reduce-scatters after each backward without PP, but gathers once and
 * reduces once with PP (torchtitan keeps the stage unsharded); with ZeRO++ hpZ all of a step's gathers but the first
 * stay inside the hpZ groups (shardGroups.ts). Gradients are reduced in FP32 for BF16 and FP8
 * training (Megatron accumulates and reduces main grads in FP32; Llama 3 "reduce-scatter gradients in FP32";
 * torchtitan's default reduce dtype), in BF16 when the plan says `gradReduceInFp32: false` (NeMo's performance
 * recipes), in FP16 for FP16 training; weights are gathered in 16-bit.
 */
/** Bytes of one gradient element as accumulated and reduced (design.ts `gradReduceInFp32`). */
export function gradientBytesOf(plan: Pick<ParallelPlan, 'precision'> & Partial<Pick<ParallelPlan, 'gradReduceInFp32'>>): number {
  // FP16 reduces in FP16 unless asked for FP32 (Megatron --accumulate-allreduce-grads-in-fp32).
  if (plan.gradReduceInFp32 !== undefined) return plan.gradReduceInFp32 ? 4 : 2;
  return plan.precision === 'fp16' ? 2 : 4;
}

export function dataParallelComm(context: CommContext, params: GpuParams): DataParallelComm {
  const { design, placement, links } = context;
  const { plan } = design;
  const step = zeroStepPlan(plan.zero, plan.pp, plan.microbatches);
  const gradBytes = gradientBytesOf(plan);
  const weightBytes = 2;
  const gpusPerNode = design.cluster.gpusPerNode;
  const denseGroup = placeGroup(plan.dp * plan.cp, plan.tp, gpusPerNode);
  // ZeRO shards live in shard groups, the inner part of each data-parallel group, replicated across the rest
  // (shardGroups.ts): reduce-scatter inside the shard group, all-reduce of the shard across the replicas.
  const groups = shardGroups(plan);
  const shardGroupOf = (group: typeof denseGroup, shards: number) =>
    ({ shard: placeGroup(shards, group.stride, gpusPerNode), replicas: placeGroup(group.size / shards, group.stride * shards, gpusPerNode) });
  const gatherOf = (group: typeof denseGroup, shards: number, count: number): CollectiveCost =>
    group.size <= 1 || count <= 0 || plan.zero === 0 ? NO_TRAFFIC : allGather(shardGroupOf(group, shards).shard, count * weightBytes, links);
  // hpZ groups are the innermost ranks of a shard group (consecutive ranks in DeepSpeed), so NVLink holds them when
  // they fit in a node; a kind without its own hpZ group gathers as before.
  const hpz = hpzGroups(plan, groups);
  const hpzGatherOf = (group: typeof denseGroup, hpzShards: number, primary: CollectiveCost, count: number): CollectiveCost =>
    hpzShards > 0 && count > 0 ? allGather(placeGroup(hpzShards, group.stride, gpusPerNode), count * weightBytes, links) : primary;
  const reduceOf = (group: typeof denseGroup, shards: number, count: number): CollectiveCost => {
    if (group.size <= 1 || count <= 0) return NO_TRAFFIC;
    if (plan.zero === 0) return allReduce(group, count * gradBytes, links);
    const { shard, replicas } = shardGroupOf(group, shards);
    const scattered = shard.size > 1 ? reduceScatter(shard, count * gradBytes, links) : NO_TRAFFIC;
    return replicas.size > 1 ? sum(scattered, allReduce(replicas, (count * gradBytes) / shard.size, links)) : scattered;
  };
  const gathers = splitGathers(step.weightGathers, hpz.dense > 0 || hpz.expert > 0);
  const perStep = (gather: CollectiveCost, hpzGather: CollectiveCost, reduce: CollectiveCost): CollectiveCost =>
    sum(scale(gather, gathers.primary), scale(hpzGather, gathers.hpz), scale(reduce, step.gradientReductions));
  const expertShards = groups.expertShards <= placement.expertDp.size ? groups.expertShards : placement.expertDp.size;
  const denseGather = gatherOf(denseGroup, groups.denseShards, params.dense);
  const denseReduce = reduceOf(denseGroup, groups.denseShards, params.dense);
  const expertGather = gatherOf(placement.expertDp, expertShards, params.expert);
  const expertReduce = reduceOf(placement.expertDp, expertShards, params.expert);
  const denseHpzGather = hpzGatherOf(denseGroup, hpz.dense, denseGather, params.dense);
  const expertHpzGather = hpzGatherOf(placement.expertDp, hpz.expert, expertGather, params.expert);
  const dense = perStep(denseGather, denseHpzGather, denseReduce);
  const expert = perStep(expertGather, expertHpzGather, expertReduce);
  return {
    dense,
    expert,
    total: sum(dense, expert),
    gatherOnce: sum(denseGather, expertGather),
    hpzGatherOnce: sum(denseHpzGather, expertHpzGather),
    hpzGathers: gathers.hpz,
    reduceOnce: sum(denseReduce, expertReduce),
    step,
  };
}
