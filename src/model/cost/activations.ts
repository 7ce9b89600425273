// Activation bytes one layer keeps for the backward, for one micro-batch (b sequences of s tokens).
//
// Base: Korthikanti et al. 2022 (COSTMODEL.md §2.1), 16-bit activations and 1-byte dropout masks, GPT block:
//   attention 11sbh + 5as²b, MLP 19sbh, two norms 4sbh → sbh(34 + 5as/h).
// Generalised term by term (each term is a tensor some backward needs), so GQA, MLA, SwiGLU and MoE follow:
//   norms        2 × 2sbh                      (input of each norm)
//   attention    2sbh                          (norm output = input of the projections)
//                MHA/GQA: 2sb·(q + kv) for Q,K and 2sb·kv for V, where q = a·d, kv = kv_heads·d
//                MLA: latents c_q (2sb·r_q), its norm output (2sb·r_q), c_kv+rope (2sb·(r_kv + d_rope)),
//                     its norm output (2sb·r_kv), then Q, K, V of a heads (2sb·a·(2·d_qk + d_v))
//                2sb·a·d_v                     (input of the output projection)
//                core without flash: 5as²b (softmax 2, dropout mask 1, dropout output 2; with no dropout 2as²b)
//                core with flash attention: no s² term, a 4-byte log-sum-exp per head and row, 4asb
//                dropout masks: sbh after attention, sbh after the MLP (only when the model uses dropout)
//   dense MLP    2sbh input + SwiGLU 6sbf (gate, up, their product) or GeLU 4sbf (GeLU input and output)
//   MoE MLP      2sbh input + 4sbE router scores (fp32) + shared experts as a dense MLP of width S·f_e
//                + k × (2sbh dispatched copy + MLP internals of width f_e + 2sbh expert output for the combine):
//                with balanced routing an expert GPU receives k·s·b tokens per micro-batch, whatever EP is.
// Sharding: CP divides every term (each rank holds s/cp tokens; without flash its score rows are s/cp × s).
// TP divides the terms inside the TP region (Q/K/V, core, output-projection input, MLP internals); the norm
// inputs/outputs, MLA latents and dropout masks are replicated unless sequence parallelism also divides them by t
// (Korthikanti: TP only sbh(10 + 24/t + 5as/(ht)); TP+SP sbh/t·(34 + 5as/h)). Expert internals divide by ETP.
// Tensors that are GEMM inputs (kept for the weight gradient) count `gemmInputBytes` each: 2, or 1 when FP8
// training caches them in FP8; norm inputs, Q/K/V, SwiGLU gate/up and expert outputs stay 16-bit.
// Recompute: selective drops the attention core terms (Korthikanti: sbh(10 + 24/t)); full keeps only the layer
// input, 2sbh (÷t with SP).

import type { ModelArch, Recompute } from '../design';
import type { MicroBatchShape } from './flops';

/** Bytes per element by precision. */
export const BYTES_PER_ELEMENT = { fp32: 4, bf16: 2, fp16: 2, fp8: 1 } as const;
export type ElementType = keyof typeof BYTES_PER_ELEMENT;

export interface ActivationSettings {
  tp: number;
  cp: number;
  etp: number;
  sequenceParallel: boolean;
  recompute: Recompute;
  /** Flash/fused attention: no s² score tensor is stored. */
  flashAttention: boolean;
  /** Dropout masks (GPT-3 era); modern models train without dropout. */
  dropout: boolean;
  /**
   * Bytes per element of tensors kept as GEMM inputs for the weight gradient: 2 by default; 1 with FP8 training,
   * which caches them in FP8 (DeepSeek-V3 §3.3; Transformer Engine keeps the FP8 cast for wgrad).
   */
  gemmInputBytes?: number;
}

/** Activation bytes of one layer for one micro-batch, by where they live. */
export interface LayerActivationBytes {
  /** Tensors TP never divides without SP: norm inputs and outputs, MLA latents, dropout masks. */
  replicated: number;
  /** Attention tensors inside the TP region: Q, K, V, output-projection input. */
  attention: number;
  /** Attention core (scores or flash statistics); dropped by selective recompute. */
  attentionCore: number;
  /** MLP / MoE tensors (after TP, ETP division). */
  mlp: number;
  total: number;
}

const ACTIVATION_BYTES = BYTES_PER_ELEMENT.bf16;
const MASK_BYTES = 1;

/** Bytes per token of an MLP of width f: SwiGLU keeps gate and up (2f) plus the down-projection input (f). */
function mlpInternalBytes(arch: ModelArch, width: number, gemmInputBytes: number): number {
  const beforeActivation = (arch.activation === 'swiglu' ? 2 : 1) * width * ACTIVATION_BYTES;
  return beforeActivation + width * gemmInputBytes;
}

export function layerActivationBytes(
  arch: ModelArch,
  kind: 'dense' | 'moe',
  shape: MicroBatchShape,
  settings: ActivationSettings,
): LayerActivationBytes {
  const { microBatchSize: b, seqLength: s } = shape;
  const h = arch.hidden;
  const t = Math.max(1, settings.tp);
  const sbLocal = (s * b) / Math.max(1, settings.cp);
  const spDivisor = settings.sequenceParallel ? t : 1;
  const gemmIn = settings.gemmInputBytes ?? ACTIVATION_BYTES;

  if (settings.recompute === 'full') {
    const input = (ACTIVATION_BYTES * sbLocal * h) / spDivisor;
    return { replicated: input, attention: 0, attentionCore: 0, mlp: 0, total: input };
  }

  // Replicated (÷ t only with SP): two norm inputs (16-bit), attention and MLP inputs (GEMM inputs), dropout masks.
  let replicatedPerToken = 2 * h * ACTIVATION_BYTES + 2 * h * gemmIn + (settings.dropout ? 2 * h * MASK_BYTES : 0);
  let attentionPerToken: number;
  const a = arch.heads;
  if (arch.attention === 'mla' && arch.mla) {
    const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = arch.mla;
    // Latents before their norms (16-bit) and after (GEMM inputs of the up-projections).
    replicatedPerToken += (qLoraRank + kvLoraRank + qkRopeHeadDim) * ACTIVATION_BYTES + (qLoraRank + kvLoraRank) * gemmIn;
    const qk = qkNopeHeadDim + qkRopeHeadDim;
    attentionPerToken = a * (2 * qk + vHeadDim) * ACTIVATION_BYTES + a * vHeadDim * gemmIn;
  } else {
    const q = a * arch.headDim;
    const kv = arch.kvHeads * arch.headDim;
    attentionPerToken = (q + 2 * kv) * ACTIVATION_BYTES + q * gemmIn;
  }
  const attention = (sbLocal * attentionPerToken) / t;

  let attentionCore = 0;
  if (settings.recompute !== 'selective') {
    if (settings.flashAttention) {
      attentionCore = (4 * a * sbLocal) / t;
    } else {
      // Korthikanti 5as²b: softmax output 2, dropout mask 1, dropout output 2 (2 only, without dropout).
      const bytesPerScore = settings.dropout ? 2 + MASK_BYTES + 2 : 2;
      attentionCore = (bytesPerScore * a * sbLocal * s) / t;
    }
  }

  let mlp: number;
  if (kind === 'moe') {
    const etp = Math.max(1, settings.etp);
    const routerScoresBytes = BYTES_PER_ELEMENT.fp32 * arch.experts;
    const shared = mlpInternalBytes(arch, arch.sharedExperts * arch.expertFfnHidden, gemmIn) / t;
    // A routed copy: the dispatched token (GEMM input), expert internals, the expert output kept for the combine.
    const perRoutedCopy = h * gemmIn + mlpInternalBytes(arch, arch.expertFfnHidden, gemmIn) / etp + h * ACTIVATION_BYTES;
    // Router scores and dispatched copies follow the tokens this rank routes (s·b/t with SP); shared experts
    // are TP-sharded like a dense MLP.
    mlp = sbLocal * (shared + (routerScoresBytes + arch.topK * perRoutedCopy) / spDivisor);
  } else {
    mlp = (sbLocal * mlpInternalBytes(arch, arch.ffnHidden, gemmIn)) / t;
  }

  const replicated = (sbLocal * replicatedPerToken) / spDivisor;
  const total = replicated + attention + attentionCore + mlp;
  return { replicated, attention, attentionCore, mlp, total };
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
