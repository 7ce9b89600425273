// A search split into parts (what the worker threads of `plens search` and the editor run) gives the whole search's
// answer: the parts' best layouts merged by score and the space's order are the same top k, whichever order the
// parts run in and however many there are, and their counts add up to the space.
import { describe, expect, it } from 'vitest';
import { searchDesign } from './searchDesigns';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { mergeSearchParts, searchLayouts, searchLayoutsPart, SharedBound, type SearchPartResult } from '../../../src/model/search';


const CASES: [string, Design][] = [
  ['Llama 3 8B on 16 H100', searchDesign('llama3-8b', 2, { globalBatchSize: 64, seqLength: 2048 })],
  ['Mixtral 8x7B on 32 GPUs of 64 GB', searchDesign('mixtral-8x7b', 4, { globalBatchSize: 64, seqLength: 4096 }, 64)],
  ['DeepSeek-V2 on 64 H100', searchDesign('deepseek-v2', 8, { globalBatchSize: 256, seqLength: 4096 })],
];

const ranking = (results: { plan: ParallelPlan; estimate: { stepTimeSeconds: number } }[]) => results.map((r) => [r.plan, r.estimate.stepTimeSeconds]);

describe('a search in parts', () => {
  it.each(CASES)('%s: parts run one after another, in either order, merge to the whole search\'s top 10', (_name, d) => {
    const whole = searchLayouts(d, { top: 10, maxMicroBatchSize: 4 });
    expect(whole.status).toBe('complete');
    expect(whole.results.length).toBeGreaterThan(0);
    for (const count of [2, 3]) {
      for (const reversed of [false, true]) {
        const bound = new SharedBound();
        const indices = Array.from({ length: count }, (_, i) => i);
        if (reversed) indices.reverse();
        const parts: SearchPartResult[] = indices.map((index) => searchLayoutsPart(d, { top: 10, maxMicroBatchSize: 4, part: { index, count, bound } }));
        const merged = mergeSearchParts(parts, 10, 0);
        expect(merged.status).toBe('complete');
        expect(ranking(merged.results)).toEqual(ranking(whole.results));
        expect(parts.reduce((sum, p) => sum + p.partSpace, 0)).toBe(whole.space);
        expect(merged.evaluated + merged.pruned).toBe(whole.space);
      }
    }
  });

  it('a shared bound keeps the least score offered, and a second view of its buffer sees it', () => {
    const bound = new SharedBound();
    expect(bound.value).toBe(Number.POSITIVE_INFINITY);
    bound.lower(3.5);
    bound.lower(7);
    bound.lower(Number.NaN);
    bound.lower(-1);
    expect(bound.value).toBe(3.5);
    const view = new SharedBound(bound.buffer);
    expect(view.value).toBe(3.5);
    view.lower(0.25);
    expect(bound.value).toBe(0.25);
  });

  it('a budget in any part makes the merged search say so and count nothing as pruned', () => {
    const d = CASES[0]![1];
    let clock = 0;
    const cut = searchLayoutsPart(d, { top: 10, maxMicroBatchSize: 4, budgetMs: 0, now: () => (clock += 10), part: { index: 0, count: 2 } });
    const full = searchLayoutsPart(d, { top: 10, maxMicroBatchSize: 4, part: { index: 1, count: 2 } });
    const merged = mergeSearchParts([cut, full], 10, 0);
    expect(merged.status).toBe('budget');
    expect(merged.cutShort).toBe(true);
    expect(merged.pruned).toBe(0);
  });
});
