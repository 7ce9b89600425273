// Per-GPU memory of one pipeline rank: memory.ts's stage memory for the chunks the rank holds (stepTraffic.ts
// stagesOfRank: interleaved chunks, V placement, DualPipe's two directions) with the simulator's peak in-flight
// activations. DualPipe's 2× parameters (DeepSeek-V3 Table 2) come from holding stage r and stage p−1−r.
import type { Design } from './design';
import type { StageContent } from './cost/flops';
import { activationSettingsOf, chunkActivationBytes, STATE_BYTES_DEEPSEEK_V3, STATE_BYTES_MEGATRON, stageMemory, type StageMemory } from './cost/memory';
import type { LayerSplit, StageLayout } from './cost/stages';
import { stagesOfRank } from './stepTraffic';

export interface RankMemory extends StageMemory {
  /** The pipeline rank. */
  stage: number;
}

export function stageContent(layout: StageLayout): StageContent {
  return {
    firstLayer: layout.firstLayer,
    layerCount: layout.layers,
    hasEmbedding: layout.embedding,
    hasLmHead: layout.head,
    mtpModules: layout.mtpLayers,
  };
}

export function rankChunks(design: Design, split: LayerSplit, rank: number): StageContent[] {
  return stagesOfRank(design, split.stages.length, rank).map((index) => stageContent(split.stages[index]!));
}

/** One micro-batch's activations through each stage of the split (for activationPeak.ts). */
export function stageActivationBytes(design: Design, split: LayerSplit): Float64Array {
  const settings = activationSettingsOf({ arch: design.model, plan: design.plan, chunks: [], peakInFlightMicroBatches: 0 });
  return Float64Array.from(split.stages, (layout) => chunkActivationBytes(design.model, stageContent(layout), design.plan, settings));
}

/** `peakChunkActivationBytes`: the rank's peak from activationPeak.ts; without it, peak × its largest chunk. */
export function rankMemory(design: Design, split: LayerSplit, rank: number, peakActivations: number, peakChunkActivationBytes?: number): RankMemory {
  const memory = stageMemory({
    arch: design.model,
    plan: design.plan,
    chunks: rankChunks(design, split, rank),
    peakInFlightMicroBatches: peakActivations,
    ...(peakChunkActivationBytes !== undefined ? { peakChunkActivationBytes } : {}),
    // FP8 training as DeepSeek-V3 does it keeps AdamW moments in BF16 (§3.3); otherwise Megatron's 18 B/param.
    stateBytes: design.plan.precision === 'fp8' ? STATE_BYTES_DEEPSEEK_V3 : STATE_BYTES_MEGATRON,
  });
  return { stage: rank, ...memory };
}
