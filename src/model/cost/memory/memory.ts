// Per-GPU memory of one pipeline rank: parameters, gradients and optimizer state by precision and ZeRO stage,
// activations per layer × peak in-flight micro-batches, and a reserve (COSTMODEL.md §2.1, §2.2).
//
// Sharding: non-expert parameters (attention, norms, dense MLP, shared experts, router, embedding, head, MTP
// projection) are divided by TP; routed experts by EP·ETP. ZeRO shards across the data-parallel copies of each
// parameter: non-expert over dp·cp (Megatron's distributed optimizer shards over the data-parallel group that
// includes CP ranks), routed experts over the expert-data-parallel group tp·cp·dp/(ep·etp) = world/(ep·etp·pp).
// ZeRO-1 shards master weights and moments, ZeRO-2 also gradients, ZeRO-3 also the working weights; with pipeline
// parallelism ZeRO-3 holds its stage's weights and gradients whole through the step (zeroSchedule.ts).

import type { ModelArch, MomentDtype, ParallelPlan, ZeroStage } from '../../design';
import {
  activationInputBytesOf, type ActivationSettings, BYTES_PER_ELEMENT, embeddingActivationBytes, FP8_CACHED_BYTES,
} from './activations';
import type { StageContent } from '../compute/flops';
import { keptLayerBytes, largestRematerialisedLayerBytes, lossPhaseBytes, rematerialisedBytesByKind, type RematerialisedBytes } from './layerMemory';
import { isMoeLayer, moeLayersIn, parameterCounts } from './params';
import { moduleOffloadedBytes, offloadedActivationBytes, offloadsActivations, optimizerOffloadFraction } from './offload';
import { gradientBytesOf, type GpuParams } from '../comm/traffic';
import { hpzGroups, shardGroups } from '../comm/shardGroups';
import { zeroStepPlan } from '../comm/zeroSchedule';

export {
  BYTES_PER_ELEMENT, DEEPSEEK_V3_ACTIVATION_RECIPE, embeddingActivationBytes, FP8_CACHED_BYTES, layerActivationBytes,
  layerActivationTensors, lmHeadActivationBytes,
} from './activations';
export type { ActivationSettings, ActivationTensor, ElementType, LayerActivationBytes } from './activations';

/** Bytes per parameter of each training state. */
export interface TrainingStateBytes {
  /** Working copy used by forward and backward. */
  weights: number;
  gradients: number;
  /** Master copy kept by the optimizer (fp32 in mixed precision). */
  master: number;
  /** Both Adam moments together. */
  moments: number;
}

/** ZeRO paper (Rajbhandari et al. 2020): fp16 weights and grads, K = 12 (fp32 master + 2 moments) → 16 B/param. */
export const STATE_BYTES_ZERO_PAPER: TrainingStateBytes = { weights: 2, gradients: 2, master: 4, moments: 8 };
/**
 * Megatron-LM (theoretical_memory_usage.py): bf16 weights, fp32 main grads, fp32 master + moments → 18 B/param;
 * with the distributed optimizer (ZeRO-1 accounting) 6 + 12/d.
 */
export const STATE_BYTES_MEGATRON: TrainingStateBytes = { weights: 2, gradients: 4, master: 4, moments: 8 };
/**
 * DeepSeek-V3 §3.3: fp32 master weights and gradients, bf16 AdamW moments; the bf16 working copy is our
 * assumption (the paper casts GEMM inputs to FP8 on the fly and does not state the working-copy layout) → 14 B/param.
 */
export const STATE_BYTES_DEEPSEEK_V3: TrainingStateBytes = { weights: 2, gradients: 4, master: 4, moments: 4 };
/**
 * torchtitan's FSDP2 without PP: the sharded FP32 parameter is what the optimizer updates (no separate master), FP32
 * gradients (reduce dtype) and FP32 AdamW moments → 16 B/param; the 16-bit copy exists only for gathered layers.
 * With PP its units stay gathered through the step (zeroSchedule.ts), which is Megatron's 2 + 4 + 12/N layout.
 */
export const STATE_BYTES_FSDP2: TrainingStateBytes = { weights: 4, gradients: 4, master: 0, moments: 8 };

type StatePlan = Pick<ParallelPlan, 'precision'> & Partial<Pick<ParallelPlan, 'framework' | 'pp' | 'zero' | 'gradReduceInFp32' | 'fp8Recipe'
  | 'precisionAwareOptimizer' | 'optimizerMainParams' | 'optimizerExpAvg' | 'optimizerExpAvgSq' | 'optimizerParamRemainders' | 'optimizerOffloadFraction'>>;

/** The training states a plan keeps, by framework and precision; gradients in the dtype they are reduced in. */
export function stateBytesOf(plan: StatePlan): TrainingStateBytes {
  const states = plan.precisionAwareOptimizer && plan.framework !== 'torchtitan' ? precisionAwareStateBytes(plan) : frameworkStateBytes(plan);
  // Megatron's DDP keeps its gradient buffer in the reduce dtype (BF16 without grad_reduce_in_fp32); FSDP2 casts
  // the reduce-scatter's output back to the sharded parameter's FP32, so torchtitan's gradients stay FP32 and only
  // the traffic shrinks (MixedPrecisionPolicy.reduce_dtype).
  return plan.gradReduceInFp32 === false && plan.framework !== 'torchtitan' ? { ...states, gradients: gradientBytesOf(plan) } : states;
}

const MOMENT_BYTES: Record<MomentDtype, number> = { fp32: 4, bf16: 2, fp16: 2, fp8: 1 };

/**
 * Megatron's precision-aware optimizer: moments in their dtypes; master weights in fp16, or fp32 stored as the
 * 16-bit remainder of the BF16 weight (distrib_optimizer.py allocates the master shard as int16 when
 * store_param_remainders and bf16). With an FP8 recipe other than delayed scaling and fp32 master weights,
 * Megatron keeps its own fp32 master copy instead (OptimizerConfig.use_precision_aware_optimizer_no_fp8_or_ds_fp8),
 * unless the optimizer is offloaded.
 */
function precisionAwareStateBytes(plan: StatePlan): TrainingStateBytes {
  const mainParams = plan.optimizerMainParams ?? 'fp32';
  const teMaster = mainParams !== 'fp32' || plan.precision !== 'fp8' || (plan.fp8Recipe ?? 'delayed') === 'delayed' || (plan.optimizerOffloadFraction ?? 0) > 0;
  const remainders = mainParams === 'fp32' && plan.precision !== 'fp16' && teMaster && plan.optimizerParamRemainders !== false;
  return {
    weights: STATE_BYTES_MEGATRON.weights,
    gradients: STATE_BYTES_MEGATRON.gradients,
    master: mainParams === 'fp16' || remainders ? 2 : 4,
    moments: MOMENT_BYTES[plan.optimizerExpAvg ?? 'fp32'] + MOMENT_BYTES[plan.optimizerExpAvgSq ?? 'fp32'],
  };
}

function frameworkStateBytes(plan: Pick<ParallelPlan, 'precision'> & Partial<Pick<ParallelPlan, 'framework' | 'pp' | 'zero'>>): TrainingStateBytes {
  // torchtitan's Float8 casts inside the Linear; its optimizer states stay FP32 whatever the GEMM precision.
  if (plan.framework === 'torchtitan') return plan.zero === 3 && Math.max(1, plan.pp ?? 1) === 1 ? STATE_BYTES_FSDP2 : STATE_BYTES_MEGATRON;
  // FP8 training as DeepSeek-V3 does it keeps AdamW moments in BF16 (§3.3); otherwise Megatron's 18 B/param.
  return plan.precision === 'fp8' ? STATE_BYTES_DEEPSEEK_V3 : STATE_BYTES_MEGATRON;
}

export interface ShardedStateBytes {
  weights: number;
  gradients: number;
  optimizer: number;
}

/**
 * Bytes per parameter on one GPU for a ZeRO stage over `shards` data-parallel copies, at the step's peak. With
 * `pp` > 1, ZeRO-3 keeps the stage's 16-bit weights and its accumulated gradients whole (zeroSchedule.ts), which
 * is ZeRO-1's footprint; the optimizer state stays sharded.
 */
export function zeroBytesPerParameter(state: TrainingStateBytes, zero: ZeroStage, shards: number, pp = 1): ShardedStateBytes {
  const n = Math.max(1, shards);
  const step = zeroStepPlan(zero, pp, 1);
  return {
    weights: step.weightsResident ? state.weights : state.weights / n,
    gradients: step.gradientsResident ? state.gradients : state.gradients / n,
    optimizer: zero >= 1 ? (state.master + state.moments) / n : state.master + state.moments,
  };
}

/** Parameters one rank holds (before TP/EP division), split by how they are sharded. */
export interface RankParameters {
  /** Sharded by TP. */
  nonExpert: number;
  /** Routed experts, sharded by EP·ETP. */
  routedExperts: number;
}

/** Parameters of the chunks a rank holds (embedding, head and MTP where placed; a tied head on a later stage is a copy). */
export function rankParameters(arch: ModelArch, chunks: readonly StageContent[]): RankParameters {
  const counts = parameterCounts(arch);
  const vocabMatrix = arch.vocab * arch.hidden;
  let nonExpert = 0;
  let routedExperts = 0;
  for (const chunk of chunks) {
    // Whole counts: the products and sums are exact, as the per-layer sums were.
    const moeLayers = moeLayersIn(arch, chunk.firstLayer, chunk.layerCount);
    nonExpert += moeLayers * (counts.perLayer.moeLayer - counts.routedExpertsPerLayer) + (chunk.layerCount - moeLayers) * counts.perLayer.denseLayer;
    routedExperts += moeLayers * counts.routedExpertsPerLayer;
    if (chunk.hasEmbedding) nonExpert += vocabMatrix;
    // Final norm + head. Megatron keeps tied word embeddings on the last stage too when pp > 1 (a second copy to
    // compute logits); only when one chunk holds both ends is the tied matrix shared.
    if (chunk.hasLmHead) nonExpert += arch.hidden + (arch.tiedEmbeddings && chunk.hasEmbedding ? 0 : vocabMatrix);
    if (chunk.mtpModules > 0) {
      const mtpRouted = arch.experts > 0 ? counts.routedExpertsPerLayer : 0;
      nonExpert += chunk.mtpModules * (counts.mtpPerModule - mtpRouted);
      routedExperts += chunk.mtpModules * mtpRouted;
    }
  }
  return { nonExpert, routedExperts };
}

/** Parameters one GPU of a rank holds: the rank's non-expert weights ÷ TP, its routed experts ÷ EP·ETP. */
export function gpuParameters(arch: ModelArch, plan: Pick<MemoryPlan, 'tp' | 'ep' | 'etp'>, chunks: readonly StageContent[]): GpuParams {
  const params = rankParameters(arch, chunks);
  return { dense: params.nonExpert / Math.max(1, plan.tp), expert: params.routedExperts / (Math.max(1, plan.ep) * Math.max(1, plan.etp)) };
}

export interface MemoryReserve {
  /** CUDA context, NCCL communicators and buffers, library workspaces. */
  fixedBytes: number;
  /** Allocator fragmentation and transient buffers, as a fraction of everything else. */
  fraction: number;
}

/**
 * Default reserve [M]: ~1 GiB CUDA/PyTorch context + ~1 GiB NCCL buffers and cuBLAS/TE workspaces, and 5 % of
 * the rest for caching-allocator fragmentation. Not from a measurement; shown as an assumption.
 */
export const DEFAULT_MEMORY_RESERVE: MemoryReserve = { fixedBytes: 2 * 2 ** 30, fraction: 0.05 };

/** Width of a ZeRO-3 / FSDP unit's gathered weights: the 16-bit compute copy. */
const GATHERED_WEIGHT_BYTES = BYTES_PER_ELEMENT.bf16;

export type MemoryPlan = Pick<
  ParallelPlan,
  'tp' | 'cp' | 'ep' | 'etp' | 'dp' | 'zero' | 'sequenceParallel' | 'seqLength' | 'microBatchSize' | 'recompute'
> & Partial<Pick<ParallelPlan, 'pp' | 'precision' | 'recomputeModules' | 'activationFp8InputStore' | 'framework' | 'recomputeLayerInterval'
  | 'activationOffloadLayers' | 'activationOffloadModules' | 'optimizerOffloadFraction' | 'parameterOffload' | 'dataParallelReplicas' | 'hpzPartitionSize'>>;

export interface StageMemoryInput {
  arch: ModelArch;
  plan: MemoryPlan;
  /** The stages (chunks) this rank holds: one, or v with interleaving, or two with DualPipeV / ZB-V. */
  chunks: readonly StageContent[];
  /** Peak chunk activations held at once (the simulator's per-rank peakActivations). */
  peakInFlightMicroBatches: number;
  /**
   * Peak bytes of the chunk activations held at once, each chunk weighted by its own stage (activationPeak.ts);
   * absent: peakInFlightMicroBatches × the rank's largest chunk.
   */
  peakChunkActivationBytes?: number;
  /** gpuParameters of the chunks, when the caller has them already. */
  gpuParameters?: GpuParams;
  /** Default STATE_BYTES_MEGATRON. */
  stateBytes?: TrainingStateBytes;
  /** Default true. */
  flashAttention?: boolean;
  /**
   * Whether the model keeps dropout masks (hidden and attention dropout alike). Default: the arch's
   * hiddenDropout / attentionDropout above 0; when it states neither, GeLU (GPT-era) models do and SwiGLU ones not.
   */
  dropout?: boolean;
  reserve?: MemoryReserve;
  /** layerMemoryTerms of the arch and plan (with the same flashAttention and dropout), when the caller has them. */
  terms?: LayerMemoryTerms;
}

/**
 * What every rank of one plan shares in its activation memory: the settings, one layer's kept bytes by kind, what
 * a recomputed layer rebuilds, what the loss and the embedding hold. Worked out once per layout, not once per rank.
 */
export interface LayerMemoryTerms {
  settings: ActivationSettings;
  perLayer: LayerKindActivationBytes;
  rematerialised: RematerialisedBytes;
  /** One head's loss buffers for one micro-batch (lossPhaseBytes). */
  lossBytes: number;
  /** The embedding's extra activations for one micro-batch. */
  embeddingBytes: number;
}

export function layerMemoryTerms(arch: ModelArch, plan: MemoryPlan, options: Pick<StageMemoryInput, 'flashAttention' | 'dropout'> = {}): LayerMemoryTerms {
  const settings = activationSettingsOf(arch, plan, options);
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const perLayer = layerKindActivationBytes(arch, plan, settings);
  return {
    settings,
    perLayer,
    // What each kind keeps is perLayer's (the kinds as rematerialisedBytesByKind reads them).
    rematerialised: rematerialisedBytesByKind(arch, settings, shape, perLayer),
    lossBytes: lossPhaseBytes(arch, shape, settings),
    embeddingBytes: embeddingActivationBytes(arch, shape, settings),
  };
}

export interface StageMemory {
  /** Weights in HBM, with the hpZ secondary copy unless parameter offload puts it on the host. */
  parametersBytes: number;
  /**
   * ZeRO++ hpZ's secondary 16-bit copy of the weights, sharded over the hpZ group (shardGroups.ts): part of
   * parametersBytes, or of host.parametersBytes under parameter offload (DeepSpeed keeps it on the offload device).
   * 0 without hpZ.
   */
  hpzCopyBytes: number;
  gradientsBytes: number;
  optimizerBytes: number;
  /** Kept activations of the in-flight micro-batches, plus what the loss holds on the stage with the head. */
  activationsBytes: number;
  /**
   * What a recomputed layer rebuilds during its backward beyond the loss's buffers, which are gone by then
   * (layerMemory.ts): the peak holds the larger of the two on top of the kept activations.
   */
  transientBytes: number;
  otherBytes: number;
  /** HBM: the parts above. */
  totalBytes: number;
  /** What one GPU keeps in host memory instead (offload.ts); all zero without offloading. */
  host: HostMemory;
}

/** Per GPU, bytes in host memory by what they are. */
export interface HostMemory {
  /** Sharded weights (ZeRO-3 parameter offload). */
  parametersBytes: number;
  /** The gradient copy the host's optimizer steps from (or the offloaded share of a sharded gradient). */
  gradientsBytes: number;
  /** Master weights and moments of the offloaded share. */
  optimizerBytes: number;
  /** Activations of the offloaded layers of every micro-batch in flight. */
  activationsBytes: number;
  totalBytes: number;
}

export function activationSettingsOf(
  arch: ModelArch,
  plan: MemoryPlan,
  options: Pick<StageMemoryInput, 'flashAttention' | 'dropout'> = {},
): ActivationSettings {
  const torchtitan = plan.framework === 'torchtitan';
  return {
    tp: plan.tp,
    cp: plan.cp,
    ep: plan.ep,
    etp: plan.etp,
    // torchtitan's TP plans always shard the norms' sequence (SequenceParallel), whatever the plan says.
    sequenceParallel: plan.sequenceParallel || (torchtitan && plan.tp > 1),
    recompute: plan.recompute,
    ...(plan.recomputeModules ? { recomputeModules: plan.recomputeModules } : {}),
    ...(plan.framework ? { framework: plan.framework } : {}),
    ...(plan.recomputeLayerInterval !== undefined ? { recomputeLayerInterval: plan.recomputeLayerInterval } : {}),
    flashAttention: options.flashAttention ?? true,
    ...dropoutSettingsOf(arch, options.dropout),
    // FP8 training caches every Linear input as its FP8 cast with tile scales (DeepSeek-V3 §3.3.3).
    gemmInputBytes: plan.precision === 'fp8' ? FP8_CACHED_BYTES : BYTES_PER_ELEMENT.bf16,
    activationInputBytes: activationInputBytesOf(plan),
  };
}

/**
 * Which dropout masks a layer keeps: a probability above 0 keeps them, 0 none (PyTorch's dropout returns its input
 * unchanged at p = 0). A model that states no probability is read by its era: GPT-style GeLU models trained with
 * dropout 0.1 (Megatron's default), SwiGLU ones without.
 */
export function dropoutSettingsOf(arch: Pick<ModelArch, 'activation' | 'hiddenDropout' | 'attentionDropout'>, override?: boolean): Pick<ActivationSettings, 'dropout' | 'attentionDropout'> {
  if (override !== undefined) return { dropout: override, attentionDropout: override };
  const hidden = arch.hiddenDropout !== undefined ? arch.hiddenDropout > 0 : arch.activation === 'gelu';
  return { dropout: hidden, attentionDropout: arch.attentionDropout !== undefined ? arch.attentionDropout > 0 : hidden };
}

/**
 * One micro-batch's activation bytes of one layer of each kind. In a dense model `moe` is the dense layer's, so an
 * MTP module (one more transformer layer per micro-batch, MoE in an MoE model) always holds `moe`.
 */
export interface LayerKindActivationBytes {
  dense: number;
  moe: number;
  /** Of those, what fine-grained activation offload moves to the host (offload.ts); absent without it. */
  offloaded?: { dense: number; moe: number };
}

/** Every layer of a kind keeps the same tensors, so each kind's list is built once for a whole model. */
export function layerKindActivationBytes(arch: ModelArch, plan: MemoryPlan, settings: ActivationSettings): LayerKindActivationBytes {
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const dense = keptLayerBytes(arch, 'dense', shape, settings);
  const moe = arch.experts > 0 ? keptLayerBytes(arch, 'moe', shape, settings) : dense;
  const modules = plan.activationOffloadModules;
  // Megatron's offload manager runs on Megatron's layers (its tensor list); torchtitan has no such option.
  if (!modules?.length || plan.framework === 'torchtitan') return { dense, moe };
  const offloadedDense = moduleOffloadedBytes(arch, 'dense', shape, settings, modules);
  return { dense, moe, offloaded: { dense: offloadedDense, moe: arch.experts > 0 ? moduleOffloadedBytes(arch, 'moe', shape, settings, modules) : offloadedDense } };
}

/** Activation bytes of one micro-batch through one chunk (its layers and MTP modules). */
export function chunkActivationBytes(arch: ModelArch, chunk: StageContent, perLayer: LayerKindActivationBytes): number {
  let bytes = 0;
  for (let index = chunk.firstLayer; index < chunk.firstLayer + chunk.layerCount; index += 1) {
    bytes += isMoeLayer(arch, index) ? perLayer.moe : perLayer.dense;
  }
  return bytes + chunk.mtpModules * perLayer.moe;
}

export function stageMemory(input: StageMemoryInput): StageMemory {
  const { arch, plan } = input;
  const state = input.stateBytes ?? STATE_BYTES_MEGATRON;
  const tp = Math.max(1, plan.tp);
  const cp = Math.max(1, plan.cp);
  const expertShard = Math.max(1, plan.ep) * Math.max(1, plan.etp);

  const { dense: nonExpertLocal, expert: expertLocal } = input.gpuParameters ?? gpuParameters(arch, plan, input.chunks);
  const pp = Math.max(1, plan.pp ?? 1);
  // States shard over the shard group: all of data parallelism unless HSDP / optimizer instances replicate it.
  const shards = shardGroups(plan);
  const nonExpertBytes = zeroBytesPerParameter(state, plan.zero, shards.denseShards, pp);
  const expertDataParallel = shards.expertShards;
  const expertBytes = zeroBytesPerParameter(state, plan.zero, expertDataParallel, pp);

  const shardedParametersBytes = nonExpertLocal * nonExpertBytes.weights + expertLocal * expertBytes.weights;
  const shardedGradientsBytes = nonExpertLocal * nonExpertBytes.gradients + expertLocal * expertBytes.gradients;
  const allOptimizerBytes = nonExpertLocal * nonExpertBytes.optimizer + expertLocal * expertBytes.optimizer;
  // Offloading moves the offloaded share of the optimizer state to the host with a gradient copy at the GPU's
  // gradient width; a sharded gradient (ZeRO-2/3) leaves HBM for it, a whole one (Megatron's grad buffer) stays.
  const step = zeroStepPlan(plan.zero, pp, 1);
  const offloaded = optimizerOffloadFraction(plan);
  const optimizerStateBytes = state.master + state.moments;
  const steppedParameters = optimizerStateBytes > 0 ? allOptimizerBytes / optimizerStateBytes : 0;
  const hostOptimizerBytes = offloaded * allOptimizerBytes;
  const hostGradientsBytes = offloaded * steppedParameters * state.gradients;
  const optimizerBytes = allOptimizerBytes - hostOptimizerBytes;
  const gradientsBytes = step.gradientsResident ? shardedGradientsBytes : shardedGradientsBytes * (1 - offloaded);
  // ZeRO++ hpZ keeps a second, 16-bit shard of the weights over the smaller hpZ group (DeepSpeed allocates it in the
  // working dtype): 2·P/h per GPU for the P weights it holds.
  const hpz = hpzGroups(plan, shards);
  const hpzCopyBytes = (hpz.dense > 0 ? (nonExpertLocal * GATHERED_WEIGHT_BYTES) / hpz.dense : 0)
    + (hpz.expert > 0 ? (expertLocal * GATHERED_WEIGHT_BYTES) / hpz.expert : 0);
  // Parameter offload only moves weights a GPU holds sharded (ZeRO-3 without PP); resident weights stay.
  const hostParametersBytes = plan.parameterOffload && !step.weightsResident ? shardedParametersBytes + hpzCopyBytes : 0;
  const parametersBytes = shardedParametersBytes + hpzCopyBytes - hostParametersBytes;

  const terms = input.terms ?? layerMemoryTerms(arch, plan, input);
  const { settings } = terms;
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  // Chunks of one rank usually have equal layer counts; the largest bounds an in-flight chunk activation.
  const inFlight = Math.max(0, input.peakInFlightMicroBatches);
  // The largest chunk is only needed when activationPeak.ts's replay did not weigh each chunk already.
  let activationsBytes = input.peakChunkActivationBytes ?? inFlight * largestChunkActivationBytes(arch, plan, terms.perLayer, input.chunks);
  const hostActivationsBytes = inFlight * largestOffloadedChunkBytes(arch, plan, terms.perLayer, input.chunks);
  if (input.chunks.some((chunk) => chunk.hasEmbedding)) activationsBytes += inFlight * terms.embeddingBytes;
  // Each MTP module computes its own logits through the shared head (DeepSeek-V3 §2.2, §3.2.3): the same input and
  // fp32 logits again, held with the main head's until the micro-batch's backward on this stage.
  const mtpModules = input.chunks.reduce((sum, chunk) => sum + chunk.mtpModules, 0);
  const heads = (input.chunks.some((chunk) => chunk.hasLmHead) ? 1 : 0) + mtpModules;
  const lossBytes = heads * terms.lossBytes;
  activationsBytes += lossBytes;
  // The loss's buffers are freed before the first layer's backward recomputes, so the peak holds the larger.
  const transientBytes = Math.max(0, largestRematerialisedLayerBytes(arch, settings, shape, input.chunks, terms.rematerialised) - lossBytes);

  const reserve = input.reserve ?? DEFAULT_MEMORY_RESERVE;
  // ZeRO-3 without PP gathers one layer's full weights for compute and prefetches the next: two unsharded layers
  // in flight (DeepSpeed's estimator counts 4 B × the largest layer the same way). With PP they are resident.
  // A routed expert is gathered with its layer only when expert data parallelism shards it. The gathered copy is the
  // 16-bit compute copy, also when the sharded state is FP32 (FSDP2's mixed-precision policy casts in the gather).
  const expertGatherShare = expertDataParallel > 1 ? 1 / expertShard : 0;
  const zero3Gather = zeroStepPlan(plan.zero, pp, 1).perUnitGathers
    ? 2 * Math.max(0, ...input.chunks.map((chunk) => largestLayerLocalParams(arch, chunk, 1 / tp, expertGatherShare))) * GATHERED_WEIGHT_BYTES
    : 0;
  const subtotal = parametersBytes + gradientsBytes + optimizerBytes + activationsBytes + transientBytes + zero3Gather;
  const otherBytes = reserve.fixedBytes + reserve.fraction * subtotal + zero3Gather;
  return {
    parametersBytes,
    hpzCopyBytes,
    gradientsBytes,
    optimizerBytes,
    activationsBytes,
    transientBytes,
    otherBytes,
    totalBytes: parametersBytes + gradientsBytes + optimizerBytes + activationsBytes + transientBytes + otherBytes,
    host: {
      parametersBytes: hostParametersBytes,
      gradientsBytes: hostGradientsBytes,
      optimizerBytes: hostOptimizerBytes,
      activationsBytes: hostActivationsBytes,
      totalBytes: hostParametersBytes + hostGradientsBytes + hostOptimizerBytes + hostActivationsBytes,
    },
  };
}

/** The offloaded layers' activations of one micro-batch through the rank's largest such chunk. */
function largestOffloadedChunkBytes(arch: ModelArch, plan: MemoryPlan, perLayer: LayerKindActivationBytes, chunks: readonly StageContent[]): number {
  if (!offloadsActivations(plan)) return 0;
  return Math.max(0, ...chunks.map((chunk) => offloadedActivationBytes(arch, plan, { layers: chunk.layerCount, firstLayer: chunk.firstLayer }, perLayer)));
}

function largestChunkActivationBytes(arch: ModelArch, plan: MemoryPlan, perLayer: LayerKindActivationBytes, chunks: readonly StageContent[]): number {
  // Offloaded layers keep nothing in HBM between their forward and backward.
  return Math.max(0, ...chunks.map((chunk) => chunkActivationBytes(arch, chunk, perLayer)
    - offloadedActivationBytes(arch, plan, { layers: chunk.layerCount, firstLayer: chunk.firstLayer }, perLayer)));
}

/**
 * Parameters one GPU gathers for the largest layer of a chunk (one FSDP unit): its non-expert weights × the TP
 * share, its routed experts × the EP·ETP share.
 */
function largestLayerLocalParams(arch: ModelArch, chunk: StageContent, nonExpertShare: number, expertShare: number): number {
  const counts = parameterCounts(arch);
  const moeLayers = moeLayersIn(arch, chunk.firstLayer, chunk.layerCount);
  const moe = moeLayers > 0 ? (counts.perLayer.moeLayer - counts.routedExpertsPerLayer) * nonExpertShare + counts.routedExpertsPerLayer * expertShare : 0;
  const dense = moeLayers < chunk.layerCount ? counts.perLayer.denseLayer * nonExpertShare : 0;
  return Math.max(0, moe, dense);
}
