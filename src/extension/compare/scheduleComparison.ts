// The Compare tab's chart: every pipeline schedule estimated for the active config at its own PP and
// micro-batches, through the same estimate as the file's (withValue re-derives what a schedule needs, as a
// hover's neighbours do). Pure, no `vscode`; each variant is bounded by the hover's op budget.
import type { Design } from '../../model/design';
import { estimate, type EstimateOptions, type EstimateResult } from '../../model/estimate';
import { SCHEDULE_IDS, SCHEDULE_LABELS } from '../../model/schedule/index';
import type { ScheduleComparisonRow } from '../../protocol';
import { formatGiB, formatPeakMemory, formatPercent, formatSeconds } from '../../format';
import { MAX_VARIANT_OPS, scheduleOps, withValue } from '../analysis/whatIf';

/** One row per schedule, in the catalog's order; the design's own schedule reuses `current` when given. */
export function compareSchedules(design: Design, current?: EstimateResult, options: EstimateOptions = {}): ScheduleComparisonRow[] {
  return SCHEDULE_IDS.map((schedule) => {
    const label = SCHEDULE_LABELS[schedule] ?? schedule;
    const isCurrent = schedule === design.plan.schedule;
    const row = (rest: Pick<ScheduleComparisonRow, 'figures' | 'reason'>): ScheduleComparisonRow => ({ schedule, label, current: isCurrent, ...rest });
    const variant = isCurrent ? design : withValue(design, 'plan.schedule', schedule);
    if (typeof variant === 'string') return row({ reason: variant });
    if (scheduleOps(variant.plan) > MAX_VARIANT_OPS) return row({ reason: `more than ${MAX_VARIANT_OPS.toLocaleString('en-US')} schedule ops; run plens estimate with --schedule ${schedule}` });
    const result = isCurrent && current ? current : estimate(variant, options);
    const figures = figuresOf(result);
    if (figures) return row({ figures });
    // Over HBM is a figure, not a reason: the estimate still comes back for it.
    const blocking = result.problems.find((p) => p.severity === 'error');
    return row({ reason: blocking?.message ?? 'no estimate' });
  });
}

function figuresOf(result: EstimateResult): ScheduleComparisonRow['figures'] {
  const value = result.estimate;
  if (!value) return undefined;
  const peakActivationBytes = Math.max(0, ...value.memory.stages.map((stage) => stage.activationsBytes));
  const inFlight = result.timeline?.timeline.peakActivations;
  const peakInFlight = inFlight ? Math.max(0, ...Array.from(inFlight)) : 0;
  const makespanSeconds = result.timeline?.timeline.makespan ?? value.stepTimeSeconds;
  return {
    stepSeconds: value.stepTimeSeconds,
    makespanSeconds,
    bubbleSeconds: value.bubble.seconds,
    bubbleFraction: value.bubble.fraction,
    peakActivationBytes,
    peakInFlight,
    peakBytes: value.memory.peakBytes,
    capacityBytes: value.memory.capacityBytes,
    texts: {
      step: formatSeconds(value.stepTimeSeconds),
      makespan: formatSeconds(makespanSeconds),
      bubble: `${formatSeconds(value.bubble.seconds)} · ${formatPercent(value.bubble.fraction)}`,
      activations: `${formatGiB(peakActivationBytes)} (${peakInFlight} in flight)`,
      peak: formatPeakMemory(value.memory.peakBytes, value.memory.capacityBytes),
    },
  };
}

/** What the comparison holds fixed, in words. */
export function comparisonSummary(design: Design): string {
  const { plan } = design;
  return `PP ${plan.pp}, ${plan.microbatches} micro-batches of ${plan.microBatchSize} × ${plan.seqLength} tokens, each schedule estimated on the same layout`;
}
