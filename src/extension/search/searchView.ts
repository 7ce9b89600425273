// A layout search's results as the rows the panel's Search tab shows: the file's own layout first (it may not
// fit), then the search's ranking. Pure, no `vscode`.
import { formatBytes, formatPeakMemory, formatPercent, formatSeconds } from '../../format';
import type { ParallelPlan } from '../../model/design';
import type { Estimate } from '../../model/estimate';
import { SCHEDULE_LABELS } from '../../model/schedule/index';
import { pipelineLayoutLabel, recomputeLabel, type SearchResult } from '../../model/search/index';
import type { SearchRow } from '../../protocol';

export function searchRow(rank: number, plan: ParallelPlan, estimate: Estimate): SearchRow {
  const { memory } = estimate;
  return {
    rank,
    layout: {
      tp: plan.tp, pp: plan.pp, vpp: plan.vpp, ep: plan.ep, cp: plan.cp, dp: plan.dp, zero: plan.zero,
      schedule: SCHEDULE_LABELS[plan.schedule] ?? plan.schedule, microBatchSize: plan.microBatchSize, recompute: recomputeLabel(plan),
      pipelineLayout: plan.layout !== undefined ? [plan.layout].flat().join('|') : pipelineLayoutLabel(plan),
    },
    stepSeconds: estimate.stepTimeSeconds,
    mfu: estimate.mfu,
    peakBytes: memory.peakBytes,
    capacityBytes: memory.capacityBytes,
    bubbleFraction: estimate.bubble.fraction,
    ibBytesPerToken: estimate.traffic.ibBytesPerToken,
    fits: memory.peakBytes <= memory.capacityBytes,
    texts: {
      step: formatSeconds(estimate.stepTimeSeconds),
      mfu: formatPercent(estimate.mfu),
      peak: formatPeakMemory(memory.peakBytes, memory.capacityBytes),
      bubble: formatPercent(estimate.bubble.fraction),
      ib: formatBytes(estimate.traffic.ibBytesPerToken),
    },
  };
}

/** The rows, and the search in one line. */
export function searchRows(result: SearchResult, current?: { plan: ParallelPlan; estimate: Estimate }): { rows: SearchRow[]; summary: string } {
  const rows = result.results.map((candidate, index) => searchRow(index + 1, candidate.plan, candidate.estimate));
  if (current) rows.unshift(searchRow(0, current.plan, current.estimate));
  return { rows, summary: searchSummary(result) };
}

/** What the search covered, so a reader can tell a complete answer from a cut one: space, estimated, pruned, status. */
export function searchSummary(result: SearchResult): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const covered = `${count(result.space)} layouts in the space, ${count(result.evaluated)} layouts estimated (${count(result.feasible)} fit)`;
  const time = `in ${formatSeconds(result.seconds)}`;
  if (result.status === 'complete') return `Complete: ${covered}, ${count(result.pruned)} pruned by a bound, ${time}`;
  const why = result.status === 'budget' ? 'Incomplete, the time budget ran out' : 'Incomplete, cancelled';
  return `${why}: ${covered}, ${count(result.space - result.evaluated)} not looked at, ${time}`;
}
