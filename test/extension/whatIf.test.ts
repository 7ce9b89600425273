import { describe, expect, it } from 'vitest';
import { compareNeighbours, neighbourValues, withValue } from '../../src/extension/analysis/whatIf';
import { analyseData } from './helpers';

describe('what-if on deepseek-v3.plens.yaml (2048 GPUs, PP 16, global batch 15360)', () => {
  const result = analyseData('deepseek-v3.plens.yaml');
  const design = result.completion!.design!;

  it('compares PP 8 / 16 / 32', () => {
    expect(neighbourValues('plan.pp', design)).toEqual([8, 16, 32]);
  });
  it('re-derives dp and micro-batches as completion does', () => {
    const changed = withValue(design, 'plan.pp', 32);
    if (typeof changed === 'string') throw new Error(changed);
    // dp = 2048 / (1·32·1) = 64; micro-batches = 15360 / (1·64) = 240.
    expect(changed.plan).toMatchObject({ pp: 32, dp: 64, microbatches: 240, globalBatchSize: 15360 });
    expect(design.plan.pp).toBe(16);
  });
  it('says why a size that does not divide the world cannot be compared', () => {
    expect(withValue(design, 'plan.tp', 3)).toBe('tp·pp·cp = 48 does not divide 2048 GPUs');
  });
  it('estimates each neighbour, reusing the current estimate for the current value', () => {
    const current = result.estimate!.estimate!;
    const variants = compareNeighbours(design, 'plan.pp', current);
    expect(variants.map((v) => [v.value, v.current])).toEqual([[8, false], [16, true], [32, false]]);
    expect(variants[1]!.estimate).toBe(current);
    // More stages over the same micro-batches per pipeline: DualPipe's bubble (p/2−1)(F&B+B−3W) grows with p.
    expect(variants[0]!.estimate!.bubble.fraction).toBeLessThan(variants[2]!.estimate!.bubble.fraction);
  });
});
