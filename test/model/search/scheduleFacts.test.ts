// The bounds' facts of a schedule, collected as its program runs or, for GPipe, 1F1B, ZB-H1, ZB-H2, ZB-V, DualPipe and
// DualPipeV, read off their phase counts (closedFormFacts.ts), equal those read off its generated op table: op
// counts by rank, kind and stage, peak chunks in flight per rank, the stages each rank holds, and the paired shares.
import { describe, expect, it } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import { peakActivationBytes } from '../../../src/model/cost/memory/activationPeak';
import type { OpCounts, PairedShares } from '../../../src/model/search/bound';
import type { RankStages } from '../../../src/model/search/memoryBound';
import { scheduleFacts } from '../../../src/model/search/scheduleFacts';
import { checkScheduleConstraints, generateSchedule, OP_FB, SCHEDULE_IDS, type Schedule } from '../../../src/model/schedule/index';

// The facts as read off a generated op table: the definitions the streaming collector must meet.
function countOps(schedule: Schedule): OpCounts {
  const kinds = 5;
  const rankStart = new Int32Array(schedule.ranks + 1);
  const rows: { kind: number; stage: number; count: number }[] = [];
  for (let r = 0; r < schedule.ranks; r++) {
    const perRank = new Float64Array(kinds * schedule.stages);
    for (let i = schedule.rankStart[r]!; i < schedule.rankStart[r + 1]!; i++) perRank[schedule.kind[i]! * schedule.stages + schedule.stage[i]!]!++;
    for (let k = 0; k < kinds; k++) for (let s = 0; s < schedule.stages; s++) if (perRank[k * schedule.stages + s]! > 0) rows.push({ kind: k, stage: s, count: perRank[k * schedule.stages + s]! });
    rankStart[r + 1] = rows.length;
  }
  return { rankStart, kind: Uint8Array.from(rows, (row) => row.kind), stage: Int32Array.from(rows, (row) => row.stage), count: Float64Array.from(rows, (row) => row.count) };
}

function rankStagesOf(schedule: Schedule): RankStages {
  const byRank: number[][] = Array.from({ length: schedule.ranks }, () => []);
  for (let i = 0; i < schedule.pipes * schedule.stages; i++) byRank[schedule.stageRank[i]!]!.push(i % schedule.stages);
  const start = new Int32Array(schedule.ranks + 1);
  for (let r = 0; r < schedule.ranks; r++) start[r + 1] = start[r]! + byRank[r]!.length;
  return { start, stage: Int32Array.from(byRank.flat()) };
}

function pairedShares(schedule: Schedule): PairedShares {
  const forward = new Float64Array(schedule.stages);
  const backward = new Float64Array(schedule.stages);
  let pairs = 0;
  for (let i = 0; i < schedule.opCount; i++) {
    if (schedule.kind[i] !== OP_FB) continue;
    pairs++;
    forward[schedule.stage[i]!]!++;
    backward[schedule.backStage[i]!]!++;
  }
  if (pairs === 0) return { forward: 0, backward: 0, mostForward: 0, mostBackward: 0 };
  const m = schedule.microbatches;
  return { forward: Math.min(...forward) / m, backward: Math.min(...backward) / m, mostForward: Math.max(...forward) / m, mostBackward: Math.max(...backward) / m };
}

/**
 * Whether scheduleFacts gives what the generated table gives for `id` with `params`: both refuse it, or every
 * figure agrees. True when the schedule applies.
 */
function expectTableFacts(id: ScheduleId, params: { ranks: number; microbatches: number; chunks?: number }): boolean {
  const generated = generateSchedule(id, params);
  const facts = scheduleFacts(id, params);
  if (!generated.ok) {
    expect(facts).toBeNull();
    return false;
  }
  expect(checkScheduleConstraints(id, params)).toBeUndefined();
  const schedule = generated.schedule;
  expect(facts).not.toBeNull();
  expect(facts!.stages).toBe(schedule.stages);
  expect(facts!.counts).toEqual(countOps(schedule));
  expect(Array.from(facts!.peaks)).toEqual(Array.from(peakActivationBytes(schedule, new Float64Array(schedule.pipes * schedule.stages).fill(1))));
  expect(facts!.rankStages).toEqual(rankStagesOf(schedule));
  expect(facts!.shares).toEqual(pairedShares(schedule));
  return true;
}

describe('scheduleFacts', () => {
  it.each(SCHEDULE_IDS.map((id) => [id]))('%s: the same facts as the generated table, over ranks, micro-batches and chunks', (id: ScheduleId) => {
    let checked = 0;
    for (const ranks of [1, 2, 3, 4, 6, 8, 16]) {
      for (const microbatches of [1, 2, 3, 4, 5, 8, 12, 16, 17, 24, 32, 40]) {
        for (const chunks of id === 'interleaved-1f1b' ? [2, 3, 4] : [undefined]) {
          if (expectTableFacts(id, { ranks, microbatches, ...(chunks ? { chunks } : {}) })) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it.each((['gpipe', '1f1b', 'zb-h1', 'zb-h2'] as const).map((id) => [id]))('%s, read off its phase counts: the table\'s facts on deep pipelines too', (id: ScheduleId) => {
    for (const ranks of [24, 32, 64]) {
      for (const microbatches of [1, ranks - 1, ranks, ranks + 1, 2 * ranks - 1, 2 * ranks, 3 * ranks + 7]) {
        expect(expectTableFacts(id, { ranks, microbatches })).toBe(true);
      }
    }
  });

  it.each((['zbv', 'dualpipe', 'dualpipev'] as const).map((id) => [id]))('%s, read off its phase counts: the table\'s facts on deep pipelines too', (id: ScheduleId) => {
    let checked = 0;
    for (const ranks of [10, 24, 32, 64]) {
      for (const microbatches of [2 * ranks - 2, 2 * ranks - 1, 2 * ranks, 2 * ranks + 1, 2 * ranks + 2, 3 * ranks + 7, 4 * ranks + 2]) {
        if (expectTableFacts(id, { ranks, microbatches })) checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
