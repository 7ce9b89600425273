// The estimate's simulated step (typed arrays on the host) as the plain per-rank op lists the panel's timeline
// draws. Pure, no `vscode`: nothing but JSON data may cross postMessage.
import type { EstimateResult } from '../model/estimate';
import { rankOps } from '../model/schedule/report';
import type { EstimateTimeline } from '../protocol';
import { MAX_DRAWN_OPS } from './scheduleRunner';

/** The designed step's timeline in seconds, or how many ops it has when that is more than the chart draws. */
export function timelineView(simulated: EstimateResult['timeline'], limit = MAX_DRAWN_OPS): EstimateTimeline | undefined {
  if (!simulated) return undefined;
  const { schedule, timeline } = simulated;
  if (schedule.opCount > limit) return { drawn: false, ops: schedule.opCount, limit };
  const ranks = Array.from({ length: schedule.ranks }, (_, rank) => ({ rank, ops: rankOps(schedule, timeline, rank) }));
  return { drawn: true, makespanSeconds: timeline.makespan, ranks };
}
