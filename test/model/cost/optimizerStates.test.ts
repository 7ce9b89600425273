// Megatron's precision-aware optimizer (cost/memory/memory.ts stateBytesOf): bytes per parameter follow the dtypes, and
// memory and DP gradient traffic follow the bytes.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import { stateBytesOf } from '../../../src/model/cost/memory/memory';
import { parameterCounts } from '../../../src/model/cost/memory/params';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const P = parameterCounts(llama8b).total;

/** Llama 3 8B, distributed optimizer (ZeRO-1) over 8 H100 of one node. */
function design(plan: Partial<ParallelPlan> = {}): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'full', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8 },
  };
}

const memoryOf = (plan: Partial<ParallelPlan>) => estimate(design(plan)).estimate!.memory.stages[0]!;

describe('bytes per parameter', () => {
  it('Megatron default 4 + 8; precision-aware keeps the fp32 master as a 2-byte remainder of the BF16 weight', () => {
    expect(stateBytesOf(design().plan)).toEqual({ weights: 2, gradients: 4, master: 4, moments: 8 });
    expect(stateBytesOf(design({ precisionAwareOptimizer: true }).plan)).toEqual({ weights: 2, gradients: 4, master: 2, moments: 8 });
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, optimizerParamRemainders: false }).plan).master).toBe(4);
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, optimizerMainParams: 'fp16' }).plan).master).toBe(2);
  });

  it('moments in their dtypes: bf16 2 + 2, fp8 1 + 1, mixed', () => {
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, optimizerExpAvg: 'bf16', optimizerExpAvgSq: 'bf16' }).plan).moments).toBe(4);
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, optimizerExpAvg: 'fp8', optimizerExpAvgSq: 'fp8' }).plan).moments).toBe(2);
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, optimizerExpAvg: 'fp8', optimizerExpAvgSq: 'fp32' }).plan).moments).toBe(5);
  });

  it('FP8 with a recipe other than delayed keeps Megatron\'s own fp32 master copy', () => {
    const fp8 = (fp8Recipe: ParallelPlan['fp8Recipe']) => stateBytesOf(design({ precision: 'fp8', fp8Recipe, precisionAwareOptimizer: true }).plan).master;
    expect(fp8('delayed')).toBe(2);
    expect(fp8('blockwise')).toBe(4);
  });

  it('BF16 main gradients are the BF16 gradient buffer', () => {
    expect(stateBytesOf(design({ precisionAwareOptimizer: true, gradReduceInFp32: false }).plan).gradients).toBe(2);
  });
});

describe('memory and DP traffic follow', () => {
  it('moves the optimizer and gradient memory by the hand-computed bytes', () => {
    const base = memoryOf({});
    const aware = memoryOf({ precisionAwareOptimizer: true, optimizerExpAvg: 'bf16', optimizerExpAvgSq: 'bf16', gradReduceInFp32: false });
    // ZeRO-1 over 8: each GPU's optimizer shard is P/8 parameters at 12 B, then 2 + 2 + 2 = 6 B.
    expect(base.optimizerBytes - aware.optimizerBytes).toBeCloseTo((P / 8) * 6, -3);
    // The gradient buffer is whole under ZeRO-1: P at 4 B, then 2 B.
    expect(base.gradientsBytes - aware.gradientsBytes).toBeCloseTo(P * 2, -3);
    expect(aware.parametersBytes).toBe(base.parametersBytes);
  });

  it('halves the gradient reduce-scatter: DP bytes go from 4 + 2 to 2 + 2 per parameter', () => {
    const dp = (plan: Partial<ParallelPlan>) => estimate(design(plan)).estimate!.traffic.perGpuPerStep.dp.nvlinkBytes;
    expect(dp({ precisionAwareOptimizer: true, gradReduceInFp32: false }) / dp({})).toBeCloseTo(4 / 6, 6);
    // The moments' dtypes are not communicated.
    expect(dp({ precisionAwareOptimizer: true, optimizerExpAvg: 'bf16' })).toBe(dp({}));
  });
});
