// What part of a step's data-parallel synchronisation compute cannot hide (docs/MEMORY.md "ZeRO and FSDP over a
// step"). Assumptions, one per way the frameworks schedule it (zeroSchedule.ts):
//
// - Reductions at the end of backward (ZeRO-0/1, and ZeRO-2's per-micro-batch reduce-scatters): gradient buckets
//   reduce while the rest of that backward runs, so each reduction hides behind one backward of every chunk the
//   rank holds. ZeRO-1's weight all-gather is charged against the same window, as before this model (Megatron
//   overlaps it with the next forward only under --overlap-param-gather).
// - ZeRO-3 with PP (gathered once, held): FSDP's forward prefetch gathers unit i+1 while unit i computes, so the
//   gather hides behind the first forward of each chunk, the reduce-scatter behind the last backward.
// - ZeRO-3 without PP (per micro-batch): with prefetch a pass over L units takes g + (L−1)·max(g, c) + c for a
//   unit's gather g and compute c, so the pass exposes g + (L−1)/L·max(0, G − C) over the pass totals G and C:
//   the first unit's gather never hides (nothing runs before it), and the rest only as far as compute lasts.
//   The backward pass carries the gathers and the reduce-scatters; its last unit's reduce-scatter never hides.
//   With ZeRO++ hpZ only the step's first forward gathers over the whole shard group; the other forwards and every
//   backward gather inside the hpZ group (shardGroups.ts).
import type { DataParallelComm } from './traffic';

export interface DpOverlapWindows {
  /** Longest forward of one chunk in the pipeline × the chunks a rank holds. */
  forwardSeconds: number;
  /** Longest full backward of one chunk in the pipeline × the chunks a rank holds. */
  backwardSeconds: number;
  /** FSDP units a rank gathers one at a time (its transformer layers); used without PP only. */
  units: number;
}

/**
 * Seconds of `sync` left exposed after overlap with compute, per step. `paramGatherInForward`: the updated weights'
 * all-gather of ZeRO-1/2 overlaps the next step's forward (Megatron --overlap-param-gather) instead of sharing the
 * backward's window with the reductions.
 */
export function exposedDataParallelSeconds(sync: DataParallelComm, windows: DpOverlapWindows, paramGatherInForward = false): number {
  const { step, gatherOnce, reduceOnce } = sync;
  if (step.perUnitGathers) {
    const units = Math.max(1, windows.units);
    const hiddenShare = (units - 1) / units;
    const forward = (gatherSeconds: number) => gatherSeconds / units + hiddenShare * Math.max(0, gatherSeconds - windows.forwardSeconds);
    const backwardComm = sync.hpzGatherOnce.seconds + reduceOnce.seconds;
    const backward = reduceOnce.seconds / units + hiddenShare * Math.max(0, backwardComm - windows.backwardSeconds);
    // One forward gather pass and one backward gather + reduce-scatter pass per micro-batch; without hpZ every
    // gather is gatherOnce (hpzGatherOnce equals it).
    const microBatches = step.gradientReductions;
    return forward(gatherOnce.seconds) + (microBatches - 1) * forward(sync.hpzGatherOnce.seconds) + microBatches * backward;
  }
  if (step.gathersInForward) {
    return Math.max(0, gatherOnce.seconds - windows.forwardSeconds) + Math.max(0, reduceOnce.seconds - windows.backwardSeconds);
  }
  if (paramGatherInForward && step.weightGathers > 0) {
    const gatherSeconds = step.weightGathers * gatherOnce.seconds;
    return Math.max(0, sync.total.seconds - gatherSeconds - step.gradientReductions * windows.backwardSeconds) + Math.max(0, gatherSeconds - windows.forwardSeconds);
  }
  return Math.max(0, sync.total.seconds - step.gradientReductions * windows.backwardSeconds);
}
