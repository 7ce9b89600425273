// A stage's activations per micro-batch, from its layer counts, equal the sum over its layers tensor by tensor:
// dense and MoE layers interleaved (Llama 4 Maverick), leading dense layers with an MTP module on the last stage
// (DeepSeek-V3), a dense model (GPT-3). And what each pipeline rank holds: DualPipe's two stages.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../src/model/catalog/models';
import { activationSettingsOf, layerActivationBytes } from '../../src/model/cost/memory/memory';
import { isMoeLayer } from '../../src/model/cost/memory/params';
import { splitLayers } from '../../src/model/cost/stages';
import type { Design, ParallelPlan } from '../../src/model/design';
import { rankHoldings, stageActivationBytes } from '../../src/model/rankMemory';

function design(model: string, plan: Partial<ParallelPlan> = {}): Design {
  return {
    model: findModel(model)!.arch,
    plan: {
      tp: 2, pp: 4, vpp: 2, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: true, seqLength: 4096,
      microBatchSize: 1, globalBatchSize: 256, microbatches: 32, schedule: 'interleaved-1f1b', recompute: 'selective',
      precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100', gpusPerNode: 8, nodes: 8, worldSize: 64 },
  };
}

describe('stageActivationBytes', () => {
  for (const model of ['llama4-maverick', 'deepseek-v3', 'gpt3-175b']) {
    it(`${model}: each stage's bytes are the sum of its layers' (and MTP modules') tensors`, () => {
      const d = design(model);
      const split = splitLayers(d, 8);
      const settings = activationSettingsOf(d.model, d.plan);
      const shape = { microBatchSize: 1, seqLength: 4096 };
      const layer = (kind: 'dense' | 'moe') => layerActivationBytes(d.model, kind, shape, settings).total;
      const bytes = stageActivationBytes(d, split);
      for (const s of split.stages) {
        let expected = 0;
        for (let i = s.firstLayer; i < s.firstLayer + s.layers; i++) expected += layer(isMoeLayer(d.model, i) ? 'moe' : 'dense');
        expected += s.mtpLayers * layer(d.model.experts > 0 ? 'moe' : 'dense');
        expect(bytes[s.stage]).toBe(expected);
      }
      if (model === 'deepseek-v3') expect(split.stages[7]!.mtpLayers).toBe(1);
      if (model === 'llama4-maverick') expect(split.stages[0]!.moeLayers).toBe(split.stages[0]!.layers / 2);
    });
  }
});

describe('rankHoldings', () => {
  it('DualPipe: rank r holds stages r and p−1−r, and its GPUs hold the weights of both', () => {
    const d = design('deepseek-v3', { pp: 4, vpp: 1, schedule: 'dualpipe', tp: 1, ep: 8, dp: 16, sequenceParallel: false });
    const split = splitLayers(d, 4);
    const holdings = rankHoldings(d, split);
    expect(holdings.map((h) => h.chunks.map((c) => c.firstLayer))).toEqual([0, 1, 2, 3].map((r) => [split.stages[r]!.firstLayer, split.stages[3 - r]!.firstLayer]));
    const single = rankHoldings({ ...d, plan: { ...d.plan, schedule: '1f1b' } }, split);
    expect(holdings[0]!.parameters.dense).toBe(single[0]!.parameters.dense + single[3]!.parameters.dense);
    expect(holdings[0]!.parameters.expert).toBe(single[0]!.parameters.expert + single[3]!.parameters.expert);
  });
});
