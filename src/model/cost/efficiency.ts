// Achieved fractions of peak: the only free parameters of the time model. They are set once per GPU generation
// and precision, from published kernel and cluster measurements, never per validation row (docs/VALIDATION.md
// lists the rows they are then checked against). COSTMODEL.md §1 observation 4: a pure analytic model should
// expect 5–15 % error with factors like these.
import type { Precision } from '../design';
import type { GpuSpec } from '../catalog/gpus';
import type { Links } from './collectives';

export type GpuGeneration = 'ampere' | 'hopper' | 'blackwell' | 'cdna3';

export interface ComputeEfficiency {
  /**
   * Large dense GEMMs (QKV/output projections, MLP, LM head) as a fraction of the precision's dense peak, for a
   * GEMM big enough to saturate the GPU; smaller GEMMs lose more (see gemmSizeFactor).
   */
  matmul: number;
  /**
   * MoE expert GEMMs: grouped GEMMs over a few hundred tokens per expert with a narrow FFN, plus the permute /
   * unpermute around them. Below dense GEMMs.
   */
  expertMatmul: number;
  /** The attention core (flash attention, BF16 even in FP8 training: DeepSeek-V3 §3.3.1). */
  attention: number;
}

export interface EfficiencyParams {
  generation: GpuGeneration;
  compute: ComputeEfficiency;
  /**
   * A GEMM that would take this long at peak reaches half of its plateau efficiency: short GEMMs do not fill the
   * SMs (wave quantisation, launch and tail effects), long ones approach `matmul`. One constant for every GPU,
   * because it is expressed in time at that GPU's own peak.
   */
  halfEfficiencySecondsAtPeak: number;
  /** Per ring step latency of NVLink and IB collectives (NCCL's per-hop cost, ~µs). */
  nvlinkLatencySeconds: number;
  ibLatencySeconds: number;
  /** Achievable fraction of HBM bandwidth for the memory-bound optimizer step. */
  hbmFraction: number;
  /**
   * Achieved fraction of the catalog's IB figure. The catalog's 50 GB/s for a 400 Gb/s NIC is the line rate
   * (400/8); RDMA traffic reaches ~90 % of it: Calculon's shipped H100 system uses IB efficiency 0.9 [R], and
   * DeepEP measures 43–51 GB/s internode on H800 + CX7 [R].
   */
  ibFraction: number;
}

/**
 * Ampere (A100): Megatron-LM's large GEMMs reach 250–270 of 312 TFLOP/s (Narayanan et al. 2021 §5.1 report 52 %
 * of peak end to end for the 1T model incl. bubble and communication); flash-attention-2 forward+backward on A100
 * reaches ~50–70 % of peak for head dim 128.
 * Hopper (H100/H800/H200): cuBLAS BF16 GEMMs ~ 700–750 of 989 TFLOP/s (~0.7), FP8 GEMMs with DeepSeek-style
 * fine-grained scaling ~ 0.55 of 1,979 (DeepGEMM reports ~1,350–1,550 TFLOP/s for large shapes; promotion to
 * FP32 every 128 elements and the scaling costs push end-to-end kernels lower); flash-attention-3 ~0.55.
 * Blackwell: same fractions as Hopper until measurements say otherwise. CDNA3 (MI300X): lower achieved GEMM
 * fractions reported for hipBLASLt (~0.5).
 */
const TABLE: Record<GpuGeneration, Record<Precision, ComputeEfficiency>> = {
  ampere: {
    bf16: { matmul: 0.68, expertMatmul: 0.55, attention: 0.45 },
    fp16: { matmul: 0.68, expertMatmul: 0.55, attention: 0.45 },
    fp8: { matmul: 0.68, expertMatmul: 0.55, attention: 0.45 },
  },
  hopper: {
    bf16: { matmul: 0.7, expertMatmul: 0.55, attention: 0.55 },
    fp16: { matmul: 0.7, expertMatmul: 0.55, attention: 0.55 },
    fp8: { matmul: 0.55, expertMatmul: 0.45, attention: 0.55 },
  },
  blackwell: {
    bf16: { matmul: 0.7, expertMatmul: 0.55, attention: 0.55 },
    fp16: { matmul: 0.7, expertMatmul: 0.55, attention: 0.55 },
    fp8: { matmul: 0.55, expertMatmul: 0.45, attention: 0.55 },
  },
  cdna3: {
    bf16: { matmul: 0.5, expertMatmul: 0.4, attention: 0.4 },
    fp16: { matmul: 0.5, expertMatmul: 0.4, attention: 0.4 },
    fp8: { matmul: 0.4, expertMatmul: 0.3, attention: 0.4 },
  },
};

/** Generation from the catalog id; unknown ids count as Hopper, the most common training GPU today. */
export function generationOf(gpu: GpuSpec): GpuGeneration {
  const id = gpu.id.toUpperCase();
  if (id.startsWith('A100')) return 'ampere';
  if (id.startsWith('B') || id.startsWith('GB')) return 'blackwell';
  if (id.startsWith('MI')) return 'cdna3';
  return 'hopper';
}

export function efficiencyFor(gpu: GpuSpec, precision: Precision): EfficiencyParams {
  const generation = generationOf(gpu);
  return {
    generation,
    compute: TABLE[generation][precision],
    halfEfficiencySecondsAtPeak: 30e-6,
    nvlinkLatencySeconds: 3e-6,
    ibLatencySeconds: 8e-6,
    hbmFraction: 0.7,
    ibFraction: 0.9,
  };
}

/**
 * A GEMM of `flops` on a GPU of `peakFlopsPerSecond` runs at plateau × t / (t + t½), t its time at peak: tiny
 * GEMMs get little, large ones approach the plateau (Calculon's efficiency-vs-size curves have the same shape).
 */
export function gemmSizeFactor(flops: number, peakFlopsPerSecond: number, params: EfficiencyParams): number {
  if (flops <= 0 || peakFlopsPerSecond <= 0) return 1;
  const secondsAtPeak = flops / peakFlopsPerSecond;
  return secondsAtPeak / (secondsAtPeak + params.halfEfficiencySecondsAtPeak);
}

/** DeepSeek-V3 §3.2.2: DualPipe's all-to-all kernels take 20 of the H800's 132 SMs from compute. */
export const DUALPIPE_COMM_SM_FRACTION = 20 / 132;

/** The overrides are achievable GB/s (design.ts `ClusterSpec`), so only the catalog's IB line rate is derated. */
export function linksFor(gpu: GpuSpec, params: EfficiencyParams, overrides?: { nvlinkGBps?: number; ibGBps?: number }): Links {
  return {
    nvlinkBytesPerSecond: overrides?.nvlinkGBps ? overrides.nvlinkGBps * 1e9 : gpu.nvlinkBytesPerSecond,
    ibBytesPerSecond: overrides?.ibGBps ? overrides.ibGBps * 1e9 : gpu.ibBytesPerSecond * params.ibFraction,
    nvlinkLatencySeconds: params.nvlinkLatencySeconds,
    ibLatencySeconds: params.ibLatencySeconds,
  };
}
