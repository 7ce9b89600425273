// What one layer keeps for its backward and what its backward rematerialises, under each framework's recompute,
// and what the loss holds (docs/MEMORY.md, "Recompute by framework" and "The loss").
//
// Megatron (also NeMo, Megatron-Bridge, Megatron-DeepSpeed): `selective` is the recompute-module list
// (activations.ts); `full` keeps each layer's input. Its fused vocab-parallel cross-entropy keeps the FP32
// logits and the head's input: theoretical_memory_usage.py's 4·s·b·h·(1 + V/h)/t, unchanged.
// torchtitan: `selective` is the op-level policy (opCheckpoint.ts) or, with `recomputeLayerInterval` N, every N-th
// layer fully checkpointed and the rest kept whole; `full` keeps each layer's input. Its loss is eager PyTorch,
// `cross_entropy(pred.float(), labels)` (train.py), which the caching allocator holds as 14 B per vocab entry per
// token at the loss's backward: the 16-bit logits (2), their FP32 upcast (4, reused by nll_loss's gradient), the
// log-softmax output kept for the backward (4) and log-softmax's input gradient (4), which cannot reuse the
// smaller 16-bit block. With TP, loss parallelism (torchtitan's default) divides the vocabulary by t.
//
// The rematerialised working set: while a recomputed layer runs its backward, the tensors the recompute rebuilt
// exist on top of what every layer keeps: one layer's no-recompute set minus what it kept (the largest kind).
import type { ModelArch } from '../../design';
import { type ActivationSettings, BYTES_PER_ELEMENT, layerActivationBytes, lmHeadActivationBytes, sumTensorBytes } from './activations';
import type { MicroBatchShape, StageContent } from '../compute/flops';
import { opCheckpointTensors } from './opCheckpoint';
import { moeLayersIn } from './params';

/** Bytes per vocabulary entry per token torchtitan's eager cross-entropy reserves at its backward (header). */
export const TORCHTITAN_LOSS_BYTES_PER_LOGIT = BYTES_PER_ELEMENT.bf16 + 3 * BYTES_PER_ELEMENT.fp32;

function isTorchtitanSelective(settings: ActivationSettings): boolean {
  return settings.framework === 'torchtitan' && settings.recompute === 'selective';
}

/** The layer-level interval N ≥ 1, or undefined when the op-level policy (or another framework) applies. */
function layerInterval(settings: ActivationSettings): number | undefined {
  const n = settings.recomputeLayerInterval;
  return isTorchtitanSelective(settings) && n !== undefined && n >= 1 ? Math.floor(n) : undefined;
}

/**
 * Bytes one layer keeps for its backward for one micro-batch. torchtitan's layer-level policy is the average over
 * N layers: one keeps its input, N − 1 keep everything (exact when N divides a stage's layers).
 */
export function keptLayerBytes(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: ActivationSettings): number {
  if (!isTorchtitanSelective(settings)) return layerActivationBytes(arch, kind, shape, settings).total;
  const interval = layerInterval(settings);
  if (interval !== undefined) {
    const whole = layerActivationBytes(arch, kind, shape, { ...settings, recompute: 'none' }).total;
    const input = layerActivationBytes(arch, kind, shape, { ...settings, recompute: 'full' }).total;
    return ((interval - 1) * whole + input) / interval;
  }
  return sumTensorBytes(opCheckpointTensors(arch, kind, settings), shape, settings).total;
}

/**
 * Bytes a recomputed layer rebuilds during its backward, on top of what it kept (0 without recompute).
 * `keptBytes`: keptLayerBytes of the same layer, when the caller has it.
 */
export function rematerialisedLayerBytes(arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: ActivationSettings, keptBytes?: number): number {
  if (settings.recompute === 'none') return 0;
  const whole = layerActivationBytes(arch, kind, shape, { ...settings, recompute: 'none' }).total;
  // Under the layer-level policy the recomputed layer is a checkpointed one, which kept only its input.
  const kept = layerInterval(settings) !== undefined
    ? layerActivationBytes(arch, kind, shape, { ...settings, recompute: 'full' }).total
    : (keptBytes ?? keptLayerBytes(arch, kind, shape, settings));
  return Math.max(0, whole - kept);
}

/** What the loss of one micro-batch holds on the stage with the head, at its peak (header). */
export function lossPhaseBytes(arch: ModelArch, shape: MicroBatchShape, settings: ActivationSettings): number {
  if (settings.framework !== 'torchtitan') return lmHeadActivationBytes(arch, shape, settings);
  const t = Math.max(1, settings.tp);
  const tokens = (shape.seqLength * shape.microBatchSize) / Math.max(1, settings.cp);
  // The final norm's input and output (the head's input), 16-bit, as Megatron counts 4·s·b·h.
  const headInput = (2 * BYTES_PER_ELEMENT.bf16 * arch.hidden) / t;
  return tokens * (headInput + (TORCHTITAN_LOSS_BYTES_PER_LOGIT * arch.vocab) / t);
}

/** What a recomputed layer of each kind rebuilds for one micro-batch (an MTP module is the MoE kind). */
export interface RematerialisedBytes {
  dense: number;
  moe: number;
}

/** `kept`: keptLayerBytes of each kind (an MoE model's `moe`, a dense model's `dense` twice), when the caller has them. */
export function rematerialisedBytesByKind(arch: ModelArch, settings: ActivationSettings, shape: MicroBatchShape, kept?: RematerialisedBytes): RematerialisedBytes {
  return {
    dense: rematerialisedLayerBytes(arch, 'dense', shape, settings, kept?.dense),
    moe: rematerialisedLayerBytes(arch, arch.experts > 0 ? 'moe' : 'dense', shape, settings, kept?.moe),
  };
}

/**
 * The largest working set a recomputed layer of these chunks rebuilds for one micro-batch (0 without recompute).
 * `byKind` is rematerialisedBytesByKind's answer, when the caller has it for many chunks of one plan.
 */
export function largestRematerialisedLayerBytes(
  arch: ModelArch, settings: ActivationSettings, shape: MicroBatchShape, chunks: readonly StageContent[], byKind?: RematerialisedBytes,
): number {
  let dense = false;
  let moe = false;
  for (const chunk of chunks) {
    const moeLayers = moeLayersIn(arch, chunk.firstLayer, chunk.layerCount);
    if (moeLayers > 0 || chunk.mtpModules > 0) moe = true;
    if (moeLayers < chunk.layerCount) dense = true;
  }
  if (!dense && !moe) return 0;
  const bytes = byKind ?? rematerialisedBytesByKind(arch, settings, shape);
  return Math.max(0, dense ? bytes.dense : 0, moe ? bytes.moe : 0);
}
