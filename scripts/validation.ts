// Published training runs (test/fixtures/published_runs.json, the project's reference set, described in docs/reference/COSTMODEL.md) mapped onto
// designs, estimated, and compared in the source's own metric. Efficiencies are the library's, set once per GPU
// generation and precision (src/model/cost/compute/efficiency.ts); nothing here is tuned per row.
import type { Design, ModelArch, ParallelPlan, Recompute } from '../src/model/design';
import { estimate } from '../src/model/estimate';
import { mapModernRow, type ModernRow } from './validationModern';
import { roleOf, type Role } from './validationSplit';

export interface RunRow {
  id: string;
  model: { name: string; layers?: number; hidden?: number; heads?: number; ffn_hidden?: number; vocab?: number | null; seq_len?: number; moe: unknown };
  hardware: { gpu: string; gpus_per_node: number; num_gpus: number | null };
  parallel: { tp?: number | null; pp?: number | null; dp?: number | null; cp?: number; sp?: boolean | null; zero_stage?: number | string | null; interleave_v?: number | null };
  batch: { global_batch_seqs?: number | null; micro_batch?: number | null };
  recompute: string | null;
  precision: string | null;
  reported: { metric: string; value: number; unit: string };
}

export interface ValidationRow {
  id: string;
  metric: string;
  unit: string;
  reported: number;
  predicted: number | null;
  /** (predicted − reported) / reported. */
  error: number | null;
  assumptions: string[];
  skipped?: string;
}

function gpuId(name: string): string {
  return name.includes('A100') ? 'A100-80GB' : name;
}

/** Narayanan et al. Eq. 3: hardware FLOPs per iteration including the recompute forward. */
function eq3Flops(arch: ModelArch, globalBatch: number, seq: number): number {
  const { layers: l, hidden: h, vocab: v } = arch;
  return 96 * globalBatch * seq * l * h * h * (1 + seq / (6 * h) + v / (16 * l * h));
}

function recomputeOf(text: string | null): Recompute {
  if (!text) return 'full';
  if (text.startsWith('selective')) return 'selective';
  if (text.startsWith('full')) return 'full';
  return 'none';
}

export function mapRow(row: RunRow): { design?: Design; assumptions: string[]; skipped?: string } {
  const { model, parallel, batch, hardware } = row;
  const assumptions: string[] = [];
  if (model.moe) return { assumptions, skipped: 'MoE rows are not in this set' };
  if (!model.layers || !model.hidden || !model.heads || !model.seq_len) return { assumptions, skipped: 'model dimensions not published' };
  if (!parallel.tp || !parallel.pp || !parallel.dp || !hardware.num_gpus) return { assumptions, skipped: 'parallel layout not published' };
  if (!batch.global_batch_seqs) return { assumptions, skipped: 'global batch not published' };
  const vocab = model.vocab ?? 51200;
  const arch: ModelArch = {
    name: model.name, layers: model.layers, hidden: model.hidden, heads: model.heads, kvHeads: model.heads,
    headDim: model.hidden / model.heads, ffnHidden: model.ffn_hidden ?? 4 * model.hidden, vocab,
    experts: 0, topK: 0, expertFfnHidden: 0, sharedExperts: 0, denseLayers: 0, mtpLayers: 0,
    tiedEmbeddings: true, activation: 'gelu', attention: 'mha',
  };
  let microBatchSize = batch.micro_batch ?? null;
  if (microBatchSize === null) {
    microBatchSize = 1;
    assumptions.push('micro-batch 1 (not published)');
  }
  let zero = 0;
  if (typeof parallel.zero_stage === 'number') zero = parallel.zero_stage;
  else if (typeof parallel.zero_stage === 'string') {
    zero = parallel.zero_stage.includes('ZeRO-1') ? 1 : 0;
    assumptions.push(`ZeRO-${zero} ("${parallel.zero_stage}")`);
  }
  const v = parallel.interleave_v ?? 1;
  const pp = parallel.pp;
  const schedule: ParallelPlan['schedule'] = v > 1 ? 'interleaved-1f1b' : '1f1b';
  if (pp > 1 && parallel.interleave_v === null && row.id.startsWith('megatron2021')) assumptions.push('1F1B without interleaving (per-row schedule not published)');
  const recompute = recomputeOf(row.recompute);
  if (row.recompute?.includes('assumed') || row.recompute?.includes('per-row setting not in table')) assumptions.push('full recomputation (as the paper\'s FLOP count implies)');
  const dp = parallel.dp;
  const precision = row.precision?.toLowerCase().includes('bf16') ? 'bf16' : 'fp16';
  const plan: ParallelPlan = {
    tp: parallel.tp, pp, vpp: v, cp: parallel.cp ?? 1, ep: 1, etp: 1, dp, zero: zero as ParallelPlan['zero'],
    sequenceParallel: parallel.sp === true, seqLength: model.seq_len, microBatchSize,
    globalBatchSize: batch.global_batch_seqs, microbatches: batch.global_batch_seqs / (microBatchSize * dp),
    schedule, recompute, precision, nodeLimit: null,
  };
  const nodes = Math.ceil(hardware.num_gpus / hardware.gpus_per_node);
  return { design: { model: arch, plan, cluster: { gpu: gpuId(hardware.gpu), gpusPerNode: hardware.gpus_per_node, nodes, worldSize: hardware.num_gpus } }, assumptions };
}

export function validateRun(row: RunRow): ValidationRow {
  const base = { id: row.id, metric: row.reported.metric, unit: row.reported.unit, reported: row.reported.value };
  const mapped = mapRow(row);
  if (!mapped.design) return { ...base, predicted: null, error: null, assumptions: mapped.assumptions, skipped: mapped.skipped };
  const design = mapped.design;
  const result = estimate(design);
  if (!result.estimate) {
    const problem = result.problems.find((p) => p.severity === 'error');
    return { ...base, predicted: null, error: null, assumptions: mapped.assumptions, skipped: `not estimable: ${problem?.code} ${problem?.message}` };
  }
  const step = result.estimate.stepTimeSeconds;
  let predicted: number;
  if (row.reported.unit === 's') predicted = step;
  else if (row.reported.unit === 'TFLOP/s') {
    // The sources count hardware FLOPs with the recompute forward (Narayanan Eq. 3; BLOOM's 4·2 coefficient).
    predicted = eq3Flops(design.model, design.plan.globalBatchSize, design.plan.seqLength) / (design.cluster.worldSize * step) / 1e12;
  } else {
    return { ...base, predicted: null, error: null, assumptions: mapped.assumptions, skipped: `metric ${row.reported.unit} not mapped` };
  }
  return { ...base, predicted, error: (predicted - row.reported.value) / row.reported.value, assumptions: mapped.assumptions };
}

export function validateRuns(json: { runs: RunRow[] }): { rows: ValidationRow[]; mapped: number; medianAbsError: number } {
  const rows = json.runs.map(validateRun);
  const errors = rows.filter((r) => r.error !== null).map((r) => Math.abs(r.error!)).sort((a, b) => a - b);
  const mid = errors.length / 2;
  const medianAbsError = errors.length === 0 ? NaN : errors.length % 2 ? errors[Math.floor(mid)]! : (errors[mid - 1]! + errors[mid]!) / 2;
  return { rows, mapped: errors.length, medianAbsError };
}

export interface SplitRow extends ValidationRow {
  role: Role;
  /** Hardware family for the per-hardware error: A100, H100, B200, GB200. */
  hardware: string;
}

export interface TableSummary {
  rows: number;
  medianAbsError: number;
  maxAbsError: number;
  perHardware: Record<string, { rows: number; medianAbsError: number; maxAbsError: number }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(rows: readonly SplitRow[]): TableSummary {
  const mapped = rows.filter((r) => r.error !== null);
  const abs = (list: readonly SplitRow[]) => list.map((r) => Math.abs(r.error!));
  const perHardware: TableSummary['perHardware'] = {};
  for (const family of [...new Set(mapped.map((r) => r.hardware))]) {
    const errors = abs(mapped.filter((r) => r.hardware === family));
    perHardware[family] = { rows: errors.length, medianAbsError: median(errors), maxAbsError: Math.max(...errors) };
  }
  const all = abs(mapped);
  return { rows: all.length, medianAbsError: median(all), maxAbsError: all.length ? Math.max(...all) : NaN, perHardware };
}

function familyOf(gpu: string): string {
  if (gpu.startsWith('GB200')) return 'GB200';
  if (gpu.startsWith('B200')) return 'B200';
  if (gpu.startsWith('H100')) return 'H100';
  return 'A100';
}

export function validateModernRun(row: ModernRow): SplitRow {
  const base = { id: row.id, metric: row.reported.metric, unit: row.reported.unit, reported: row.reported.value, role: roleOf(row.id) ?? 'held-out', hardware: familyOf(row.hardware.gpu) };
  const { design, assumptions } = mapModernRow(row);
  const result = estimate(design);
  if (!result.estimate) {
    const problem = result.problems.find((p) => p.severity === 'error');
    return { ...base, predicted: null, error: null, assumptions, skipped: `not estimable: ${problem?.code} ${problem?.message}` };
  }
  // tokens/s per GPU, as the tables print it.
  const predicted = result.estimate.tokensPerSecond / design.cluster.worldSize;
  return { ...base, predicted, error: (predicted - row.reported.value) / row.reported.value, assumptions };
}

/** Both tables: fit rows (every A100 row and the modern fit rows) and held-out rows (validationSplit.ts). */
export function validateSplit(a100: { runs: RunRow[] }, modern: { runs: ModernRow[] }): { fit: SplitRow[]; heldOut: SplitRow[] } {
  const a100Rows: SplitRow[] = a100.runs.map((row) => ({ ...validateRun(row), role: 'fit', hardware: 'A100' }));
  const modernRows = modern.runs.map(validateModernRun);
  return { fit: [...a100Rows, ...modernRows.filter((r) => r.role === 'fit')], heldOut: modernRows.filter((r) => r.role === 'held-out') };
}
