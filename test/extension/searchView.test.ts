// The Search tab's rows: the file's layout first (marked rank 0), the ranking after, values for sorting and texts
// for reading, all plain JSON.
import { describe, expect, it } from 'vitest';
import { searchRows, searchSummary } from '../../src/extension/search/searchView';
import { searchLayouts } from '../../src/model/search';
import { readFileSync } from 'node:fs';
import { analyseText } from '../../src/extension/analysis/pipeline';

describe('searchRows', () => {
  const analysed = analyseText({ text: readFileSync('examples/deepseek-v3.plens.yaml', 'utf8'), fileName: 'deepseek-v3.plens.yaml' })!;
  const design = analysed.completion!.design!;
  // Micro-batch 1 only: a complete search of a smaller space, the same on any machine (a budget cuts it by load).
  const result = searchLayouts(design, { top: 5, maxMicroBatchSize: 1 });

  it('finds layouts to show', () => expect(result.results.length).toBeGreaterThan(0));
  const { rows, summary } = searchRows(result, { plan: design.plan, estimate: analysed.estimate!.estimate! });

  it('puts the file\'s layout first and the search\'s ranking after it', () => {
    expect(rows[0]).toMatchObject({ rank: 0, layout: { pp: 16, ep: 64, schedule: 'DualPipe', pipelineLayout: 'even' } });
    // Each row names its pipeline layout as the search stated it (search/pipelineLayouts.ts pipelineLayoutLabel).
    for (const row of rows.slice(1)) expect(row.layout.pipelineLayout).toMatch(/^(even|first \d+|last \d+|\+E|\+L)/);
    expect(rows.slice(1).map((row) => row.rank)).toEqual(result.results.map((_, i) => i + 1));
    expect(rows[1]!.stepSeconds).toBe(result.results[0]!.estimate.stepTimeSeconds);
    expect(summary).toMatch(/^Complete: [\d,]+ layouts in the space, [\d,]+ layouts estimated \([\d,]+ fit\), [\d,]+ pruned by a bound, in /);
  });

  it('says whether each layout fits and writes its figures for people', () => {
    for (const row of rows) {
      expect(row.fits).toBe(row.peakBytes <= row.capacityBytes);
      expect(row.texts.peak).toMatch(/^[\d.]+\/[\d.]+ GiB$/);
      expect(row.texts.ib).toMatch(/B$/);
    }
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });
});

describe('searchSummary', () => {
  const design = analyseText({ text: readFileSync('examples/deepseek-v3.plens.yaml', 'utf8'), fileName: 'deepseek-v3.plens.yaml' })!.completion!.design!;
  const count = (text: string) => Number(text.replace(/,/g, ''));

  it('gives the space, the layouts estimated and pruned, and that the search is complete', () => {
    const result = searchLayouts(design, { top: 5, maxMicroBatchSize: 1 });
    expect(result.status).toBe('complete');
    const match = /^Complete: ([\d,]+) layouts in the space, ([\d,]+) layouts estimated \(([\d,]+) fit\), ([\d,]+) pruned by a bound/.exec(searchSummary(result))!;
    expect([count(match[1]!), count(match[2]!), count(match[3]!), count(match[4]!)]).toEqual([result.space, result.evaluated, result.feasible, result.pruned]);
    expect(result.evaluated + result.pruned).toBe(result.space);
  });

  it('says a search the budget cut is incomplete and how much it did not look at', () => {
    // A clock that jumps a second per reading: the 1 ms budget runs out at the first check.
    let clockMs = 0;
    const result = searchLayouts(design, { top: 5, maxMicroBatchSize: 1, budgetMs: 1, now: () => (clockMs += 1_000) });
    expect(result.status).toBe('budget');
    expect(searchSummary(result)).toContain(`Incomplete, the time budget ran out: ${result.space.toLocaleString('en-US')} layouts in the space`);
    expect(searchSummary(result)).toContain(`${(result.space - result.evaluated).toLocaleString('en-US')} not looked at`);
  });

  it('says a cancelled search is incomplete', () => {
    const result = searchLayouts(design, { top: 5, maxMicroBatchSize: 1, isCancelled: () => true });
    expect(result.status).toBe('cancelled');
    expect(searchSummary(result)).toMatch(/^Incomplete, cancelled: /);
  });
});
