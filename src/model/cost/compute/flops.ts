// FLOPs of one micro-batch (b sequences of s tokens) through the model, split by the op classes the time model
// prices differently. 2 FLOPs per multiply-accumulate; norms, softmax, activations and the embedding lookup count
// 0 (they are memory-bound, not matmul FLOPs).
//
// Conventions (COSTMODEL.md §2.3, §6.1):
// - Attention core (QKᵀ and AV): `causal` counts half of the s² score matrix (current Megatron counter,
//   `average_ratio` 0.5); `full` counts all of it (PaLM's 6N + 12LHQT, Narayanan's 96·B·s·L·h² formula).
// - Backward = 2 × forward for every class; its weight-gradient part (W) = 1 × forward for classes with weights and
//   0 for the attention core (no weights: all of its backward is input gradient).
// - Recompute adds forward work to the backward: `full` the whole layer forward (Korthikanti 2022); `selective` the
//   forward of each Megatron recompute module named (default core_attn): core_attn the attention core, mla_up_proj
//   MLA's q/kv up-projections, mlp a dense layer's MLP, moe a whole MoE block (router, routed and shared experts),
//   shared_experts the shared experts. layernorm and moe_act redo memory-bound elementwise work only: 0 matmul
//   FLOPs here (cost/compute/recompute.ts prices them as HBM traffic). The LM head, embedding and MTP head are never
//   recomputed here.
// - Numbers are for the whole layer, summed over the TP/CP group (divide by tp·cp for one GPU). With balanced
//   EP routing a GPU computes the routed-expert work of as many token-expert pairs as its own micro-batch has,
//   so `moeRouted` is also one GPU's share under EP (÷ etp for expert tensor parallelism).

import type { ModelArch, Recompute, RecomputeModule } from '../../design';
import { recomputedModules } from '../memory/activations';
import { attentionParams, isMoeLayer, mlpParams, parameterCounts } from '../memory/params';

export type AttentionCausality = 'causal' | 'full';

export interface MicroBatchShape {
  microBatchSize: number;
  seqLength: number;
}

/** Forward FLOPs of one layer for one micro-batch, by op class. */
export interface LayerFlops {
  attentionProjections: number;
  attentionCore: number;
  denseMlp: number;
  moeRouted: number;
  moeShared: number;
  router: number;
}

/** Work of one pass over a piece of the model for one micro-batch. */
export interface PassFlops {
  forward: number;
  /** Full backward (input gradient + weight gradient), including `recompute`. */
  backward: number;
  /** The weight-gradient part of `backward` (ZeroBubble's W). */
  weightGradient: number;
  /** Forward work redone during the backward (already inside `backward`). */
  recompute: number;
}

export const NO_PASS: PassFlops = { forward: 0, backward: 0, weightGradient: 0, recompute: 0 };

export function addPass(a: PassFlops, b: PassFlops, times = 1): PassFlops {
  return {
    forward: a.forward + times * b.forward,
    backward: a.backward + times * b.backward,
    weightGradient: a.weightGradient + times * b.weightGradient,
    recompute: a.recompute + times * b.recompute,
  };
}

export function sumLayerFlops(flops: LayerFlops): number {
  return flops.attentionProjections + flops.attentionCore + flops.denseMlp + flops.moeRouted + flops.moeShared + flops.router;
}

/** QKᵀ and AV of one sequence: a·s²·(d_qk + d_v) multiply-accumulates in full, half of that causal. */
export function attentionCoreFlopsPerSequence(arch: ModelArch, seqLength: number, causality: AttentionCausality): number {
  const qkHead = arch.attention === 'mla' && arch.mla ? arch.mla.qkNopeHeadDim + arch.mla.qkRopeHeadDim : arch.headDim;
  const vHead = arch.attention === 'mla' && arch.mla ? arch.mla.vHeadDim : arch.headDim;
  const fullFlops = 2 * arch.heads * seqLength * seqLength * (qkHead + vHead);
  return causality === 'causal' ? fullFlops / 2 : fullFlops;
}

/** Forward FLOPs of layer `index` (0-based; dense or MoE by the architecture) for one micro-batch. */
export function layerForwardFlops(
  arch: ModelArch,
  index: number,
  shape: MicroBatchShape,
  causality: AttentionCausality = 'causal',
): LayerFlops {
  return layerKindForwardFlops(arch, isMoeLayer(arch, index) ? 'moe' : 'dense', shape, causality);
}

export function layerKindForwardFlops(
  arch: ModelArch,
  kind: 'dense' | 'moe',
  shape: MicroBatchShape,
  causality: AttentionCausality = 'causal',
): LayerFlops {
  const tokens = shape.microBatchSize * shape.seqLength;
  const perTokenMatmul = (params: number): number => 2 * params * tokens;
  const expert = mlpParams(arch, arch.expertFfnHidden);
  const moe = kind === 'moe';
  return {
    attentionProjections: perTokenMatmul(attentionParamsWithoutNorms(arch)),
    attentionCore: shape.microBatchSize * attentionCoreFlopsPerSequence(arch, shape.seqLength, causality),
    denseMlp: moe ? 0 : perTokenMatmul(mlpParams(arch, arch.ffnHidden)),
    moeRouted: moe ? perTokenMatmul(arch.topK * expert) : 0,
    moeShared: moe ? perTokenMatmul(arch.sharedExperts * expert) : 0,
    router: moe ? perTokenMatmul(arch.hidden * arch.experts) : 0,
  };
}

/** MLA's q/kv norm vectors are parameters but not matmul work. */
function attentionParamsWithoutNorms(arch: ModelArch): number {
  if (arch.attention !== 'mla' || !arch.mla) return attentionParams(arch);
  return attentionParams(arch) - arch.mla.kvLoraRank - (arch.mla.qLoraRank > 0 ? arch.mla.qLoraRank : 0);
}

/** Forward, backward, W and recompute of one layer for one micro-batch. */
export function layerPassFlops(
  arch: ModelArch,
  index: number,
  shape: MicroBatchShape,
  recompute: Recompute,
  causality: AttentionCausality = 'causal',
  recomputeModules?: readonly RecomputeModule[],
): PassFlops {
  return layerKindPassFlops(arch, isMoeLayer(arch, index) ? 'moe' : 'dense', shape, recompute, causality, recomputeModules);
}

function layerKindPassFlops(
  arch: ModelArch,
  kind: 'dense' | 'moe',
  shape: MicroBatchShape,
  recompute: Recompute,
  causality: AttentionCausality,
  recomputeModules: readonly RecomputeModule[] | undefined,
): PassFlops {
  const flops = layerKindForwardFlops(arch, kind, shape, causality);
  return passFromLayer(flops, recomputedLayerFlops(arch, flops, shape, recompute, recomputeModules));
}

/** `redone`: the forward work the backward repeats (recomputedLayerFlops). */
function passFromLayer(flops: LayerFlops, redone: LayerFlops): PassFlops {
  const forward = sumLayerFlops(flops);
  const recomputed = sumLayerFlops(redone);
  return {
    forward,
    backward: 2 * forward + recomputed,
    weightGradient: forward - flops.attentionCore,
    recompute: recomputed,
  };
}

/**
 * MLA's up-projections of one layer for one micro-batch: q latent → a·(nope + rope) and kv latent → a·(nope + v),
 * 2 FLOPs per multiply-accumulate. Without a q latent (q_lora_rank 0) q comes straight from the normed hidden
 * state, and recomputing q means that projection (h → a·(nope + rope)). 0 for other attention kinds.
 */
export function mlaUpProjectionFlops(arch: ModelArch, shape: MicroBatchShape): number {
  if (arch.attention !== 'mla' || !arch.mla) return 0;
  const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = arch.mla;
  const qSource = qLoraRank > 0 ? qLoraRank : arch.hidden;
  const params = qSource * arch.heads * (qkNopeHeadDim + qkRopeHeadDim) + kvLoraRank * arch.heads * (qkNopeHeadDim + vHeadDim);
  return 2 * params * shape.microBatchSize * shape.seqLength;
}

/**
 * The part of one layer's forward matmul/attention FLOPs the backward runs again, by class. `full`: all of it;
 * `selective`: the modules' work (see the header); `none`: nothing. A module that does not exist in this layer
 * (mlp in an MoE layer, moe in a dense one) adds nothing.
 */
export function recomputedLayerFlops(
  arch: ModelArch,
  flops: LayerFlops,
  shape: MicroBatchShape,
  recompute: Recompute,
  recomputeModules?: readonly RecomputeModule[],
): LayerFlops {
  const none: LayerFlops = { attentionProjections: 0, attentionCore: 0, denseMlp: 0, moeRouted: 0, moeShared: 0, router: 0 };
  if (recompute === 'full') return { ...flops };
  if (recompute !== 'selective') return none;
  const modules = recomputedModules({ recompute, recomputeModules });
  const wholeMoe = modules.has('moe');
  return {
    attentionProjections: modules.has('mla_up_proj') ? mlaUpProjectionFlops(arch, shape) : 0,
    attentionCore: modules.has('core_attn') ? flops.attentionCore : 0,
    denseMlp: modules.has('mlp') ? flops.denseMlp : 0,
    moeRouted: wholeMoe ? flops.moeRouted : 0,
    moeShared: wholeMoe || modules.has('shared_experts') ? flops.moeShared : 0,
    router: wholeMoe ? flops.router : 0,
  };
}

/** LM head logits 2·b·s·h·V; its backward 2×, W = 1× forward. Never recomputed. */
export function lmHeadPassFlops(arch: ModelArch, shape: MicroBatchShape): PassFlops {
  const forward = 2 * shape.microBatchSize * shape.seqLength * arch.hidden * arch.vocab;
  return { forward, backward: 2 * forward, weightGradient: forward, recompute: 0 };
}

/** Forward FLOPs of an MTP module's 2h→h projection (DeepSeek-V3 §2.2) for one micro-batch. */
export function mtpProjectionForwardFlops(arch: ModelArch, shape: MicroBatchShape): number {
  return 2 * (2 * arch.hidden * arch.hidden) * shape.microBatchSize * shape.seqLength;
}

/**
 * One MTP module (DeepSeek-V3 §2.2): a 2h→h projection, one transformer layer (MoE in an MoE model) and the
 * shared output head. The layer follows the recompute setting; projection and head do not.
 */
export function mtpModulePassFlops(
  arch: ModelArch,
  shape: MicroBatchShape,
  recompute: Recompute,
  causality: AttentionCausality = 'causal',
  recomputeModules?: readonly RecomputeModule[],
): PassFlops {
  const projectionForward = mtpProjectionForwardFlops(arch, shape);
  const projection: PassFlops = { forward: projectionForward, backward: 2 * projectionForward, weightGradient: projectionForward, recompute: 0 };
  const layer = layerKindPassFlops(arch, arch.experts > 0 ? 'moe' : 'dense', shape, recompute, causality, recomputeModules);
  return addPass(addPass(projection, layer), lmHeadPassFlops(arch, shape));
}

/** What a pipeline stage (or chunk) holds: a contiguous run of layers, plus embedding / head / MTP if placed there. */
export interface StageContent {
  firstLayer: number;
  layerCount: number;
  hasEmbedding: boolean;
  hasLmHead: boolean;
  /** MTP modules placed on this stage (DeepSeek-V3 keeps them with the head on the last stage). */
  mtpModules: number;
}

/** One micro-batch through one stage: sum of its layers, head and MTP modules. */
export function stagePassFlops(
  arch: ModelArch,
  stage: StageContent,
  shape: MicroBatchShape,
  recompute: Recompute,
  causality: AttentionCausality = 'causal',
  recomputeModules?: readonly RecomputeModule[],
): PassFlops {
  let total = NO_PASS;
  for (let index = stage.firstLayer; index < stage.firstLayer + stage.layerCount; index += 1) {
    total = addPass(total, layerPassFlops(arch, index, shape, recompute, causality, recomputeModules));
  }
  if (stage.hasLmHead) total = addPass(total, lmHeadPassFlops(arch, shape));
  if (stage.mtpModules > 0) total = addPass(total, mtpModulePassFlops(arch, shape, recompute, causality, recomputeModules), stage.mtpModules);
  return total;
}

/** Hardware FLOPs of one training step of one pipeline (m micro-batches), forward + backward incl. recompute. */
export function stepFlops(
  arch: ModelArch,
  shape: MicroBatchShape & { microbatches: number },
  recompute: Recompute,
  causality: AttentionCausality = 'causal',
  includeMtp = true,
  recomputeModules?: readonly RecomputeModule[],
): number {
  const whole: StageContent = {
    firstLayer: 0, layerCount: arch.layers, hasEmbedding: true, hasLmHead: true,
    mtpModules: includeMtp ? arch.mtpLayers : 0,
  };
  const pass = stagePassFlops(arch, whole, shape, recompute, causality, recomputeModules);
  return shape.microbatches * (pass.forward + pass.backward);
}

export interface ModelFlopsOptions {
  /** Default `causal` (Megatron's current counter); PaLM and Narayanan count `full`. */
  causality?: AttentionCausality;
  /** Count the MTP modules' work (default true: they are trained). */
  includeMtp?: boolean;
}

/**
 * Model FLOPs per trained token (the MFU numerator): 3 × forward (forward + 2× backward), no recompute —
 * i.e. 6·N_active (matmul parameters incl. the LM head, not the input embedding) plus the attention core.
 */
export function modelFlopsPerToken(arch: ModelArch, seqLength: number, options: ModelFlopsOptions = {}): number {
  const causality = options.causality ?? 'causal';
  const shape = { microBatchSize: 1, seqLength, microbatches: 1 };
  return stepFlops(arch, shape, 'none', causality, options.includeMtp ?? true) / seqLength;
}

/** 6·N with N = active non-input-embedding parameters (weights only, no attention core): the "6N" shorthand. */
export function sixNFlopsPerToken(arch: ModelArch): number {
  const counts = parameterCounts(arch);
  return 6 * (counts.active - counts.embedding + (arch.tiedEmbeddings ? counts.embedding : 0));
}

export { parameterCounts, isMoeLayer, moeLayerCount } from '../memory/params';
export type { ParameterCounts } from '../memory/params';
