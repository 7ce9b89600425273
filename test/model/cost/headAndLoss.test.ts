// The output head and its loss (stageTime.ts, memoryBound.ts; COSTMODEL.md "Time terms" row 12): the head's
// GEMMs stay in BF16 under FP8 training, the FP32 loss over the logits runs at HBM speed, and full recompute never
// redoes the head. Each against a hand-computed value, and as a property of its knob (the vocabulary).
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { efficiencyFor, gemmPeakFlopsPerSecond, headGemmFraction, linksFor } from '../../../src/model/cost/compute/efficiency';
import { LOSS_BACKWARD_BYTES, LOSS_FORWARD_BYTES, layerMemoryBoundBytes, lossMemoryBoundBytes } from '../../../src/model/cost/compute/memoryBound';
import { placePlan } from '../../../src/model/cost/comm/placement';
import { splitLayers } from '../../../src/model/cost/stages';
import { stageCosts, stageWork, TIME_PARTS } from '../../../src/model/cost/compute/stageTime';
import { modelComm } from '../../../src/model/cost/comm/traffic';
import type { Design, ModelArch, ParallelPlan } from '../../../src/model/design';

const llama8b = findModel('llama3-8b')!.arch;
const shape = { microBatchSize: 1, seqLength: 4096 };

function design(plan: Partial<ParallelPlan> = {}, model: ModelArch = llama8b, gpu = 'B200'): Design {
  return {
    model,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu, gpusPerNode: 8, nodes: 1, worldSize: 8 },
  };
}

function parts(d: Design) {
  const gpu = findGpu(d.cluster.gpu)!;
  const efficiency = efficiencyFor(gpu, d.plan.precision, d.plan.fp8Recipe);
  const links = linksFor(gpu, efficiency, d.cluster);
  const comm = modelComm({ design: d, placement: placePlan(d.plan, d.cluster.gpusPerNode), links });
  const costs = stageCosts({ design: d, gpu, efficiency, comm, split: splitLayers(d, d.plan.pp), peakFlopsPerSecond: gemmPeakFlopsPerSecond(gpu, d.plan.precision, d.plan.fp8Recipe) });
  const at = (name: (typeof TIME_PARTS)[number], which = costs.partsF) => which[TIME_PARTS.indexOf(name)]!;
  return { F: (name: (typeof TIME_PARTS)[number]) => at(name), B: (name: (typeof TIME_PARTS)[number]) => at(name, costs.partsB) };
}

const sizeFactor = (flops: number, peak: number) => flops / peak / (flops / peak + 30e-6);

describe('loss over the logits (memoryBound.ts lossMemoryBoundBytes)', () => {
  it('moves 26 B per logits element forward and 14 B backward: 4096 tokens × 128,256 logits by hand', () => {
    const elements = 4096 * 128256;
    expect(lossMemoryBoundBytes(llama8b, shape, { tp: 1, cp: 1 })).toEqual({ forward: 26 * elements, backward: 14 * elements });
    expect(LOSS_FORWARD_BYTES + LOSS_BACKWARD_BYTES).toBe(40);
  });

  it('splits the logits over TP (vocabulary) and CP (tokens); torch.compile keeps half', () => {
    const whole = lossMemoryBoundBytes(llama8b, shape, { tp: 1, cp: 1 }).forward;
    expect(lossMemoryBoundBytes(llama8b, shape, { tp: 4, cp: 1 }).forward).toBeCloseTo(whole / 4, 6);
    expect(lossMemoryBoundBytes(llama8b, shape, { tp: 1, cp: 2 }).forward).toBeCloseTo(whole / 2, 6);
    expect(lossMemoryBoundBytes(llama8b, shape, { tp: 1, cp: 1, compile: true }).forward).toBeCloseTo(whole / 2, 6);
  });

  it('is part of the last stage\'s memory-bound time, forward and backward, and grows with the vocabulary', () => {
    const hbm = 8000e9 * 0.7;
    const layers = 32 * layerMemoryBoundBytes(llama8b, 'dense', shape, { tp: 1, cp: 1, etp: 1, sequenceParallel: false, precision: 'bf16' }).denseBytes;
    const p = parts(design());
    expect(p.F('memoryBound')).toBeCloseTo((layers + 26 * 4096 * 128256) / hbm, 12);
    expect(p.B('memoryBound')).toBeCloseTo((2 * layers + 14 * 4096 * 128256) / hbm, 12);
    // The knob: a larger vocabulary costs more; without a vocabulary only the layers remain.
    const bigger = parts(design({}, { ...llama8b, vocab: 256000 })).F('memoryBound');
    expect(bigger).toBeGreaterThan(p.F('memoryBound'));
    expect(parts(design({}, { ...llama8b, vocab: 0 })).F('memoryBound')).toBeCloseTo(layers / hbm, 12);
  });
});

describe('the output head stays in BF16 under FP8 (stageTime.ts)', () => {
  it('prices the head at the BF16 peak and plateau, the layers at FP8, by hand on B200', () => {
    const d = design({ precision: 'fp8', fp8Recipe: 'delayed' });
    const work = stageWork(d, splitLayers(d, 1).stages[0]!);
    const head = 2 * 4096 * 4096 * 128256;
    expect(work.headMatmulFlops).toBe(head);
    const fp8Fraction = efficiencyFor(findGpu('B200')!, 'fp8', 'delayed').compute.matmul;
    const layerRate = 4500e12 * fp8Fraction * sizeFactor(2 * 4096 * 4096 * 4096, 4500e12);
    const headRate = 2250e12 * headGemmFraction(findGpu('B200')!) * sizeFactor(head, 2250e12);
    expect(headGemmFraction(findGpu('B200')!)).toBe(0.7);
    expect(parts(d).F('denseGemm')).toBeCloseTo((work.denseMatmulFlops - head) / layerRate + head / headRate, 12);
  });

  it('makes FP8 cost more than pricing the head at FP8 would, more with a larger vocabulary', () => {
    const gap = (vocab: number) => {
      const d = design({ precision: 'fp8', fp8Recipe: 'delayed' }, { ...llama8b, vocab });
      const work = stageWork(d, splitLayers(d, 1).stages[0]!);
      const fp8Fraction = efficiencyFor(findGpu('B200')!, 'fp8', 'delayed').compute.matmul;
      const allAtFp8 = work.denseMatmulFlops / (4500e12 * fp8Fraction * sizeFactor(2 * 4096 * 4096 * 4096, 4500e12));
      return parts(d).F('denseGemm') - allAtFp8;
    };
    expect(gap(0)).toBeCloseTo(0, 12);
    expect(gap(128256)).toBeGreaterThan(0);
    expect(gap(256000)).toBeGreaterThan(gap(128256));
  });

  it('full recompute redoes the layers\' forward, never the head', () => {
    const none = parts(design({ precision: 'bf16' }));
    const full = parts(design({ precision: 'bf16', recompute: 'full' }));
    const d = design();
    const head = stageWork(d, splitLayers(d, 1).stages[0]!).headMatmulFlops;
    const headSeconds = head / (2250e12 * 0.7 * sizeFactor(head, 2250e12));
    expect(full.B('denseGemm') - none.B('denseGemm')).toBeCloseTo(none.F('denseGemm') - headSeconds, 12);
  });
});
