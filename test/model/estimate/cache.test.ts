// The estimate cache a layout search shares: it changes no figure, and hands the same schedule to every layout of
// one shape. A priced layout (what a search ranks by) states what its report states.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign, readConfig } from '../../../src/config/index';
import type { Design } from '../../../src/model/design';
import { createEstimateCache, estimate, priceLayout } from '../../../src/model/estimate';

function example(file: string): Design {
  const text = readFileSync(file, 'utf8');
  const design = completeDesign(readConfig(text, file)!, { text }).design;
  if (!design) throw new Error(`${file} incomplete`);
  return design;
}

const dsv3 = example('examples/deepseek-v3.plens.yaml');
const withPlan = (design: Design, plan: Partial<Design['plan']>): Design => ({ ...design, plan: { ...design.plan, ...plan } });

describe('estimate() with a cache', () => {
  it('gives the same estimate and problems as without one, on first use and on reuse', () => {
    const cache = createEstimateCache();
    for (const design of [dsv3, withPlan(dsv3, { recompute: 'full' }), dsv3, withPlan(dsv3, { schedule: '1f1b' })]) {
      const cached = estimate(design, { cache });
      const plain = estimate(design);
      expect(cached.estimate).toEqual(plain.estimate);
      expect(cached.problems).toEqual(plain.problems);
    }
  });

  it('reuses one schedule for layouts that differ only outside the schedule, and builds another for new sizes', () => {
    const cache = createEstimateCache();
    const first = estimate(withPlan(dsv3, { recompute: 'none' }), { cache }).timeline!.schedule;
    const sameShape = estimate(withPlan(dsv3, { recompute: 'full', zero: 1 }), { cache }).timeline!.schedule;
    expect(sameShape).toBe(first);
    const fewerMicroBatches = withPlan(dsv3, { microBatchSize: 2, microbatches: 60 });
    const other = estimate(fewerMicroBatches, { cache }).timeline!.schedule;
    expect(other).not.toBe(first);
    expect(other.microbatches).toBe(60);
    expect(estimate(withPlan(dsv3, { schedule: '1f1b' }), { cache }).timeline!.schedule.id).toBe('1f1b');
  });
});

describe('estimate() with a cache across precisions', () => {
  it('prices each precision with its own calibration: the same as without a cache, in either order', () => {
    const precisions = [withPlan(dsv3, { precision: 'bf16' }), dsv3, withPlan(dsv3, { precision: 'fp8', fp8Recipe: 'blockwise' }), withPlan(dsv3, { precision: 'bf16' })];
    const cache = createEstimateCache();
    const steps = precisions.map((design) => {
      const cached = estimate(design, { cache });
      expect(cached.estimate).toEqual(estimate(design).estimate);
      return cached.estimate!.stepTimeSeconds;
    });
    // FP8 GEMMs run faster than BF16 ones on an H800: a cache that kept the first precision's calibration would not show it.
    expect(steps[1]).toBeLessThan(steps[0]!);
    expect(steps[3]).toBe(steps[0]);
  });

  it('refuses a precision the GPU lacks after one it has, and the reverse', () => {
    const a100 = withPlan({ ...dsv3, cluster: { ...dsv3.cluster, gpu: 'A100-80GB' } }, { precision: 'fp8' });
    const cache = createEstimateCache();
    expect(estimate(dsv3, { cache }).estimate).not.toBeNull();
    expect(estimate(a100, { cache }).problems.map((p) => p.code)).toContain('precision/unsupported');
    expect(estimate(withPlan(a100, { precision: 'bf16' }), { cache }).estimate).not.toBeNull();
    expect(estimate(a100, { cache }).problems.map((p) => p.code)).toContain('precision/unsupported');
  });
});

describe('priceLayout', () => {
  const cases: [string, Design][] = [
    ['the example', dsv3],
    ['full recomputation, 1F1B', withPlan(dsv3, { recompute: 'full', schedule: '1f1b' })],
    ['over the GPU memory', { ...dsv3, cluster: { ...dsv3.cluster, hbmGB: 24 } }],
  ];
  it.each(cases)('%s: its step time, peak and fit are its report\'s', (_name, design) => {
    const priced = priceLayout(design);
    if (!('report' in priced)) throw new Error(priced.problems.map((p) => p.message).join('; '));
    const reported = priced.report();
    expect(reported).toEqual(estimate(design));
    expect(priced.stepTimeSeconds).toBe(reported.estimate!.stepTimeSeconds);
    expect(priced.peakBytes).toBe(reported.estimate!.memory.peakBytes);
    expect(priced.overCapacity).toBe(reported.problems.some((p) => p.code === 'memory/over-capacity'));
    expect(priced.hostOverCapacity).toBe(reported.problems.some((p) => p.code === 'memory/host-over-capacity'));
    // Asked twice, the report is the same: its problems are its own list.
    expect(priced.report()).toEqual(reported);
  });

  it('says so when a rank is over the GPU memory', () => {
    const priced = priceLayout({ ...dsv3, cluster: { ...dsv3.cluster, hbmGB: 24 } });
    expect('report' in priced && priced.overCapacity).toBe(true);
    const fits = priceLayout(dsv3);
    expect('report' in fits && !fits.overCapacity && !fits.hostOverCapacity).toBe(true);
  });

  it('stops where estimate() stops: a layout over capacity with onlyIfFits, or one its caller declines', () => {
    const small = { ...dsv3, cluster: { ...dsv3.cluster, hbmGB: 24 } };
    const over = priceLayout(small, { onlyIfFits: true });
    expect('report' in over).toBe(false);
    expect(over).toEqual(estimate(small, { onlyIfFits: true }));
    const declined = priceLayout(dsv3, { beforeSimulation: () => false });
    expect(declined).toMatchObject({ estimate: null, declined: true });
    expect(declined).toEqual(estimate(dsv3, { beforeSimulation: () => false }));
  });
});
