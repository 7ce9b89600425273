// Pipeline layouts as a search dimension: for each PP × stage count the layouts a Megatron-LM user writes (the even
// split, the embedding and/or the loss counted as layers, shorter first/last ranks), each once; on a model whose
// output head is heavy (a large vocabulary) the search finds an uneven layout, and its figures are what a plain
// estimate of that plan gives.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';
import { enumerateFamilies, searchLayouts } from '../../../src/model/search';
import { endReductionLimits, layoutOptions } from '../../../src/model/search/pipelineLayouts';
import { choicePlan } from '../../../src/model/search/space';
import { splitLayers } from '../../../src/model/cost/stages';
import { stageCount } from '../../../src/model/layoutChecks';

function design(modelId: string, nodes: number, plan: Partial<ParallelPlan>, arch: Partial<Design['model']> = {}): Design {
  return {
    model: { ...findModel(modelId)!.arch, ...arch },
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: nodes * 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 64 / (nodes * 8), schedule: '1f1b', recompute: 'selective', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes, worldSize: nodes * 8 },
  };
}

const layers = (d: Design, plan: ParallelPlan) => splitLayers({ ...d, plan }, stageCount({ plan })).stages.map((s) => s.layers);

describe('the layouts of one PP × stage count', () => {
  it('126 layers on 16 ranks × 8 chunks: the embedding and the loss as stages of their own, as issue 9 writes it', () => {
    const d = design('llama3-405b', 16, { pp: 16 }, { layers: 126 });
    const options = layoutOptions(d, 16, 'interleaved-1f1b', 128, 126 % 128 === 0, endReductionLimits(d));
    const both = options.find((o) => o.fields.accountForEmbedding && o.fields.accountForLoss);
    expect(both).toBeDefined();
    expect(both!.stageLayers).toEqual([0, ...new Array<number>(126).fill(1), 0]);
    expect(both!.layoutString).toBe('E|(t|)*126L');
    // The even split does not divide (126 over 128 stages), so it is not offered for interleaving.
    expect(options.some((o) => o.even)).toBe(false);
  });

  it('DeepSeek-V3 (61 layers, MTP) on 16 ranks: shorter first and last ranks, the even fallback listed once', () => {
    const d = design('deepseek-v3', 32, {});
    const limits = endReductionLimits(d);
    // The head and the MTP module weigh several MoE layers; the embedding's weights under one.
    expect(limits.first).toBe(1);
    expect(limits.last).toBeGreaterThan(1);
    const options = layoutOptions(d, 16, '1f1b', 16, true, limits);
    expect(options[0]!.even).toBe(true);
    // The even fallback (cost/stages.ts) shortens the ends one layer at a time, moving inwards: 3, 4 × 13, 3, 3.
    expect(options[0]!.stageLayers).toEqual([3, ...new Array<number>(13).fill(4), 3, 3]);
    // 61 + a + b over 16 ranks with a ≤ 1 and b ≤ the last limit: ranks of 4 with a last rank of 1, or a first
    // of 3 and a last of 2 (--decoder-first-pipeline-num-layers 3 --decoder-last-pipeline-num-layers 2).
    // The even fallback is no split Megatron takes without an option, so its row states it as a layout string.
    expect(options[0]!.layoutString).toBe('Et*3|(t*4|)*13t*3|t*3mL');
    expect(options.map((o) => o.fields)).toEqual([{ layout: options[0]!.layoutString }, { lastStageLayers: 1 }, { firstStageLayers: 3, lastStageLayers: 2 }]);
    expect(options[1]!.stageLayers).toEqual([...new Array<number>(15).fill(4), 1]);
    expect(options[2]!.stageLayers).toEqual([3, ...new Array<number>(14).fill(4), 2]);
    expect(options.map((o) => o.layoutString)).toEqual([...new Set(options.map((o) => o.layoutString))]);
    // Every option is a layout Megatron accepts, and an estimate of its plan splits the layers as listed.
    for (const option of options) {
      const plan: ParallelPlan = { ...d.plan, pp: 16, dp: 16, microbatches: 4, ...option.fields };
      expect(layers(d, plan)).toEqual(option.stageLayers);
      expect(estimate({ ...d, plan }).problems.filter((p) => p.code === 'layout/pipeline-layout')).toEqual([]);
    }
  });

  it('the even split alone when one rank holds the model, and no composition of layers beyond the ends', () => {
    const d = design('llama3-70b', 1, {});
    expect(layoutOptions(d, 1, '1f1b', 1, true, endReductionLimits(d)).map((o) => o.even)).toEqual([true]);
    // 80 layers on 4 ranks, each end up to 2 layers short: 80 + a + b must split over 4 ranks, so the even split and
    // 19 / 21 / 21 / 19, not the C(79, 3) compositions; 81 and 82 slots (accounting) do not divide.
    const options = layoutOptions(d, 4, '1f1b', 4, true, { first: 2, last: 2 });
    expect(options.map((o) => o.fields)).toEqual([{}, { firstStageLayers: 19, lastStageLayers: 19 }]);
    expect(options[1]!.stageLayers).toEqual([19, 21, 21, 19]);
    // Two chunks per rank: the ends shrink in steps of 2 and every rank's count must split over its chunks; 84 / 4 = 21
    // does not, so only the even split is left.
    expect(layoutOptions(d, 4, 'interleaved-1f1b', 8, true, { first: 2, last: 2 }).map((o) => o.fields)).toEqual([{}]);
    expect(layoutOptions(d, 4, 'interleaved-1f1b', 8, true, { first: 4, last: 4 }).map((o) => o.stageLayers)).toEqual([
      new Array<number>(8).fill(10), [9, 11, 11, 9, 9, 11, 11, 9],
    ]);
  });
});

describe('a search over layouts', () => {
  // Llama 3 70B with a 512k vocabulary on 128 H100: the output head weighs some three decoder layers and the
  // embedding as many parameters, so the ranks that hold them should hold fewer layers.
  const heavyEnds = design('llama3-70b', 16, { seqLength: 8192, globalBatchSize: 256, microbatches: 2 }, { vocab: 512_000 });
  const search = () => searchLayouts(heavyEnds, { top: 10, maxMicroBatchSize: 2 });

  it('finds an uneven layout, whose estimate is a plain estimate of its plan and beats the even split', () => {
    const result = search();
    expect(result.status).toBe('complete');
    const best = result.results[0]!;
    expect(best.pipelineLayout.source).not.toBe('even');
    expect(best.plan.pp).toBeGreaterThan(1);
    const direct = estimate({ ...heavyEnds, plan: best.plan });
    expect(direct.estimate).toEqual(best.estimate);
    expect(best.pipelineLayout.stageLayers).toEqual(direct.estimate!.stages.map((s) => s.layers));
    // The same PP, VPP and schedule with Megatron's default split is slower (and here does not fit either).
    const { firstStageLayers: _f, lastStageLayers: _l, accountForEmbedding: _e, accountForLoss: _a, ...even } = best.plan;
    const plain = estimate({ ...heavyEnds, plan: even });
    expect(plain.estimate!.stepTimeSeconds).toBeGreaterThan(best.estimate.stepTimeSeconds);
  });

  it('counts the layouts in its space, and gives the same top 10 twice', () => {
    const first = search();
    const second = search();
    expect(second.results.map((r) => r.plan)).toEqual(first.results.map((r) => r.plan));
    const families = enumerateFamilies(heavyEnds, { maxMicroBatchSize: 2 });
    const all = families.reduce((sum, f) => sum + f.layouts, 0);
    const even = families.reduce((sum, f) => sum + f.schedules.filter((c) => Object.keys(c.layout).length === 0).length * f.zeros.length, 0);
    expect(first.space).toBe(all);
    expect(all).toBeGreaterThan(even);
    // A result's layout, stated by its plan fields, is what choicePlan gives the search's own choice.
    const family = families.find((f) => f.schedules.some((c) => c.layout.lastStageLayers !== undefined))!;
    const choice = family.schedules.find((c) => c.layout.lastStageLayers !== undefined)!;
    expect(choicePlan(family.plan, choice).lastStageLayers).toBe(choice.layout.lastStageLayers);
  });
});
