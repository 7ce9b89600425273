// The estimate's simulated step (typed arrays on the host) as the plain per-rank op lists the panel's timeline
// draws. Pure, no `vscode`: nothing but JSON data may cross postMessage.
import type { EstimateResult } from '../model/estimate';
import { OP_FB, OP_NAMES } from '../model/schedule/ops';
import type { EstimateTimeline, ScheduleReport } from '../protocol';
import { MAX_DRAWN_OPS } from './scheduleRunner';

type RankOps = NonNullable<ScheduleReport['ranks'][number]['ops']>;

/** The designed step's timeline in seconds, or how many ops it has when that is more than the chart draws. */
export function timelineView(simulated: EstimateResult['timeline'], limit = MAX_DRAWN_OPS): EstimateTimeline | undefined {
  if (!simulated) return undefined;
  const { schedule, timeline } = simulated;
  if (schedule.opCount > limit) return { drawn: false, ops: schedule.opCount, limit };
  const ranks: { rank: number; ops: RankOps }[] = [];
  for (let rank = 0; rank < schedule.ranks; rank++) {
    const ops: RankOps = [];
    for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
      const kind = schedule.kind[i]!;
      const op: RankOps[number] = {
        op: OP_NAMES[kind]!,
        mb: schedule.mb[i]!,
        chunk: schedule.chunk[i]!,
        stage: schedule.stage[i]!,
        start: timeline.start[i]!,
        end: timeline.end[i]!,
      };
      if (kind === OP_FB) op.backward = { mb: schedule.backMb[i]!, chunk: schedule.backChunk[i]!, stage: schedule.backStage[i]! };
      ops.push(op);
    }
    ranks.push({ rank, ops });
  }
  return { drawn: true, makespanSeconds: timeline.makespan, ranks };
}
