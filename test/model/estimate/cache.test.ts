// The estimate cache a layout search shares: it changes no figure, and hands the same schedule to every layout of
// one shape.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign, readConfig } from '../../../src/config/index';
import type { Design } from '../../../src/model/design';
import { createEstimateCache, estimate } from '../../../src/model/estimate';

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
