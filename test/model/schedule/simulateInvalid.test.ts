// A broken op table is an error value from the simulator, never a silent timeline: a repeated op, an op on the
// wrong rank, a micro-batch out of range, an order that deadlocks.
import { describe, expect, it } from 'vitest';
import { generateSchedule, OP_B, simulate, uniformCosts, type Schedule } from '../../../src/model/schedule/index';

function oneFOneB(): Schedule {
  const generated = generateSchedule('1f1b', { ranks: 4, microbatches: 8 });
  if (!generated.ok) throw new Error(generated.error.message);
  const s = generated.schedule;
  // A private copy whose arrays a test may change.
  return { ...s, kind: s.kind.slice(), mb: s.mb.slice(), stage: s.stage.slice(), backMb: s.backMb.slice(), backStage: s.backStage.slice() };
}

function message(schedule: Schedule): string {
  const result = simulate(schedule, uniformCosts(schedule.stages, { F: 1, B: 2, W: 1 }));
  return result.ok ? 'ok' : result.error.message;
}

describe('simulate on a broken table', () => {
  it('times the untouched table', () => {
    expect(message(oneFOneB())).toBe('ok');
  });

  it('reports a forward that repeats another', () => {
    const schedule = oneFOneB();
    // Rank 0's second op is F of micro-batch 1; make it F of micro-batch 0 again.
    schedule.mb[1] = 0;
    schedule.backMb[1] = 0;
    expect(message(schedule)).toMatch(/repeat|deadlock/);
  });

  it('reports a repeated backward', () => {
    const schedule = oneFOneB();
    const last = schedule.rankStart[1]! - 1;
    expect(schedule.kind[last]).toBe(OP_B);
    schedule.mb[last] = schedule.mb[last - 1]!;
    schedule.backMb[last] = schedule.backMb[last - 1]!;
    expect(message(schedule)).toMatch(/repeat/);
  });

  it('reports an op whose stage lives on another rank', () => {
    const schedule = oneFOneB();
    schedule.stage[0] = 1;
    schedule.backStage[0] = 1;
    expect(message(schedule)).toMatch(/rank 0 runs an op of stage 1, which lives on rank 1/);
  });

  it('reports a micro-batch out of range', () => {
    const schedule = oneFOneB();
    schedule.mb[0] = 8;
    schedule.backMb[0] = 8;
    expect(message(schedule)).toMatch(/out of range/);
  });

  it('reports an order that deadlocks', () => {
    const schedule = oneFOneB();
    // Rank 3 (the last stage) runs B of micro-batch 0 before its F.
    const first = schedule.rankStart[3]!;
    schedule.kind[first] = OP_B;
    schedule.kind[first + 1] = 0;
    expect(message(schedule)).toMatch(/deadlock/);
  });
});
