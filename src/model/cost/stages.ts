// Pipeline stages: which layers each holds, which stages each rank holds, and what one micro-batch costs on a stage
// (F, B, W, F&B in seconds).
//
// Layer split. The plan's pipeline layout when it states one (pipelineLayout.ts: a Megatron layout string, uneven
// first/last ranks, or the embedding and loss counted as layers). Without one, Megatron-LM needs L divisible by
// the S = pp·vpp stages; when it is not, we split the way the uneven options are used: every stage gets ⌈L/S⌉
// and the shortfall is taken one layer at a time from the last stage, then the first, alternately (DeepSeek-V3's
// 61 layers on 16 stages: 3, 4 × 14, 2 + MTP + head).
//
// Times. Forward = FLOPs / (peak × achieved fraction) per op class (efficiency.ts) plus the TP, CP and EP
// communication on the critical path (traffic.ts). Backward = 2 × forward compute (input- plus weight-
// gradient, W = the GEMMs' half) plus recomputation (full: the whole forward; selective: each recompute module's
// forward, recompute.ts, so B grows and W does not) plus the backward's communication (recomputing the whole MoE
// block repeats its forward all-to-all). DualPipe's F&B pair runs both halves' compute on the SMs the
// all-to-all kernels leave free and hides the pair's EP all-to-all behind it (DeepSeek-V3 §3.2.1).
import type { Design } from '../design';
import type { GpuSpec } from '../catalog/gpus';
import { activationInputBytesOf, recomputedModules } from './activations';
import { DUALPIPE_COMM_SM_FRACTION, gemmSizeFactor, type EfficiencyParams } from './efficiency';
import { layerKindForwardFlops, lmHeadPassFlops, mtpProjectionForwardFlops, recomputedLayerFlops, type LayerFlops, type StageContent } from './flops';
import { recomputedHbmBytes } from './recompute';
import { isMoeLayer } from './params';
import type { ModelComm } from './traffic';
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
    let moeLayers = 0;
    for (let i = first; i < first + count; i++) if (isMoeLayer(design.model, i)) moeLayers++;
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

export interface StageCostBreakdown {
  /** Per stage, seconds for one micro-batch. */
  F: Float64Array;
  B: Float64Array;
  W: Float64Array;
  FB: Float64Array;
  /** Communication inside F and inside B (already counted in them), for the exposed-communication total. */
  commF: Float64Array;
  commB: Float64Array;
  /** The EP all-to-all of a forward and of a backward, which a DualPipe pair hides. */
  epF: Float64Array;
  epB: Float64Array;
  /** Compute-only forward and backward, for the compute-to-communication ratio. */
  computeF: Float64Array;
  computeB: Float64Array;
  /** Communication left exposed inside an F&B pair (what the overlap could not hide). */
  commFB: Float64Array;
  /** Forward + backward compute of one MoE layer (or, in a dense model, one layer) for one micro-batch. */
  layerComputeSeconds: number;
}

export interface StageCostInput {
  design: Design;
  gpu: GpuSpec;
  efficiency: EfficiencyParams;
  comm: ModelComm;
  split: LayerSplit;
  /** Dense peak FLOP/s of the precision in use (after any override). */
  peakFlopsPerSecond: number;
}

/** Forward FLOPs of one micro-batch through a stage (summed over its TP/CP group), by the classes priced apart. */
export interface StageWork {
  denseMatmulFlops: number;
  expertMatmulFlops: number;
  attentionFlops: number;
}

function classify(flops: LayerFlops, times: number): StageWork {
  return {
    denseMatmulFlops: times * (flops.attentionProjections + flops.denseMlp + flops.moeShared + flops.router),
    expertMatmulFlops: times * flops.moeRouted,
    attentionFlops: times * flops.attentionCore,
  };
}

function add(a: StageWork, b: StageWork): StageWork {
  return {
    denseMatmulFlops: a.denseMatmulFlops + b.denseMatmulFlops,
    expertMatmulFlops: a.expertMatmulFlops + b.expertMatmulFlops,
    attentionFlops: a.attentionFlops + b.attentionFlops,
  };
}

export function stageWork(design: Design, layout: StageLayout): StageWork {
  const { model, plan } = design;
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const dense = layerKindForwardFlops(model, 'dense', shape);
  const moe = model.experts > 0 ? layerKindForwardFlops(model, 'moe', shape) : dense;
  let work = add(classify(dense, layout.layers - layout.moeLayers), classify(moe, layout.moeLayers));
  const head = lmHeadPassFlops(model, shape).forward;
  if (layout.head) work = add(work, { denseMatmulFlops: head, expertMatmulFlops: 0, attentionFlops: 0 });
  if (layout.mtpLayers > 0) {
    // DeepSeek-V3 §2.2: each MTP module is a 2h→h projection, one layer (MoE in an MoE model) and the shared head.
    const projection = mtpProjectionForwardFlops(model, shape);
    const module = add(classify(moe, 1), { denseMatmulFlops: projection + head, expertMatmulFlops: 0, attentionFlops: 0 });
    for (let i = 0; i < layout.mtpLayers; i++) work = add(work, module);
  }
  return work;
}

export function stageCosts(input: StageCostInput): StageCostBreakdown {
  const { design, gpu, efficiency, comm, split, peakFlopsPerSecond } = input;
  const { plan, model } = design;
  const n = split.stages.length;
  const out: StageCostBreakdown = {
    F: new Float64Array(n), B: new Float64Array(n), W: new Float64Array(n), FB: new Float64Array(n),
    commF: new Float64Array(n), commB: new Float64Array(n), epF: new Float64Array(n), epB: new Float64Array(n),
    computeF: new Float64Array(n), computeB: new Float64Array(n), commFB: new Float64Array(n), layerComputeSeconds: 0,
  };
  // flops.ts counts a micro-batch over its whole TP/CP group; one GPU does 1/(tp·cp) of it (balanced EP too).
  const gpuShare = plan.tp * plan.cp;
  const tokens = (plan.microBatchSize * plan.seqLength) / gpuShare;
  const { compute } = efficiency;
  // Small GEMMs fill the GPU less: a layer's typical per-GPU GEMM sets each class's size factor — an h × h/t
  // projection over the micro-batch's tokens; an expert's h × f/etp GEMM over the tokens routed to it.
  const groupTokens = tokens * plan.tp;
  const denseGemmFlops = 2 * groupTokens * model.hidden * (model.hidden / plan.tp);
  const tokensPerExpert = model.experts > 0 ? (tokens * plan.ep * model.topK) / model.experts : 0;
  const expertGemmFlops = 2 * tokensPerExpert * model.hidden * (model.expertFfnHidden / plan.etp);
  const matmulRate = peakFlopsPerSecond * compute.matmul * gemmSizeFactor(denseGemmFlops, peakFlopsPerSecond, efficiency);
  const expertRate = peakFlopsPerSecond * compute.expertMatmul * gemmSizeFactor(expertGemmFlops, peakFlopsPerSecond, efficiency);
  // The attention core, embedding-side norms and the LM head stay in BF16 under FP8 training (DeepSeek-V3 §3.3).
  const attentionRate = (design.cluster.peakTflops && plan.precision !== 'fp8' ? peakFlopsPerSecond : gpu.peakFlopsPerSecond.bf16) * compute.attention;
  const recomputeAll = plan.recompute === 'full';
  // Selective recompute: each module's forward again (recompute.ts); Megatron's default module is core_attn.
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const hbmRate = gpu.hbmBytesPerSecond * efficiency.hbmFraction;
  const recomputeSeconds = (kind: 'dense' | 'moe'): number => {
    const flops = layerKindForwardFlops(model, kind, shape);
    const redone = classify(recomputedLayerFlops(model, flops, shape, plan.recompute, plan.recomputeModules), 1);
    const hbmBytes = recomputedHbmBytes(model, kind, shape, { ...plan, activationInputBytes: activationInputBytesOf(plan) });
    return (redone.denseMatmulFlops / matmulRate + redone.expertMatmulFlops / expertRate + redone.attentionFlops / attentionRate) / gpuShare + hbmBytes / hbmRate;
  };
  const denseRecompute = recomputeAll ? 0 : recomputeSeconds('dense');
  const moeRecompute = recomputeAll || model.experts === 0 ? 0 : recomputeSeconds('moe');
  // Recomputing the whole MoE block runs its dispatch and combine again (the checkpoint wraps the token dispatcher).
  const moeAllToAllAgain = recomputedModules(plan).has('moe');
  for (let s = 0; s < n; s++) {
    const layout = split.stages[s]!;
    const work = stageWork(design, layout);
    const matmulSeconds = (work.denseMatmulFlops / matmulRate + work.expertMatmulFlops / expertRate) / gpuShare;
    const attentionSeconds = work.attentionFlops / attentionRate / gpuShare;
    const forward = matmulSeconds + attentionSeconds;
    const denseLayers = layout.layers - layout.moeLayers + (model.experts > 0 ? 0 : layout.mtpLayers);
    const moeLayers = layout.moeLayers + (model.experts > 0 ? layout.mtpLayers : 0);
    const recompute = recomputeAll ? forward : denseLayers * denseRecompute + moeLayers * moeRecompute;
    const backward = 2 * forward + recompute;
    const passComm = (pass: 'forward' | 'backward') =>
      denseLayers * (comm.dense.tp[pass].seconds + comm.dense.cp[pass].seconds) +
      moeLayers * (comm.moe.tp[pass].seconds + comm.moe.cp[pass].seconds);
    const epF = moeLayers * comm.moe.ep.forward.seconds;
    const epB = moeLayers * (comm.moe.ep.backward.seconds + (moeAllToAllAgain ? comm.moe.ep.forward.seconds : 0));
    const commF = passComm('forward') + epF;
    const commB = passComm('backward') + epB;
    out.computeF[s] = forward;
    out.computeB[s] = backward;
    out.commF[s] = commF;
    out.commB[s] = commB;
    out.epF[s] = epF;
    out.epB[s] = epB;
    out.F[s] = forward + commF;
    out.B[s] = backward + commB;
    out.W[s] = matmulSeconds;
  }
  // A pair on one rank couples the forward of stage s with the backward of its mirror stage S−1−s (DualPipe:
  // rank r holds stage r of one direction and stage p−1−r of the other; V placement likewise).
  for (let s = 0; s < n; s++) {
    const mirror = n - 1 - s;
    const pairedCompute = (out.computeF[s]! + out.computeB[mirror]!) / (1 - DUALPIPE_COMM_SM_FRACTION);
    const hiddenComm = out.epF[s]! + out.epB[mirror]!;
    const otherComm = out.commF[s]! - out.epF[s]! + out.commB[mirror]! - out.epB[mirror]!;
    out.FB[s] = Math.max(pairedCompute, hiddenComm) + otherComm;
    out.commFB[s] = Math.max(0, hiddenComm - pairedCompute) + otherComm;
  }
  const oneLayer: StageLayout = { stage: 0, firstLayer: 0, layers: 1, moeLayers: model.experts > 0 ? 1 : 0, embedding: false, head: false, mtpLayers: 0 };
  const layerWork = stageWork(design, oneLayer);
  const layerMatmul = (layerWork.denseMatmulFlops / matmulRate + layerWork.expertMatmulFlops / expertRate) / gpuShare;
  const layerAttention = layerWork.attentionFlops / attentionRate / gpuShare;
  const layerRecompute = recomputeAll ? layerMatmul + layerAttention : model.experts > 0 ? moeRecompute : denseRecompute;
  out.layerComputeSeconds = 3 * (layerMatmul + layerAttention) + layerRecompute;
  return out;
}
