// Generation fused with simulation (opStream.ts) against the table path (generateSchedule + simulate): every
// schedule, a grid of shapes and several cost sets, and the golden schedules' stored results. The two share the
// generators and the simulator's rules, so any difference is a bug in the queueing; the comparison is exact.
import { describe, expect, test } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import {
  checkScheduleConstraints, generateSchedule, SCHEDULE_IDS, scheduleProgram, simulate, simulateProgram, uniformCosts,
  type StageCosts, type TimelineSummary,
} from '../../../src/model/schedule/index';
import { GOLDEN_NAMES, GOLDEN_SCHEDULE, readGolden } from './goldenFile';

interface Shape { ranks: number; microbatches: number; chunks: number }

/** Every shape the schedule accepts with ranks 1–9, micro-batches 1–40 (a sample) and 1–4 chunks, plus two large ones. */
function shapes(id: ScheduleId): Shape[] {
  const found: Shape[] = [];
  for (const ranks of [1, 2, 3, 4, 5, 8, 9]) {
    for (const microbatches of [1, 2, 3, 5, 8, 9, 16, 17, 24, 40]) {
      for (const chunks of id === 'interleaved-1f1b' ? [1, 2, 3, 4] : [2]) {
        if (checkScheduleConstraints(id, { ranks, microbatches, chunks }) === undefined) found.push({ ranks, microbatches, chunks });
      }
    }
  }
  found.push({ ranks: 16, microbatches: 256, chunks: 2 });
  if (id !== 'dualpipe') found.push({ ranks: 7, microbatches: 70, chunks: 2 });
  return found;
}

/** A small deterministic generator, so per-stage costs differ without making the test depend on a seed library. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function variedCosts(stages: number, seed: number, p2p: number, withOverlap: boolean): StageCosts {
  const random = lcg(seed);
  const forward = Float64Array.from({ length: stages }, () => 0.2 + 2 * random());
  const weight = Float64Array.from({ length: stages }, () => 0.1 + random());
  const backward = Float64Array.from(weight, (w) => w + 0.2 + 2 * random());
  const costs: StageCosts = { forward, backward, weight, p2p };
  if (withOverlap) costs.overlapped = Float64Array.from(forward, (f, s) => Math.max(f, backward[s]!) + random() * Math.min(f, backward[s]!));
  return costs;
}

function summaryOf(timeline: TimelineSummary) {
  return {
    makespan: timeline.makespan,
    busy: Array.from(timeline.busy),
    idleVsMakespan: Array.from(timeline.idleVsMakespan),
    idleInOwnSpan: Array.from(timeline.idleInOwnSpan),
    firstStart: Array.from(timeline.firstStart),
    lastEnd: Array.from(timeline.lastEnd),
    peakActivations: Array.from(timeline.peakActivations),
  };
}

function bothPaths(id: ScheduleId, shape: Shape, costsOf: (stages: number) => StageCosts) {
  const table = generateSchedule(id, shape);
  const program = scheduleProgram(id, shape);
  if (!table.ok || !program.ok) throw new Error(`${id} ${JSON.stringify(shape)} was meant to be valid`);
  const costs = costsOf(table.schedule.stages);
  const simulated = simulate(table.schedule, costs);
  const fused = simulateProgram(program.program, costs);
  if (!simulated.ok) throw new Error(simulated.error.message);
  if (!fused.ok) throw new Error(fused.error.message);
  return { table: summaryOf(simulated.timeline), fused: summaryOf(fused.timeline) };
}

describe.each(SCHEDULE_IDS)('%s: fused generate+simulate equals the table path', (id) => {
  const grid = shapes(id);

  test('the grid covers small, uneven and large shapes', () => {
    expect(grid.length).toBeGreaterThan(id === 'dualpipe' ? 10 : 30);
  });

  test.each([
    ['unit costs', (stages: number) => uniformCosts(stages, { F: 1, B: 2, W: 1, FB: 2.5 })],
    ['per-stage costs with p2p', (stages: number) => variedCosts(stages, stages * 7919 + 1, 0.3, true)],
    ['per-stage costs, no overlap gain given, no p2p', (stages: number) => variedCosts(stages, stages * 104729 + 5, 0, false)],
  ] as const)('makespan, idle, busy time and peak activations on every shape at %s', (_, costsOf) => {
    for (const shape of grid) {
      const { table, fused } = bothPaths(id, shape, costsOf);
      expect(fused, `${id} ${JSON.stringify(shape)}`).toEqual(table);
    }
  });
});

describe.each(GOLDEN_NAMES)('golden %s on the fused path', (name) => {
  const golden = readGolden(name);
  const id = GOLDEN_SCHEDULE[name];

  test.each(golden.simulation.results.map((result) => [result.costs.name, result] as const))('%s costs', (_, expected) => {
    const program = scheduleProgram(id, { ranks: golden.p, microbatches: golden.m, chunks: golden.v });
    if (!program.ok) throw new Error(program.error.message);
    const { F, B_full, W, FB } = expected.costs;
    const result = simulateProgram(program.program, uniformCosts(program.program.stages, { F, B: B_full, W, FB }));
    if (!result.ok) throw new Error(result.error.message);
    const t = result.timeline;
    expect(t.makespan).toBeCloseTo(expected.makespan, 9);
    expected.per_rank.forEach((rank, r) => {
      expect(t.busy[r], `busy of rank ${r}`).toBeCloseTo(rank.busy, 9);
      expect(t.idleVsMakespan[r], `idle vs makespan of rank ${r}`).toBeCloseTo(rank.idle_vs_makespan, 9);
      expect(t.idleInOwnSpan[r], `idle in own span of rank ${r}`).toBeCloseTo(rank.idle_in_own_span, 9);
    });
    expect(Array.from(t.peakActivations)).toEqual(golden.peak_inflight_activations.until_W);
  });
});
