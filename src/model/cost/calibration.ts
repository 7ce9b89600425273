// What public data cannot pin down, in one place a user can set (CONTRACT.md `calibration:`): achieved GEMM and
// attention fractions, HBM fraction, fixed costs per layer, overlap per dimension, expert imbalance and the fabric
// slowdown at scale. Every value defaults from the catalog (GPU generation × precision × FP8 recipe, efficiency.ts)
// or from a documented constant (docs/reference/COSTMODEL.md "Time terms"); `resolveCalibration` says which.
import type { Design } from '../design';
import type { GpuSpec } from '../catalog/gpus';
import { efficiencyFor, type EfficiencyParams } from './compute/efficiency';

export interface Calibration {
  /** Dense GEMMs (projections, MLP, LM head) as a fraction of the peak of the precision in use, at large size. */
  gemmFraction: number;
  /** Routed-expert grouped GEMMs, same meaning. */
  expertGemmFraction: number;
  /** The attention core (flash / fused attention, BF16) as a fraction of the BF16 peak. */
  attentionFraction: number;
  /** Achieved fraction of HBM bandwidth for memory-bound kernels and the optimizer step. */
  hbmFraction: number;
  /** Launches, host syncs and framework bookkeeping per transformer layer per micro-batch (forward + backward), seconds. */
  layerFixedSeconds: number;
  /** Extra per MoE layer per micro-batch (router, dispatcher bookkeeping, grouped-GEMM setup), seconds. */
  moeLayerFixedSeconds: number;
  /** Share of TP communication hidden when TP comm overlap is on (Megatron --tp-comm-overlap). */
  tpOverlap: number;
  /** Share of the EP all-to-all hidden when EP overlap is on (outside DualPipe, which has its own rule). */
  epOverlap: number;
  /** Share of the CP ring exchange hidden behind attention when ring overlap is on. */
  cpOverlap: number;
  /** Share of the DP gradient reduction / parameter gather hidden when overlap-grad-reduce / -param-gather are on. */
  dpOverlap: number;
  /** Slowest rank's routed tokens over the mean (max/mean, ≥ 1): stretches expert compute and the all-to-all. */
  expertImbalance: number;
  /** Step slowdown per doubling of the GPU count beyond FABRIC_BASE_GPUS (oversubscription, stragglers). */
  fabricSlowdownPerDoubling: number;
}

export type CalibrationKey = keyof Calibration;

export const CALIBRATION_KEYS: readonly CalibrationKey[] = [
  'gemmFraction', 'expertGemmFraction', 'attentionFraction', 'hbmFraction', 'layerFixedSeconds', 'moeLayerFixedSeconds',
  'tpOverlap', 'epOverlap', 'cpOverlap', 'dpOverlap', 'expertImbalance', 'fabricSlowdownPerDoubling',
];

/** Keys that are fractions in (0, 1] (overlaps may be 0); the rest are seconds ≥ 0 or a factor ≥ 1. */
export function calibrationRange(key: CalibrationKey): { min: number; max: number } {
  switch (key) {
    case 'gemmFraction': case 'expertGemmFraction': case 'attentionFraction': case 'hbmFraction':
      return { min: 0.01, max: 1 };
    case 'tpOverlap': case 'epOverlap': case 'cpOverlap': case 'dpOverlap':
      return { min: 0, max: 1 };
    case 'expertImbalance':
      return { min: 1, max: 16 };
    case 'layerFixedSeconds': case 'moeLayerFixedSeconds':
      return { min: 0, max: 0.1 };
    case 'fabricSlowdownPerDoubling':
      return { min: 0, max: 1 };
  }
}

/** The GPU count up to which one non-blocking fabric tier is assumed (a 1,024-GPU rail-optimised pod). */
export const FABRIC_BASE_GPUS = 1024;

/**
 * Documented defaults of the terms that are not per-GPU catalog facts (COSTMODEL.md "Time terms" gives the
 * reasoning; the fixed costs are fitted on the fit rows of docs/VALIDATION.md only).
 */
export const DEFAULT_TERMS = {
  layerFixedSeconds: 500e-6,
  moeLayerFixedSeconds: 500e-6,
  tpOverlap: 0.7,
  epOverlap: 0.5,
  cpOverlap: 0.8,
  dpOverlap: 0.9,
  expertImbalance: 1.1,
  fabricSlowdownPerDoubling: 0.02,
} as const;

export type CalibrationOrigin = 'design' | 'catalog' | 'default';

export interface ResolvedCalibration {
  values: Calibration;
  /** `design`: set by the user (calibration block, settings, --calibration); `catalog`: GPU × precision table; `default`: a documented constant. */
  origins: Record<CalibrationKey, CalibrationOrigin>;
  /** The efficiency parameters behind the catalog values (GEMM size curve, link latencies). */
  efficiency: EfficiencyParams;
}

/** The calibration in force for a design: the user's values where given, else the catalog's, else the defaults. */
export function resolveCalibration(design: Design, gpu: GpuSpec): ResolvedCalibration {
  const efficiency = efficiencyFor(gpu, design.plan.precision, design.plan.fp8Recipe);
  const catalog: Pick<Calibration, 'gemmFraction' | 'expertGemmFraction' | 'attentionFraction' | 'hbmFraction'> = {
    gemmFraction: efficiency.compute.matmul,
    expertGemmFraction: efficiency.compute.expertMatmul,
    attentionFraction: efficiency.compute.attention,
    hbmFraction: efficiency.hbmFraction,
  };
  const given = design.calibration ?? {};
  const values = {} as Calibration;
  const origins = {} as Record<CalibrationKey, CalibrationOrigin>;
  for (const key of CALIBRATION_KEYS) {
    const user = given[key];
    if (typeof user === 'number' && Number.isFinite(user)) {
      values[key] = user;
      origins[key] = 'design';
    } else if (key in catalog) {
      values[key] = catalog[key as keyof typeof catalog];
      origins[key] = 'catalog';
    } else {
      values[key] = DEFAULT_TERMS[key as keyof typeof DEFAULT_TERMS];
      origins[key] = 'default';
    }
  }
  return { values, origins, efficiency };
}
