// Turns a panel query into the message the webview draws, through the same `runScheduleReport` that
// `plens schedule --json` prints, so panel and CLI cannot disagree. Pure (no `vscode`).
import { scheduleOpBound } from '../model/schedule/index';
import { runScheduleReport } from '../model/schedule/report';
import type { ScheduleErrorMessage, ScheduleMessage, ScheduleQuery } from '../protocol';

/** More bars than this make chart.js sluggish and the timeline unreadable; the figures are still shown. */
export const MAX_DRAWN_OPS = 20_000;

/** An upper bound on the query's op count (the engine's own). */
export function opBound(query: ScheduleQuery): number {
  return scheduleOpBound(query.schedule, { ranks: query.pp, microbatches: query.microbatches, ...(query.chunks !== undefined ? { chunks: query.chunks } : {}) });
}

export function runScheduleQuery(query: ScheduleQuery): ScheduleMessage | ScheduleErrorMessage {
  const includeOps = opBound(query) <= MAX_DRAWN_OPS;
  const result = runScheduleReport({ ...query, includeOps });
  if (!result.ok) return { type: 'scheduleError', query, code: result.error.code, message: result.error.message };
  const message: ScheduleMessage = { type: 'schedule', query, report: result.report };
  if (!includeOps) message.opsOmitted = { ops: result.schedule.opCount, limit: MAX_DRAWN_OPS };
  return message;
}
