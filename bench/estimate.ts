// Latency of one estimate(): the DeepSeek-V3 example (examples/deepseek-v3.plens.yaml) built from the catalogs,
// median after warm-up. The brief's budget is 2 ms.
import { findModel } from '../src/model/catalog/models';
import type { Design } from '../src/model/design';
import { estimate } from '../src/model/estimate';
import { medianMilliseconds, type BenchRow } from './measure';

export function deepSeekV3Design(): Design {
  const entry = findModel('deepseek-v3');
  if (!entry) throw new Error('deepseek-v3 missing from the model catalog');
  return {
    model: entry.arch,
    plan: {
      tp: 1, pp: 16, vpp: 1, cp: 1, ep: 64, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096,
      microBatchSize: 1, globalBatchSize: 15360, microbatches: 120, schedule: 'dualpipe', recompute: 'selective',
      precision: 'fp8', nodeLimit: 4,
    },
    cluster: { gpu: 'H800', gpusPerNode: 8, nodes: 256, worldSize: 2048 },
  };
}

export function benchEstimate(): BenchRow[] {
  const design = deepSeekV3Design();
  const ms = medianMilliseconds(() => { estimate(design); }, 200);
  return [{ name: 'estimate() DeepSeek-V3 example (median)', value: ms, unit: 'ms' }];
}
