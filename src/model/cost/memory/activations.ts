// Activation bytes one layer keeps for the backward, for one micro-batch (b sequences of s tokens), built tensor
// by tensor (docs/MEMORY.md has the table with its sources).
//
// Base: Korthikanti et al. 2022 (COSTMODEL.md §2.1), 16-bit activations and 1-byte dropout masks, GPT block:
//   attention 11sbh + 5as²b, MLP 19sbh, two norms 4sbh → sbh(34 + 5as/h). Listing each tensor a backward needs
//   extends this to GQA, MLA, SwiGLU, MoE, FP8 caching and Megatron's recompute modules:
//   - a Linear keeps its input for the weight gradient: 2 B, or `gemmInputBytes` when FP8 training caches the
//     FP8 cast (DeepSeek-V3 §3.3.3; Transformer Engine keeps the quantised input);
//   - a norm keeps its input, softmax/flash keep what their backward reads (q, k, v, o and the log-sum-exp);
//   - SwiGLU keeps its input (gate and up) and recomputes nothing else; its output is the down-projection's input;
//   - routing probabilities multiply the activation output (Megatron's weighted SwiGLU, DeepSeek-V3 §3.3.3), so
//     their gradient comes from the recomputed activation and the down-projection's input gradient: the
//     experts' outputs are not kept.
// Recompute modules drop the tensors they rematerialise (Megatron TransformerConfig.recompute_modules):
//   core_attn    flash statistics (or the s² scores) and flash's own 16-bit copy of o; q, k, v stay as its inputs
//   layernorm    input/pre-MLP norm outputs, incl. the FP8 copies of the Linears they feed (save_original_input)
//   mla_up_proj  q, k, v after up-projection and RoPE; the normed latents stay as 16-bit checkpoint inputs
//   moe_act      the routed experts' activation output (the down-projection input)
//   mlp / moe / shared_experts   everything inside the submodule; its input stays as the checkpoint input
// Sharding: CP divides every term (each rank holds s/cp tokens; without flash its score rows are s/cp × s).
// TP divides the tensors inside the TP region (q/k/v, core, o, dense and shared-expert MLP internals); norm
// inputs/outputs, MLA latents, dropout masks, router scores and dispatched tokens are replicated unless sequence
// parallelism also divides them by t (Korthikanti: TP only sbh(10 + 24/t + 5as/(ht)); TP+SP sbh/t·(34 + 5as/h)).
// Routed-expert internals also divide by ETP. Full recompute keeps only the layer input, 2sbh (÷t with SP).
// Per-row norm statistics (4 B per token per norm) are left out, as Korthikanti does.

import {
  DEFAULT_RECOMPUTE_MODULES, type ModelArch, type ParallelPlan, type Recompute, type RecomputeModule, type TrainingFramework,
} from '../../design';
import type { MicroBatchShape } from '../compute/flops';

/** Bytes per element by precision. */
export const BYTES_PER_ELEMENT = { fp32: 4, bf16: 2, fp16: 2, fp8: 1 } as const;
export type ElementType = keyof typeof BYTES_PER_ELEMENT;

/**
 * An FP8 activation as fine-grained FP8 training caches it: 1 B plus one FP32 scale per 1×128 tile (DeepSeek-V3
 * §3.3.2; MXFP8's one-byte scale per 32 elements is the same 1/32 overhead). Per-tensor scaling would be 1 B.
 */
export const FP8_CACHED_BYTES = BYTES_PER_ELEMENT.fp8 + BYTES_PER_ELEMENT.fp32 / 128;
/** DeepSeek-V3's E5M6 (12-bit) copy of the attention output, with the same tile scales (§3.3.3). */
export const E5M6_CACHED_BYTES = 1.5 + BYTES_PER_ELEMENT.fp32 / 128;

/** Bytes per element of the stored MLP activation input (SwiGLU gate and up): FP8 with the plan's FP8 input store. */
export function activationInputBytesOf(plan: Pick<ParallelPlan, 'activationFp8InputStore'>): number {
  return plan.activationFp8InputStore ? FP8_CACHED_BYTES : BYTES_PER_ELEMENT.bf16;
}

export interface ActivationSettings {
  tp: number;
  cp: number;
  /** Expert parallelism; only torchtitan's op-level policy reads it (it keeps all-to-all outputs). Default 1. */
  ep?: number;
  etp: number;
  sequenceParallel: boolean;
  recompute: Recompute;
  /** Modules recomputed under Megatron's `selective`; absent means DEFAULT_RECOMPUTE_MODULES. Ignored otherwise. */
  recomputeModules?: readonly RecomputeModule[];
  /** Whose `selective` and whose loss (layerMemory.ts); absent means Megatron. */
  framework?: TrainingFramework;
  /** torchtitan's layer-level selective checkpointing: every N-th layer fully recomputed. */
  recomputeLayerInterval?: number;
  /** Flash/fused attention: no s² score tensor is stored. */
  flashAttention: boolean;
  /**
   * Hidden dropout (GPT-3 era; modern models train without): a 1-byte mask after attention, after the MLP and on
   * the embedding.
   */
  dropout: boolean;
  /**
   * Dropout on the attention probabilities; absent: as `dropout`. Only the unfused path keeps a mask (s² scores):
   * flash attention saves the RNG seed and offset and regenerates the mask in its backward.
   */
  attentionDropout?: boolean;
  /** Bytes per element of a Linear input kept for its weight gradient: 2 by default, FP8_CACHED_BYTES in FP8. */
  gemmInputBytes?: number;
  /** Bytes per element of the MLP activation's input (SwiGLU gate and up): 2, or FP8 when stored in FP8. */
  activationInputBytes?: number;
  /**
   * DeepSeek-V3 §3.3.3: the attention output is kept once, in this width, for both the attention backward and
   * the output projection's weight gradient. Absent: the projection keeps its copy (`gemmInputBytes`) and flash
   * attention its own 16-bit one when the widths differ.
   */
  sharedAttentionOutputBytes?: number;
  /** DeepSeek-V3 §3.2.3 recomputes all RMSNorms, the MLA latent norms too (Megatron's `layernorm` does not). */
  latentNormsRecomputed?: boolean;
}

/**
 * The DeepSeek-V3 recipe (arXiv 2412.19437 §3.2.3, §3.3.3): all RMSNorms and the MLA up-projections recomputed,
 * Linear inputs cached in FP8, the attention output in E5M6, the SwiGLU input in FP8 with its output recomputed.
 */
export const DEEPSEEK_V3_ACTIVATION_RECIPE = {
  recompute: 'selective',
  recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'],
  gemmInputBytes: FP8_CACHED_BYTES,
  activationInputBytes: FP8_CACHED_BYTES,
  sharedAttentionOutputBytes: E5M6_CACHED_BYTES,
  latentNormsRecomputed: true,
} as const satisfies Partial<ActivationSettings>;

/**
 * Where a tensor lives, which decides how TP/SP/ETP divide it and which part of the breakdown it joins.
 * `wholeWidth`: a row-parallel matmul's output before its reduction (partial sums), whole on every TP rank.
 */
export type Placement = 'replicated' | 'attention' | 'attentionCore' | 'mlp' | 'routed' | 'routedInternal' | 'wholeWidth';

/** One tensor a layer keeps for its backward, per token of the micro-batch (before CP/TP division). */
export interface ActivationTensor {
  /** Stable name, e.g. `attention.q`, `moe.expert_fc1_output`. */
  name: string;
  elements: number;
  bytesPerElement: number;
  placement: Placement;
}

/** Activation bytes of one layer for one micro-batch, by where they live. */
export interface LayerActivationBytes {
  /** Tensors TP never divides without SP: norm inputs and outputs, MLA latents, dropout masks. */
  replicated: number;
  /** Attention tensors inside the TP region: Q, K, V, output-projection input. */
  attention: number;
  /** Attention core (scores or flash statistics, flash's own copy of o); dropped by core_attn. */
  attentionCore: number;
  /** MLP / MoE tensors (after TP, ETP division). */
  mlp: number;
  total: number;
}

const ACTIVATION_BYTES = BYTES_PER_ELEMENT.bf16;
const MASK_BYTES = 1;
const FP32 = BYTES_PER_ELEMENT.fp32;

/** The modules a setting recomputes (empty for none and full: full is handled as a whole). */
export function recomputedModules(settings: Pick<ActivationSettings, 'recompute' | 'recomputeModules'>): ReadonlySet<RecomputeModule> {
  if (settings.recompute !== 'selective') return new Set();
  return new Set(settings.recomputeModules ?? DEFAULT_RECOMPUTE_MODULES);
}

/**
 * The tensors one layer keeps per token for its backward under Megatron's recompute semantics (docs/MEMORY.md);
 * layerMemory.ts picks torchtitan's for `framework: torchtitan`.
 */
export function layerActivationTensors(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: ActivationSettings): ActivationTensor[] {
  const h = arch.hidden;
  const A = ACTIVATION_BYTES;
  if (settings.recompute === 'full') return [{ name: 'layer.input', elements: h, bytesPerElement: A, placement: 'replicated' }];
  const recomputed = recomputedModules(settings);
  const G = settings.gemmInputBytes ?? A;
  const S = settings.activationInputBytes ?? A;
  const out: ActivationTensor[] = [];
  const keep = (name: string, elements: number, bytesPerElement: number, placement: Placement): void => {
    if (elements > 0) out.push({ name, elements, bytesPerElement, placement });
  };

  // Attention block.
  keep('attention.norm_input', h, A, 'replicated');
  if (!recomputed.has('layernorm')) keep('attention.norm_output', h, G, 'replicated');
  const a = arch.heads;
  let valueWidth: number;
  if (arch.attention === 'mla' && arch.mla) {
    const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = arch.mla;
    keep('attention.q_latent', qLoraRank, A, 'replicated');
    // The kv down-projection's output: the latent (norm input) and the shared RoPE key part, one tensor.
    keep('attention.kv_latent', kvLoraRank + qkRopeHeadDim, A, 'replicated');
    if (!settings.latentNormsRecomputed) {
      // The up-projections' inputs: their FP8 copies, or 16-bit checkpoint inputs when mla_up_proj reruns them.
      const normedWidth = recomputed.has('mla_up_proj') ? A : G;
      keep('attention.q_latent_normed', qLoraRank, normedWidth, 'replicated');
      keep('attention.kv_latent_normed', kvLoraRank, normedWidth, 'replicated');
    }
    if (!recomputed.has('mla_up_proj')) {
      const qk = qkNopeHeadDim + qkRopeHeadDim;
      keep('attention.q', a * qk, A, 'attention');
      keep('attention.k', a * qk, A, 'attention');
      keep('attention.v', a * vHeadDim, A, 'attention');
    }
    valueWidth = a * vHeadDim;
  } else {
    keep('attention.q', a * arch.headDim, A, 'attention');
    keep('attention.k', arch.kvHeads * arch.headDim, A, 'attention');
    keep('attention.v', arch.kvHeads * arch.headDim, A, 'attention');
    valueWidth = a * arch.headDim;
  }
  if (!recomputed.has('core_attn')) {
    if (settings.flashAttention) keep('attention.softmax_lse', a, FP32, 'attentionCore');
    // Korthikanti 5as²b: softmax output 2, dropout mask 1, dropout output 2 (2 only, without attention dropout).
    else keep('attention.scores', a * shape.seqLength, (settings.attentionDropout ?? settings.dropout) ? 2 + MASK_BYTES + 2 : 2, 'attentionCore');
  }
  if (settings.sharedAttentionOutputBytes !== undefined) {
    keep('attention.output', valueWidth, settings.sharedAttentionOutputBytes, 'attention');
  } else {
    keep('attention.proj_input', valueWidth, G, 'attention');
    // Flash's backward reads o in 16 bits; the same tensor as the projection's input unless that is FP8.
    if (settings.flashAttention && G !== A && !recomputed.has('core_attn')) keep('attention.core_output', valueWidth, A, 'attentionCore');
  }
  if (settings.dropout) keep('attention.dropout_mask', h, MASK_BYTES, 'replicated');

  // MLP or MoE block.
  const gated = arch.activation === 'swiglu' ? 2 : 1;
  if (kind === 'dense') {
    keep('mlp.norm_input', h, A, 'replicated');
    const f = arch.ffnHidden;
    if (!recomputed.has('layernorm')) keep('mlp.norm_output', h, recomputed.has('mlp') ? A : G, 'replicated');
    if (!recomputed.has('mlp')) {
      keep('mlp.fc1_output', gated * f, S, 'mlp');
      keep('mlp.fc2_input', f, G, 'mlp');
    }
  } else {
    keep('moe.norm_input', h, A, 'replicated');
    const moeWhole = recomputed.has('moe');
    const sharedWidth = arch.sharedExperts * arch.expertFfnHidden;
    const sharedRecomputed = moeWhole || recomputed.has('shared_experts');
    if (!recomputed.has('layernorm')) {
      // The router's (16-bit) input, also the checkpoint input of moe / shared_experts.
      keep('moe.norm_output', h, A, 'replicated');
      // The shared experts' fc1 keeps its own FP8 copy when it runs outside a checkpoint.
      if (sharedWidth > 0 && G !== A && !sharedRecomputed) keep('moe.shared_fc1_input', h, G, 'replicated');
    }
    if (!moeWhole) {
      keep('moe.router_probs', arch.experts, FP32, 'routed');
      const k = arch.topK;
      const f = arch.expertFfnHidden;
      // With balanced routing an expert GPU receives k·s·b token copies per micro-batch, whatever EP is.
      keep('moe.expert_input', k * h, G, 'routed');
      keep('moe.expert_weight', k, FP32, 'routed');
      keep('moe.expert_fc1_output', k * gated * f, S, 'routedInternal');
      if (!recomputed.has('moe_act')) keep('moe.expert_fc2_input', k * f, G, 'routedInternal');
    }
    if (!sharedRecomputed) {
      keep('moe.shared_fc1_output', gated * sharedWidth, S, 'mlp');
      keep('moe.shared_fc2_input', sharedWidth, G, 'mlp');
    }
  }
  if (settings.dropout) keep('mlp.dropout_mask', h, MASK_BYTES, 'replicated');
  return out;
}

/** Bytes of one tensor for the micro-batch on one rank, after CP, TP/SP and ETP division. */
export function tensorBytes(tensor: ActivationTensor, shape: MicroBatchShape, settings: ActivationSettings): number {
  const t = Math.max(1, settings.tp);
  const sbLocal = (shape.seqLength * shape.microBatchSize) / Math.max(1, settings.cp);
  return (sbLocal * tensor.elements * tensor.bytesPerElement) / placementDivisor(tensor.placement, t, settings);
}

/** What a tensor's placement divides it by on one rank: TP, or SP (TP with sequence parallelism) and ETP. */
function placementDivisor(placement: Placement, t: number, settings: ActivationSettings): number {
  const spDivisor = settings.sequenceParallel ? t : 1;
  switch (placement) {
    case 'replicated': case 'routed': return spDivisor;
    case 'attention': case 'attentionCore': case 'mlp': return t;
    case 'routedInternal': return spDivisor * Math.max(1, settings.etp);
    case 'wholeWidth': return 1;
  }
}

export function layerActivationBytes(
  arch: ModelArch,
  kind: 'dense' | 'moe',
  shape: MicroBatchShape,
  settings: ActivationSettings,
): LayerActivationBytes {
  return sumTensorBytes(layerActivationTensors(arch, kind, shape, settings), shape, settings);
}

/** Bytes of a list of kept tensors on one rank, by where they live. */
export function sumTensorBytes(tensors: readonly ActivationTensor[], shape: MicroBatchShape, settings: ActivationSettings): LayerActivationBytes {
  const sums = { replicated: 0, attention: 0, attentionCore: 0, mlp: 0 };
  for (const tensor of tensors) {
    const bytes = tensorBytes(tensor, shape, settings);
    const part = tensor.placement === 'routed' || tensor.placement === 'routedInternal' ? 'mlp'
      : tensor.placement === 'wholeWidth' ? 'replicated' : tensor.placement;
    sums[part] += bytes;
  }
  return { ...sums, total: sums.replicated + sums.attention + sums.attentionCore + sums.mlp };
}

/**
 * Extra activations of the first stage per in-flight micro-batch: int64 token ids (Megatron: 8·s·b, plus an s·b·h
 * dropout mask when the model uses dropout), ÷ t as Megatron's theoretical_memory_usage does.
 */
export function embeddingActivationBytes(arch: ModelArch, shape: MicroBatchShape, settings: ActivationSettings): number {
  const sbLocal = (shape.seqLength * shape.microBatchSize) / Math.max(1, settings.cp);
  return (sbLocal * (8 + (settings.dropout ? arch.hidden : 0))) / Math.max(1, settings.tp);
}

/**
 * Activations of the output layer for one micro-batch (it runs its backward right after its forward, so one is
 * held): Megatron's 4·s·b·h·(1 + V/h) = final-norm/head input plus fp32 logits, ÷ t (vocab-parallel head).
 */
export function lmHeadActivationBytes(arch: ModelArch, shape: MicroBatchShape, settings: ActivationSettings): number {
  const sbLocal = (shape.seqLength * shape.microBatchSize) / Math.max(1, settings.cp);
  return (4 * sbLocal * (arch.hidden + arch.vocab)) / Math.max(1, settings.tp);
}
