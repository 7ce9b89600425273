// How each ZeRO stage holds and moves weights and gradients over one training step, as the frameworks run it by
// default (docs/MEMORY.md "ZeRO and FSDP over a step"). memory.ts reads which states stay unsharded, traffic.ts
// how many collectives a step issues, dpOverlap.ts what each one can hide behind.
//
// ZeRO-0/1: one gradient all-reduce, or one reduce-scatter plus one all-gather of the updated weights, at the end
//   of the step (Megatron's DDP and distributed optimizer accumulate full main grads over the micro-batches).
// ZeRO-2: gradients are sharded, so each micro-batch's backward must reduce-scatter what it produced before the
//   next one accumulates: Megatron-FSDP `optim_grads` reduces at every backward (`grad_reduce_every_bprop`), as
//   DeepSpeed stage 2 does [M]; DeepSpeed's pipeline engine refuses ZeRO-2/3 ("ZeRO-2 and ZeRO-3 are incompatible
//   with pipeline parallelism"), so with PP this is Llama 3's FSDP (optimizer states and gradients sharded,
//   weights not resharded: §3.3.2). Weights are gathered once per step after the optimizer.
// ZeRO-3, pp = 1: FSDP re-gathers each unit's weights for every micro-batch's forward and again for its backward
//   and reduce-scatters its gradients after each backward (torchtitan: `reshard_after_forward` is true without
//   PP, and each gradient-accumulation step is a plain backward with gradient sync on; Megatron-FSDP
//   `optim_grads_params` releases a unit after its forward and reduces every backward): 16Ψ/N held, one or two
//   units gathered transiently.
// ZeRO-3, pp > 1: torchtitan's default does not reshard after forward when PP is on ("to avoid per-microbatch
//   all-gathers, which can be expensive and non-overlapped", apply_fsdp), and PyTorch's pipeline stage turns off
//   resharding after backward and gradient sync for every micro-batch, reducing once after the last backward
//   (stage.py backward_maybe_with_nosync). So each stage's weights are gathered once per step and held in 16 bits,
//   and gradients accumulate unsharded in the reduce dtype (FSDP2 upcasts them to reduce_dtype, fp32 by
//   torchtitan's default, to accumulate): the memory and traffic of ZeRO-1. Megatron-FSDP would re-gather per
//   micro-batch instead, but its v2 rejects PP and its DeepSeek-V3 example script runs it without PP.
import type { ZeroStage } from '../../design';

export interface ZeroStepPlan {
  /** All-gathers per step of every 16-bit weight the rank holds (one FSDP unit at a time). */
  weightGathers: number;
  /** Gradient reductions per step: all-reduces for ZeRO-0, reduce-scatters otherwise. */
  gradientReductions: number;
  /** The rank's 16-bit working weights stay whole (unsharded) through the step. */
  weightsResident: boolean;
  /** Gradients accumulate whole (unsharded) until the step's reduction. */
  gradientsResident: boolean;
  /** Weights live sharded and one unit at a time is gathered for compute and freed after it (ZeRO-3, pp = 1). */
  perUnitGathers: boolean;
  /** The gathers run inside the forward, unit by unit (FSDP), not after the optimizer step (ZeRO-1/2). */
  gathersInForward: boolean;
}

/** `microbatches`: micro-batches per step on each pipeline (gradient-accumulation steps when pp = 1). */
export function zeroStepPlan(zero: ZeroStage, pp: number, microbatches: number): ZeroStepPlan {
  const m = Math.max(1, microbatches);
  switch (zero) {
    case 0:
      return { weightGathers: 0, gradientReductions: 1, weightsResident: true, gradientsResident: true, perUnitGathers: false, gathersInForward: false };
    case 1:
      return { weightGathers: 1, gradientReductions: 1, weightsResident: true, gradientsResident: true, perUnitGathers: false, gathersInForward: false };
    case 2:
      return { weightGathers: 1, gradientReductions: m, weightsResident: true, gradientsResident: false, perUnitGathers: false, gathersInForward: false };
    case 3:
      return pp > 1
        ? { weightGathers: 1, gradientReductions: 1, weightsResident: true, gradientsResident: true, perUnitGathers: false, gathersInForward: true }
        : { weightGathers: 2 * m, gradientReductions: m, weightsResident: false, gradientsResident: false, perUnitGathers: true, gathersInForward: true };
  }
}
