// Lower bounds on a layout's simulated makespan from its stage costs alone, no ops built. The step adds exposed
// DP synchronisation and the optimizer step to the makespan (estimate.ts), both ≥ 0, so a bound on the makespan is
// one on the step. Each bound is sound for the simulator's rules (schedule/simulate.ts), whatever the op order:
//
// - Work: a rank is busy for the sum of its ops, so the makespan is at least the busiest rank's busy time, and at
//   least the mean over ranks, which is the step's total work / p. The total work is m × (F + B) summed over the
//   stages, which equals the work of one stage holding every layer (a stage's cost is the sum of its layers').
//   DualPipe's F&B pair costs at least its two halves minus their EP all-to-all (cost/compute/stageTime.ts hides only that),
//   so for the overlapping schedules the bound takes the all-to-all off every op. A pair's compute also runs slower
//   (on the SMs the all-to-all leaves free): with the least share of each stage's forwards and backwards the
//   schedule runs in pairs (counted once per schedule), the total gains that slowdown on that share of the compute.
//   Compute is a sum over layers (the TP and CP exposure only grows when split), so per-stage shares of at least q
//   cover at least q of the whole model's.
// - Fill and drain (looped and V placements): rank r runs only stages ≥ r, and a forward of stage s waits for
//   the forwards of stages 0…s−1 of its micro-batch on ranks 0…s−1, one send apart each; so rank r cannot start
//   before Σ_{s<r} F_s + r·p2p. Where a rank's last op is the full backward of its lowest stage (GPipe, 1F1B,
//   interleaved 1F1B, whose generators end so), the ranks below still have to run that micro-batch's backwards,
//   Σ_{s<r} B_s + r·p2p more. With uniform stages and no p2p this is the closed form (p−1)(F+B) exactly.
// - Busiest rank: with the schedule's own ops (how many F, B, I, W and F&B of each stage each rank runs, counted
//   once per schedule) and the stage costs, each rank's busy time is known exactly before any simulation; the
//   makespan is at least the largest. For DualPipe this counts its pairs at their own cost (the SMs the all-to-all
//   takes, the all-to-all a pair cannot hide) and its unpaired warm-up and cool-down ops in full.
// - The drain of DualPipe and DualPipeV: their busiest ranks start at once, so their bubble shows at the end, where
//   a pipe's last micro-batch goes through the pipeline and back (pairedDrain.ts).
import type { ScheduleId } from '../design';
import { PAIR_SLOWDOWN, type StageTimes, type StageWorkSeconds } from '../cost/compute/stageTime';
import { OP_B, OP_F, OP_FB, OP_I, OP_W } from '../schedule/ops';

/** Schedules whose F&B pairs hide the EP all-to-all and whose p2p sends the estimate counts as hidden. */
export function overlapsPairs(schedule: ScheduleId): boolean {
  return schedule === 'dualpipe' || schedule === 'dualpipev';
}

/**
 * Total work of one step over the pipeline's ranks, from the row of one stage holding every layer (see above).
 *
 * For a schedule that pairs F with B: an unpaired op costs its whole row, all-to-all included; a pair costs its
 * halves' TP, CP and offload plus the longer of their compute (slowed, on the SMs the all-to-all leaves free) and
 * their all-to-all (stageTime.ts pairInto). Summed over the pairs, the longer of two sums is at most the sum of the
 * longer ones, so with X the paired halves' compute and Y their all-to-all, the total is at least the whole work
 * minus X and Y plus the longer of (slowdown × X) and Y. X and Y lie between what the least and the most share of
 * each stage's ops run in pairs give; the least over that range is taken.
 */
export function meanBusyBound(wholeStage: StageWorkSeconds, microbatches: number, pp: number, pairs: boolean, shares: PairedShares = ANY_PAIRS): number {
  const work = wholeStage.F + wholeStage.B;
  if (!pairs) return (microbatches * work) / Math.max(1, pp);
  const leastCompute = shares.forward * wholeStage.computeF + shares.backward * wholeStage.computeB;
  const mostCompute = shares.mostForward * wholeStage.computeF + shares.mostBackward * wholeStage.computeB;
  const mostAllToAll = shares.mostForward * wholeStage.epF + shares.mostBackward * wholeStage.epB;
  const pairing = Math.max((PAIR_SLOWDOWN - 1) * leastCompute - mostAllToAll, -mostCompute);
  return (microbatches * (work + pairing)) / Math.max(1, pp);
}

/**
 * Of each stage's forwards, the least and the most a schedule runs inside F&B pairs, per micro-batch (over the
 * stages); likewise of its backwards (the pair's backward half). All 0 for a schedule without pairs.
 */
export interface PairedShares {
  forward: number;
  backward: number;
  mostForward: number;
  mostBackward: number;
}

export const NO_PAIRS: PairedShares = { forward: 0, backward: 0, mostForward: 0, mostBackward: 0 };

/** PairedShares from each stage's forwards and backwards run in pairs, out of `microbatches` each. */
export function pairedSharesOf(pairedForward: Float64Array, pairedBackward: Float64Array, microbatches: number): PairedShares {
  const least = (counts: Float64Array) => counts.reduce((min, count) => Math.min(min, count), Number.POSITIVE_INFINITY) / microbatches;
  const most = (counts: Float64Array) => counts.reduce((max, count) => Math.max(max, count), 0) / microbatches;
  return { forward: least(pairedForward), backward: least(pairedBackward), mostForward: most(pairedForward), mostBackward: most(pairedBackward) };
}
/** What holds for any pair schedule when its own op order is not at hand: none paired at least, every one at most. */
export const ANY_PAIRS: PairedShares = { forward: 0, backward: 0, mostForward: 1, mostBackward: 1 };

/** Ranks of the stages: looped (stage s on rank s mod p) or V (rank r holds r and 2p−1−r). */
function rankOfStage(schedule: ScheduleId, stage: number, pp: number): number {
  if (schedule === 'zbv' || schedule === 'dualpipev') return stage < pp ? stage : 2 * pp - 1 - stage;
  return stage % pp;
}

/** The fill-and-drain bound for a schedule on its own stage costs; DualPipe gets the work bound only. */
export function pipelineBound(schedule: ScheduleId, costs: StageTimes, microbatches: number, pp: number, p2pSeconds: number): number {
  const stages = costs.F.length;
  if (pp <= 1 || overlapsPairs(schedule)) return 0;
  const busy = new Float64Array(pp);
  for (let s = 0; s < stages; s++) busy[rankOfStage(schedule, s, pp)]! += microbatches * (costs.F[s]! + costs.B[s]!);
  const drains = schedule === 'gpipe' || schedule === '1f1b' || schedule === 'interleaved-1f1b';
  let bound = 0;
  let fill = 0;
  let drain = 0;
  for (let r = 0; r < pp; r++) {
    bound = Math.max(bound, fill + busy[r]! + (drains ? drain : 0));
    fill += costs.F[r]! + p2pSeconds;
    drain += costs.B[r]! + p2pSeconds;
  }
  return bound;
}

/** Per rank, how many ops of each kind and stage it runs: rankStart[r]..rankStart[r+1] index (kind, stage, count) rows. */
export interface OpCounts {
  rankStart: Int32Array;
  kind: Uint8Array;
  stage: Int32Array;
  count: Float64Array;
}

/** An op's time as the simulator gives it (schedule/simulate.ts): an I op is B − W, an F&B pair its stage's F&B. */
export function opSeconds(kind: number, stage: number, costs: StageTimes): number {
  if (kind === OP_F) return costs.F[stage]!;
  if (kind === OP_B) return costs.B[stage]!;
  if (kind === OP_I) return costs.B[stage]! - costs.W[stage]!;
  if (kind === OP_W) return costs.W[stage]!;
  return kind === OP_FB ? costs.FB[stage]! : 0;
}

/** Rank `rank`'s busy time: each of its ops at the simulator's cost. */
export function rankBusySeconds(counts: OpCounts, costs: StageTimes, rank: number): number {
  let busy = 0;
  for (let i = counts.rankStart[rank]!; i < counts.rankStart[rank + 1]!; i++) busy += counts.count[i]! * opSeconds(counts.kind[i]!, counts.stage[i]!, costs);
  return busy;
}

/** The busiest rank's busy time. */
export function busiestRankBound(counts: OpCounts, costs: StageTimes): number {
  let most = 0;
  for (let r = 0; r + 1 < counts.rankStart.length; r++) most = Math.max(most, rankBusySeconds(counts, costs, r));
  return most;
}
