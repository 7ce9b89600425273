// The bounds' facts of a schedule collected as its program runs equal those read off its generated op table: op
// counts by rank, kind and stage, peak chunks in flight per rank, the stages each rank holds, and the paired shares.
import { describe, expect, it } from 'vitest';
import type { ScheduleId } from '../../../src/model/design';
import { peakActivationBytes } from '../../../src/model/cost/memory/activationPeak';
import { countOps, pairedShares } from '../../../src/model/search/bound';
import { rankStagesOf } from '../../../src/model/search/memoryBound';
import { scheduleFacts } from '../../../src/model/search/scheduleFacts';
import { checkScheduleConstraints, generateSchedule, SCHEDULE_IDS } from '../../../src/model/schedule/index';

describe('scheduleFacts', () => {
  it.each(SCHEDULE_IDS.map((id) => [id]))('%s: the same facts as the generated table, over ranks, micro-batches and chunks', (id: ScheduleId) => {
    let checked = 0;
    for (const ranks of [1, 2, 3, 4, 6, 8, 16]) {
      for (const microbatches of [1, 2, 3, 4, 5, 8, 12, 16, 17, 24, 32, 40]) {
        for (const chunks of id === 'interleaved-1f1b' ? [2, 3, 4] : [undefined]) {
          const params = { ranks, microbatches, ...(chunks ? { chunks } : {}) };
          const generated = generateSchedule(id, params);
          const facts = scheduleFacts(id, params);
          if (!generated.ok) {
            expect(facts).toBeNull();
            continue;
          }
          expect(checkScheduleConstraints(id, params)).toBeUndefined();
          const schedule = generated.schedule;
          expect(facts).not.toBeNull();
          expect(facts!.stages).toBe(schedule.stages);
          expect(facts!.counts).toEqual(countOps(schedule));
          expect(Array.from(facts!.peaks)).toEqual(Array.from(peakActivationBytes(schedule, new Float64Array(schedule.pipes * schedule.stages).fill(1))));
          expect(facts!.rankStages).toEqual(rankStagesOf(schedule));
          expect(facts!.shares).toEqual(pairedShares(schedule));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
