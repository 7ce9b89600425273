// The layout search tries the DeepSeek-V3 recompute recipe (layernorm, mla_up_proj, moe_act) for MLA and MoE
// models, and every result says in words what its plan recomputes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign, readConfig } from '../../../src/config/index';
import { findModel } from '../../../src/model/catalog/models';
import type { Design } from '../../../src/model/design';
import { DEEPSEEK_RECOMPUTE_MODULES, recomputeChoices, recomputeLabel, searchLayouts } from '../../../src/model/search';

function example(file: string): Design {
  const text = readFileSync(file, 'utf8');
  const design = completeDesign(readConfig(text, file)!, { text }).design;
  if (!design) throw new Error(`${file} incomplete`);
  return design;
}

const RECIPE = 'selective: DeepSeek-V3 recipe (layernorm, mla_up_proj, moe_act)';

describe('recomputeLabel', () => {
  it('names the modules, and the DeepSeek-V3 recipe in any order', () => {
    expect(recomputeLabel({ recompute: 'none' })).toBe('none');
    expect(recomputeLabel({ recompute: 'full', recomputeModules: ['moe'] })).toBe('full');
    expect(recomputeLabel({ recompute: 'selective' })).toBe('selective (core_attn)');
    expect(recomputeLabel({ recompute: 'selective', recomputeModules: ['moe_act', 'layernorm'] })).toBe('selective (moe_act, layernorm)');
    expect(recomputeLabel({ recompute: 'selective', recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'] })).toBe(RECIPE);
    expect(recomputeLabel({ recompute: 'selective', recomputeModules: ['moe_act', 'mla_up_proj', 'layernorm'] })).toBe('selective: DeepSeek-V3 recipe (moe_act, mla_up_proj, layernorm)');
  });
});

describe('searchLayouts recomputation choices', () => {
  it('an MoE model (Mixtral 8x7B on 64 H100): the recipe is tried and labelled, its modules in the plan', () => {
    const design = example('examples/mixtral-8x7b.plens.yaml');
    expect(recomputeChoices(design).map(recomputeLabel)).toEqual(['none', 'selective (core_attn)', 'full', RECIPE]);
    const result = searchLayouts(design, { top: 200 });
    expect(result.status).toBe('complete');
    const labels = new Set(result.results.map((r) => r.recomputeLabel));
    expect(labels.has(RECIPE)).toBe(true);
    for (const r of result.results) {
      expect(r.recomputeLabel).toBe(recomputeLabel(r.plan));
      if (r.recomputeLabel === RECIPE) expect(r.plan.recomputeModules).toEqual([...DEEPSEEK_RECOMPUTE_MODULES]);
      else expect(r.plan.recomputeModules).toBeUndefined();
    }
  });

  it('a dense GQA model (Llama 3 8B on 8 GPUs): not tried', () => {
    const design: Design = {
      model: findModel('llama3-8b')!.arch,
      plan: {
        tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
        globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null,
      },
      cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8 },
    };
    expect(recomputeChoices(design).map(recomputeLabel)).toEqual(['none', 'selective (core_attn)', 'full']);
    const result = searchLayouts(design, { top: 1000 });
    expect(result.feasible).toBeGreaterThan(0);
    expect(result.results.some((r) => r.plan.recomputeModules !== undefined)).toBe(false);
    expect(new Set(result.results.map((r) => r.recomputeLabel)).has(RECIPE)).toBe(false);
  });
});
