import { describe, expect, it } from 'vitest';
import { PlanKeys } from '../../../src/model/search/planKeys';
import { searchDesign } from './searchDesigns';

const plan = searchDesign('deepseek-v3', 4, {}).plan;

describe('PlanKeys', () => {
  it('gives plans the same key exactly when TP, CP, EP, ETP, micro-batch size and recomputation agree', () => {
    const keys = new PlanKeys(32, 8);
    const fields = [{ tp: 2 }, { cp: 2 }, { ep: 4 }, { etp: 2 }, { microBatchSize: 2 }, { recompute: 'full' as const }, { recomputeModules: ['moe_act' as const] }];
    const seen = new Set([keys.shared(plan)]);
    for (const change of fields) seen.add(keys.shared({ ...plan, ...change }));
    expect(seen.size).toBe(fields.length + 1);
    // PP, DP, the schedule and the ZeRO stage are not in the key; a module list with the same modules is the same.
    expect(keys.shared({ ...plan, pp: 4, dp: 8, schedule: 'dualpipe', zero: 2 })).toBe(keys.shared(plan));
    const modules = { ...plan, recompute: 'selective' as const, recomputeModules: ['layernorm' as const, 'moe_act' as const] };
    expect(keys.shared({ ...modules, recomputeModules: [...modules.recomputeModules] })).toBe(keys.shared(modules));
  });

  it('keys a plan with EP 1 as withoutExperts keys it at any EP', () => {
    const keys = new PlanKeys(32, 8);
    const withExperts: typeof plan = { ...plan, ep: 8 };
    expect(keys.withoutExperts(withExperts)).toBe(keys.shared({ ...plan, ep: 1 }));
    // Only the fields a key reads.
    const { tp, cp, etp, microBatchSize, recompute } = plan;
    expect(keys.withoutExperts({ tp, cp, etp, microBatchSize, recompute })).toBe(keys.withoutExperts(withExperts));
  });

  it('falls back to distinct strings past its digits, never to a clash', () => {
    const keys = new PlanKeys(8, 2);
    const big = keys.shared({ ...plan, tp: 16, microBatchSize: 4 });
    expect(typeof big).toBe('string');
    expect(big).not.toBe(keys.shared({ ...plan, tp: 16, microBatchSize: 3 }));
    const huge = new PlanKeys(2 ** 20, 8);
    expect(typeof huge.shared({ ...plan, tp: 2 ** 19, cp: 2, ep: 2 ** 19, etp: 3 })).toBe('string');
  });
});
