import { describe, expect, it } from 'vitest';
import { compareEstimates, verdictOf } from '../../src/extension/compare/estimateComparison';
import { applyWhatIf } from '../../src/extension/analysis/whatIf';
import { estimate } from '../../src/model/estimate';
import { analyseData } from './helpers';

describe('verdictOf', () => {
  it('calls a lower step time better and a lower MFU worse', () => {
    expect(verdictOf(10, 8, false)).toBe('better');
    expect(verdictOf(0.4, 0.3, true)).toBe('worse');
  });
  it('reads changes within a thousandth as the same (three significant digits)', () => {
    expect(verdictOf(10, 10.005, false)).toBe('same');
    expect(verdictOf(0, 0, true)).toBe('same');
  });
});

describe('compareEstimates: deepseek-v3.plens.yaml against itself with PP 8', () => {
  const result = analyseData('deepseek-v3.plens.yaml');
  const design = result.completion!.design!;
  const applied = applyWhatIf(design, { pp: 8 });
  if (typeof applied === 'string') throw new Error(applied);
  const other = estimate(applied.design).estimate!;
  const own = result.estimate!.estimate!;
  const comparison = compareEstimates({ title: 'deepseek-v3.plens.yaml', design, estimate: own }, { title: 'PP 8', design: applied.design, estimate: other });
  const figure = (id: string) => comparison.figures.find((row) => row.id === id)!;

  it('gives B − A and the relative change with its sign', () => {
    const step = figure('step-time');
    const delta = other.stepTimeSeconds - own.stepTimeSeconds;
    expect(step.deltaText.startsWith(delta > 0 ? '+' : '−')).toBe(true);
    const percent = (Math.abs(delta) / own.stepTimeSeconds) * 100;
    expect(Number(step.percentText.replace(/[+−%]/g, ''))).toBeCloseTo(percent, 0);
    expect(step.verdict).toBe(delta < 0 ? 'better' : 'worse');
  });

  it('marks throughput the other way round from step time', () => {
    const step = figure('step-time').verdict;
    const throughput = figure('tokens-per-second').verdict;
    expect(step === 'better' ? throughput === 'better' : throughput === 'worse').toBe(true);
  });

  it('gives fractions in points', () => {
    expect(figure('bubble').deltaText).toMatch(/points$/);
  });

  it('marks exactly the settings that differ', () => {
    expect(comparison.settings.filter((row) => row.verdict === 'changed').map((row) => row.id).sort()).toEqual(['dp', 'micro-batches', 'pp'].sort());
    expect(comparison.settings.find((row) => row.id === 'pp')).toMatchObject({ left: '16', right: '8' });
  });

  it('says which side has no estimate', () => {
    const half = compareEstimates({ title: 'a', design, estimate: own }, { title: 'b.sh', design: undefined, estimate: null, unavailable: 'not a training config' });
    expect(half.notes).toEqual(['b.sh: no estimate (not a training config)']);
    expect(half.figures.find((row) => row.id === 'step-time')).toMatchObject({ right: '—', deltaText: '', verdict: 'changed' });
  });
});
