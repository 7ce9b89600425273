// Layout checks of a completed design, as torchtitan's ParallelDims._validate and Megatron's argument checks
// make them: the product of the parallel sizes against the world, divisibility, the batch identity, and the
// schedule's own constraints. Problems land on the key that set the value (its origin's range).
import type { Design, FieldPath } from '../model/design';
import type { Problem, Severity } from '../model/problems';
import { generateSchedule } from '../model/schedule/index';
import type { FormatId, Origin } from './types';

/** A schedule constraint check generates the schedule; above this many ops it is left to the estimate. */
const MAX_CHECKED_SCHEDULE_OPS = 500_000;

export function validateDesign(design: Design, origins: Record<string, Origin>, format?: FormatId): Problem[] {
  const problems: Problem[] = [];
  const { model, plan, cluster } = design;
  const at = (severity: Severity, code: string, message: string, ...fields: FieldPath[]) => {
    // The first field the user set (file, directive, flag…) carries the range; derived values have none.
    const field = fields.find((path) => origins[path]?.range) ?? fields[0];
    const problem: Problem = { severity, code, message };
    if (field) problem.field = field;
    const range = field ? origins[field]?.range : undefined;
    if (range) problem.range = range;
    problems.push(problem);
  };

  // Megatron: world = tp·pp·cp·dp (EP is carved out of dp·cp, so it is not a factor of its own).
  const product = plan.tp * plan.pp * plan.cp * plan.dp;
  if (product !== cluster.worldSize) {
    at('error', 'layout/world-size',
      `tp·pp·cp·dp = ${plan.tp}·${plan.pp}·${plan.cp}·${plan.dp} = ${product}, but the cluster has ${cluster.worldSize} GPUs (${cluster.nodes} nodes × ${cluster.gpusPerNode})`,
      'plan.dp', 'plan.tp', 'plan.pp', 'plan.cp', 'cluster.nodes', 'cluster.worldSize');
  }
  if (model.heads % plan.tp !== 0) {
    at('error', 'layout/heads-tp', `${model.heads} attention heads do not split evenly over tp = ${plan.tp}`, 'plan.tp', 'model.heads');
  } else if (model.attention === 'gqa' && model.kvHeads % plan.tp !== 0 && plan.tp % model.kvHeads !== 0) {
    at('error', 'layout/heads-tp', `${model.kvHeads} KV heads (query groups) do not split evenly over tp = ${plan.tp}`, 'plan.tp', 'model.kvHeads');
  }
  checkLayers(design, at);
  if (model.experts > 0) {
    if (model.experts % plan.ep !== 0) {
      at('error', 'layout/experts-ep', `${model.experts} experts do not split evenly over ep = ${plan.ep}`, 'plan.ep', 'model.experts');
    }
    // Megatron's expert layout: ep·etp must divide the ranks of one pipeline stage (tp·cp·dp).
    const stageRanks = plan.tp * plan.cp * plan.dp;
    if (stageRanks % (plan.ep * plan.etp) !== 0) {
      at('error', 'layout/experts-ep', `ep·etp = ${plan.ep * plan.etp} must divide tp·cp·dp = ${stageRanks}, the GPUs of one pipeline stage`, 'plan.ep', 'plan.etp');
    }
  } else if (plan.ep > 1) {
    at('warning', 'layout/experts-ep', `ep = ${plan.ep} on a dense model has no experts to split`, 'plan.ep');
  }
  if (plan.tp > cluster.gpusPerNode) {
    at('warning', 'layout/tp-crosses-node', `tp = ${plan.tp} spans more than one NVLink domain (${cluster.gpusPerNode} GPUs): TP traffic crosses InfiniBand`, 'plan.tp');
  }
  checkBatch(design, origins, format, at);
  checkSchedule(design, at);
  return problems;
}

type At = (severity: Severity, code: string, message: string, ...fields: FieldPath[]) => void;

function checkLayers(design: Design, at: At): void {
  const { model, plan } = design;
  // V-shaped schedules put two stages on each rank; interleaving puts vpp.
  const stages = plan.schedule === 'zbv' || plan.schedule === 'dualpipev' ? 2 * plan.pp : plan.pp * Math.max(1, plan.vpp);
  if (stages > model.layers) {
    at('error', 'layout/layers-pp', `${stages} pipeline stages for ${model.layers} layers: some stages would be empty`, 'plan.pp', 'plan.vpp');
  } else if (model.layers % stages !== 0) {
    const low = Math.floor(model.layers / stages);
    at('warning', 'layout/layers-pp',
      `${model.layers} layers do not split evenly over ${stages} stages (${low + 1} and ${low} layers): the fullest stage sets the pace`,
      'plan.pp', 'plan.vpp', 'model.layers');
  }
}

function checkBatch(design: Design, origins: Record<string, Origin>, format: FormatId | undefined, at: At): void {
  const { plan } = design;
  const perStep = plan.microBatchSize * plan.dp;
  const given = (path: FieldPath) => origins[path] !== undefined && origins[path]!.from !== 'derived' && origins[path]!.from !== 'default';
  if (format === 'deepspeed-json' && given('plan.globalBatchSize') && given('plan.microBatchSize') && given('plan.microbatches')) {
    // DeepSpeed's _batch_assertion: train_batch_size = micro_batch_per_gpu · gradient_accumulation_steps · dp.
    const expected = plan.microBatchSize * plan.microbatches * plan.dp;
    if (expected !== plan.globalBatchSize) {
      at('error', 'deepspeed/batch-identity',
        `train_batch_size ${plan.globalBatchSize} ≠ train_micro_batch_size_per_gpu ${plan.microBatchSize} × gradient_accumulation_steps ${plan.microbatches} × data-parallel size ${plan.dp} = ${expected}`,
        'plan.globalBatchSize', 'plan.microbatches', 'plan.microBatchSize');
    }
    return;
  }
  if (plan.globalBatchSize % perStep !== 0) {
    at('error', 'layout/batch', `global batch ${plan.globalBatchSize} is not a multiple of micro-batch ${plan.microBatchSize} × dp ${plan.dp} = ${perStep}`, 'plan.globalBatchSize', 'plan.microBatchSize', 'plan.dp');
  } else if (given('plan.globalBatchSize') && given('plan.microbatches') && plan.microbatches * perStep !== plan.globalBatchSize) {
    at('error', 'layout/batch', `${plan.microbatches} micro-batches × ${plan.microBatchSize} × dp ${plan.dp} = ${plan.microbatches * perStep}, not the global batch ${plan.globalBatchSize}`, 'plan.microbatches', 'plan.globalBatchSize');
  }
}

function checkSchedule(design: Design, at: At): void {
  const { plan } = design;
  const chunks = Math.max(1, plan.vpp);
  if (plan.schedule === 'interleaved-1f1b' && chunks < 2) {
    at('warning', 'schedule/constraint', 'interleaved 1F1B with one chunk per rank is plain 1F1B; set the virtual pipeline size (vpp ≥ 2)', 'plan.schedule', 'plan.vpp');
  }
  if (plan.pp * plan.microbatches * chunks * 6 > MAX_CHECKED_SCHEDULE_OPS) return;
  const result = generateSchedule(plan.schedule, { ranks: plan.pp, microbatches: plan.microbatches, chunks: plan.schedule === 'interleaved-1f1b' ? chunks : 2 });
  if (!result.ok) at('error', 'schedule/constraint', result.error.message, 'plan.schedule', 'plan.pp', 'plan.microbatches');
}
