// The time terms of COSTMODEL.md "Time terms", each against a hand-computed value and as a property of its knob
// (monotone; the zero knob gives the result without the term).
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { resolveCalibration, type Calibration } from '../../../src/model/cost/calibration';
import { efficiencyFor, gemmPeakFlopsPerSecond, linksFor, unsupportedPrecision } from '../../../src/model/cost/compute/efficiency';
import { CAST_BYTES, layerMemoryBoundBytes } from '../../../src/model/cost/compute/memoryBound';
import { exposedAfterOverlap, fabricSlowdown } from '../../../src/model/cost/comm/overlap';
import { placePlan } from '../../../src/model/cost/comm/placement';
import { splitLayers } from '../../../src/model/cost/stages';
import { PART_COUNT, stageCosts, TIME_PARTS } from '../../../src/model/cost/compute/stageTime';
import { modelComm } from '../../../src/model/cost/comm/traffic';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const mixtral = findModel('mixtral-8x7b')!.arch;
const shape = { microBatchSize: 1, seqLength: 4096 };
const bf16 = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, precision: 'bf16' as const };

function dense(plan: Partial<ParallelPlan> = {}, calibration?: Partial<Calibration>, gpu = 'H100-SXM'): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu, gpusPerNode: 8, nodes: 1, worldSize: 8 },
    ...(calibration ? { calibration } : {}),
  };
}

function moe(plan: Partial<ParallelPlan> = {}, calibration?: Partial<Calibration>): Design {
  const d = dense({ ep: 8, dp: 8, ...plan }, calibration);
  return { ...d, model: mixtral };
}

function stage0(design: Design) {
  const gpu = findGpu(design.cluster.gpu)!;
  const efficiency = efficiencyFor(gpu, design.plan.precision, design.plan.fp8Recipe);
  const links = linksFor(gpu, efficiency, design.cluster);
  const comm = modelComm({ design, placement: placePlan(design.plan, design.cluster.gpusPerNode), links });
  const costs = stageCosts({ design, gpu, efficiency, comm, split: splitLayers(design, design.plan.pp), peakFlopsPerSecond: gemmPeakFlopsPerSecond(gpu, design.plan.precision, design.plan.fp8Recipe) });
  const part = (name: (typeof TIME_PARTS)[number], parts = costs.partsF) => parts[TIME_PARTS.indexOf(name)]!;
  return { costs, part };
}

describe('memory-bound work (memoryBound.ts)', () => {
  it('prices a Llama 3 8B layer by hand: norms, residuals, RoPE, SwiGLU', () => {
    // 4096 tokens: norms + residuals 20·4096 B per token; RoPE 4·(32 + 8)·128; SwiGLU 6·14336.
    const perToken = 20 * 4096 + 4 * 40 * 128 + 6 * 14336;
    expect(layerMemoryBoundBytes(llama8b, 'dense', shape, bf16).denseBytes).toBe(4096 * perToken);
  });

  it('adds the FP8 casts of every GEMM input by recipe (delayed 3 B, tensorwise 5 B per element)', () => {
    const plain = layerMemoryBoundBytes(llama8b, 'dense', shape, bf16).denseBytes;
    // Cast elements per token: QKV h, output projection a·d, fc1 h, fc2 f.
    const castElements = 4096 * (4096 + 4096 + 4096 + 14336);
    expect(layerMemoryBoundBytes(llama8b, 'dense', shape, { ...bf16, precision: 'fp8', fp8Recipe: 'delayed' }).denseBytes - plain).toBe(3 * castElements);
    expect(layerMemoryBoundBytes(llama8b, 'dense', shape, { ...bf16, precision: 'fp8', fp8Recipe: 'tensorwise' }).denseBytes - plain).toBe(5 * castElements);
    expect(CAST_BYTES.tensorwise).toBeGreaterThan(CAST_BYTES.delayed);
  });

  it('prices routing for an MoE layer: router, permute, unpermute and k expert activations', () => {
    const bytes = layerMemoryBoundBytes(mixtral, 'moe', shape, bf16);
    // Mixtral: E = 8, k = 2, h = 4096, f = 14336.
    expect(bytes.expertBytes).toBe(4096 * (16 * 8 + 8 * 4096 * 2 + 2 * 6 * 14336));
  });

  it('shrinks with torch.compile and with sequence parallelism, grows with tokens', () => {
    const base = layerMemoryBoundBytes(llama8b, 'dense', shape, { ...bf16, tp: 4 }).denseBytes;
    expect(layerMemoryBoundBytes(llama8b, 'dense', shape, { ...bf16, tp: 4, compile: true }).denseBytes).toBeLessThan(base);
    expect(layerMemoryBoundBytes(llama8b, 'dense', shape, { ...bf16, tp: 4, sequenceParallel: true }).denseBytes).toBeLessThan(base);
    expect(layerMemoryBoundBytes(llama8b, 'dense', { ...shape, seqLength: 8192 }, bf16).denseBytes).toBeGreaterThan(layerMemoryBoundBytes(llama8b, 'dense', shape, bf16).denseBytes);
  });

  it('is part of F at HBM speed: bytes / (3,350 GB/s × hbmFraction)', () => {
    const { part } = stage0(dense());
    // 32 layers plus the loss over the head's 4096 × 128,256 logits (26 B each in the forward; headAndLoss.test.ts).
    const bytes = 32 * layerMemoryBoundBytes(llama8b, 'dense', shape, bf16).denseBytes + 4096 * 128256 * 26;
    expect(part('memoryBound')).toBeCloseTo(bytes / (3350e9 * 0.7), 12);
  });
});

describe('grouped expert GEMMs', () => {
  it('sizes the GEMM by the rank\'s routed work, so the expert plateau does not depend on the EP size', () => {
    const at = (ep: number) => stage0(moe({ ep, dp: 8 }, { expertImbalance: 1 })).part('expertGemm');
    expect(at(2)).toBeCloseTo(at(8), 12);
  });

  it('prices one layer\'s grouped GEMM by hand', () => {
    const { part } = stage0(moe({}, { expertImbalance: 1, expertGemmFraction: 0.5 }));
    // 4096 tokens × k = 2 copies: 2·8192·4096·14336·3 (SwiGLU) FLOPs per layer; size factor on one h × f GEMM.
    const flops = 2 * 8192 * 4096 * 14336 * 3;
    const gemm = 2 * 8192 * 4096 * 14336;
    const factor = gemm / 989.4e12 / (gemm / 989.4e12 + 30e-6);
    expect(part('expertGemm')).toBeCloseTo((32 * flops) / (989.4e12 * 0.5 * factor), 12);
  });
});

describe('expert-load imbalance', () => {
  it('stretches expert compute and the all-to-all, and 1.0 is the balanced result', () => {
    const at = (imbalance: number) => stage0(moe({}, { expertImbalance: imbalance }));
    const balanced = at(1);
    const skewed = at(1.3);
    expect(skewed.part('expertGemm')).toBeGreaterThan(balanced.part('expertGemm'));
    expect(skewed.costs.epF[0]).toBeCloseTo(1.3 * balanced.costs.epF[0]!, 12);
    expect(skewed.part('denseGemm')).toBe(balanced.part('denseGemm'));
    expect(at(1.6).costs.F[0]).toBeGreaterThan(skewed.costs.F[0]!);
  });
});

describe('fixed cost per layer and per MoE layer', () => {
  it('adds layers × fixed, a third in F and two thirds in B', () => {
    const { part, costs } = stage0(moe({}, { layerFixedSeconds: 100e-6, moeLayerFixedSeconds: 200e-6 }));
    expect(part('fixed')).toBeCloseTo((32 * 300e-6) / 3, 15);
    expect(part('fixed', costs.partsB)).toBeCloseTo((2 * 32 * 300e-6) / 3, 15);
  });

  it('is monotone in its knob and zero gives no fixed part', () => {
    const at = (seconds: number) => stage0(dense({}, { layerFixedSeconds: seconds })).costs.F[0]!;
    expect(stage0(dense({}, { layerFixedSeconds: 0 })).part('fixed')).toBe(0);
    expect(at(50e-6)).toBeGreaterThan(at(0));
    expect(at(100e-6)).toBeGreaterThan(at(50e-6));
  });
});

describe('overlap per dimension (overlap.ts)', () => {
  it('hides fraction × min(comm, window)', () => {
    expect(exposedAfterOverlap(10, 4, 0.5)).toBe(8);
    expect(exposedAfterOverlap(10, 40, 0.5)).toBe(5);
    expect(exposedAfterOverlap(10, 40, 0)).toBe(10);
    expect(exposedAfterOverlap(10, 40, 1)).toBe(0);
  });

  it('TP comm overlap lowers the exposed TP time, more with a larger fraction; off is the series charge', () => {
    const tp = (overlap: boolean, fraction: number) => stage0(dense({ tp: 4, dp: 2, tpCommOverlap: overlap }, { tpOverlap: fraction })).part('tp');
    expect(tp(true, 0)).toBe(tp(false, 0.7));
    expect(tp(true, 0.5)).toBeLessThan(tp(true, 0));
    expect(tp(true, 0.9)).toBeLessThan(tp(true, 0.5));
  });

  it('CP ring overlap hides behind attention', () => {
    const cp = (fraction: number) => stage0(dense({ cp: 2, dp: 4, cpCommOverlap: true }, { cpOverlap: fraction })).part('cp');
    expect(cp(0)).toBeGreaterThan(0);
    expect(cp(0.8)).toBeLessThan(cp(0));
  });

  it('DP: with overlap-grad-reduce off the whole synchronisation is exposed; dpOverlap 1 is the window rule', () => {
    const dp = (plan: Partial<ParallelPlan>, fraction: number) => estimate(dense({ dp: 8, microbatches: 1, globalBatchSize: 8, ...plan }, { dpOverlap: fraction })).estimate!.breakdown.exposedComm.dp;
    expect(dp({ overlapGradReduce: false }, 1)).toBeGreaterThan(dp({}, 1));
    expect(dp({}, 0.5)).toBeGreaterThanOrEqual(dp({}, 1));
  });
});

describe('fabric at scale', () => {
  it('slows the step by perDoubling per doubling past 1,024 GPUs', () => {
    expect(fabricSlowdown(4096, 0.02)).toBeCloseTo(1.04, 12);
    expect(fabricSlowdown(1024, 0.02)).toBe(1);
    expect(fabricSlowdown(16384, 0)).toBe(1);
    expect(fabricSlowdown(16384, 0.02)).toBeGreaterThan(fabricSlowdown(4096, 0.02));
  });
});

describe('FP8 recipes and Blackwell', () => {
  it('never prices an unsupported recipe as BF16: MXFP8 and NVFP4 need Blackwell', () => {
    expect(unsupportedPrecision(findGpu('H100-SXM')!, 'fp8', 'mxfp8')).toMatch(/microscaling/);
    expect(unsupportedPrecision(findGpu('A100-80GB')!, 'fp8', undefined)).toMatch(/no FP8/);
    expect(unsupportedPrecision(findGpu('B200')!, 'fp8', 'nvfp4')).toBeUndefined();
    const result = estimate(dense({ precision: 'fp8', fp8Recipe: 'mxfp8' }));
    expect(result.estimate).toBeNull();
    expect(result.problems.find((p) => p.code === 'precision/unsupported')?.field).toBe('plan.fp8Recipe');
  });

  it('runs NVFP4 GEMMs at the FP4 peak and blockwise slower than per-tensor on Hopper', () => {
    expect(gemmPeakFlopsPerSecond(findGpu('B200')!, 'fp8', 'nvfp4')).toBe(9000e12);
    const blockwise = stage0(dense({ precision: 'fp8', fp8Recipe: 'blockwise' })).part('denseGemm');
    const delayed = stage0(dense({ precision: 'fp8', fp8Recipe: 'delayed' })).part('denseGemm');
    expect(blockwise).toBeGreaterThan(delayed);
  });

  it('gives Blackwell its own plateau, not Hopper\'s', () => {
    expect(efficiencyFor(findGpu('B200')!, 'fp8').compute).not.toEqual(efficiencyFor(findGpu('H100-SXM')!, 'fp8').compute);
  });
});

describe('calibration a design carries', () => {
  it('uses a set value, says so, and moves the estimate', () => {
    const base = estimate(dense()).estimate!;
    const faster = estimate(dense({}, { gemmFraction: 0.9 })).estimate!;
    expect(base.calibration.gemmFraction.from).toBe('catalog');
    expect(faster.calibration.gemmFraction).toEqual({ value: 0.9, from: 'design' });
    expect(faster.stepTimeSeconds).toBeLessThan(base.stepTimeSeconds);
    expect(base.calibration.expertImbalance.from).toBe('default');
    expect(resolveCalibration(dense(), findGpu('H100-SXM')!).values.gemmFraction).toBe(0.7);
  });
});

describe('the waterfall', () => {
  const designs: Record<string, Design> = {
    'dense 1F1B': dense({ pp: 4, dp: 2, microbatches: 8, globalBatchSize: 16 }),
    'dense interleaved, TP overlap': dense({ tp: 2, pp: 2, vpp: 2, dp: 2, schedule: 'interleaved-1f1b', microbatches: 8, globalBatchSize: 16, tpCommOverlap: true }),
    'dense ZB-H1': dense({ pp: 4, dp: 2, schedule: 'zb-h1', microbatches: 8, globalBatchSize: 16 }),
    'MoE DualPipe FP8': moe({ pp: 4, ep: 2, dp: 2, schedule: 'dualpipe', microbatches: 8, globalBatchSize: 16, precision: 'fp8' }),
    'ZeRO-3 FSDP, CP': dense({ zero: 3, cp: 2, dp: 4, globalBatchSize: 32, cpCommOverlap: true }),
    'activation and optimizer offload': dense({ activationOffloadLayers: 2, optimizerOffloadFraction: 0.5 }),
    'ZeRO-3 parameter offload': dense({ zero: 3, parameterOffload: true, optimizerOffloadFraction: 1 }),
    'fabric at scale': { ...dense({ dp: 4096, microbatches: 1, globalBatchSize: 4096 }), cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 512, worldSize: 4096 } },
  };
  for (const [name, design] of Object.entries(designs)) {
    it(`sums to the step time exactly: ${name}`, () => {
      const e = estimate(design).estimate!;
      const b = e.breakdown;
      const parts = [b.compute.denseGemm, b.compute.expertGemm, b.compute.attention, b.compute.memoryBound, b.fixedSeconds,
        b.exposedComm.tp, b.exposedComm.cp, b.exposedComm.ep, b.hostTransferSeconds, b.exposedComm.dp, b.bubbleSeconds, b.optimizerSeconds, b.fabricSeconds];
      const sum = parts.reduce((a, x) => a + x, 0);
      expect(Math.abs(sum - e.stepTimeSeconds)).toBeLessThanOrEqual(1e-12 * e.stepTimeSeconds);
      for (const p of parts) expect(p).toBeGreaterThanOrEqual(-1e-12 * e.stepTimeSeconds);
      expect(PART_COUNT).toBe(9);
    });
  }

  it('shows the fabric term only past 1,024 GPUs', () => {
    expect(estimate(designs['fabric at scale']!).estimate!.breakdown.fabricSeconds).toBeGreaterThan(0);
    expect(estimate(designs['dense 1F1B']!).estimate!.breakdown.fabricSeconds).toBe(0);
  });
});
