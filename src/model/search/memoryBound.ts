// A lower bound on the peak memory per GPU of every layout under a shape or a family, without a schedule: what
// one GPU would hold of all the model's layers (its TP/EP share, ZeRO-sharded over its DP group), with nothing in
// flight, divided over the pipeline ranks. Per rank, memory is a sum over the layers a rank holds plus terms that
// are the same on every rank or only on some (reserve, the head's logits), all ≥ 0 (cost/memory.ts), so this is at
// most the mean over ranks, which is at most the busiest rank's. The least of the ZeRO stages is taken: a search
// tries them all.
import { stageContent, splitLayers } from '../cost/stages';
import { gpuParameters, layerMemoryTerms } from '../cost/memory';
import type { Design, ParallelPlan, ZeroStage } from '../design';
import { rankMemory } from '../rankMemory';

export function memoryLowerBound(design: Design, plan: ParallelPlan, zeros: readonly ZeroStage[]): number {
  const whole = { ...design, plan: { ...plan, pp: 1, vpp: 1 } };
  const chunks = [stageContent(splitLayers(whole, 1).stages[0]!)];
  const holding = { chunks, parameters: gpuParameters(design.model, plan, chunks) };
  // The activation terms do not read the ZeRO stage: one set serves them all.
  const terms = layerMemoryTerms(design.model, plan);
  let least = Number.POSITIVE_INFINITY;
  for (const zero of zeros) least = Math.min(least, rankMemory({ ...design, plan: { ...plan, zero } }, 0, holding, 0, 0, terms).totalBytes);
  return least / Math.max(1, plan.pp);
}
