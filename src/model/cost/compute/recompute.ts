// What recomputation adds to one micro-batch's backward on one GPU, module by module (Megatron-LM
// `TransformerConfig.recompute_modules`; docs/MEMORY.md lists what each module drops from memory).
//
// Matmul and attention work comes from flops.ts `recomputedLayerFlops` (core_attn, mla_up_proj, mlp, moe,
// shared_experts) and is priced like the forward it repeats. Two modules redo memory-bound elementwise work, whose
// FLOPs are negligible and whose time is HBM traffic (bytes / achieved HBM bandwidth, as llm-analysis prices
// norms; COSTMODEL.md §1.1):
//   layernorm  the input and pre-MLP RMSNorms run again: each reads its 16-bit input and writes its 16-bit
//              output, 2 + 2 bytes per element of h per token (MLA's latent norms are not part of this module).
//   moe_act    each routed copy's SwiGLU runs again: it reads gate and up (2·f elements in the width the
//              activation input is stored in, FP8 with --activation-func-fp8-input-store) and writes its 16-bit
//              output (f elements), which the down-projection's weight gradient then reads.
// Tokens on one GPU follow activations.ts: the micro-batch ÷ CP, ÷ TP only with sequence parallelism (norms are
// replicated over TP otherwise), routed copies also ÷ ETP. Per-row statistics and weight reads are left out.
//
// torchtitan (recomputedLayerWork): its op-level policy redoes the matmuls it did not keep (opCheckpoint.ts: k, o
// and up in a Llama block; in an MoE block also the router's gate and every routed expert's grouped GEMMs, which
// it never keeps) and every elementwise op: both norms and the SwiGLU (priced as above; with TP it always runs
// sequence-parallel). The attention kernel's output is kept, so the core is not redone. Its layer-level policy
// redoes one layer's whole forward every N layers: forward ÷ N per layer.
import type { ModelArch, ParallelPlan } from '../../design';
import { type ActivationSettings, BYTES_PER_ELEMENT, recomputedModules } from '../memory/activations';
import { type LayerFlops, layerKindForwardFlops, type MicroBatchShape, recomputedLayerFlops } from './flops';
import { keptMatmuls } from '../memory/opCheckpoint';

/** The stored SwiGLU input's width (activationInputBytesOf) is required here: it is what moe_act reads back. */
export type RecomputeTrafficSettings = Pick<ActivationSettings, 'tp' | 'cp' | 'etp' | 'sequenceParallel' | 'recompute' | 'recomputeModules'>
  & Required<Pick<ActivationSettings, 'activationInputBytes'>>;

const ACTIVATION_BYTES = BYTES_PER_ELEMENT.bf16;
/** Megatron's `layernorm` module: the input norm and the pre-MLP norm of a layer. */
const NORMS_PER_LAYER = 2;

/** HBM bytes one GPU moves to redo a layer's memory-bound recompute modules for one micro-batch (0 unless selective). */
export function recomputedHbmBytes(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: RecomputeTrafficSettings): number {
  const modules = recomputedModules(settings);
  const spDivisor = settings.sequenceParallel ? Math.max(1, settings.tp) : 1;
  const tokens = (shape.microBatchSize * shape.seqLength) / Math.max(1, settings.cp) / spDivisor;
  let bytes = 0;
  if (modules.has('layernorm')) bytes += NORMS_PER_LAYER * tokens * arch.hidden * (ACTIVATION_BYTES + ACTIVATION_BYTES);
  // `moe` reruns the whole block, activation included; like every forward elementwise op it is not priced there,
  // and moe_act adds nothing on top of it.
  if (kind === 'moe' && modules.has('moe_act') && !modules.has('moe')) {
    const f = arch.expertFfnHidden;
    const gated = arch.activation === 'swiglu' ? 2 : 1;
    const copies = (tokens * arch.topK) / Math.max(1, settings.etp);
    bytes += copies * (gated * f * settings.activationInputBytes + f * ACTIVATION_BYTES);
  }
  return bytes;
}

/** What one layer's backward redoes for one micro-batch: FLOPs by class for the whole layer (before TP and CP
 * divide them, as flops.ts counts) and the memory-bound HBM bytes one GPU moves. */
export interface RecomputedLayerWork {
  flops: LayerFlops;
  hbmBytes: number;
}

export type RecomputePlan = RecomputeTrafficSettings & Partial<Pick<ParallelPlan, 'framework' | 'recomputeLayerInterval'>>;

/** The recompute work of one layer of a kind under the plan's framework (header). */
export function recomputedLayerWork(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, plan: RecomputePlan): RecomputedLayerWork {
  const forward = layerKindForwardFlops(arch, kind, shape);
  if (plan.framework !== 'torchtitan' || plan.recompute !== 'selective') {
    return { flops: recomputedLayerFlops(arch, forward, shape, plan.recompute, plan.recomputeModules), hbmBytes: recomputedHbmBytes(arch, kind, shape, plan) };
  }
  const interval = plan.recomputeLayerInterval;
  if (interval !== undefined && interval >= 1) {
    const share = 1 / Math.floor(interval);
    return {
      flops: {
        attentionProjections: forward.attentionProjections * share, attentionCore: forward.attentionCore * share,
        denseMlp: forward.denseMlp * share, moeRouted: forward.moeRouted * share, moeShared: forward.moeShared * share,
        router: forward.router * share,
      },
      hbmBytes: 0,
    };
  }
  const tokens = shape.microBatchSize * shape.seqLength;
  const flops: LayerFlops = { attentionProjections: 0, attentionCore: 0, denseMlp: 0, moeRouted: forward.moeRouted, moeShared: 0, router: forward.router };
  for (const matmul of keptMatmuls(arch, kind).recomputed) {
    const work = 2 * tokens * matmul.inputs * matmul.outputs;
    if (matmul.name.startsWith('attention.')) flops.attentionProjections += work;
    else if (matmul.name.startsWith('moe.shared.')) flops.moeShared += work;
    else flops.denseMlp += work;
  }
  return { flops, hbmBytes: opCheckpointHbmBytes(arch, kind, shape, plan) };
}

/** Elementwise work torchtitan's op-level policy reruns: both norms and the SwiGLU (routed copies' and shared). */
function opCheckpointHbmBytes(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, plan: RecomputeTrafficSettings): number {
  const t = Math.max(1, plan.tp);
  const tokens = (shape.microBatchSize * shape.seqLength) / Math.max(1, plan.cp) / t;
  const norms = NORMS_PER_LAYER * tokens * arch.hidden * 2 * ACTIVATION_BYTES;
  const gated = arch.activation === 'swiglu' ? 2 : 1;
  // Reads gate and up (16-bit: torchtitan keeps no FP8 activation copies) and writes the product; TP splits the width.
  const perRow = (width: number): number => (gated + 1) * width * ACTIVATION_BYTES;
  const fullTokens = tokens * t;
  if (kind === 'dense') return norms + (fullTokens * perRow(arch.ffnHidden)) / t;
  const routed = (fullTokens * arch.topK * perRow(arch.expertFfnHidden)) / Math.max(1, plan.etp) / t;
  const shared = (fullTokens * perRow(arch.sharedExperts * arch.expertFfnHidden)) / t;
  return norms + routed + shared;
}
