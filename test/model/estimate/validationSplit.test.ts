// The fit/held-out split is data written down before fitting; this keeps it equal to the rule it states, so a
// row cannot quietly move from one side to the other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODERN_FIT_IDS, MODERN_HELD_OUT_IDS, splitByRule } from '../../../scripts/validationSplit';

describe('validation split', () => {
  const modern = JSON.parse(readFileSync('test/fixtures/published_runs_modern.json', 'utf8')) as { runs: { id: string; hardware: { gpu: string } }[] };

  it('is the rule applied to the modern rows, every row on exactly one side', () => {
    const roles = splitByRule(modern.runs);
    expect([...roles].filter(([, r]) => r === 'fit').map(([id]) => id)).toEqual([...MODERN_FIT_IDS]);
    expect([...roles].filter(([, r]) => r === 'held-out').map(([id]) => id)).toEqual([...MODERN_HELD_OUT_IDS]);
    expect(MODERN_FIT_IDS.length + MODERN_HELD_OUT_IDS.length).toBe(modern.runs.length);
  });

  it('holds out rows of every hardware family', () => {
    const held = new Set(modern.runs.filter((r) => MODERN_HELD_OUT_IDS.includes(r.id)).map((r) => r.hardware.gpu));
    expect(held).toEqual(new Set(modern.runs.map((r) => r.hardware.gpu)));
  });
});
