// "Compare with…": two estimates side by side, each figure with B − A, the relative change and whether the change
// is good for the run (a lower step time is, a lower MFU is not), then the settings that differ. Pure, no `vscode`.
import type { Design } from '../../model/design';
import type { Estimate } from '../../model/estimate';
import { SCHEDULE_LABELS } from '../../model/schedule/index';
import { recomputeLabel } from '../../model/search/index';
import type { ComparisonRow, EstimateComparison, Verdict } from '../../protocol';
import { formatBytes, formatGiB, formatPercent, formatQuantity, formatSeconds, significant } from '../../format';

export interface ComparedSide {
  /** "train.sh", "deepseek-v3.plens.yaml with PP 8". */
  title: string;
  design: Design | undefined;
  estimate: Estimate | null;
  /** Why there is no estimate, when there is none. */
  unavailable?: string;
}

/** Changes smaller than this share of A read as "same": the model's figures carry about three significant digits. */
export const SAME_WITHIN = 0.001;

interface FigureSpec {
  id: string;
  label: string;
  value: (estimate: Estimate) => number;
  text: (value: number) => string;
  /** Whether more is better for the run. */
  higherIsBetter: boolean;
  /** Fractions differ by percentage points, other figures in their own unit. */
  kind: 'fraction' | 'seconds' | 'bytes' | 'gib' | 'quantity';
}

const FIGURES: readonly FigureSpec[] = [
  { id: 'step-time', label: 'Step time', value: (e) => e.stepTimeSeconds, text: formatSeconds, higherIsBetter: false, kind: 'seconds' },
  { id: 'tokens-per-second', label: 'Throughput (tokens/s)', value: (e) => e.tokensPerSecond, text: formatQuantity, higherIsBetter: true, kind: 'quantity' },
  { id: 'mfu', label: 'MFU', value: (e) => e.mfu, text: (v) => formatPercent(v, 1), higherIsBetter: true, kind: 'fraction' },
  { id: 'tflops-per-gpu', label: 'Model TFLOP/s per GPU', value: (e) => e.tflopsPerGpu, text: significant, higherIsBetter: true, kind: 'quantity' },
  { id: 'gpu-hours', label: 'GPU-hours per 10¹² tokens', value: (e) => e.gpuHoursPerTrillionTokens, text: formatQuantity, higherIsBetter: false, kind: 'quantity' },
  { id: 'bubble', label: 'Pipeline bubble', value: (e) => e.bubble.fraction, text: (v) => formatPercent(v, 1), higherIsBetter: false, kind: 'fraction' },
  { id: 'peak-memory', label: 'Peak memory per GPU', value: (e) => e.memory.peakBytes, text: formatGiB, higherIsBetter: false, kind: 'gib' },
  { id: 'ib-per-token', label: 'InfiniBand per token', value: (e) => e.traffic.ibBytesPerToken, text: formatBytes, higherIsBetter: false, kind: 'bytes' },
  { id: 'exposed-comm', label: 'Exposed communication', value: (e) => e.traffic.exposedCommSeconds, text: formatSeconds, higherIsBetter: false, kind: 'seconds' },
];

interface SettingSpec {
  id: string;
  label: string;
  text: (design: Design) => string;
}

const SETTINGS: readonly SettingSpec[] = [
  { id: 'model', label: 'Model', text: (d) => d.model.name },
  { id: 'gpus', label: 'GPUs', text: (d) => `${d.cluster.worldSize} × ${d.cluster.gpu}` },
  { id: 'tp', label: 'TP', text: (d) => String(d.plan.tp) },
  { id: 'pp', label: 'PP', text: (d) => String(d.plan.pp) },
  { id: 'vpp', label: 'VPP', text: (d) => String(d.plan.vpp) },
  { id: 'ep', label: 'EP', text: (d) => String(d.plan.ep) },
  { id: 'cp', label: 'CP', text: (d) => String(d.plan.cp) },
  { id: 'dp', label: 'DP', text: (d) => String(d.plan.dp) },
  { id: 'zero', label: 'ZeRO', text: (d) => String(d.plan.zero) },
  { id: 'schedule', label: 'Schedule', text: (d) => SCHEDULE_LABELS[d.plan.schedule] ?? d.plan.schedule },
  { id: 'micro-batch-size', label: 'Micro-batch size', text: (d) => String(d.plan.microBatchSize) },
  { id: 'micro-batches', label: 'Micro-batches', text: (d) => String(d.plan.microbatches) },
  { id: 'sequence', label: 'Sequence length', text: (d) => String(d.plan.seqLength) },
  { id: 'recompute', label: 'Recompute', text: (d) => recomputeLabel(d.plan) },
  { id: 'precision', label: 'Precision', text: (d) => d.plan.precision },
];

/** The verdict of going from `a` to `b` for a figure where `higherIsBetter` says which way is good. */
export function verdictOf(a: number, b: number, higherIsBetter: boolean): Verdict {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (scale === 0 || Math.abs(b - a) <= SAME_WITHIN * scale) return 'same';
  return (b > a) === higherIsBetter ? 'better' : 'worse';
}

const MINUS = '−';

function signed(text: string, delta: number): string {
  if (delta === 0) return text;
  const bare = text.replace(/^[-−]/, '');
  return `${delta > 0 ? '+' : MINUS}${bare}`;
}

function deltaText(spec: FigureSpec, a: number, b: number): string {
  const delta = b - a;
  if (delta === 0) return '0';
  const size = Math.abs(delta);
  switch (spec.kind) {
    case 'fraction': return signed(`${significant(size * 100, 2)} points`, delta);
    case 'seconds': return signed(formatSeconds(size), delta);
    case 'bytes': return signed(formatBytes(size), delta);
    case 'gib': return signed(formatGiB(size), delta);
    case 'quantity': return signed(spec.text(size), delta);
  }
}

function percentText(a: number, b: number): string {
  if (a === 0) return '';
  const change = (b - a) / Math.abs(a);
  if (change === 0) return '0%';
  return signed(formatPercent(Math.abs(change), 1), change);
}

function figureRow(spec: FigureSpec, left: Estimate | null, right: Estimate | null): ComparisonRow {
  const a = left ? spec.value(left) : undefined;
  const b = right ? spec.value(right) : undefined;
  const row: ComparisonRow = { id: spec.id, label: spec.label, left: a === undefined ? '—' : spec.text(a), right: b === undefined ? '—' : spec.text(b), deltaText: '', percentText: '', verdict: 'same' };
  if (a === undefined || b === undefined) return { ...row, verdict: a === b ? 'same' : 'changed' };
  return { ...row, deltaText: deltaText(spec, a, b), percentText: percentText(a, b), verdict: verdictOf(a, b, spec.higherIsBetter) };
}

function settingRow(spec: SettingSpec, left: Design | undefined, right: Design | undefined): ComparisonRow {
  const a = left ? spec.text(left) : '—';
  const b = right ? spec.text(right) : '—';
  return { id: spec.id, label: spec.label, left: a, right: b, deltaText: '', percentText: '', verdict: a === b ? 'same' : 'changed' };
}

function summaryOf(side: ComparedSide): string {
  if (!side.design) return side.unavailable ?? 'no complete design';
  const { plan, cluster, model } = side.design;
  return `${model.name} on ${cluster.worldSize} × ${cluster.gpu} · TP ${plan.tp} · PP ${plan.pp} · EP ${plan.ep} · DP ${plan.dp} · ${SCHEDULE_LABELS[plan.schedule] ?? plan.schedule}`;
}

/** A (left, usually the active config) against B: every figure, then every setting (the ones that differ marked). */
export function compareEstimates(left: ComparedSide, right: ComparedSide): EstimateComparison {
  const notes: string[] = [];
  if (!left.estimate) notes.push(`${left.title}: no estimate (${left.unavailable ?? 'see its problems'})`);
  if (!right.estimate) notes.push(`${right.title}: no estimate (${right.unavailable ?? 'see its problems'})`);
  const fits = (estimate: Estimate | null) => (estimate ? (estimate.memory.peakBytes <= estimate.memory.capacityBytes ? 'yes' : 'no') : '—');
  const fitsRow: ComparisonRow = {
    id: 'fits', label: 'Fits in HBM', left: fits(left.estimate), right: fits(right.estimate), deltaText: '', percentText: '',
    verdict: fits(left.estimate) === fits(right.estimate) ? 'same' : fits(right.estimate) === 'yes' ? 'better' : fits(right.estimate) === 'no' ? 'worse' : 'changed',
  };
  return {
    left: { title: left.title, summary: summaryOf(left) },
    right: { title: right.title, summary: summaryOf(right) },
    figures: [...FIGURES.map((spec) => figureRow(spec, left.estimate, right.estimate)), fitsRow],
    settings: SETTINGS.map((spec) => settingRow(spec, left.design, right.design)),
    notes,
  };
}
