// The DeepSeek-V3 example through the whole estimate: DualPipe holds p + 1 = 17 chunk activations on every rank
// (DeepSeek-V3 Table 2), one chunk being one stage's layers; a middle rank's chunks are 4 MoE layers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign, readConfig } from '../../../src/config/index';
import { estimate } from '../../../src/model/estimate';

function example() {
  const path = 'examples/deepseek-v3.plens.yaml';
  const read = readConfig(readFileSync(path, 'utf8'), path);
  if (!read) throw new Error('example not recognised');
  const design = completeDesign(read).design;
  if (!design) throw new Error('example does not complete');
  return design;
}

describe('DeepSeek-V3 example (PP16 DualPipe, EP64, FP8, [layernorm, mla_up_proj, moe_act], FP8 SwiGLU input)', () => {
  const design = example();
  const result = estimate(design);

  it('carries the recipe into the plan', () => {
    expect(design.plan).toMatchObject({ recompute: 'selective', recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'], activationFp8InputStore: true, precision: 'fp8' });
  });

  it('DualPipe peaks at p + 1 = 17 chunk activations on every rank', () => {
    const peaks = Array.from(result.timeline!.timeline.peakActivations);
    expect(peaks).toEqual(new Array(16).fill(17));
  });

  it('a middle rank holds 17 × 4 layers × 187,488 B per token × 4096 tokens = 48.6 GiB of activations', () => {
    // 187,488 = attention 72,832 + MoE 114,656 (activations.test.ts); 17 · 4 · 187,488 · 4096 = 52,220,657,664.
    const rank = result.estimate!.memory.stages[2]!;
    expect(rank.activationsBytes).toBe(52_220_657_664);
  });
});
