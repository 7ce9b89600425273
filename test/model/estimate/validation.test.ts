// The published-run comparison behind docs/VALIDATION.md: enough rows mapped and a median error within target.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarise, validateRuns, validateSplit } from '../../../scripts/validation';

describe('validation against published runs', () => {
  const runs = JSON.parse(readFileSync('test/fixtures/published_runs.json', 'utf8'));
  const { rows, mapped, medianAbsError } = validateRuns(runs);

  it('maps every row with a published layout (not OPT, not LLaMA-1)', () => {
    expect(mapped).toBe(31);
    expect(rows.filter((r) => r.skipped).map((r) => r.id).sort()).toEqual(['llama1-13b', 'llama1-33b', 'llama1-65b', 'llama1-7b', 'opt-175b']);
  });

  it('keeps the A100 median |error| at or under 5 %', () => {
    expect(medianAbsError).toBeLessThanOrEqual(0.05);
  });

  it('predicts Korthikanti Table 5 iteration times within 15 %', () => {
    for (const row of rows.filter((r) => r.id.startsWith('korthikanti'))) expect(Math.abs(row.error!)).toBeLessThan(0.15);
  });
});

describe('validation of the modern rows (docs/VALIDATION.md)', () => {
  const a100 = JSON.parse(readFileSync('test/fixtures/published_runs.json', 'utf8'));
  const modern = JSON.parse(readFileSync('test/fixtures/published_runs_modern.json', 'utf8'));
  const { fit, heldOut } = validateSplit(a100, modern);

  it('maps every modern row, on the side the split puts it', () => {
    expect(heldOut.every((r) => r.predicted !== null && r.role === 'held-out')).toBe(true);
    expect(fit.filter((r) => r.hardware !== 'A100').every((r) => r.predicted !== null && r.role === 'fit')).toBe(true);
    expect(heldOut).toHaveLength(13);
  });

  // Issue 8's targets are a held-out median ≤ 6 % and max ≤ 20 %; VALIDATION.md says which are met. These bounds
  // guard against regressions: the max target is met and asserted; the median came out at 6.2 % after the refit
  // that followed the CP ring terms (constants fitted on fit rows only), so it is guarded at 7 %, not tuned back.
  it('keeps the held-out max |error| at or under 20 % and the median under 7 %', () => {
    expect(summarise(heldOut).maxAbsError).toBeLessThanOrEqual(0.2);
    expect(summarise(heldOut).medianAbsError).toBeLessThanOrEqual(0.07);
  });
});
