// The active config's estimate as the panel's view model (protocol.ts `EstimateView`): figures already formatted
// the way the hover, CodeLens and status bar format them (format.ts), raw numbers for the charts, the timeline as
// plain op lists, problems and where every value came from. Pure, no `vscode`, JSON only (DESIGN.md §7).
import type { Completion } from '../../config/completion/complete';
import type { FormatId } from '../../config/types';
import type { Design } from '../../model/design';
import type { Estimate, EstimateResult } from '../../model/estimate';
import type { Problem } from '../../model/problems';
import { closedForm } from '../../model/schedule/closedForm';
import { planSchedule, SCHEDULE_LABELS } from '../../model/schedule/index';
import { waterfallRows } from '../../model/stepBreakdown';
import type { EstimateFigure, EstimateProblem, EstimateTrafficRow, EstimateView, TrafficDimension, WhatIfChanges } from '../../protocol';
import { assumptionRows } from './estimateAssumptions';
import { timelineView } from './estimateTimeline';
import { FORMAT_NAMES, formatBytes, formatGiB, formatHostMemory, formatPeakMemory, formatPercent, formatQuantity, formatSeconds, significant } from '../../format';

export interface EstimateViewInput {
  /** The file's path or name; the view shows its base name. */
  fileName: string;
  format: FormatId;
  completion: Completion | undefined;
  result: EstimateResult | undefined;
  /** The problems the editor shows for the file (located and merged by the pipeline). */
  problems: Problem[];
  memoryWarningFraction?: number;
  /** Present when the figures are for what-if values: the changed design and the changes. */
  whatIf?: { design: Design; changes: WhatIfChanges };
}

const TRAFFIC_ORDER: readonly TrafficDimension[] = ['tp', 'cp', 'ep', 'pp', 'dp'];
const WHAT_IF_FIELDS: Record<keyof WhatIfChanges, string> = { schedule: 'plan.schedule', pp: 'plan.pp', microBatchSize: 'plan.microBatchSize' };

export function buildEstimateView(input: EstimateViewInput): EstimateView {
  const design = input.whatIf?.design ?? input.completion?.design;
  const estimate = input.result?.estimate ?? null;
  const changedFields = new Set(Object.keys(input.whatIf?.changes ?? {}).map((key) => WHAT_IF_FIELDS[key as keyof WhatIfChanges]));
  const view: EstimateView = {
    fileName: baseName(input.fileName),
    formatName: FORMAT_NAMES[input.format] ?? input.format,
    figures: estimate && design ? figuresOf(estimate, design) : [],
    problems: input.problems.map(problemView),
    assumptions: assumptionRows(design, input.completion?.origins ?? {}, changedFields),
  };
  if (design) {
    view.designSummary = designSummary(design);
    view.controls = { schedule: design.plan.schedule, pp: design.plan.pp, microBatchSize: design.plan.microBatchSize };
  }
  if (input.whatIf) view.whatIf = { changes: input.whatIf.changes, description: describeChanges(input.whatIf.changes, input.completion?.design) };
  if (!estimate) {
    view.unavailable = unavailableReason(input);
    return view;
  }
  const hostText = formatHostMemory(estimate.memory.host);
  view.memory = {
    capacityBytes: estimate.memory.capacityBytes,
    capacityText: formatGiB(estimate.memory.capacityBytes),
    peakBytes: estimate.memory.peakBytes,
    ranks: estimate.memory.stages.map(({ stage, ...bytes }) => ({
      ...bytes, rank: stage, totalText: formatGiB(bytes.totalBytes),
      // Per-rank host bytes only when the design offloads at all (a rank may still hold none, e.g. no offloaded layer).
      ...(hostText ? { hostText: formatGiB(bytes.host.totalBytes) } : {}),
    })),
    ...(hostText ? { hostText } : {}),
  };
  if (input.memoryWarningFraction !== undefined) view.memory.warningFraction = input.memoryWarningFraction;
  view.traffic = trafficOf(estimate);
  view.waterfall = waterfallOf(estimate);
  const timeline = timelineView(input.result?.timeline);
  if (timeline) view.timeline = timeline;
  return view;
}

function figuresOf(estimate: Estimate, design: Design): EstimateFigure[] {
  const { memory, bubble } = estimate;
  const formula = closedFormFormula(design);
  const overRanks = memory.stages.filter((m) => m.totalBytes > memory.capacityBytes).length;
  return [
    { id: 'step-time', label: 'Step time', text: formatSeconds(estimate.stepTimeSeconds), value: estimate.stepTimeSeconds },
    { id: 'tokens-per-second', label: 'Throughput', text: `${formatQuantity(estimate.tokensPerSecond)} tokens/s`, value: estimate.tokensPerSecond },
    { id: 'mfu', label: 'MFU', text: formatPercent(estimate.mfu), value: estimate.mfu },
    { id: 'tflops-per-gpu', label: 'Model TFLOP/s per GPU', text: significant(estimate.tflopsPerGpu), value: estimate.tflopsPerGpu },
    { id: 'gpu-hours', label: 'GPU-hours per 10¹² tokens', text: formatQuantity(estimate.gpuHoursPerTrillionTokens), value: estimate.gpuHoursPerTrillionTokens },
    { id: 'bubble', label: 'Pipeline bubble (simulated)', text: `${formatSeconds(bubble.seconds)} · ${formatPercent(bubble.fraction)} of the step`, value: bubble.seconds },
    { id: 'bubble-closed-form', label: `Closed form ${formula}`, text: formatSeconds(bubble.closedFormSeconds), value: bubble.closedFormSeconds, note: 'textbook formula, slowest stage’s costs' },
    {
      id: 'peak-memory', label: 'Peak memory per GPU', text: formatPeakMemory(memory.peakBytes, memory.capacityBytes), value: memory.peakBytes,
      note: overRanks > 0 ? `over HBM on ${overRanks} of ${memory.stages.length} pipeline ranks` : `${formatPercent(memory.peakBytes / memory.capacityBytes)} of HBM`,
    },
  ];
}

/** The formula the model's closed form uses for this schedule (it does not depend on the costs). */
function closedFormFormula(design: Design): string {
  const run = planSchedule(design.plan);
  return closedForm(run.id, { ...run.params, chunks: Math.max(1, design.plan.vpp) }, { F: 1, B: 2, W: 1 }).formula;
}

/** The step's waterfall: each part's bar starts where the previous one ended, the last ends at the step time. */
function waterfallOf(estimate: Estimate): NonNullable<EstimateView['waterfall']> {
  const total = estimate.breakdown.totalSeconds;
  let start = 0;
  const rows = waterfallRows(estimate.breakdown).map(({ id, label, seconds }) => {
    const row = { id, label, secondsText: formatSeconds(seconds), shareText: formatPercent(total > 0 ? seconds / total : 0), startFraction: total > 0 ? start / total : 0, widthFraction: total > 0 ? seconds / total : 0 };
    start += seconds;
    return row;
  });
  return { rows, totalText: formatSeconds(total) };
}

function trafficOf(estimate: Estimate): NonNullable<EstimateView['traffic']> {
  const rows: EstimateTrafficRow[] = TRAFFIC_ORDER.map((dimension) => {
    const t = estimate.traffic.perGpuPerStep[dimension];
    return { dimension, label: dimension.toUpperCase(), nvlinkBytes: t.nvlinkBytes, ibBytes: t.ibBytes, nvlinkText: formatBytes(t.nvlinkBytes), ibText: formatBytes(t.ibBytes) };
  });
  const ratio = estimate.traffic.computeToCommRatio;
  return {
    rows,
    ibBytesPerTokenText: `${formatBytes(estimate.traffic.ibBytesPerToken)} per token`,
    exposedCommText: formatSeconds(estimate.traffic.exposedCommSeconds),
    computeToCommText: ratio === null ? '— (no communication)' : `${significant(ratio)} : 1`,
  };
}

function designSummary(design: Design): string {
  const { model, plan, cluster } = design;
  const chunks = plan.schedule === 'interleaved-1f1b' ? ` (v = ${plan.vpp})` : '';
  return [
    `${model.name} on ${cluster.worldSize} × ${cluster.gpu} (${cluster.nodes} nodes of ${cluster.gpusPerNode})`,
    `TP ${plan.tp} · PP ${plan.pp} · EP ${plan.ep} · CP ${plan.cp} · DP ${plan.dp} (ZeRO ${plan.zero})`,
    `${SCHEDULE_LABELS[plan.schedule] ?? plan.schedule}${chunks}, ${plan.microbatches} micro-batches of ${plan.microBatchSize} × ${plan.seqLength} tokens`,
    `${plan.precision}, recompute ${plan.recompute}`,
  ].join(' · ');
}

function describeChanges(changes: WhatIfChanges, fileDesign: Design | undefined): string {
  const parts: string[] = [];
  const was = (value: unknown) => (fileDesign ? ` (file: ${String(value)})` : '');
  if (changes.schedule !== undefined) parts.push(`schedule ${SCHEDULE_LABELS[changes.schedule] ?? changes.schedule}${was(fileDesign && SCHEDULE_LABELS[fileDesign.plan.schedule])}`);
  if (changes.pp !== undefined) parts.push(`PP ${changes.pp}${was(fileDesign?.plan.pp)}`);
  if (changes.microBatchSize !== undefined) parts.push(`micro-batch size ${changes.microBatchSize}${was(fileDesign?.plan.microBatchSize)}`);
  return `What-if: ${parts.join(', ') || 'no change'}. The file is unchanged.`;
}

function unavailableReason(input: EstimateViewInput): string {
  const blocking = input.problems.find((p) => p.severity === 'error') ?? input.result?.problems.find((p) => p.severity === 'error') ?? input.problems.find((p) => p.code === 'estimate/budget');
  if (blocking) return blocking.message;
  if (!input.completion?.design) return 'the file does not give a complete design (see the problems below)';
  return 'the model gave no estimate for this design';
}

function problemView(problem: Problem): EstimateProblem {
  const view: EstimateProblem = { severity: problem.severity, code: problem.code, message: problem.message };
  if (problem.range) view.line = problem.range.line;
  return view;
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
