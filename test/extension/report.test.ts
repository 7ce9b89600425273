// The panel's Export: the HTML report is self-contained and safe to open (no script, nothing loaded, config text
// escaped), holds the figures it was given and every table; the CSV holds the estimate's and the panel's tables.
import { describe, expect, it } from 'vitest';
import { compareEstimates } from '../../src/extension/compare/estimateComparison';
import { presentEstimate } from '../../src/extension/panel/estimatePresenter';
import { reportCsv } from '../../src/extension/report/reportCsv';
import { escapeHtml, reportHtml, reportImage } from '../../src/extension/report/reportHtml';
import { compareSchedules, comparisonSummary } from '../../src/extension/compare/scheduleComparison';
import type { ScheduleComparisonMessage } from '../../src/protocol';
import { analyseData } from './helpers';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('reportImage', () => {
  it('keeps only PNG data URLs', () => {
    expect(reportImage(PNG)).toBe(PNG);
    for (const bad of ['javascript:alert(1)', 'data:image/svg+xml;base64,PHN2Zz4=', `${PNG}"><script>`, 'https://example.com/a.png', 42, undefined]) expect(reportImage(bad)).toBeUndefined();
  });
});

describe('reportHtml on deepseek-v3.plens.yaml', () => {
  const analysed = analyseData('deepseek-v3.plens.yaml');
  const view = presentEstimate('/w/deepseek-v3.plens.yaml', analysed);
  const design = analysed.completion!.design!;
  const schedules: ScheduleComparisonMessage = { type: 'scheduleComparison', fileName: 'deepseek-v3.plens.yaml', summary: comparisonSummary(design), rows: compareSchedules(design, analysed.estimate) };
  const html = reportHtml({ view, images: { timeline: PNG, memory: PNG, schedules: 'javascript:alert(1)' as string }, schedules, generatedAt: '2026-12-06T16:00:00Z', version: '0.1.0' });

  it('runs no script and loads nothing: a policy forbids both, images are data URLs', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\bsrc="(?!data:image\/png;base64,)/);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('embeds the figures it was given and says which were not drawn', () => {
    expect(html.split(`<img src="${PNG}"`).length - 1).toBe(2);
    expect(html).toContain('Makespan, bubble and peak activations per schedule: not drawn');
  });

  it('has the headline, memory, waterfall, traffic, schedules, problems and every value\'s origin', () => {
    for (const figure of view.figures) expect(html).toContain(escapeHtml(figure.text));
    for (const rank of view.memory!.ranks) expect(html).toContain(rank.totalText);
    expect(html).toContain(escapeHtml(view.waterfall!.totalText));
    expect(html).toContain(escapeHtml(view.traffic!.ibBytesPerTokenText));
    for (const row of schedules.rows) expect(html).toContain(escapeHtml(row.label));
    for (const problem of view.problems) expect(html).toContain(escapeHtml(problem.message));
    for (const assumption of view.assumptions) expect(html).toContain(escapeHtml(assumption.fromText));
  });

  it('escapes config text', () => {
    const hostile = { ...view, fileName: HOSTILE, assumptions: [{ field: 'cluster.gpu', label: 'GPU', value: HOSTILE, from: 'file' as const, fromText: HOSTILE }] };
    const page = reportHtml({ view: hostile, images: {}, generatedAt: 'now', version: '0' });
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain(escapeHtml(HOSTILE));
  });

  it('puts a comparison side by side with its Δ and verdicts', () => {
    const estimate = analysed.estimate!.estimate!;
    const comparison = compareEstimates({ title: 'a.yaml', design, estimate }, { title: 'b.yaml', design, estimate });
    const page = reportHtml({ view, images: {}, comparison, generatedAt: 'now', version: '0' });
    expect(page).toContain('a.yaml (A) against b.yaml (B)');
    expect(page).toContain('Δ (B − A)');
  });
});

describe('reportCsv', () => {
  const analysed = analyseData('deepseek-v3.plens.yaml');
  const view = presentEstimate('/w/deepseek-v3.plens.yaml', analysed);
  const design = analysed.completion!.design!;
  const rows = compareSchedules(design, analysed.estimate);
  const text = reportCsv({ estimate: analysed.estimate!.estimate, view, schedules: { type: 'scheduleComparison', fileName: 'x', summary: '', rows } });
  const tables = new Set(text.split('\r\n').slice(1, -1).map((line) => line.split(',')[0]));

  it('holds the estimate\'s tables, then problems, origins and schedules', () => {
    expect([...tables]).toEqual(['figures', 'stages', 'memory', 'traffic', 'breakdown', 'problems', 'origins', 'schedules']);
    expect(text).toContain(`figures,step_seconds,value,${analysed.estimate!.estimate!.stepTimeSeconds}\r\n`);
    expect(text).toContain('schedules,dualpipe,current,true\r\n');
    expect(text).toMatch(/schedules,interleaved-1f1b,reason,.+\r\n/);
  });

  it('writes only the view\'s tables when there is no estimate', () => {
    const only = reportCsv({ estimate: null, view });
    expect(new Set(only.split('\r\n').slice(1, -1).map((line) => line.split(',')[0]))).toEqual(new Set(['problems', 'origins']));
  });
});
