// Per-GPU memory of one pipeline rank: memory.ts's stage memory for the chunks the rank holds (stages.ts
// stagesOfRank: interleaved chunks, V placement, DualPipe's two directions) with the simulator's peak in-flight
// activations. DualPipe's 2× parameters (DeepSeek-V3 Table 2) come from holding stage r and stage p−1−r.
import type { Design } from './design';
import type { StageContent } from './cost/compute/flops';
import {
  activationSettingsOf, gpuParameters, layerKindActivationBytes, stageMemory, type LayerMemoryTerms, type StageMemory, stateBytesOf,
} from './cost/memory/memory';
import { offloadedActivationBytes } from './cost/memory/offload';
import { rankChunks, type LayerSplit } from './cost/stages';
import type { GpuParams } from './cost/comm/traffic';

export interface RankMemory extends StageMemory {
  /** The pipeline rank. */
  stage: number;
}

/** What one pipeline rank holds: its chunks and the weights one of its GPUs keeps (for memory and DP traffic). */
export interface RankHolding {
  chunks: StageContent[];
  parameters: GpuParams;
}

export function rankHoldings(design: Design, split: LayerSplit): RankHolding[] {
  return Array.from({ length: Math.max(1, design.plan.pp) }, (_, rank) => {
    const chunks = rankChunks(design, split, rank);
    return { chunks, parameters: gpuParameters(design.model, design.plan, chunks) };
  });
}

/** One micro-batch's activations through each stage of the split (for activationPeak.ts). */
export function stageActivationBytes(design: Design, split: LayerSplit, terms?: LayerMemoryTerms): Float64Array {
  const { model, plan } = design;
  const perLayer = terms?.perLayer ?? layerKindActivationBytes(model, plan, activationSettingsOf(model, plan));
  // Offloaded layers (cost/memory/offload.ts) keep their activations in host memory, not in HBM.
  return Float64Array.from(split.stages, (s) => (s.layers - s.moeLayers) * perLayer.dense + (s.moeLayers + s.mtpLayers) * perLayer.moe
    - offloadedActivationBytes(model, plan, s, perLayer));
}

/**
 * `peakChunkActivationBytes`: the rank's peak from activationPeak.ts; without it, peak × its largest chunk.
 * `terms`: layerMemoryTerms(design.model, design.plan), worked out once for all ranks of a layout.
 */
export function rankMemory(design: Design, rank: number, holding: RankHolding, peakActivations: number, peakChunkActivationBytes?: number, terms?: LayerMemoryTerms): RankMemory {
  return { stage: rank, ...holdingMemory(design, holding, peakActivations, peakChunkActivationBytes, terms) };
}

/** rankMemory without the rank: what a GPU holding `holding` keeps (a search's bounds read only the total). */
export function holdingMemory(design: Design, holding: RankHolding, peakActivations: number, peakChunkActivationBytes?: number, terms?: LayerMemoryTerms): StageMemory {
  // Absent fields are passed as undefined rather than spread in: a search prices tens of thousands of holdings.
  return stageMemory({
    arch: design.model,
    plan: design.plan,
    chunks: holding.chunks,
    gpuParameters: holding.parameters,
    peakInFlightMicroBatches: peakActivations,
    peakChunkActivationBytes,
    stateBytes: stateBytesOf(design.plan),
    terms,
  });
}
