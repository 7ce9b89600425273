// Achieved fractions of peak: the only free parameters of the time model. They are set once per GPU generation
// and precision, from published kernel and cluster measurements, never per validation row (docs/VALIDATION.md
// lists the rows they are then checked against). COSTMODEL.md §1 observation 4: a pure analytic model should
// expect 5–15 % error with factors like these.
import type { Fp8Recipe, Precision } from '../../design';
import type { GpuSpec } from '../../catalog/gpus';
import type { Links } from '../comm/collectives';

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
 * reaches ~50–70 % of peak for head dim 128. (Set on the A100 rows, all of which are fit rows.)
 * Hopper (H100/H800/H200): cuBLAS BF16 GEMMs ~ 700–750 of 989 TFLOP/s (~0.7) [M]; the FP8 per-tensor plateau
 * (0.72) is fitted on the DGX H100 fit rows of docs/VALIDATION.md (npm run fit); flash-attention ~0.5 [M].
 * Blackwell (B200/GB200): its own plateau, fitted on the Blackwell fit rows (FP8 GEMMs 0.75; attention 0.24, set
 * by the one long-sequence CP row among them, so treat it as weakly pinned). BF16 on Blackwell has no row: 0.7 [M].
 * Expert GEMMs: 0.85 × the dense plateau (grouped GEMMs of uneven sizes) [M]. CDNA3 (MI300X): lower achieved GEMM
 * fractions reported for hipBLASLt (~0.5) [M]. Ampere: refitted on the A100 rows (all fit rows) once memory-bound
 * work was priced apart, again after the CP ring terms, and again once the output head kept BF16 under FP8, its loss
 * was priced and full recompute stopped redoing the head (0.74 GEMM, 0.29 attention). The FP8 plateaus price the
 * layers' GEMMs only: the head runs at the BF16 peak and the BF16 plateau (headGemmFraction).
 * The `fp8` column is per-tensor scaling (`delayed` / `tensorwise`); other recipes scale it (RECIPE_GEMM_FACTOR).
 */
const TABLE: Record<GpuGeneration, Record<Precision, ComputeEfficiency>> = {
  ampere: {
    bf16: { matmul: 0.74, expertMatmul: 0.6, attention: 0.29 },
    fp16: { matmul: 0.74, expertMatmul: 0.6, attention: 0.29 },
    fp8: { matmul: 0.74, expertMatmul: 0.6, attention: 0.29 },
  },
  hopper: {
    bf16: { matmul: 0.7, expertMatmul: 0.6, attention: 0.5 },
    fp16: { matmul: 0.7, expertMatmul: 0.6, attention: 0.5 },
    fp8: { matmul: 0.72, expertMatmul: 0.612, attention: 0.5 },
  },
  blackwell: {
    bf16: { matmul: 0.7, expertMatmul: 0.6, attention: 0.24 },
    fp16: { matmul: 0.7, expertMatmul: 0.6, attention: 0.24 },
    fp8: { matmul: 0.75, expertMatmul: 0.6375, attention: 0.24 },
  },
  cdna3: {
    bf16: { matmul: 0.5, expertMatmul: 0.4, attention: 0.4 },
    fp16: { matmul: 0.5, expertMatmul: 0.4, attention: 0.4 },
    fp8: { matmul: 0.4, expertMatmul: 0.3, attention: 0.4 },
  },
};

/**
 * Systems whose plateau is their own, not their generation's: Meta's Grand Teton H100 (96 GB HBM2e, 500 W power
 * limit, "peak not known exactly"), fitted on its fit rows (torchtitan, SDPA attention, FSDP2).
 */
const SYSTEM_TABLE: Record<string, Partial<Record<Precision, ComputeEfficiency>>> = {
  'H100-96GB': {
    bf16: { matmul: 0.46, expertMatmul: 0.35, attention: 0.2 },
    fp16: { matmul: 0.46, expertMatmul: 0.35, attention: 0.2 },
    fp8: { matmul: 0.4, expertMatmul: 0.34, attention: 0.2 },
  },
};

/**
 * GEMM plateau of each FP8 recipe relative to per-tensor scaling [M, COSTMODEL.md "FP8 recipes"]: blockwise
 * scaling on Hopper promotes partial sums to FP32 every 128 elements on CUDA cores (DeepSeek-V3 §3.3.2), which
 * DeepGEMM keeps to ~0.9 of a per-tensor GEMM; MXFP8 scales in the tensor cores (1.0); NVFP4 runs at the FP4 peak
 * with a lower share of it (0.5 of the FP4 peak, applied as a plateau, not a factor). The casts each recipe
 * needs are memory-bound work (memoryBound.ts), not part of this factor.
 */
const RECIPE_GEMM_FACTOR: Record<Exclude<Fp8Recipe, 'nvfp4'>, number> = { delayed: 1, tensorwise: 1, blockwise: 0.9, mxfp8: 1 };
const NVFP4_PLATEAU = 0.5;

/** Generation from the catalog id; unknown ids count as Hopper, the most common training GPU today. */
export function generationOf(gpu: GpuSpec): GpuGeneration {
  const id = gpu.id.toUpperCase();
  if (id.startsWith('A100')) return 'ampere';
  if (id.startsWith('B') || id.startsWith('GB')) return 'blackwell';
  if (id.startsWith('MI')) return 'cdna3';
  return 'hopper';
}

/** Why `gpu` cannot run `precision` with `recipe`, or undefined when it can (the estimate reports it as an error). */
export function unsupportedPrecision(gpu: GpuSpec, precision: Precision, recipe: Fp8Recipe | undefined): string | undefined {
  if (precision !== 'fp8') return undefined;
  if (!(gpu.peakFlopsPerSecond.fp8 > 0)) return `${gpu.id} has no FP8 tensor cores`;
  const chosen = recipe ?? 'delayed';
  if ((chosen === 'mxfp8' || chosen === 'nvfp4') && !gpu.microscaling) return `${gpu.id} has no microscaling tensor cores for the ${chosen} recipe (Blackwell has)`;
  if (chosen === 'nvfp4' && !(gpu.peakFlopsPerSecond.fp4 && gpu.peakFlopsPerSecond.fp4 > 0)) return `${gpu.id} has no FP4 tensor cores`;
  return undefined;
}

/** Peak of the GEMMs' precision: FP4 under the nvfp4 recipe, else the precision's own. */
export function gemmPeakFlopsPerSecond(gpu: GpuSpec, precision: Precision, recipe: Fp8Recipe | undefined): number {
  if (precision === 'fp8' && recipe === 'nvfp4') return gpu.peakFlopsPerSecond.fp4 ?? 0;
  return gpu.peakFlopsPerSecond[precision];
}

export function efficiencyFor(gpu: GpuSpec, precision: Precision, recipe?: Fp8Recipe): EfficiencyParams {
  const generation = generationOf(gpu);
  const base = SYSTEM_TABLE[gpu.id]?.[precision] ?? TABLE[generation][precision];
  let compute = base;
  if (precision === 'fp8' && recipe === 'nvfp4') {
    compute = { matmul: NVFP4_PLATEAU, expertMatmul: NVFP4_PLATEAU * (base.expertMatmul / base.matmul), attention: base.attention };
  } else if (precision === 'fp8' && recipe && recipe !== 'nvfp4') {
    const factor = RECIPE_GEMM_FACTOR[recipe];
    compute = { matmul: base.matmul * factor, expertMatmul: base.expertMatmul * factor, attention: base.attention };
  }
  return {
    generation,
    compute,
    halfEfficiencySecondsAtPeak: 30e-6,
    nvlinkLatencySeconds: 3e-6,
    ibLatencySeconds: 8e-6,
    hbmFraction: 0.7,
    ibFraction: 0.9,
  };
}

/** The BF16 GEMM plateau of `gpu`: what the output head reaches under FP8 training, where it stays in BF16. */
export function headGemmFraction(gpu: GpuSpec): number {
  return (SYSTEM_TABLE[gpu.id]?.bf16 ?? TABLE[generationOf(gpu)].bf16).matmul;
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
