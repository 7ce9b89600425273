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

describe('DualPipe rank 0 holds mostly its own first stage', () => {
  const design = example();
  const result = estimate(design);

  it('weights each in-flight chunk by its stage: 16 × stage 0 + 1 × stage 15 at the peak', () => {
    // Stage 0: 3 dense layers × 144,192 B/token (activations.test.ts: attention 72,832 + dense MLP norm input
    // 14,336 + SwiGLU input in FP8 36,864 × 1.03125 = 38,016 + down input 18,432 × 1.03125 = 19,008) = 432,576.
    // Stage 15: 3 MoE layers + the MTP module's layer = 4 × 187,488 = 749,952.
    // Plus token ids 8 B × 17 in flight and the logits of the LM head and of the MTP module through the shared head,
    // 4·(h + V) = 545,792 B per token each (2 × 2.08 GiB).
    const rank = result.estimate!.memory.stages[0]!;
    expect(rank.activationsBytes).toBe(4096 * (16 * 432_576 + 749_952) + 17 * 8 * 4096 + 2 * 4096 * 4 * (7168 + 129_280));
  });
});

describe('peakActivationBytes', () => {
  it('reduces to peak count × bytes when every stage weighs the same, and follows the stage otherwise', async () => {
    const { generateSchedule } = await import('../../../src/model/schedule/index');
    const { simulate, uniformCosts } = await import('../../../src/model/schedule/simulate');
    const { peakActivationBytes } = await import('../../../src/model/cost/memory/activationPeak');
    const generated = generateSchedule('1f1b', { ranks: 2, microbatches: 4 });
    if (!generated.ok) throw new Error(generated.error.message);
    const timeline = simulate(generated.schedule, uniformCosts(generated.schedule.stages, { F: 1, B: 2, W: 1 }));
    if (!timeline.ok) throw new Error(timeline.error.message);
    expect(Array.from(peakActivationBytes(generated.schedule, [5, 5]))).toEqual(Array.from(timeline.timeline.peakActivations, (n) => 5 * n));
    // 1F1B, p = 2: rank 0 holds 2 micro-batches of stage 0 (1 B each), rank 1 one of stage 1 (10 B).
    expect(Array.from(peakActivationBytes(generated.schedule, [1, 10]))).toEqual([2, 10]);
  });
});
