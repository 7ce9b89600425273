// The layout rules a design must keep before it can be estimated (DESIGN.md §6 diagnostics): whole positive
// sizes, the product of the parallel degrees equal to the world size, and the divisibility rules of Megatron-LM.
// Errors stop the estimate; nothing here throws.
import type { Design } from './design';
import type { Problem } from './problems';

function error(code: string, field: string, message: string): Problem {
  return { severity: 'error', code, field, message };
}

const POSITIVE_FIELDS = [
  ['plan', 'tp'], ['plan', 'pp'], ['plan', 'vpp'], ['plan', 'cp'], ['plan', 'ep'], ['plan', 'etp'], ['plan', 'dp'],
  ['plan', 'seqLength'], ['plan', 'microBatchSize'], ['plan', 'globalBatchSize'], ['plan', 'microbatches'],
  ['model', 'layers'], ['model', 'hidden'], ['model', 'heads'], ['model', 'kvHeads'], ['model', 'vocab'],
  ['cluster', 'gpusPerNode'], ['cluster', 'nodes'], ['cluster', 'worldSize'],
] as const;

export function checkLayout(design: Design): Problem[] {
  const problems: Problem[] = [];
  for (const [part, key] of POSITIVE_FIELDS) {
    const value = (design[part] as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      problems.push(error('value/invalid', `${part}.${key}`, `${part}.${key} must be a whole number ≥ 1, got ${String(value)}`));
    }
  }
  if (problems.length > 0) return problems;
  const { plan, model, cluster } = design;
  const product = plan.tp * plan.cp * plan.dp * plan.pp;
  if (product !== cluster.worldSize) {
    problems.push(error('layout/world-size', 'plan.dp',
      `tp·cp·dp·pp = ${plan.tp}·${plan.cp}·${plan.dp}·${plan.pp} = ${product}, but the cluster has ${cluster.worldSize} GPUs`));
  }
  if (model.heads % plan.tp !== 0) {
    problems.push(error('layout/heads-tp', 'plan.tp', `${model.heads} attention heads do not divide by TP ${plan.tp}`));
  }
  if (model.experts > 0) {
    if (model.experts % plan.ep !== 0) {
      problems.push(error('layout/experts-ep', 'plan.ep', `${model.experts} experts do not divide by EP ${plan.ep}`));
    }
    if ((plan.tp * plan.cp * plan.dp) % (plan.ep * plan.etp) !== 0) {
      problems.push(error('layout/ep-dp', 'plan.ep',
        `EP·ETP = ${plan.ep * plan.etp} must divide tp·cp·dp = ${plan.tp * plan.cp * plan.dp} (experts regroup the same ranks)`));
    }
  } else if (plan.ep > 1) {
    problems.push(error('layout/ep-dense', 'plan.ep', `EP ${plan.ep} needs an MoE model; ${model.name} has no experts`));
  }
  if (plan.seqLength % plan.cp !== 0) {
    problems.push(error('layout/seq-cp', 'plan.cp', `sequence length ${plan.seqLength} does not divide by CP ${plan.cp}`));
  }
  if (plan.globalBatchSize !== plan.microBatchSize * plan.dp * plan.microbatches) {
    problems.push(error('layout/batch', 'plan.globalBatchSize',
      `global batch ${plan.globalBatchSize} ≠ micro-batch ${plan.microBatchSize} × DP ${plan.dp} × ${plan.microbatches} micro-batches`));
  }
  const stages = stageCount(design);
  if (model.layers < stages) {
    problems.push(error('layout/layers-stages', 'plan.pp', `${model.layers} layers cannot fill ${stages} pipeline stages`));
  }
  if (cluster.gpusPerNode * cluster.nodes < cluster.worldSize) {
    problems.push(error('cluster/too-small', 'cluster.nodes',
      `${cluster.nodes} nodes × ${cluster.gpusPerNode} GPUs hold fewer than the world size ${cluster.worldSize}`));
  }
  return problems;
}

/** Model stages in one pipeline: v·p interleaved, 2p for V placements, p otherwise (DualPipe: p per direction). */
export function stageCount(design: Design): number {
  const { pp, vpp, schedule } = design.plan;
  if (pp <= 1) return 1;
  if (schedule === 'interleaved-1f1b') return pp * Math.max(1, vpp);
  if (schedule === 'zbv' || schedule === 'dualpipev') return 2 * pp;
  return pp;
}
