// A layout a schedule cannot run is the user's input, not a bug: every generator returns the broken rule in words
// as a `schedule/constraint` error and never throws (DESIGN.md §3 constraints column, SCHEDULES.md §1).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import { checkScheduleConstraints, generateSchedule, SCHEDULE_IDS, simulate, uniformCosts, type ScheduleParams } from '../../../src/model/schedule/index';

function constraintMessage(id: ScheduleId, params: ScheduleParams): string {
  const result = generateSchedule(id, params);
  if (result.ok) throw new Error(`${id} accepted ${JSON.stringify(params)}`);
  expect(result.error.code).toBe('schedule/constraint');
  expect(result.error.schedule).toBe(id);
  return result.error.message;
}

describe('DualPipe (dualpipe.py asserts: p even, m even, m ≥ 2p)', () => {
  test('an odd number of ranks', () => {
    expect(constraintMessage('dualpipe', { ranks: 3, microbatches: 12 })).toMatch(/DualPipe needs an even number of pipeline ranks.*got 3/);
  });
  test('an odd number of micro-batches', () => {
    expect(constraintMessage('dualpipe', { ranks: 4, microbatches: 9 })).toMatch(/DualPipe needs an even number of micro-batches.*got 9/);
  });
  test('fewer than 2p micro-batches', () => {
    expect(constraintMessage('dualpipe', { ranks: 4, microbatches: 6 })).toMatch(/DualPipe needs .*m ≥ 2p = 8.*got 6/);
  });
  test('the smallest sizes it accepts', () => {
    expect(generateSchedule('dualpipe', { ranks: 4, microbatches: 8 }).ok).toBe(true);
    expect(generateSchedule('dualpipe', { ranks: 2, microbatches: 4 }).ok).toBe(true);
  });
});

describe('DualPipeV (dualpipev.py assert: m ≥ 2d, odd m allowed)', () => {
  test('fewer than 2d micro-batches', () => {
    expect(constraintMessage('dualpipev', { ranks: 4, microbatches: 7 })).toMatch(/DualPipeV needs .*m ≥ 2d = 8.*got 7/);
  });
  test('odd m at the bound and above it', () => {
    expect(generateSchedule('dualpipev', { ranks: 4, microbatches: 8 }).ok).toBe(true);
    expect(generateSchedule('dualpipev', { ranks: 4, microbatches: 9 }).ok).toBe(true);
    expect(generateSchedule('dualpipev', { ranks: 1, microbatches: 2 }).ok).toBe(true);
  });
});

describe.each(SCHEDULE_IDS)('%s rejects sizes that are not whole and positive', (id) => {
  test('no micro-batches', () => {
    expect(constraintMessage(id, { ranks: 4, microbatches: 0 })).toMatch(/whole number of micro-batches ≥ 1, got 0/);
  });
  test('non-integer, negative and non-finite sizes', () => {
    expect(constraintMessage(id, { ranks: 2.5, microbatches: 8 })).toMatch(/whole number of ranks ≥ 1, got 2.5/);
    expect(constraintMessage(id, { ranks: 4, microbatches: 7.5 })).toMatch(/whole number of micro-batches ≥ 1, got 7.5/);
    expect(constraintMessage(id, { ranks: -2, microbatches: 8 })).toMatch(/ranks ≥ 1/);
    expect(constraintMessage(id, { ranks: Number.NaN, microbatches: 8 })).toMatch(/ranks ≥ 1, got NaN/);
    expect(constraintMessage(id, { ranks: 4, microbatches: Number.POSITIVE_INFINITY })).toMatch(/micro-batches ≥ 1, got Infinity/);
  });
});

describe('any input gives a runnable schedule or a constraint error, never an exception', () => {
  const size = fc.oneof(
    fc.integer({ min: -2, max: 40 }),
    fc.double({ min: -4, max: 40 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1e12),
  );
  test.each(SCHEDULE_IDS)('%s', (id) => {
    fc.assert(
      fc.property(size, size, fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), (ranks, microbatches, chunks) => {
        const result = generateSchedule(id, { ranks, microbatches, chunks });
        if (!result.ok) {
          expect(result.error.code).toBe('schedule/constraint');
          expect(result.error.message.length).toBeGreaterThan(10);
          return;
        }
        const simulated = simulate(result.schedule, uniformCosts(result.schedule.stages, { F: 1, B: 2, W: 1 }));
        expect(simulated.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('checkScheduleConstraints states the generator\'s rule without building the schedule', () => {
  test('the same words as generateSchedule for the cases above', () => {
    const cases: [ScheduleId, ScheduleParams][] = [
      ['dualpipe', { ranks: 3, microbatches: 12 }], ['dualpipe', { ranks: 4, microbatches: 9 }], ['dualpipe', { ranks: 4, microbatches: 6 }],
      ['dualpipev', { ranks: 4, microbatches: 7 }], ['interleaved-1f1b', { ranks: 4, microbatches: 3, chunks: 2 }],
      ['interleaved-1f1b', { ranks: 4, microbatches: 10, chunks: 2 }], ['interleaved-1f1b', { ranks: 4, microbatches: 8, chunks: 0 }],
      ['1f1b', { ranks: 2.5, microbatches: 8 }], ['zbv', { ranks: 4, microbatches: 0 }],
    ];
    for (const [id, params] of cases) expect(checkScheduleConstraints(id, params)?.message).toBe(constraintMessage(id, params));
    expect(checkScheduleConstraints('interleaved-1f1b', { ranks: 4, microbatches: 10, chunks: 2 })?.message)
      .toBe('interleaved 1F1B needs micro-batches mod N (10 mod 4 = 2) to be 0 or at least PP (4)');
  });

  test('sizes past the simulator\'s budget: the schedule\'s rules still, the budget only from the generator', () => {
    // 64 ranks × 70,000 micro-batches × 6 ops = 26,880,000 > 64 · 65,536 · 6 = 25,165,824.
    expect(constraintMessage('dualpipe', { ranks: 64, microbatches: 70_000 })).toBe(
      '64 ranks × 70000 micro-batches is more than the simulator\'s budget of 25,165,824 ops');
    expect(checkScheduleConstraints('dualpipe', { ranks: 64, microbatches: 70_000 })).toBeUndefined();
    expect(checkScheduleConstraints('dualpipe', { ranks: 64, microbatches: 70_001 })?.message).toBe(
      'DualPipe needs an even number of micro-batches (half go each direction), got 70001');
  });

  test.each(SCHEDULE_IDS)('%s: undefined exactly when the generator succeeds, else its message', (id) => {
    const size = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double({ min: -4, max: 40 }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(size, size, fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), (ranks, microbatches, chunks) => {
        const generated = generateSchedule(id, { ranks, microbatches, chunks });
        const checked = checkScheduleConstraints(id, { ranks, microbatches, chunks });
        if (generated.ok) expect(checked).toBeUndefined();
        else expect(checked).toEqual(generated.error);
      }),
      { numRuns: 200 },
    );
  });
});
