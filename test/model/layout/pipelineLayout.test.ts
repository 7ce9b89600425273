// The layout language as Megatron-LM's PipelineParallelLayerLayout reads it, the rules it enforces, folding a
// layout back into letters, and the most balanced layout. Expected values are worked by hand.
import { describe, expect, it } from 'vitest';
import { balancedLayoutString, layoutWeights, mostBalancedLayout } from '../../../src/model/balancedLayout';
import { findModel } from '../../../src/model/catalog/models';
import type { Design } from '../../../src/model/design';
import { formatLayout, layoutRuleBroken, parseLayoutList, parseLayoutString, statedLayout, type StageHolding } from '../../../src/model/pipelineLayout';

const decoders = (text: string): number[] => {
  const parsed = parseLayoutString(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.stages.map((s) => s.decoderLayers);
};

describe('parseLayoutString', () => {
  it('reads stages split by | with E, t, m, L', () => {
    const parsed = parseLayoutString('Ettt|tt|tm|L');
    expect(parsed).toEqual({ ok: true, stages: [
      { embedding: true, decoderLayers: 3, mtpLayers: 0, loss: false },
      { embedding: false, decoderLayers: 2, mtpLayers: 0, loss: false },
      { embedding: false, decoderLayers: 1, mtpLayers: 1, loss: false },
      { embedding: false, decoderLayers: 0, mtpLayers: 0, loss: true },
    ] });
  });

  it('unrolls (group)*n, then x*n, and drops cosmetic commas', () => {
    // Megatron's docstring: "Ettt|(tt|)*29,m|L" → [E t t t] + [t t]*29 + [m], [L]: 32 stages.
    expect(decoders('Ettt|(tt|)*29,m|L')).toEqual([3, ...new Array(29).fill(2), 0, 0]);
    // Its comments: xy(ab|cd)*2 style groups, and (|ab)*2,cd → |ab|abcd.
    expect(decoders('E(|tt)*2,tL')).toEqual([0, 2, 3]);
    expect(decoders('Et*12|t*10L')).toEqual([12, 10]);
    expect(decoders('E|*3L')).toEqual([0, 0, 0, 0]);
  });

  it('keeps empty stages', () => {
    expect(decoders('E||tL')).toEqual([0, 0, 1]);
  });

  it('refuses what Megatron cannot read, saying why', () => {
    const message = (text: string) => {
      const parsed = parseLayoutString(text);
      return parsed.ok ? '' : parsed.message;
    };
    expect(message('E((t|)*2)*2L')).toMatch(/parenthesis/);
    expect(message('E(t|t)L')).toMatch(/parenthesis/);
    expect(message('Et t|tL')).toMatch(/" " is not a layout character/);
    expect(message('Ex|tL')).toMatch(/"x" is not a layout character/);
    expect(message('Et*100000000|L')).toMatch(/expands to more than/);
  });

  it('reads an explicit list as one stage per entry', () => {
    const parsed = parseLayoutList(['Et*2', 'tt', 'tmL']);
    expect(parsed.ok && parsed.stages.map((s) => s.decoderLayers)).toEqual([2, 2, 1]);
    expect(parseLayoutList(['Et', 't|t', 'L'])).toMatchObject({ ok: false, message: expect.stringMatching(/stage 1/) });
  });
});

describe("Megatron's layout rules", () => {
  const rule = (text: string, layers: number, mtpLayers: number, ranks: number) => {
    const parsed = parseLayoutString(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return statedLayout({ layout: text }, { layers, mtpLayers, ranks, stageCount: parsed.stages.length });
  };
  it('accepts a valid layout with E first, L last, decoders before MTP', () => {
    expect(rule('Et*3|(tt|)*29,m|L', 61, 1, 16)).toMatchObject({ ok: true });
  });
  it.each([
    ['Et|tt|L', 3, 0, 2, /3 stages, not a multiple of pp = 2/],
    ['tE|tL', 2, 0, 2, /first unit of the layout must be the embedding/],
    ['Et|Lt', 2, 0, 2, /last unit of the layout must be the loss/],
    ['EEt|tL', 2, 0, 2, /embedding \(E\) must appear exactly once, found 2/],
    ['Et|tL', 3, 0, 2, /2 decoder layers \(t\) but the model has 3/],
    ['Et|tL', 2, 1, 2, /0 MTP modules \(m\) but the model has 1/],
    ['Emt|tL', 2, 1, 2, /decoder layers \(t\) must come before MTP modules/],
    ['Et|tm|m|L', 2, 2, 2, /all MTP modules must sit in one stage/],
    ['Et|m|t|L', 2, 1, 2, /decoder layers \(t\) must come before MTP/],
    ['Etm|t|t|L', 3, 1, 2, /decoder layers \(t\) must come before MTP/],
  ])('%s', (text, layers, mtp, ranks, message) => {
    expect(rule(text, layers, mtp, ranks)).toMatchObject({ ok: false, message: expect.stringMatching(message) });
  });
  it('keeps MTP in the last chunk of its rank', () => {
    // 4 stages on 2 ranks: stage 1 is chunk 0 of rank 1 — not its last chunk.
    const stages: StageHolding[] = [
      { embedding: true, decoderLayers: 2, mtpLayers: 0, loss: false }, { embedding: false, decoderLayers: 0, mtpLayers: 1, loss: false },
      { embedding: false, decoderLayers: 0, mtpLayers: 0, loss: false }, { embedding: false, decoderLayers: 0, mtpLayers: 0, loss: true },
    ];
    expect(layoutRuleBroken(stages, { layers: 2, mtpLayers: 1, ranks: 2, stageCount: 4 })).toMatch(/last virtual stage of its rank/);
  });
});

describe('formatLayout', () => {
  it.each(['Et*3|(tt|)*29m|L', 'E|(t|)*126L', 'Ett|tt|tt|tL', 'E||tL', 'Et|(tt|)*2tt'])('folds %s and reads back the same stages', (text) => {
    const parsed = parseLayoutString(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const folded = formatLayout(parsed.stages);
    expect(parseLayoutString(folded)).toEqual(parsed);
  });
  it('writes the short form', () => {
    const parsed = parseLayoutString('Ettt|tt|tt|tt|tt|mL');
    expect(parsed.ok && formatLayout(parsed.stages)).toBe('Et*3|(tt|)*4mL');
  });
});

describe('mostBalancedLayout', () => {
  const uniform = (layers: number, loss: number, mtp = 0) => ({ embedding: 0, layers: new Array(layers).fill(1), mtpLayers: mtp > 0 ? 1 : 0, mtp, loss });
  it('splits equal layers evenly when embedding and loss weigh nothing', () => {
    expect(formatLayout(mostBalancedLayout(uniform(8, 0), 4, 1))).toBe('Ett|(tt|)*2ttL');
  });
  it('gives a head that weighs two layers a stage of its own', () => {
    // 6 layers + head 2 = 8 over 4 stages: bound 2 → [E t t] [t t] [t t] [L].
    expect(formatLayout(mostBalancedLayout(uniform(6, 2), 4, 1))).toBe('Ett|(tt|)*2L');
  });
  it('puts 126 layers on 16 × 8 stages with the embedding and the loss alone', () => {
    expect(formatLayout(mostBalancedLayout(uniform(126, 1), 16, 8))).toBe('E|(t|)*126L');
  });
  it('keeps MTP where Megatron allows it', () => {
    // 4 layers, MTP 1, loss 1 on 3 ranks × 2 chunks: MTP alone on stage 4 (rank 1, last chunk) is allowed.
    const stages = mostBalancedLayout(uniform(4, 1, 1), 3, 2);
    expect(formatLayout(stages)).toBe('Et|(t|)*3m|L');
    // On 6 ranks × 1 chunk the same stages are all last chunks as well.
    expect(layoutRuleBroken(mostBalancedLayout(uniform(4, 1, 1), 6, 1), { layers: 4, mtpLayers: 1, ranks: 6, stageCount: 6 })).toBeUndefined();
  });
  it('balances DeepSeek-V3 (dense first layers, MoE rest, MTP, heavy head) no worse than its published 16 × 2 layout', () => {
    const arch = findModel('deepseek-v3')!.arch;
    const design: Design = {
      model: arch,
      plan: { tp: 1, pp: 16, vpp: 2, cp: 1, ep: 64, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
        globalBatchSize: 15360, microbatches: 120, schedule: 'interleaved-1f1b', recompute: 'none', precision: 'fp8', nodeLimit: 4 },
      cluster: { gpu: 'H800', gpusPerNode: 8, nodes: 256, worldSize: 2048 },
    };
    const weights = layoutWeights(design);
    const heaviest = (stages: StageHolding[]) => {
      let index = 0;
      return Math.max(...stages.map((s) => {
        let w = (s.embedding ? weights.embedding : 0) + (s.loss ? weights.loss : 0) + (s.mtpLayers > 0 ? weights.mtp : 0);
        for (let i = 0; i < s.decoderLayers; i++) w += weights.layers[index++]!;
        return w;
      }));
    };
    const text = balancedLayoutString(design, 16, 2);
    const ours = parseLayoutString(text);
    const published = parseLayoutString('Et*3|(tt|)*29,m|L');
    if (!ours.ok || !published.ok) throw new Error('unparsable');
    expect(statedLayout({ layout: text }, { layers: 61, mtpLayers: 1, ranks: 16, stageCount: 32 })).toMatchObject({ ok: true });
    expect(heaviest(ours.stages)).toBeLessThanOrEqual(heaviest(published.stages));
  });
});
