// Every generator against the reference op orders (SCHEDULES.md §2): the same ops in the same order on every rank,
// and the same simulated timings, idle times and peak activations as the reference simulator stored.
import { describe, expect, test } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import { generateSchedule, simulate, uniformCosts, type Schedule } from '../../../src/model/schedule/index';
import { GOLDEN_NAMES, GOLDEN_SCHEDULE, goldenOpText, readGolden, scheduleRankTexts } from './goldenFile';

function generated(id: ScheduleId, ranks: number, microbatches: number, chunks: number): Schedule {
  const result = generateSchedule(id, { ranks, microbatches, chunks });
  if (!result.ok) throw new Error(result.error.message);
  return result.schedule;
}

describe.each(GOLDEN_NAMES)('%s', (name) => {
  const golden = readGolden(name);
  const id = GOLDEN_SCHEDULE[name];
  const schedule = generated(id, golden.p, golden.m, golden.v);

  test('op order equals the reference op for op', () => {
    expect(schedule.ranks).toBe(golden.p);
    expect(scheduleRankTexts(schedule)).toEqual(golden.ranks.map((ops) => ops.map(goldenOpText)));
  });

  test.each(golden.simulation.results.map((result) => [result.costs.name, result] as const))('simulation at %s costs', (_, expected) => {
    const { F, B_full, W, FB } = expected.costs;
    const result = simulate(schedule, uniformCosts(schedule.stages, { F, B: B_full, W, FB }));
    if (!result.ok) throw new Error(result.error.message);
    const t = result.timeline;
    expect(t.makespan).toBeCloseTo(expected.makespan, 9);
    expected.per_rank.forEach((rank, r) => {
      expect(t.busy[r], `busy of rank ${r}`).toBeCloseTo(rank.busy, 9);
      expect(t.idleVsMakespan[r], `idle vs makespan of rank ${r}`).toBeCloseTo(rank.idle_vs_makespan, 9);
      expect(t.idleInOwnSpan[r], `idle in own span of rank ${r}`).toBeCloseTo(rank.idle_in_own_span, 9);
      expect(t.firstStart[r], `first start of rank ${r}`).toBeCloseTo(rank.first_start, 9);
      expect(t.lastEnd[r], `last end of rank ${r}`).toBeCloseTo(rank.last_end, 9);
    });
    expect(Array.from(t.peakActivations)).toEqual(golden.peak_inflight_activations.until_W);
  });

  test('every op starts and ends when the reference timeline says, at unit costs', () => {
    const result = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 3 }));
    if (!result.ok) throw new Error(result.error.message);
    const ours = golden.ranks.map((_, r) => {
      const spans: [number, number][] = [];
      for (let i = schedule.rankStart[r]!; i < schedule.rankStart[r + 1]!; i++) spans.push([result.timeline.start[i]!, result.timeline.end[i]!]);
      return spans;
    });
    expect(ours).toEqual(golden.simulation.timeline_unit);
  });
});

// The README examples of deepseek-ai/DualPipe (SCHEDULES.md §2 table, checked there against the README figures):
// DualPipe with 8 ranks and 20 micro-batches, DualPipeV with 4 devices and 10 micro-batches, both 66 cells wide;
// and the table's extra DualPipe case with 8 ranks and 16 micro-batches.
describe('DualPipe README examples', () => {
  test('DualPipe p=8, m=20: makespan 66, idle 6 on every rank, peak 9', () => {
    const schedule = generated('dualpipe', 8, 20, 2);
    const unit = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 3 }));
    if (!unit.ok) throw new Error(unit.error.message);
    expect(unit.timeline.makespan).toBe(66);
    expect(Array.from(unit.timeline.idleVsMakespan)).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
    expect(Array.from(unit.timeline.idleInOwnSpan)).toEqual([6, 5, 4, 3, 3, 4, 5, 6]);
    expect(Array.from(unit.timeline.peakActivations)).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
    const overlapped = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 2.5 }));
    if (!overlapped.ok) throw new Error(overlapped.error.message);
    expect(overlapped.timeline.makespan).toBe(59);
    expect(Array.from(overlapped.timeline.idleVsMakespan)).toEqual([3.5, 4, 4.5, 4.5, 4.5, 4.5, 4, 3.5]);
  });

  test('DualPipe p=8, m=16: makespan 54, idle 6 on every rank, peak 9', () => {
    const schedule = generated('dualpipe', 8, 16, 2);
    const unit = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 3 }));
    if (!unit.ok) throw new Error(unit.error.message);
    expect(unit.timeline.makespan).toBe(54);
    expect(Array.from(unit.timeline.idleVsMakespan)).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
    expect(Array.from(unit.timeline.idleInOwnSpan)).toEqual([6, 5, 4, 3, 3, 4, 5, 6]);
    expect(Array.from(unit.timeline.peakActivations)).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
    const overlapped = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 2.5 }));
    if (!overlapped.ok) throw new Error(overlapped.error.message);
    expect(overlapped.timeline.makespan).toBe(49);
  });

  test('DualPipeV d=4, m=10: makespan 66, idle 6 on every rank, peak 9', () => {
    const schedule = generated('dualpipev', 4, 10, 2);
    const unit = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 3 }));
    if (!unit.ok) throw new Error(unit.error.message);
    expect(unit.timeline.makespan).toBe(66);
    expect(Array.from(unit.timeline.idleVsMakespan)).toEqual([6, 6, 6, 6]);
    expect(Array.from(unit.timeline.idleInOwnSpan)).toEqual([6, 5, 4, 3]);
    expect(Array.from(unit.timeline.peakActivations)).toEqual([9, 9, 9, 9]);
    const overlapped = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 2.5 }));
    if (!overlapped.ok) throw new Error(overlapped.error.message);
    expect(overlapped.timeline.makespan).toBe(59);
  });
});

// Claims SCHEDULES.md §1–§2 make beyond the stored sizes.
describe('reference claims beyond the golden sizes', () => {
  test('ZB-V: own-span idle 0 and at most 2p chunk activations at F = B−W = W for p ≤ 10, 2p−1 ≤ m ≤ 40', () => {
    for (let p = 1; p <= 10; p++) {
      for (let m = 2 * p - 1; m <= 40; m++) {
        const schedule = generated('zbv', p, m, 2);
        const result = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1 }));
        if (!result.ok) throw new Error(result.error.message);
        expect(Math.max(...result.timeline.idleInOwnSpan), `p=${p} m=${m}`).toBeCloseTo(0, 9);
        expect(Math.max(...result.timeline.peakActivations), `p=${p} m=${m}`).toBeLessThanOrEqual(2 * p);
      }
    }
  });

  test('ZB-H1 at F=1.3, B=2.9, W=0.8, p=4, m=8: idle (p−1)(F+B−2W) = 7.8 on every rank', () => {
    const schedule = generated('zb-h1', 4, 8, 1);
    const result = simulate(schedule, uniformCosts(schedule.stages, { F: 1.3, B: 2.9, W: 0.8 }));
    if (!result.ok) throw new Error(result.error.message);
    for (let r = 0; r < 4; r++) expect(result.timeline.idleVsMakespan[r]).toBeCloseTo(7.8, 9);
  });
});
