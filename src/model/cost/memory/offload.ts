// Offloading to host memory (docs/MEMORY.md "Offloading", COSTMODEL.md "Offloading"): what leaves HBM, what the
// host holds, and what the GPU↔host link costs.
//
// - Activations (Megatron --cpu-offloading-num-layers, Transformer Engine's CPU offload context): the first N
//   decoder layers of a stage copy what they keep for the backward to pinned host memory after their forward and
//   copy it back before their backward. HBM keeps the other layers' activations; the host holds the offloaded
//   layers' for every micro-batch in flight.
// - Fine-grained activations (Megatron --fine-grained-activation-offloading --offload-modules, its
//   PipelineOffloadManager): in every layer, what the named modules save for the backward goes to the host, tensors
//   under 2^20 elements excepted (min_offloaded_tensor_size); the manager keeps the last layer's groups on the GPU
//   so that the first backward does not wait for a reload (its offload margin), which here is each stage's last
//   decoder layer. The copies overlap compute by the same rule as layer offload.
// - Optimizer (Megatron --optimizer-cpu-offload's HybridDeviceOptimizer, DeepSpeed offload_optimizer, FSDP2's CPU
//   offload): a fraction of the state the GPU steps (master weights and moments) lives on the host with a gradient
//   copy; the step copies those gradients down, runs Adam on the CPU and copies the updated weights back.
// - Parameters (DeepSpeed ZeRO-3 offload_param, FSDP2's CPU offload): the sharded weights live on the host and
//   each gather first copies the shard up.
import type { GpuSpec } from '../../catalog/gpus';
import type { ActivationOffloadModule, ClusterSpec, ModelArch, ParallelPlan } from '../../design';
import { layerActivationTensors, tensorBytes, type ActivationSettings } from './activations';
import type { MicroBatchShape } from '../compute/flops';
import { isMoeLayer } from './params';
import type { StageLayout } from '../stages';

/**
 * Adam on the host CPU, parameters per second per host [M]: ZeRO-Offload (Ren et al., USENIX ATC 2021) reports its
 * vectorised CPU-Adam stepping 1 billion parameters in about 0.22 s on a DGX-2 host's CPUs; we take 4.5·10⁹
 * parameters/s shared by all GPUs of the host. Megatron's HybridDeviceOptimizer runs torch's fused CPU Adam;
 * its rate is not published, so the same constant stands for it.
 */
export const CPU_ADAM_PARAMETERS_PER_SECOND_PER_HOST = 4.5e9;

/** The host side of the cluster's system: the preset's, after the cluster's overrides. */
export interface HostSide {
  memoryBytes: number;
  gpus: number;
  linkBytesPerSecond: number;
  link: string;
}

export function hostSideOf(gpu: GpuSpec, cluster: Pick<ClusterSpec, 'hostMemoryGB' | 'hostLinkGBps'>): HostSide {
  return {
    memoryBytes: cluster.hostMemoryGB ? cluster.hostMemoryGB * 2 ** 30 : gpu.host.memoryBytes,
    gpus: gpu.host.gpus,
    linkBytesPerSecond: cluster.hostLinkGBps ? cluster.hostLinkGBps * 1e9 : gpu.host.linkBytesPerSecond,
    link: gpu.host.link,
  };
}

/** The share of the optimizer state on the host, in [0, 1]. */
export function optimizerOffloadFraction(plan: Pick<ParallelPlan, 'optimizerOffloadFraction'>): number {
  const fraction = plan.optimizerOffloadFraction ?? 0;
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}

/** Whether a plan keeps any activations in host memory. */
export function offloadsActivations(plan: Pick<ParallelPlan, 'activationOffloadLayers'> & Partial<Pick<ParallelPlan, 'activationOffloadModules'>>): boolean {
  return (plan.activationOffloadModules?.length ?? 0) > 0 || (plan.activationOffloadLayers ?? 0) > 0;
}

/** Decoder layers of a stage whose activations go to the host: the first N, never more than the stage holds. */
export function offloadedLayerCount(plan: Pick<ParallelPlan, 'activationOffloadLayers'>, stage: Pick<StageLayout, 'layers'>): number {
  return Math.max(0, Math.min(stage.layers, Math.floor(plan.activationOffloadLayers ?? 0)));
}

/**
 * One layer's bytes of each kind: all it keeps, and (fine-grained offload) what its offloaded modules keep.
 * memory.ts layerKindActivationBytes builds it.
 */
export interface OffloadLayerBytes {
  dense: number;
  moe: number;
  offloaded?: { dense: number; moe: number };
}

/** One micro-batch's activation bytes of the offloaded layers of a stage, given one layer's bytes of each kind. */
export function offloadedActivationBytes(
  arch: ModelArch, plan: Pick<ParallelPlan, 'activationOffloadLayers'> & Partial<Pick<ParallelPlan, 'activationOffloadModules'>>,
  stage: Pick<StageLayout, 'layers' | 'firstLayer'>, perLayer: OffloadLayerBytes,
): number {
  let bytes = 0;
  if ((plan.activationOffloadModules?.length ?? 0) > 0) {
    // Fine-grained: the modules' tensors of every decoder layer but the stage's last.
    const part = perLayer.offloaded ?? { dense: 0, moe: 0 };
    for (let index = stage.firstLayer; index < stage.firstLayer + stage.layers - 1; index += 1) bytes += isMoeLayer(arch, index) ? part.moe : part.dense;
    return bytes;
  }
  const count = offloadedLayerCount(plan, stage);
  for (let index = stage.firstLayer; index < stage.firstLayer + count; index += 1) bytes += isMoeLayer(arch, index) ? perLayer.moe : perLayer.dense;
  return bytes;
}

/** Megatron's min_offloaded_tensor_size default: smaller saved tensors stay on the GPU. */
export const MIN_OFFLOADED_TENSOR_ELEMENTS = 2 ** 20;

/**
 * The tensors each fine-grained module saves for its backward, by activations.ts's names: a module offloads its
 * input (and, for core attention, its output, which its backward reads). Transformer Engine fuses the attention
 * norm into the QKV GEMM in dense layers, so the run offloads the norm's input under qkv_linear there; here it is
 * attn_norm's, which only differs when one is listed without the other.
 */
const MODULE_TENSORS: Record<ActivationOffloadModule, readonly string[]> = {
  attn_norm: ['attention.norm_input'],
  qkv_linear: ['attention.norm_output'],
  core_attn: ['attention.q', 'attention.k', 'attention.v', 'attention.core_output'],
  attn_proj: ['attention.proj_input', 'attention.output'],
  mlp_norm: ['mlp.norm_input', 'moe.norm_input'],
  expert_fc1: ['moe.expert_input'],
  moe_act: ['moe.expert_fc1_output'],
  fused_group_mlp: ['moe.expert_input', 'moe.expert_fc1_output', 'moe.expert_fc2_input'],
};

/** One micro-batch's bytes of one layer that the modules move to the host (each tensor once, small ones kept). */
export function moduleOffloadedBytes(
  arch: ModelArch, kind: 'dense' | 'moe', shape: MicroBatchShape, settings: ActivationSettings, modules: readonly ActivationOffloadModule[],
): number {
  const names = new Set(modules.flatMap((module) => MODULE_TENSORS[module] ?? []));
  let bytes = 0;
  for (const tensor of layerActivationTensors(arch, kind, shape, settings)) {
    if (!names.has(tensor.name)) continue;
    const tensorOnRank = tensorBytes(tensor, shape, settings);
    if (tensorOnRank / tensor.bytesPerElement >= MIN_OFFLOADED_TENSOR_ELEMENTS) bytes += tensorOnRank;
  }
  return bytes;
}

/**
 * Link time a pass cannot hide. Offloaded layers are the stage's first ones, and each copy overlaps the compute of
 * the layers after it (Transformer Engine copies on its own stream and waits only at the next group): of a pass
 * whose compute is `computeSeconds` over `layers` layers, the copies hide behind all but the first layer's compute
 * in the forward, and the reloads behind all but the last (first offloaded) layer's in the backward.
 */
export function exposedTransferSeconds(bytes: number, linkBytesPerSecond: number, computeSeconds: number, layers: number): number {
  if (bytes <= 0 || layers <= 0) return 0;
  const transfer = bytes / linkBytesPerSecond;
  return Math.max(0, transfer - (computeSeconds * (layers - 1)) / layers);
}

export interface OptimizerOffloadStep {
  /**
   * Gradients down, Adam on the host, updated weights up: in series (Megatron's default), or pipelined parameter by
   * parameter when `overlapped` (--overlap-cpu-optimizer-d2h-h2d), so the slowest of the three sets the time.
   */
  seconds: number;
  deviceToHostSeconds: number;
  hostAdamSeconds: number;
  hostToDeviceSeconds: number;
}

/**
 * The offloaded part of one GPU's optimizer step: `steppedParameters` on the host, gradients copied down at
 * `gradientBytes` each and weights copied up at `weightBytes` each; the host's CPUs step every GPU's share at once.
 * `overlapped` (Megatron --overlap-cpu-optimizer-d2h-h2d): HybridDeviceOptimizer then builds one CPU optimizer per
 * parameter, copies the gradients down on a side stream, steps each parameter once its copy has landed and copies
 * it back up on another stream, so the three stages pipeline over the parameters and the slowest one sets the
 * time (one parameter's fill and drain left out).
 */
export function optimizerOffloadStep(steppedParameters: number, gradientBytes: number, weightBytes: number, host: HostSide, overlapped = false): OptimizerOffloadStep {
  const deviceToHostSeconds = (steppedParameters * gradientBytes) / host.linkBytesPerSecond;
  const hostAdamSeconds = (steppedParameters * host.gpus) / CPU_ADAM_PARAMETERS_PER_SECOND_PER_HOST;
  const hostToDeviceSeconds = (steppedParameters * weightBytes) / host.linkBytesPerSecond;
  const seconds = overlapped ? Math.max(deviceToHostSeconds, hostAdamSeconds, hostToDeviceSeconds) : deviceToHostSeconds + hostAdamSeconds + hostToDeviceSeconds;
  return { seconds, deviceToHostSeconds, hostAdamSeconds, hostToDeviceSeconds };
}

/**
 * Host memory of the fullest host, given each pipeline rank's host bytes per GPU. GPUs are numbered with the
 * pipeline rank outermost (Megatron's and torchtitan's order), so a host's consecutive GPUs hold one pipeline
 * rank when a rank has at least as many GPUs as a host, and several whole ranks otherwise.
 */
export function fullestHostBytes(perRankGpuBytes: readonly number[], gpusPerRank: number, host: Pick<HostSide, 'gpus'>): number {
  const perHost = Math.max(1, host.gpus);
  if (gpusPerRank >= perHost) return perHost * Math.max(0, ...perRankGpuBytes);
  const ranksPerHost = Math.max(1, Math.floor(perHost / Math.max(1, gpusPerRank)));
  let fullest = 0;
  for (let first = 0; first < perRankGpuBytes.length; first += ranksPerHost) {
    let bytes = 0;
    for (let r = first; r < Math.min(perRankGpuBytes.length, first + ranksPerHost); r++) bytes += gpusPerRank * perRankGpuBytes[r]!;
    fullest = Math.max(fullest, bytes);
  }
  return fullest;
}
