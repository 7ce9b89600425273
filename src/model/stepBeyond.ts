// What a step adds to its pipelines' makespan besides the fabric term (estimate.ts): the DP synchronisation that
// overlap leaves exposed, the optimizer step, and the copies of offloaded weights before the step's gathers. A
// layout search reads the same terms before it prices a layout's stages (search/beyondBound.ts), so both go through
// these functions.
import type { GpuSpec } from './catalog/gpus';
import type { Calibration } from './cost/calibration';
import { exposedDataParallelSeconds, type DpOverlapWindows } from './cost/comm/dpOverlap';
import { splitGathers } from './cost/comm/shardGroups';
import type { DataParallelComm } from './cost/comm/traffic';
import { zeroStepPlan } from './cost/comm/zeroSchedule';
import { stateBytesOf, type HostMemory, type StageMemory } from './cost/memory/memory';
import { hostSideOf, optimizerOffloadStep } from './cost/memory/offload';
import type { LayerSplit } from './cost/stages';
import type { Design } from './design';

/** What a rank's optimizer step and weight copies read of its memory: its training state, not its activations. */
export type RankState = Pick<StageMemory, 'parametersBytes' | 'gradientsBytes' | 'optimizerBytes' | 'hpzCopyBytes'> & {
  host: Pick<HostMemory, 'parametersBytes' | 'optimizerBytes'>;
};

/**
 * What DP synchronisation hides behind (cost/comm/dpOverlap.ts): the longest forward and full backward of one
 * chunk in the pipeline, times the chunks a rank holds, and the FSDP units of the first stage.
 */
export function dpOverlapWindows(longestForwardSeconds: number, longestBackwardSeconds: number, chunksPerRank: number, split: LayerSplit): DpOverlapWindows {
  return { forwardSeconds: longestForwardSeconds * chunksPerRank, backwardSeconds: longestBackwardSeconds * chunksPerRank, units: rankUnits(split, 0) };
}

/**
 * The exposed DP synchronisation of the rank that exposes most. It can only fall as the windows grow: each rule
 * hides up to a window's length, and the overlap efficiency applies to what a rule hides.
 */
export function mostExposedDpSeconds(design: Design, cal: Calibration, dpPerRank: readonly DataParallelComm[], windows: DpOverlapWindows): number {
  let exposed = 0;
  for (const sync of dpPerRank) {
    exposed = Math.max(exposed, exposedDpOf(sync.total.seconds, exposedDataParallelSeconds(sync, windows, design.plan.overlapParamGather === true), design, cal));
  }
  return exposed;
}

/**
 * The optimizer step streams weights, gradients and optimizer state through HBM once each way; an offloaded share
 * is stepped on the host after its gradients are copied down, and its weights copied back (offload.ts). Offloaded
 * shards are copied up before each of the step's gathers, not hidden (a conservative bound): the primary shard
 * for a gather over the shard group, the hpZ copy for one inside the hpZ group. Each is the slowest rank's.
 */
export function optimizerStepSeconds(design: Design, gpu: GpuSpec, cal: Calibration, ranks: readonly RankState[]): { optimizerSeconds: number; parameterCopySeconds: number } {
  const { plan, cluster } = design;
  const host = hostSideOf(gpu, cluster);
  const state = stateBytesOf(plan);
  let optimizerSeconds = 0;
  let parameterCopySeconds = 0;
  const zeroStep = zeroStepPlan(plan.zero, plan.pp, plan.microbatches);
  for (const m of ranks) {
    const stateBytes = m.parametersBytes + m.gradientsBytes + m.optimizerBytes;
    const hostStepped = state.master + state.moments > 0 ? m.host.optimizerBytes / (state.master + state.moments) : 0;
    const hostStep = hostStepped > 0 ? optimizerOffloadStep(hostStepped, state.gradients, state.weights, host, plan.optimizerOffloadOverlap === true).seconds : 0;
    optimizerSeconds = Math.max(optimizerSeconds, (2 * stateBytes) / (gpu.hbmBytesPerSecond * cal.hbmFraction) + hostStep);
    const hostHpzBytes = m.host.parametersBytes > 0 ? m.hpzCopyBytes : 0;
    const gathers = splitGathers(zeroStep.weightGathers, m.hpzCopyBytes > 0);
    const copiedBytes = gathers.primary * (m.host.parametersBytes - hostHpzBytes) + gathers.hpz * hostHpzBytes;
    parameterCopySeconds = Math.max(parameterCopySeconds, copiedBytes / host.linkBytesPerSecond);
  }
  return { optimizerSeconds, parameterCopySeconds };
}

/**
 * DP synchronisation left exposed: `ruleSeconds` is what cost/comm/dpOverlap.ts says compute cannot cover when the
 * framework overlaps (Megatron --overlap-grad-reduce, FSDP prefetch); of the rest only `dpOverlap` is hidden.
 * With the overlap off (`overlapGradReduce: false`) the whole synchronisation runs after the backward.
 */
function exposedDpOf(totalSeconds: number, ruleSeconds: number, design: Design, cal: Calibration): number {
  if (design.plan.overlapGradReduce === false) return totalSeconds;
  const hidden = Math.max(0, totalSeconds - ruleSeconds);
  return ruleSeconds + (1 - cal.dpOverlap) * hidden;
}

/** FSDP units (transformer layers, MTP modules) of a stage: per-unit gathers only matter without PP, one stage. */
function rankUnits(split: LayerSplit, stage: number): number {
  const layout = split.stages[stage];
  return layout ? layout.layers + layout.mtpLayers : 1;
}
