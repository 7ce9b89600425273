// The search is complete and deterministic: its top-k equals what estimating every layout of the space would rank
// first (the bounds rule out only layouts that cannot make the top-k), ties fall in the space's order, and only a
// budget or a cancel cuts it short, saying so. The estimate cache it shares (stage costs per stageCostKey,
// simulations per schedule and key) changes no figure on random layouts of the space.
import { describe, expect, it } from 'vitest';
import { searchDesign } from './searchDesigns';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { createEstimateCache, estimate } from '../../../src/model/estimate';
import { enumerateFamilies, searchLayouts } from '../../../src/model/search';
import { choicePlan, enumerateShapes, expertSiblings, ONE_STAGE, shapeFamilies, stageCostKeyOf, type Shape } from '../../../src/model/search/space';
import { chunksPerRank, memoryLowerBound } from '../../../src/model/search/memoryBound';
import { checkLayout, stageCount } from '../../../src/model/layoutChecks';
import { stageCostKey } from '../../../src/model/stageCostCache';
import { seededRandom } from '../../testInputs';


/** Every layout of the space with its order, as the search numbers them. */
function everyLayout(d: Design, maxMicroBatchSize: number): { plan: ParallelPlan; order: number }[] {
  return enumerateFamilies(d, { maxMicroBatchSize }).flatMap((family) =>
    family.schedules.flatMap((choice, s) => family.zeros.map((zero, z) => ({
      plan: { ...choicePlan(family.plan, choice), zero },
      order: family.order + s * family.zeros.length + z,
    }))));
}

function exhaustiveTop(d: Design, maxMicroBatchSize: number, top: number, objective: 'step-time' | 'memory' = 'step-time') {
  const ranked: { plan: ParallelPlan; order: number; score: number }[] = [];
  for (const { plan, order } of everyLayout(d, maxMicroBatchSize)) {
    const result = estimate({ ...d, plan });
    if (!result.estimate || result.problems.some((p) => p.severity === 'error')) continue;
    ranked.push({ plan, order, score: objective === 'memory' ? result.estimate.memory.peakBytes : result.estimate.stepTimeSeconds });
  }
  ranked.sort((a, b) => a.score - b.score || a.order - b.order);
  return ranked.slice(0, top);
}

const CASES: [string, Design, number][] = [
  ['Llama 3 8B on 8 H100', searchDesign('llama3-8b', 1, { globalBatchSize: 32, microbatches: 4, seqLength: 2048 }), 2],
  ['Llama 3 8B on 8 GPUs of 24 GB (memory binds)', searchDesign('llama3-8b', 1, { globalBatchSize: 16, microbatches: 2, seqLength: 2048 }, 24), 2],
  ['Mixtral 8x7B on 16 H100 (EP, ETP, DualPipe)', searchDesign('mixtral-8x7b', 2, { globalBatchSize: 16, microbatches: 1, seqLength: 2048 }), 1],
  // Activations in flight decide what fits: the memory bound's in-flight share must not rule out a layout that fits.
  ['Mixtral 8x7B on 16 GPUs of 64 GB (MoE, memory binds)', searchDesign('mixtral-8x7b', 2, { globalBatchSize: 16, microbatches: 1, seqLength: 4096 }, 64), 1],
];

describe('searchLayouts is complete', () => {
  it.each(CASES)('%s: the same top 8 as estimating every layout', (_name, d, maxMicroBatchSize) => {
    const expected = exhaustiveTop(d, maxMicroBatchSize, 8);
    expect(expected.length).toBeGreaterThan(0);
    const result = searchLayouts(d, { top: 8, maxMicroBatchSize });
    expect(result.status).toBe('complete');
    expect(result.space).toBe(everyLayout(d, maxMicroBatchSize).length);
    expect(result.evaluated + result.pruned).toBe(result.space);
    expect(result.results.map((r) => r.plan)).toEqual(expected.map((e) => e.plan));
    expect(result.results.map((r) => r.estimate.stepTimeSeconds)).toEqual(expected.map((e) => e.score));
  });

  it.each(CASES)('%s: every layout of the space passes the layout checks, which the search\'s estimates skip', (_name, d, maxMicroBatchSize) => {
    const layouts = everyLayout(d, maxMicroBatchSize);
    expect(layouts.length).toBeGreaterThan(100);
    for (const { plan } of layouts) expect(checkLayout({ ...d, plan }).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('ranks by peak memory when asked, completely too', () => {
    const [, d, maxMicroBatchSize] = CASES[0]!;
    const expected = exhaustiveTop(d, maxMicroBatchSize, 5, 'memory');
    const result = searchLayouts(d, { top: 5, maxMicroBatchSize, objective: 'memory' });
    expect(result.results.map((r) => r.plan)).toEqual(expected.map((e) => e.plan));
  });

  it('gives the same answer twice, and a budget or a cancel says it cut the search short', () => {
    const [, d, maxMicroBatchSize] = CASES[0]!;
    const first = searchLayouts(d, { top: 5, maxMicroBatchSize });
    const second = searchLayouts(d, { top: 5, maxMicroBatchSize });
    expect(second.results.map((r) => r.plan)).toEqual(first.results.map((r) => r.plan));
    let clock = 0;
    const budgeted = searchLayouts(d, { top: 5, maxMicroBatchSize, budgetMs: 10, now: () => (clock += 1) });
    expect(budgeted.status).toBe('budget');
    expect(budgeted.cutShort).toBe(true);
    let polls = 0;
    const cancelled = searchLayouts(d, { top: 5, maxMicroBatchSize, isCancelled: () => ++polls > 3 });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.pruned).toBe(0);
  });
});

describe('the memory bound', () => {
  it('is at most the peak memory of every layout of the family it bounds (in-flight activations included)', () => {
    const random = seededRandom(7);
    const [, small, smallMicroBatch] = CASES[1]!;
    // With activation offloading each chunk's first layers keep nothing in HBM (cost/memory/offload.ts).
    const offloading: Design = { ...small, plan: { ...small.plan, activationOffloadLayers: 2 } };
    for (const [, d, maxMicroBatchSize] of [CASES[1]!, CASES[3]!, ['offloading', offloading, smallMicroBatch] as const]) {
      const families = enumerateFamilies(d, { maxMicroBatchSize });
      for (let i = 0; i < 40; i++) {
        const family = families[Math.floor(random() * families.length)]!;
        const bound = memoryLowerBound(d, family.plan, family.zeros, chunksPerRank(family.schedules));
        for (const choice of family.schedules) {
          for (const zero of family.zeros) {
            const result = estimate({ ...d, plan: { ...choicePlan(family.plan, choice), zero } });
            if (result.estimate) expect(bound).toBeLessThanOrEqual(result.estimate.memory.peakBytes);
          }
        }
      }
    }
  });
});

describe('the space', () => {
  it('GPT-3 175B on 1,024 A100: VPP 3 and 6, micro-batches 1 to 8, recompute none, selective and full', () => {
    const gpt3: Design = {
      ...searchDesign('gpt3-175b', 128, { seqLength: 2048, globalBatchSize: 1536, microbatches: 12 }),
      cluster: { gpu: 'A100-80GB', gpusPerNode: 8, nodes: 128, worldSize: 1024 },
    };
    const families = enumerateFamilies(gpt3);
    const vpps = new Set(families.flatMap((f) => f.schedules.filter((s) => s.schedule === 'interleaved-1f1b').map((s) => s.vpp)));
    expect(vpps.has(3) && vpps.has(6)).toBe(true);
    // Every size from 1 to 8 that divides the batch of each data-parallel rank (1,536 = 2⁹ · 3: not 5 or 7).
    expect([...new Set(families.map((f) => f.plan.microBatchSize))].sort()).toEqual([1, 2, 3, 4, 6, 8]);
    expect(new Set(families.map((f) => f.plan.recompute))).toEqual(new Set(['none', 'selective', 'full']));
  });

  it('groups the shapes of one TP, CP, PP, DP and ETP by EP, in order, with their families lined up', () => {
    const deepseek: Design = searchDesign('deepseek-v3', 64, { seqLength: 4096, globalBatchSize: 1024, microbatches: 16 });
    const shapes = enumerateShapes(deepseek);
    const runs = expertSiblings(shapes);
    expect(runs.flat()).toEqual(shapes);
    expect(runs.some((run) => run.length > 2)).toBe(true);
    const degrees = (shape: Shape) => [shape.base.tp, shape.base.cp, shape.base.pp, shape.base.dp, shape.base.etp].join('/');
    for (const run of runs) {
      expect(new Set(run.map(degrees)).size).toBe(1);
      expect(new Set(run.map((shape) => shape.base.ep)).size).toBe(run.length);
      const families = run.map(shapeFamilies);
      for (const list of families) {
        expect(list.map((f) => [f.plan.microBatchSize, f.plan.recompute, f.plan.recomputeModules, f.schedules])).toEqual(families[0]!.map((f) => [f.plan.microBatchSize, f.plan.recompute, f.plan.recomputeModules, f.schedules]));
      }
    }
    // Neighbours in the space with other degrees are never one run.
    for (let i = 1; i < runs.length; i++) expect(degrees(runs[i]![0]!)).not.toBe(degrees(runs[i - 1]![0]!));
  });
});

describe('the estimate cache', () => {
  it('keys a search\'s stage costs by number only where the plan fields the costs read agree', () => {
    for (const [, d, maxMicroBatchSize] of CASES) {
      const generic = new Map<string | number, string>();
      for (const family of enumerateFamilies(d, { maxMicroBatchSize })) {
        for (const choice of family.schedules) {
          const plan = choicePlan(family.plan, choice);
          const pairs = choice.schedule === 'dualpipe' || choice.schedule === 'dualpipev';
          // The one-stage key stands for the plan with none of the layout's options (one stage holds every layer).
          const oneStage = { ...family.plan, schedule: '1f1b' as const, vpp: 1 };
          for (const [stages, content, keyed] of [[1, ONE_STAGE, oneStage], [stageCount({ plan }), choice.content, plan]] as const) {
            const key = stageCostKeyOf(family.order, content, pairs);
            const expected = stageCostKey(keyed, stages);
            expect(generic.get(key) ?? expected).toBe(expected);
            generic.set(key, expected);
          }
        }
      }
      expect(generic.size).toBeGreaterThan(1);
    }
  });

  it('changes no figure on random layouts of a space (stage-cost key, shared simulations, peak counts)', () => {
    const random = seededRandom(12);
    for (const d of [CASES[0]![1], CASES[2]![1]]) {
      const layouts = everyLayout(d, 2);
      const cache = createEstimateCache();
      for (let i = 0; i < 120; i++) {
        const { plan } = layouts[Math.floor(random() * layouts.length)]!;
        const cached = estimate({ ...d, plan }, { cache });
        const plain = estimate({ ...d, plan });
        expect(cached.estimate).toEqual(plain.estimate);
        expect(cached.problems).toEqual(plain.problems);
      }
    }
  });
});
