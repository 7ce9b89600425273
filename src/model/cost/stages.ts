// Pipeline stages: which layers each holds and which stages each rank holds.
//
// Layer split. The plan's pipeline layout when it states one (pipelineLayout.ts: a Megatron layout string, uneven
// first/last ranks, or the embedding and loss counted as layers). Without one, Megatron-LM needs L divisible by
// the S = pp·vpp stages; when it is not, we split the way the uneven options are used: every stage gets ⌈L/S⌉
// and the shortfall is taken one layer at a time from the last stage, then the first, alternately (DeepSeek-V3's
// 61 layers on 16 stages: 3, 4 × 14, 2 + MTP + head).
//
// What a micro-batch costs on a stage is stageTime.ts.
import type { Design } from '../design';
import type { StageContent } from './compute/flops';
import { moeLayersIn } from './memory/params';
import { statedLayout, type StageHolding } from '../pipelineLayout';

export interface StageLayout {
  stage: number;
  firstLayer: number;
  layers: number;
  moeLayers: number;
  embedding: boolean;
  head: boolean;
  mtpLayers: number;
}

export interface LayerSplit {
  stages: StageLayout[];
  /** True when the stages hold different numbers of decoder layers. */
  uneven: boolean;
}

/**
 * The stages of the plan's layout (pipelineLayout.ts) when it states one that keeps Megatron's rules; otherwise
 * (none stated, or one layoutChecks reports as broken) the even split with shortened first and last stages.
 */
export function splitLayers(design: Design, stageCount: number): LayerSplit {
  const { layers, mtpLayers } = design.model;
  const stated = statedLayout(design.plan, { layers, mtpLayers, ranks: Math.max(1, design.plan.pp), stageCount });
  const holdings = stated?.ok ? stated.stages : evenSplit(layers, mtpLayers, stageCount);
  const stages: StageLayout[] = [];
  let first = 0;
  for (const [stage, holding] of holdings.entries()) {
    const count = holding.decoderLayers;
    const moeLayers = moeLayersIn(design.model, first, count);
    stages.push({ stage, firstLayer: first, layers: count, moeLayers, embedding: holding.embedding, head: holding.loss, mtpLayers: holding.mtpLayers });
    first += count;
  }
  return { stages, uneven: holdings.some((h) => h.decoderLayers !== holdings[0]!.decoderLayers) };
}

/** ⌈L/S⌉ per stage, the shortfall taken from the last stage, then the first, alternately, moving inwards. */
function evenSplit(layers: number, mtpLayers: number, stageCount: number): StageHolding[] {
  const perStage = Math.ceil(layers / stageCount);
  const counts = new Array<number>(stageCount).fill(perStage);
  let shortfall = perStage * stageCount - layers;
  for (let turn = 0; shortfall > 0; turn++) {
    const side = turn % 2 === 0 ? stageCount - 1 - Math.floor(turn / 2) % stageCount : Math.floor(turn / 2) % stageCount;
    if (counts[side]! > 0) {
      counts[side]!--;
      shortfall--;
    }
  }
  return counts.map((decoderLayers, stage) => ({
    embedding: stage === 0, decoderLayers, mtpLayers: stage === stageCount - 1 ? mtpLayers : 0, loss: stage === stageCount - 1,
  }));
}

/**
 * Which model stages each pipeline rank holds: chunk c of rank r is stage c·p + r (interleaved); V placement
 * puts stages r and 2p−1−r on rank r (ZB-V, DualPipeV); DualPipe keeps stage r of one direction and stage
 * p−1−r of the other, two copies of weights (DeepSeek-V3 Table 2: 2× parameters).
 */
export function stagesOfRank(design: Design, stageCount: number, rank: number): number[] {
  const { pp, schedule } = design.plan;
  if (pp <= 1) return [0];
  if (schedule === 'dualpipe') return rank === pp - 1 - rank ? [rank, rank] : [rank, pp - 1 - rank];
  if (schedule === 'zbv' || schedule === 'dualpipev') return [rank, 2 * pp - 1 - rank];
  const stages: number[] = [];
  for (let stage = rank; stage < stageCount; stage += pp) stages.push(stage);
  return stages;
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

/** The chunks pipeline rank `rank` holds, in the order stagesOfRank lists them. */
export function rankChunks(design: Design, split: LayerSplit, rank: number): StageContent[] {
  return stagesOfRank(design, split.stages.length, rank).map((index) => stageContent(split.stages[index]!));
}
