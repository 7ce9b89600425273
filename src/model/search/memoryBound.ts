// A lower bound on the peak memory per GPU of every layout under a shape or a family, without a schedule: what
// one GPU would hold of all the model's layers (its TP/EP share, ZeRO-sharded over its DP group), divided over the
// pipeline ranks. Per rank, memory is a sum over the layers a rank holds plus terms that are the same on every rank
// or only on some (reserve, the head's logits), all ≥ 0 (cost/memory.ts), so this is at most the mean over ranks,
// which is at most the busiest rank's. The least of the ZeRO stages is taken: a search tries them all.
//
// Activations in flight: a rank holds a chunk's activations from the start of its forward to the end of its
// backward (cost/activationPeak.ts), so its peak is at least its largest chunk's for one micro-batch, and its
// largest chunk is at least the mean of its C chunks. Every stage is some rank's chunk, so over the ranks these
// add up to at least one micro-batch through every layer ÷ C: C = VPP for interleaved 1F1B, 2 for the V
// placements, 1 otherwise (DualPipe's rank r holds stages r and p−1−r of two copies: every stage once per copy).
import { chunkActivationBytes, gpuParameters, layerMemoryTerms } from '../cost/memory';
import { offloadsActivations } from '../cost/offload';
import { stageContent, splitLayers } from '../cost/stages';
import type { Design, ParallelPlan, ScheduleId, ZeroStage } from '../design';
import { rankMemory } from '../rankMemory';

/** Most chunks a rank of these schedules holds, in the sense above. */
export function chunksPerRank(schedules: readonly { schedule: ScheduleId; vpp: number }[]): number {
  let most = 1;
  for (const { schedule, vpp } of schedules) {
    if (schedule === 'interleaved-1f1b') most = Math.max(most, vpp);
    else if (schedule === 'zbv' || schedule === 'dualpipev') most = Math.max(most, 2);
  }
  return most;
}

/** `terms`: layerMemoryTerms(design.model, plan), when the caller has them. */
export function memoryLowerBound(design: Design, plan: ParallelPlan, zeros: readonly ZeroStage[], chunks: number, terms = layerMemoryTerms(design.model, plan)): number {
  const whole = { ...design, plan: { ...plan, pp: 1, vpp: 1 } };
  const wholeChunk = stageContent(splitLayers(whole, 1).stages[0]!);
  const holding = { chunks: [wholeChunk], parameters: gpuParameters(design.model, plan, [wholeChunk]) };
  // The activation terms do not read the ZeRO stage: one set serves them all.
  // Offloaded layers (cost/offload.ts: the first N, or every one but the last, of every chunk) keep less in HBM, so what stays depends on
  // the split: with activation offloading no in-flight share is counted.
  const inFlightBytes = offloadsActivations(design.plan) || offloadsActivations(plan) ? 0
    : chunkActivationBytes(design.model, wholeChunk, terms.perLayer) / Math.max(1, chunks);
  let least = Number.POSITIVE_INFINITY;
  for (const zero of zeros) least = Math.min(least, rankMemory({ ...design, plan: { ...plan, zero } }, 0, holding, 1, inFlightBytes, terms).totalBytes);
  return least / Math.max(1, plan.pp);
}
