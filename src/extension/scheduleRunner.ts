// Turns a panel query into the message the webview draws, through the same `runScheduleReport` that
// `plens schedule --json` prints, so panel and CLI cannot disagree. Pure (no `vscode`).
import { runScheduleReport } from '../model/schedule/report';
import type { ScheduleErrorMessage, ScheduleMessage, ScheduleQuery } from '../protocol';

/** More bars than this make chart.js sluggish and the timeline unreadable; the figures are still shown. */
export const MAX_DRAWN_OPS = 20_000;

/** An upper bound on the op count: each micro-batch runs each chunk at most as F, I and W. */
export function opBound(query: ScheduleQuery): number {
  const chunksPerRank = query.schedule === 'interleaved-1f1b' ? (query.chunks ?? 2) : 2;
  return query.pp * query.microbatches * chunksPerRank * 3;
}

export function runScheduleQuery(query: ScheduleQuery): ScheduleMessage | ScheduleErrorMessage {
  const includeOps = opBound(query) <= MAX_DRAWN_OPS;
  const result = runScheduleReport({ ...query, includeOps });
  if (!result.ok) return { type: 'scheduleError', query, code: result.error.code, message: result.error.message };
  const message: ScheduleMessage = { type: 'schedule', query, report: result.report };
  if (!includeOps) message.opsOmitted = { ops: result.schedule.opCount, limit: MAX_DRAWN_OPS };
  return message;
}
