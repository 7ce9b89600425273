// Memory-bound work of one layer for one micro-batch on one GPU: the kernels that run at HBM bandwidth, not at
// GEMM speed (COSTMODEL.md "Time terms", item 2). Bytes are what each kernel reads and writes in HBM:
//
//   norms        2 per layer (input, pre-MLP): read h, write h in 16 bits                  8·h per token
//   residuals    2 adds per layer: read two h-vectors, write one                            12·h per token
//   RoPE         read and write q and k (a·d_qk + a_kv·d_qk per token ÷ TP)                  4·(a + a_kv)·d / t
//   activation   SwiGLU reads gate and up and writes one (6·f/t); GeLU reads one, writes one (4·f/t)
//   router       fp32 logits over E experts, softmax then top-k: read + write twice           16·E
//   permute      gather the k routed copies of a token into expert order: read + write        4·h·k
//   unpermute    scatter them back and weight-sum: read + write                               4·h·k
//   FP8 casts    every GEMM input (activations; weights are cast once per step and cached): bytes per element by
//                recipe, CAST_BYTES below
//   ring merge   with CP = c > 1, each of the c − 1 K/V blocks a rank receives gives a partial attention output
//                that is merged into an FP32 accumulator: RING_MERGE_BYTES per output element (a·d_v / TP)
//
// Tokens: the micro-batch ÷ CP; hidden-width work (norms, residuals) also ÷ TP with sequence parallelism and
// replicated over TP without it; MoE work runs on the tokens one GPU routes (÷ TP). The backward moves about twice
// the forward's bytes (each elementwise backward reads its input and the incoming gradient and writes a gradient;
// the casts repeat for the output gradients): BACKWARD_BYTES_RATIO. torch.compile fuses elementwise chains so the
// intermediate tensors never reach HBM: COMPILE_BYTES_SHARE of the bytes remain.
import type { Fp8Recipe, ModelArch, ParallelPlan, TrainingFramework } from '../../design';
import type { MicroBatchShape } from './flops';

/**
 * HBM bytes per cast element [D]: read the 16-bit input (2) and write the FP8 copy (1); per-tensor current
 * scaling (`tensorwise`) first reads the tensor once more for its amax (+2); `delayed` takes the amax from the
 * previous step's history, fused into the cast; blockwise and MXFP8 also write the transposed (column-wise) copy the
 * backward's weight-gradient GEMM needs (+1); NVFP4 writes two half-byte copies (+0.5 +0.5) and reads once more
 * for its per-tensor global scale (+2).
 */
export const CAST_BYTES: Record<Fp8Recipe, number> = { delayed: 3, tensorwise: 5, blockwise: 4, mxfp8: 4, nvfp4: 5 };
export const BACKWARD_BYTES_RATIO = 2;
/**
 * HBM bytes per attention-output element per merged ring step, by framework.
 * torchtitan (PyTorch's _SDPAMerger with context_parallel's default convert_to_f32) [R: _attention.py]: a step over
 * the whole local query upcasts the block's output (read 2, write 4) and runs three unfused FP32 elementwise ops on
 * the accumulator (out − block 12, × sigmoid 8, out − that 12): 38 B; the causal load-balanced ring runs half of
 * its exchanged steps on half the query (19 B over the whole output) and rebuilds the whole accumulator with a
 * concatenation (read 4, write 4): 27 B; about 32 B on average.
 * Megatron / Transformer Engine: one fused correction kernel per step (flash_attn_fwd_out_correction, jit-fused)
 * reads the step's 16-bit output and reads and writes the accumulator: 10 B with an FP32 accumulator [R: TE
 * attention code; the accumulator's dtype M].
 * The backward's dQ/dK/dV accumulation and the dK/dV send buffer move about twice that (BACKWARD_BYTES_RATIO).
 */
export const RING_MERGE_BYTES: Record<TrainingFramework, number> = { torchtitan: 32, megatron: 10 };
/** Share of memory-bound bytes left after torch.compile's fusion [M: Inductor fuses norm + residual + activation chains]. */
export const COMPILE_BYTES_SHARE = 0.5;
/**
 * HBM bytes per logits element of the loss over the LM head's output (a token's V ÷ TP logits on one GPU), which
 * every framework computes in FP32 from the 16-bit logits [R: Megatron `VocabParallelCrossEntropy`
 * (`calculate_logits_max` upcasts with `.float()`), its fused variant in `fusions/fused_cross_entropy.py`;
 * torchtitan's `cross_entropy_loss` calls `F.cross_entropy(pred.float(), …)`]. Megatron's fused path, kernel by
 * kernel: forward upcast + row max (read 2, write 4), exp in place (read 4, write 4), row sum (read 4), softmax
 * divide in place (read 4, write 4) = 26; backward scale by the loss gradient in place (read 4, write 4), cast back
 * to the logits' 16 bits (read 4, write 2) = 14. torchtitan's eager path moves the same 40 B per element, split
 * 18 / 22 (log-softmax forward; zero-filled NLL gradient, log-softmax backward and the cast in the backward).
 */
export const LOSS_FORWARD_BYTES = 26;
export const LOSS_BACKWARD_BYTES = 14;

export type MemoryBoundSettings = Pick<ParallelPlan, 'tp' | 'cp' | 'etp' | 'sequenceParallel' | 'precision' | 'fp8Recipe' | 'compile'> & Partial<Pick<ParallelPlan, 'framework'>>;

export interface LayerMemoryBound {
  /** Forward HBM bytes of the dense part (norms, residuals, RoPE, dense MLP activation, their casts). */
  denseBytes: number;
  /** Forward HBM bytes of the routed-expert part (router, permute, unpermute, expert activation, expert casts): stretched by imbalance. */
  expertBytes: number;
}

/**
 * HBM bytes of the loss over one head's logits for one micro-batch on one GPU (forward and backward): tokens ÷ CP
 * (the head's input is gathered over TP with sequence parallelism) × V ÷ TP logits, × LOSS_*_BYTES.
 */
export function lossMemoryBoundBytes(arch: ModelArch, shape: MicroBatchShape, settings: Pick<MemoryBoundSettings, 'tp' | 'cp' | 'compile'>): { forward: number; backward: number } {
  const elements = ((shape.microBatchSize * shape.seqLength) / Math.max(1, settings.cp)) * (arch.vocab / Math.max(1, settings.tp));
  const share = settings.compile ? COMPILE_BYTES_SHARE : 1;
  return { forward: elements * LOSS_FORWARD_BYTES * share, backward: elements * LOSS_BACKWARD_BYTES * share };
}

/** Forward memory-bound bytes of one layer of `kind` for one micro-batch on one GPU. */
export function layerMemoryBoundBytes(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: MemoryBoundSettings): LayerMemoryBound {
  const tp = Math.max(1, settings.tp);
  const tokens = (shape.microBatchSize * shape.seqLength) / Math.max(1, settings.cp);
  const hiddenTokens = settings.sequenceParallel ? tokens / tp : tokens;
  const h = arch.hidden;
  const cast = settings.precision === 'fp8' ? CAST_BYTES[settings.fp8Recipe ?? 'delayed'] : 0;
  const gated = arch.activation === 'swiglu';
  const activationBytes = (width: number) => width * (gated ? 6 : 4);
  // The GEMM inputs of one MLP of width f (per GPU): fc1 reads h, fc2 reads f (÷ TP or ETP).
  const mlpCastElements = (width: number) => h + width;

  const qkWidth = arch.attention === 'mla' && arch.mla ? arch.mla.qkRopeHeadDim * (arch.heads + 1) : (arch.heads + arch.kvHeads) * arch.headDim;
  const attentionOut = arch.attention === 'mla' && arch.mla ? arch.heads * arch.mla.vHeadDim : arch.heads * arch.headDim;
  let denseBytes = hiddenTokens * h * (8 + 12) + tokens * (4 * qkWidth) / tp;
  const cp = Math.max(1, settings.cp);
  denseBytes += (cp - 1) * RING_MERGE_BYTES[settings.framework ?? 'megatron'] * tokens * attentionOut / tp;
  // Casts of the attention GEMMs' inputs: QKV reads h, the output projection reads the attention output ÷ TP.
  denseBytes += cast * tokens * (h + attentionOut / tp);

  let expertBytes = 0;
  if (kind === 'dense' || arch.experts <= 0) {
    const f = arch.ffnHidden / tp;
    denseBytes += tokens * activationBytes(f) + cast * tokens * mlpCastElements(f);
  } else {
    const routedTokens = tokens / tp;
    const k = arch.topK;
    const fe = arch.expertFfnHidden / Math.max(1, settings.etp);
    expertBytes = routedTokens * (16 * arch.experts + 8 * h * k + k * activationBytes(fe) + cast * k * mlpCastElements(fe));
    if (arch.sharedExperts > 0) {
      const fs = (arch.sharedExperts * arch.expertFfnHidden) / tp;
      denseBytes += tokens * activationBytes(fs) + cast * tokens * mlpCastElements(fs);
    }
  }
  const share = settings.compile ? COMPILE_BYTES_SHARE : 1;
  return { denseBytes: denseBytes * share, expertBytes: expertBytes * share };
}
