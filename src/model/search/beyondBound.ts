// A search declines a layout whose bound plus what its step adds beyond the makespan (stepBeyond.ts: exposed DP
// synchronisation, the optimizer step, copies of offloaded weights) is above the k-th best score (index.ts). The
// estimate works that sum out only after it has priced the layout's stages, generated its schedule and replayed
// its memory, and almost every layout it declines is declined on the exposed DP time, which reads the stage costs
// only for its overlap windows. The bound's stage times (sharedPricing.ts stageTimesOf) price the same stages; with
// windows from them, a hair longer for the order their parts were summed in, the exposed time is at most the
// estimate's (the windows only hide more), and the rest is the same arithmetic on the same holdings. So the sum here
// is at most the estimate's, and a layout it declines, the estimate would have declined too: the search declines
// it before pricing its stages.
import type { GpuSpec } from '../catalog/gpus';
import type { DpOverlapWindows } from '../cost/comm/dpOverlap';
import type { Placement } from '../cost/comm/placement';
import { dataParallelComm } from '../cost/comm/traffic';
import type { StageTimes } from '../cost/compute/stageTime';
import type { LayerMemoryTerms } from '../cost/memory/memory';
import type { LayerSplit } from '../cost/stages';
import type { Design } from '../design';
import { holdingMemory, type RankHolding } from '../rankMemory';
import type { StageCostEnv } from '../stageCostCache';
import { dpOverlapWindows, mostExposedDpSeconds, optimizerStepSeconds } from '../stepBeyond';
import type { RankStages } from './memoryBound';

/** Relative slack on the windows: the bound's stage times and the estimate's stage costs add the same parts in other orders. */
const WINDOW_SLACK = 1 + 1e-9;

/**
 * The windows DP synchronisation hides behind in the estimate (stepBeyond.ts dpOverlapWindows), at least: from the
 * bound's stage `times` and the stages each rank holds (`rankStages`, the schedule's facts) of a layout's `split`.
 */
export function windowsAtLeast(split: LayerSplit, times: StageTimes, rankStages: RankStages): DpOverlapWindows {
  let longestForward = 0;
  let longestBackward = 0;
  for (let s = 0; s < times.F.length; s++) longestForward = Math.max(longestForward, times.F[s]!);
  for (let s = 0; s < times.B.length; s++) longestBackward = Math.max(longestBackward, times.B[s]!);
  // The estimate's windows count the schedule's chunks per rank: the stages each rank holds.
  let chunksPerRank = 1;
  for (let r = 0; r + 1 < rankStages.start.length; r++) chunksPerRank = Math.max(chunksPerRank, rankStages.start[r + 1]! - rankStages.start[r]!);
  return dpOverlapWindows(longestForward * WINDOW_SLACK, longestBackward * WINDOW_SLACK, chunksPerRank, split);
}

/**
 * What the step of `layout` adds beyond its makespan, at least (estimate.ts, before its simulation): `holdings` are
 * its ranks' (rankMemory.ts rankHoldings), `windows` from windowsAtLeast.
 */
export function stepBeyondAtLeast(
  layout: Design, gpu: GpuSpec, env: StageCostEnv, placement: Placement, holdings: readonly RankHolding[], windows: DpOverlapWindows, terms: LayerMemoryTerms,
): number {
  // Both terms read of a rank only how many dense and expert weights it holds, and only their largest counts: a
  // rank that holds as many as one before it adds nothing (a pipeline's middle ranks mostly do).
  const distinct: RankHolding[] = [];
  for (const holding of holdings) {
    const { dense, expert } = holding.parameters;
    if (!distinct.some((seen) => seen.parameters.dense === dense && seen.parameters.expert === expert)) distinct.push(holding);
  }
  const context = { design: layout, placement, links: env.links };
  const dpPerRank = distinct.map((holding) => dataParallelComm(context, holding.parameters));
  // The optimizer step reads each rank's training state, which its activations leave alone: none are counted.
  const states = distinct.map((holding) => holdingMemory(layout, holding, 0, 0, terms));
  const { optimizerSeconds, parameterCopySeconds } = optimizerStepSeconds(layout, gpu, env.calibration, states);
  return mostExposedDpSeconds(layout, env.calibration, dpPerRank, windows) + optimizerSeconds + parameterCopySeconds;
}
