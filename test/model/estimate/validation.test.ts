// The published-run comparison behind docs/VALIDATION.md: enough rows mapped and a median error within target.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRuns } from '../../../scripts/validation';

describe('validation against published runs', () => {
  const runs = JSON.parse(readFileSync('test/fixtures/published_runs.json', 'utf8'));
  const { rows, mapped, medianAbsError } = validateRuns(runs);

  it('maps every row with a published layout (not OPT, not LLaMA-1)', () => {
    expect(mapped).toBe(31);
    expect(rows.filter((r) => r.skipped).map((r) => r.id).sort()).toEqual(['llama1-13b', 'llama1-33b', 'llama1-65b', 'llama1-7b', 'opt-175b']);
  });

  it('keeps the median |error| at or under 10 %', () => {
    expect(medianAbsError).toBeLessThanOrEqual(0.1);
  });

  it('predicts Korthikanti Table 5 iteration times within 15 %', () => {
    for (const row of rows.filter((r) => r.id.startsWith('korthikanti'))) expect(Math.abs(row.error!)).toBeLessThan(0.15);
  });
});
