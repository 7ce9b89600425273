// A lower bound on the peak memory per GPU of every layout under a shape or a family, without a schedule: what
// one GPU would hold of all the model's layers (its TP/EP share, ZeRO-sharded over its DP group), divided over the
// pipeline ranks. Per rank, memory is a sum over the layers a rank holds plus terms that are the same on every rank
// or only on some (reserve, the head's logits), all ≥ 0 (cost/memory/memory.ts), so this is at most the mean over ranks,
// which is at most the busiest rank's. The least of the ZeRO stages is taken: a search tries them all.
//
// Activations in flight: a rank holds a chunk's activations from the start of its forward to the end of its
// backward (cost/memory/activationPeak.ts), so its peak is at least its largest chunk's for one micro-batch, and its
// largest chunk is at least the mean of its C chunks. Every stage is some rank's chunk, so over the ranks these
// add up to at least one micro-batch through every layer ÷ C: C = VPP for interleaved 1F1B, 2 for the V
// placements, 1 otherwise (DualPipe's rank r holds stages r and p−1−r of two copies: every stage once per copy).
// With a schedule in hand the in-flight share is sharper: each rank's peak holds its peak count of chunks (a
// property of the op order, activationPeak.ts), each at least its lightest stage's activations, and summed over the
// ranks that is far more than one micro-batch (1F1B: p + (p−1) + … + 1 chunks). The search takes the larger.
// Every rank also keeps the fixed reserve (cost/memory/memory.ts), so the ranks' sum holds it p times, not once.
import { chunkActivationBytes, DEFAULT_MEMORY_RESERVE, gpuParameters, layerMemoryTerms, type LayerMemoryTerms } from '../cost/memory/memory';
import { offloadsActivations } from '../cost/memory/offload';
import { stageContent, splitLayers } from '../cost/stages';
import type { Design, ParallelPlan, ScheduleId, ZeroStage } from '../design';
import { holdingMemory, type RankHolding } from '../rankMemory';

/** Most chunks a rank of these schedules holds, in the sense above. */
export function chunksPerRank(schedules: readonly { schedule: ScheduleId; vpp: number }[]): number {
  let most = 1;
  for (let i = 0; i < schedules.length; i++) most = Math.max(most, chunksOf(schedules[i]!));
  return most;
}

/** The chunks a rank of one schedule holds, in the sense above. */
export function chunksOf({ schedule, vpp }: { schedule: ScheduleId; vpp: number }): number {
  if (schedule === 'interleaved-1f1b') return Math.max(1, vpp);
  return schedule === 'zbv' || schedule === 'dualpipev' ? 2 : 1;
}

/** The model stages each rank of a schedule holds: rank r's are stage[start[r]] … stage[start[r + 1] − 1]. */
export interface RankStages {
  start: Int32Array;
  stage: Int32Array;
}

/** Each rank's stages in a schedule table's order (by pipe, then stage), from its `stageRank` (pipe × stage → rank). */
export function rankStagesOf(ranks: number, stages: number, pipes: number, stageRank: ArrayLike<number>): RankStages {
  const start = new Int32Array(ranks + 1);
  const stage = new Int32Array(pipes * stages);
  for (let i = 0; i < pipes * stages; i++) start[stageRank[i]! + 1]!++;
  for (let r = 0; r < ranks; r++) start[r + 1]! += start[r]!;
  const next = start.slice(0, ranks);
  for (let i = 0; i < pipes * stages; i++) stage[next[stageRank[i]!]!++] = i % stages;
  return { start, stage };
}

/** The lightest stage rank `rank` holds (`stageBytes`: one micro-batch through each stage); Infinity for none. */
function lightestStageBytes(rankStages: RankStages, rank: number, stageBytes: ArrayLike<number>): number {
  let lightest = Number.POSITIVE_INFINITY;
  for (let i = rankStages.start[rank]!; i < rankStages.start[rank + 1]!; i++) lightest = Math.min(lightest, Math.max(0, stageBytes[rankStages.stage[i]!]!));
  return lightest;
}

/**
 * Σ over a schedule's ranks of the activations each holds at its peak, at least: its peak count of chunks in flight
 * (`peakCounts`, per rank) × the lightest stage it holds (`stageBytes`: one micro-batch through each stage).
 */
export function inFlightSumOf(rankStages: RankStages, peakCounts: ArrayLike<number>, stageBytes: ArrayLike<number>): number {
  let sum = 0;
  for (let r = 0; r + 1 < rankStages.start.length; r++) {
    const lightest = lightestStageBytes(rankStages, r, stageBytes);
    if (Number.isFinite(lightest)) sum += peakCounts[r]! * lightest;
  }
  return sum;
}

/**
 * What the first rank of a layout found over `capacityBytes` holds at least, or 0 when none is: its own holding
 * (`holdings`, by rank) with its peak count of chunks in flight, each at the lightest stage it holds. The estimate
 * weighs each chunk at its own stage (estimate.ts layoutMemory) and a rank's total grows with its activations, so a
 * rank over here is over there.
 */
export function rankOverCapacity(
  design: Design, holdings: readonly RankHolding[], rankStages: RankStages, peakCounts: ArrayLike<number>, stageBytes: ArrayLike<number>,
  terms: LayerMemoryTerms, capacityBytes: number,
): number {
  for (let r = 0; r < holdings.length && r + 1 < rankStages.start.length; r++) {
    const lightest = lightestStageBytes(rankStages, r, stageBytes);
    const inFlightBytes = Number.isFinite(lightest) ? peakCounts[r]! * lightest : 0;
    const atLeast = holdingMemory(design, holdings[r]!, peakCounts[r]!, inFlightBytes, terms).totalBytes * (1 - FLOOR_SLACK);
    if (atLeast > capacityBytes) return atLeast;
  }
  return 0;
}

/** One stage holding every layer, as one GPU of the plan holds it: the same for every schedule and layout of a family. */
export interface WholeModel {
  holding: RankHolding;
  /** One micro-batch's activations through every layer. */
  activationBytes: number;
}

export function wholeModel(design: Design, plan: ParallelPlan, terms = layerMemoryTerms(design.model, plan)): WholeModel {
  // One stage holds every layer whatever pipeline layout the plan states for its own stages.
  const { layout: _layout, firstStageLayers: _first, lastStageLayers: _last, accountForEmbedding: _embedding, accountForLoss: _loss, ...unsplit } = plan;
  const whole = { ...design, plan: { ...unsplit, pp: 1, vpp: 1 } };
  const wholeChunk = stageContent(splitLayers(whole, 1).stages[0]!);
  return {
    holding: { chunks: [wholeChunk], parameters: gpuParameters(design.model, plan, [wholeChunk]) },
    activationBytes: chunkActivationBytes(design.model, wholeChunk, terms.perLayer),
  };
}

/**
 * The part of memoryLowerBound that does not depend on the activations in flight, for one plan and its ZeRO stages.
 * Those activations enter a rank's total affinely (cost/memory/memory.ts stageMemory: they are added once, and the
 * reserve takes its fraction of them), so the least total over the ZeRO stages with x bytes in flight is the least
 * with none plus (1 + fraction)·x: one rankMemory per ZeRO stage serves every schedule of a family.
 */
export interface MemoryFloor {
  /** The least rank total over the ZeRO stages with nothing in flight. */
  restBytes: number;
  /** One micro-batch through every layer, when it counts (not under activation offloading). */
  wholeActivationBytes: number;
  pp: number;
}

export function memoryFloor(design: Design, plan: ParallelPlan, zeros: readonly ZeroStage[], terms = layerMemoryTerms(design.model, plan), whole = wholeModel(design, plan, terms)): MemoryFloor {
  // Offloaded layers (cost/memory/offload.ts: the first N, or every one but the last, of every chunk) keep less in
  // HBM, so what stays depends on the split: with activation offloading no in-flight share is counted.
  const offloads = offloadsActivations(design.plan) || offloadsActivations(plan);
  let least = Number.POSITIVE_INFINITY;
  // One copy of the plan, its ZeRO stage set in turn (holdingMemory keeps nothing of it). ZeRO-2 shards a superset
  // of what ZeRO-1 shards, and ZeRO-1 of ZeRO-0's, so of those the highest keeps the least and is the only one
  // priced; ZeRO-3 adds transient gathers and is priced on its own.
  const zeroPlan: ParallelPlan = { ...plan };
  const withZero: Design = { ...design, plan: zeroPlan };
  const highestBelowThree = zeros.reduce<ZeroStage | undefined>((highest, zero) => (zero <= 2 && (highest === undefined || zero > highest) ? zero : highest), undefined);
  for (const zero of zeros) {
    if (zero <= 2 && zero !== highestBelowThree) continue;
    zeroPlan.zero = zero;
    least = Math.min(least, holdingMemory(withZero, whole.holding, 1, 0, terms).totalBytes);
  }
  return { restBytes: least, wholeActivationBytes: offloads ? 0 : whole.activationBytes, pp: Math.max(1, plan.pp) };
}

/** Relative slack: the affine sum and stageMemory's own add the same terms in different orders. */
const FLOOR_SLACK = 1e-12;

/**
 * The activations in flight a bound counts over the ranks: `inFlightSum` (inFlightSumOf a schedule), or one
 * micro-batch through every layer ÷ `chunks` when that is more (see the top of this file).
 */
export function countedInFlight(floor: MemoryFloor, chunks: number, inFlightSum = 0): number {
  return Math.max(inFlightSum, floor.wholeActivationBytes / Math.max(1, chunks));
}

/** memoryLowerBound from a floor and the activations in flight it counts (countedInFlight). */
export function boundWithInFlight(floor: MemoryFloor, inFlightBytes: number): number {
  const least = floor.restBytes + (1 + DEFAULT_MEMORY_RESERVE.fraction) * inFlightBytes;
  return ((least + (floor.pp - 1) * DEFAULT_MEMORY_RESERVE.fixedBytes) / floor.pp) * (1 - FLOOR_SLACK);
}

/** memoryLowerBound from a floor: `chunks` and `inFlightSum` as there. */
export function boundFromFloor(floor: MemoryFloor, chunks: number, inFlightSum = 0): number {
  return boundWithInFlight(floor, countedInFlight(floor, chunks, inFlightSum));
}

/**
 * `terms`: layerMemoryTerms(design.model, plan), when the caller has them. `inFlightSum`: inFlightSumOf
 * every schedule the bound covers (the least of them), when the caller has the schedules. `whole`: wholeModel of
 * the plan with the same terms, when the caller has it.
 */
export function memoryLowerBound(
  design: Design, plan: ParallelPlan, zeros: readonly ZeroStage[], chunks: number, terms = layerMemoryTerms(design.model, plan), inFlightSum = 0,
  whole = wholeModel(design, plan, terms),
): number {
  return boundFromFloor(memoryFloor(design, plan, zeros, terms, whole), chunks, inFlightSum);
}
