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
import type { ModelArch } from '../design';
import { type ActivationSettings, BYTES_PER_ELEMENT, recomputedModules } from './activations';
import type { MicroBatchShape } from './flops';

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
