// ZB-H2 has no reference op order (SCHEDULES.md §1: the paper's order is recalled, the ZeroBubble repository's
// ZB2P is a cost-dependent search), so its claims are proved here by simulation (Qi et al. §2.2):
// zero idle on every rank's own span at F = B−W = W once m ≥ 2p−1, and at most 2p−1 activations per rank.
import { describe, expect, test } from 'vitest';
import { generateSchedule, simulate, uniformCosts, type UniformCosts } from '../../../src/model/schedule/index';

function run(ranks: number, microbatches: number, costs: UniformCosts) {
  const generated = generateSchedule('zb-h2', { ranks, microbatches });
  if (!generated.ok) throw new Error(generated.error.message);
  const result = simulate(generated.schedule, uniformCosts(ranks, costs));
  if (!result.ok) throw new Error(result.error.message);
  return result.timeline;
}

const sizes: [number, number][] = [];
for (let p = 1; p <= 12; p++) for (let m = 2 * p - 1; m <= 40; m++) sizes.push([p, m]);

describe('ZB-H2 at F = B−W = W', () => {
  test.each([
    { F: 1, B: 2, W: 1 },
    { F: 0.75, B: 1.5, W: 0.75 },
  ])('own-span idle is 0 on every rank for p ≤ 12, 2p−1 ≤ m ≤ 40 (F=$F, B=$B, W=$W)', (costs) => {
    for (const [p, m] of sizes) {
      const timeline = run(p, m, costs);
      for (let r = 0; r < p; r++) expect(timeline.idleInOwnSpan[r], `p=${p} m=${m} rank ${r}`).toBeCloseTo(0, 9);
      // A parallelogram: rank r starts after r forwards and then is busy for m·(F+B), so the last rank sets the
      // makespan at (p−1)·F + m·(F+B).
      expect(timeline.makespan, `p=${p} m=${m}`).toBeCloseTo((p - 1) * costs.F + m * (costs.F + costs.B), 9);
    }
  });

  test('rank 0 holds exactly 2p−1 activations and no rank holds more', () => {
    for (const [p, m] of sizes) {
      const timeline = run(p, m, { F: 1, B: 2, W: 1 });
      expect(timeline.peakActivations[0], `p=${p} m=${m}`).toBe(2 * p - 1);
      expect(Math.max(...timeline.peakActivations), `p=${p} m=${m}`).toBeLessThanOrEqual(2 * p - 1);
    }
  });

  test('p=4, m=8 beats ZB-H1 by its whole bubble: makespan 27, as the ZeroBubble repository\'s ZB2P', () => {
    // SCHEDULES.md §2: zb2p_auto_p4_m8 has makespan 27 and own-span idle 0,0,0,0; ZB-H1 has 3,2,1,0.
    const timeline = run(4, 8, { F: 1, B: 2, W: 1 });
    expect(timeline.makespan).toBe(27);
    expect(Array.from(timeline.idleInOwnSpan)).toEqual([0, 0, 0, 0]);
    expect(Array.from(timeline.firstStart)).toEqual([0, 1, 2, 3]);
    expect(Array.from(timeline.lastEnd)).toEqual([24, 25, 26, 27]);
  });
});

describe('ZB-H2 with fewer than 2p−1 micro-batches', () => {
  test('rank 0 idles 2p−1−m, the least any order allows: only forwards can run before the first I returns', () => {
    for (let p = 2; p <= 8; p++) {
      for (let m = 1; m < 2 * p - 1; m++) {
        const timeline = run(p, m, { F: 1, B: 2, W: 1 });
        expect(timeline.idleInOwnSpan[0], `p=${p} m=${m}`).toBeCloseTo(2 * p - 1 - m, 9);
        expect(Math.max(...timeline.peakActivations)).toBeLessThanOrEqual(m);
      }
    }
  });
});
