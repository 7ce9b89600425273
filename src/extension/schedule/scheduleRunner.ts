// Turns a panel query into the message the webview draws, through the same `runScheduleReport` that
// `plens schedule --json` prints, so panel and CLI cannot disagree. Pure (no `vscode`).
import { scheduleOpBound } from '../../model/schedule/index';
import { runScheduleReport } from '../../model/schedule/report';
import type { ScheduleErrorMessage, ScheduleMessage, ScheduleQuery, TimelineSpec } from '../../protocol';

/** An upper bound on the query's op count (the engine's own). */
export function opBound(query: ScheduleQuery): number {
  return scheduleOpBound(query.schedule, { ranks: query.pp, microbatches: query.microbatches, ...(query.chunks !== undefined ? { chunks: query.chunks } : {}) });
}

/**
 * The figures come without op lists: the page replays the timeline from the query's uniform costs
 * (webview/timeline/replay.ts), so any size is drawn and the message stays a few hundred bytes.
 */
export function runScheduleQuery(query: ScheduleQuery): ScheduleMessage | ScheduleErrorMessage {
  const result = runScheduleReport({ ...query, includeOps: false });
  if (!result.ok) return { type: 'scheduleError', query, code: result.error.code, message: result.error.message };
  const { report } = result;
  const stages = (value: number) => new Array<number>(result.stages).fill(value);
  const timeline: TimelineSpec = {
    schedule: report.schedule,
    ranks: report.pp,
    microbatches: report.microbatches,
    ...(query.chunks !== undefined ? { chunks: query.chunks } : {}),
    costs: { forward: stages(report.costs.F), backward: stages(report.costs.B), weight: stages(report.costs.W), overlapped: stages(report.costs.FB), p2p: report.costs.p2p },
    unit: 'units',
  };
  return { type: 'schedule', query, report, timeline };
}
