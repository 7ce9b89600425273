// The small designs the search's tests run on: a catalog model on nodes of 8 H100 (or GPUs of `hbmGB`), data
// parallel over every GPU, with `plan` overriding the defaults.
import { findModel } from '../../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../../src/model/design';

export function searchDesign(modelId: string, nodes: number, plan: Partial<ParallelPlan>, hbmGB?: number): Design {
  return {
    model: findModel(modelId)!.arch,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: nodes * 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 64 / (nodes * 8), schedule: '1f1b', recompute: 'selective', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes, worldSize: nodes * 8, ...(hbmGB ? { hbmGB } : {}) },
  };
}
