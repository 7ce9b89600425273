// The rules a complete design must keep (DESIGN.md §6 diagnostics), in one place for every presenter and for the
// estimate: whole positive sizes; Megatron-LM's world = tp·pp·cp·dp (EP is carved out of dp·cp, not a factor of
// its own); heads by TP, experts by EP, the sequence by CP, layers over the pipeline stages; the batch identity;
// TP inside one NVLink domain; the cluster big enough; and the schedule's own constraints, which its generator
// states (DESIGN.md §3). Each fact has one code. Each problem names the field a fix would change and the fields
// related to it, so the config layer can put it on the key the user wrote. Errors stop the estimate; nothing here
// throws.
import { splitLayers } from './cost/stages';
import { layoutSource, statedLayout, type LayoutSource } from './pipelineLayout';
import { fieldValue, type Design, type FieldPath, type ParallelPlan } from './design';
import type { Problem, Severity } from './problems';
import { checkScheduleConstraints, planSchedule } from './schedule/index';

type Report = (severity: Severity, code: string, message: string, field: FieldPath, ...related: FieldPath[]) => void;

const POSITIVE_FIELDS: readonly FieldPath[] = [
  'plan.tp', 'plan.pp', 'plan.vpp', 'plan.cp', 'plan.ep', 'plan.etp', 'plan.dp',
  'plan.seqLength', 'plan.microBatchSize', 'plan.globalBatchSize', 'plan.microbatches',
  'model.layers', 'model.hidden', 'model.heads', 'model.kvHeads', 'model.vocab',
  'cluster.gpusPerNode', 'cluster.nodes', 'cluster.worldSize',
];

export function checkLayout(design: Design): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (severity, code, message, field, ...related) => {
    const problem: Problem = { severity, code, message, field };
    if (related.length > 0) problem.related = related;
    problems.push(problem);
  };
  checkPositive(design, report);
  // Divisibility by zero or by a fraction says nothing useful; fix the sizes first.
  if (problems.length > 0) return problems;
  checkWorld(design, report);
  checkShardGroups(design, report);
  checkHpz(design, report);
  checkHeads(design, report);
  checkExperts(design, report);
  checkSequence(design, report);
  checkBatch(design, report);
  checkLayers(design, report);
  checkSchedule(design, report);
  return problems;
}

/** Model stages in one pipeline: v·p interleaved, 2p for V placements, p otherwise (DualPipe: p per direction). */
export function stageCount({ plan }: { plan: Pick<ParallelPlan, 'pp' | 'vpp' | 'schedule'> }): number {
  const { pp, vpp, schedule } = plan;
  if (pp <= 1) return 1;
  if (schedule === 'interleaved-1f1b') return pp * Math.max(1, vpp);
  if (schedule === 'zbv' || schedule === 'dualpipev') return 2 * pp;
  return pp;
}


/** HSDP replicas / distributed-optimizer instances split dp·cp into equal shard groups (cost/comm/shardGroups.ts). */
function checkShardGroups({ plan }: Design, report: Report): void {
  const replicas = plan.dataParallelReplicas;
  if (replicas === undefined || replicas === 1) return;
  const dataParallel = plan.dp * plan.cp;
  if (!Number.isInteger(replicas) || replicas < 1 || dataParallel % replicas !== 0) {
    report('error', 'layout/shard-groups', `${String(replicas)} replicas of the ZeRO shard group do not divide the ${dataParallel} data-parallel ranks (dp ${plan.dp} × cp ${plan.cp})`, 'plan.dataParallelReplicas', 'plan.dp');
  }
}

/**
 * ZeRO++ hpZ groups split each shard group evenly (DeepSpeed asserts the world divides by them), and only ZeRO-3
 * without PP has weight gathers for them to shorten (cost/comm/shardGroups.ts): elsewhere the size is read and said to
 * change nothing.
 */
function checkHpz({ plan }: Design, report: Report): void {
  const size = plan.hpzPartitionSize;
  if (size === undefined || size === 1) return;
  if (!Number.isInteger(size) || size < 1) {
    report('error', 'value/invalid', `plan.hpzPartitionSize must be a whole number ≥ 1, got ${String(size)}`, 'plan.hpzPartitionSize');
    return;
  }
  if (plan.zero !== 3 || plan.pp > 1) {
    const why = plan.zero !== 3 ? `ZeRO-${plan.zero} keeps whole weights on every GPU` : 'with pipeline parallelism ZeRO-3 gathers each stage\'s weights once per step';
    report('info', 'value/no-effect', `hpZ partition size ${size}: hierarchical partitioning only shortens ZeRO-3's per-micro-batch weight gathers, and ${why}; it changes nothing here`, 'plan.hpzPartitionSize', 'plan.zero');
    return;
  }
  const shardGroup = (plan.dp * plan.cp) / Math.max(1, plan.dataParallelReplicas ?? 1);
  if (Number.isInteger(shardGroup) && size < shardGroup && shardGroup % size !== 0) {
    report('error', 'layout/hpz-groups', `hpZ partition size ${size} does not divide the ZeRO-3 shard group of ${shardGroup} ranks`, 'plan.hpzPartitionSize', 'plan.dp');
  }
}

function checkPositive(design: Design, report: Report): void {
  for (const path of POSITIVE_FIELDS) {
    const value = fieldValue(design, path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      report('error', 'value/invalid', `${path} must be a whole number ≥ 1, got ${String(value)}`, path);
    }
  }
}

function checkWorld(design: Design, report: Report): void {
  const { plan, cluster } = design;
  const product = plan.tp * plan.pp * plan.cp * plan.dp;
  if (product !== cluster.worldSize) {
    const nodes = cluster.nodes * cluster.gpusPerNode === cluster.worldSize ? ` (${cluster.nodes} node${cluster.nodes === 1 ? '' : 's'} × ${cluster.gpusPerNode})` : '';
    report('error', 'layout/world-size',
      `tp·pp·cp·dp = ${plan.tp}·${plan.pp}·${plan.cp}·${plan.dp} = ${product}, but the cluster has ${cluster.worldSize} GPUs${nodes}`,
      'plan.dp', 'plan.tp', 'plan.pp', 'plan.cp', 'cluster.nodes', 'cluster.worldSize');
  }
  if (cluster.gpusPerNode * cluster.nodes < cluster.worldSize) {
    report('error', 'cluster/too-small',
      `${cluster.nodes} nodes × ${cluster.gpusPerNode} GPUs hold fewer than the world size of ${cluster.worldSize}`,
      'cluster.nodes', 'cluster.gpusPerNode', 'cluster.worldSize');
  }
  // Consecutive ranks fill a node first and TP varies fastest (placement.ts), so TP spans ⌈tp / gpusPerNode⌉ nodes.
  const tpNodes = Math.ceil(plan.tp / cluster.gpusPerNode);
  if (tpNodes > 1) {
    report('warning', 'layout/tp-crosses-nodes',
      `TP ${plan.tp} spans ${tpNodes} nodes of ${cluster.gpusPerNode} GPUs: its all-reduces cross InfiniBand instead of NVLink`,
      'plan.tp', 'cluster.gpusPerNode');
  }
}

function checkHeads(design: Design, report: Report): void {
  const { model, plan } = design;
  if (model.heads % plan.tp !== 0) {
    report('error', 'layout/heads-tp', `${model.heads} attention heads do not split evenly over TP ${plan.tp}`, 'plan.tp', 'model.heads');
  } else if (model.attention === 'gqa' && model.kvHeads % plan.tp !== 0 && plan.tp % model.kvHeads !== 0) {
    // Megatron splits the query groups over TP, or replicates each over tp / groups ranks.
    report('error', 'layout/heads-tp', `${model.kvHeads} KV heads (query groups) do not split evenly over TP ${plan.tp}`, 'plan.tp', 'model.kvHeads');
  }
}

function checkExperts(design: Design, report: Report): void {
  const { model, plan } = design;
  if (model.experts === 0) {
    if (plan.ep > 1) report('error', 'layout/ep-dense', `EP ${plan.ep} needs an MoE model; ${model.name} has no experts to split`, 'plan.ep', 'model.experts');
    return;
  }
  if (model.experts % plan.ep !== 0) {
    report('error', 'layout/experts-ep', `${model.experts} experts do not split evenly over EP ${plan.ep}`, 'plan.ep', 'model.experts');
  }
  // Megatron's expert layout regroups the GPUs of one pipeline stage (tp·cp·dp) as etp × ep × expert-dp.
  const stageRanks = plan.tp * plan.cp * plan.dp;
  if (stageRanks % (plan.ep * plan.etp) !== 0) {
    report('error', 'layout/ep-dp',
      `EP·ETP = ${plan.ep}·${plan.etp} = ${plan.ep * plan.etp} must divide tp·cp·dp = ${stageRanks}, the GPUs of one pipeline stage`,
      'plan.ep', 'plan.etp', 'plan.dp', 'plan.tp', 'plan.cp');
  }
}

function checkSequence(design: Design, report: Report): void {
  const { plan } = design;
  if (plan.seqLength % plan.cp !== 0) {
    report('error', 'layout/seq-cp', `sequence length ${plan.seqLength} does not split evenly over CP ${plan.cp}`, 'plan.cp', 'plan.seqLength');
  }
}

function checkBatch(design: Design, report: Report): void {
  const { plan } = design;
  const perStep = plan.microBatchSize * plan.dp;
  if (plan.globalBatchSize % perStep !== 0) {
    report('error', 'layout/batch',
      `global batch ${plan.globalBatchSize} is not a multiple of micro-batch ${plan.microBatchSize} × dp ${plan.dp} = ${perStep}`,
      'plan.globalBatchSize', 'plan.microBatchSize', 'plan.dp');
  } else if (plan.microbatches * perStep !== plan.globalBatchSize) {
    report('error', 'layout/batch',
      `${plan.microbatches} micro-batches × ${plan.microBatchSize} × dp ${plan.dp} = ${plan.microbatches * perStep}, not the global batch ${plan.globalBatchSize}`,
      'plan.microbatches', 'plan.globalBatchSize', 'plan.microBatchSize');
  }
}

/** Where a broken stated layout is reported: the option that states it. */
const LAYOUT_FIELD: Record<Exclude<LayoutSource, 'even'>, FieldPath> = {
  layout: 'plan.layout', 'first-last': 'plan.firstStageLayers', account: 'plan.accountForEmbedding', weighted: 'plan.embeddingWeight',
};

function checkLayers(design: Design, report: Report): void {
  const { model, plan } = design;
  const stages = stageCount(design);
  const source = layoutSource(plan);
  if (source !== 'even') {
    const stated = statedLayout(plan, { layers: model.layers, mtpLayers: model.mtpLayers, ranks: plan.pp, stageCount: stages });
    const field = source === 'first-last' && plan.firstStageLayers === undefined ? 'plan.lastStageLayers'
      : source === 'account' && !plan.accountForEmbedding ? 'plan.accountForLoss' : LAYOUT_FIELD[source];
    if (stated && !stated.ok) report('error', 'layout/pipeline-layout', stated.message, field, 'plan.pp', 'plan.vpp', 'model.layers');
    return;
  }
  if (stages > model.layers) {
    report('error', 'layout/layers-pp', `${stages} pipeline stages for ${model.layers} layers: some stages would be empty`, 'plan.pp', 'plan.vpp', 'model.layers');
  } else if (model.layers % stages !== 0) {
    // The split the estimate uses (cost/stages.ts): shortened first and last stages, which also hold the
    // embedding and the LM head.
    const counts = splitLayers(design, stages).stages.map((s) => s.layers).join('/');
    report('warning', 'layout/layers-pp',
      `${model.layers} layers do not split evenly over ${stages} pipeline stages: ${counts} layers per stage (first and last stages shortened, as Megatron-LM's --decoder-first/last-pipeline-num-layers); the fullest stage sets the pace`,
      'plan.pp', 'plan.vpp', 'model.layers');
  }
}

function checkSchedule(design: Design, report: Report): void {
  const { plan } = design;
  const chunks = Math.max(1, plan.vpp);
  if (plan.schedule === 'interleaved-1f1b' && plan.pp > 1 && chunks < 2) {
    report('warning', 'schedule/interleaved-vpp', 'interleaved 1F1B with one chunk per rank is plain 1F1B; set the virtual pipeline size (vpp ≥ 2)', 'plan.vpp', 'plan.schedule');
  }
  // As the estimate runs it. The rules only, no ops built, so the check costs the same at any size.
  const run = planSchedule(plan);
  const broken = checkScheduleConstraints(run.id, run.params);
  if (broken) report('error', 'schedule/constraint', broken.message, 'plan.schedule', 'plan.microbatches', 'plan.globalBatchSize', 'plan.pp');
}
