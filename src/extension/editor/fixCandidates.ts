// The values a quick fix may offer: the nearest sizes that satisfy the rule a diagnostic names, checked against
// the same rules the model applies (src/model/layoutChecks.ts) so that applying a fix never trades one layout
// error for another of the same kind. Pure, no `vscode`.
import type { Origin } from '../../config/types';
import type { Design } from '../../model/design';
import { stageCount } from '../../model/layoutChecks';
import { checkScheduleConstraints, MAX_SCHEDULE_OPS, planSchedule, scheduleOpBound } from '../../model/schedule/index';

/** At most this many alternatives per diagnostic: more is a menu nobody reads. */
const MAX_CHOICES = 3;
/** Candidate values tested per search. */
const MAX_TRIES = 256;

/**
 * Values in [min, max] other than `current` that pass `valid`, nearest first (ties: the smaller first, which is
 * the cheaper layout to try).
 */
export function nearestValid(current: number, valid: (n: number) => boolean, min: number, max: number, count = MAX_CHOICES): number[] {
  const found: number[] = [];
  const reach = Math.max(current - min, max - current);
  // A check may generate a schedule; the search is bounded so a code action never stalls the editor.
  let tries = MAX_TRIES;
  for (let distance = 1; distance <= reach && found.length < count && tries > 0; distance++) {
    for (const n of [current - distance, current + distance]) {
      if (n < min || n > max || found.length >= count || tries <= 0) continue;
      tries--;
      if (valid(n)) found.push(n);
    }
  }
  return found;
}

const GIVEN: ReadonlySet<Origin['from']> = new Set(['file', 'directive', 'workspace', 'setting', 'flag']);

/**
 * True when someone set the cluster's size (nodes or GPUs); otherwise completion sized the world from the layout,
 * and a new PP or TP simply gives another world, so it need not divide the current one.
 */
export function isWorldFixed(origins: Record<string, Origin>): boolean {
  return ['cluster.nodes', 'cluster.worldSize'].some((path) => {
    const from = origins[path]?.from;
    return from !== undefined && GIVEN.has(from);
  });
}

/** PP sizes whose stages split the layers evenly and whose model-parallel group still divides a fixed world. */
export function pipelineChoices(design: Design, worldFixed = true): number[] {
  const { plan, model, cluster } = design;
  const valid = (pp: number) => {
    const stages = stageCount({ plan: { ...design.plan, pp } });
    if (stages > model.layers || model.layers % stages !== 0) return false;
    if (worldFixed && cluster.worldSize % (plan.tp * pp * plan.cp) !== 0) return false;
    return plan.schedule !== 'dualpipe' || pp % 2 === 0;
  };
  // Within a factor of four of the current size: a fix nudges the layout, it does not redesign it.
  return nearestValid(plan.pp, valid, Math.max(1, Math.ceil(plan.pp / 4)), Math.min(model.layers, plan.pp * 4));
}

/** TP sizes that split the attention heads (and GQA's KV heads) and divide a fixed world with the other sizes. */
export function tensorChoices(design: Design, worldFixed = true): number[] {
  const { plan, model, cluster } = design;
  const valid = (tp: number) => {
    if (model.heads % tp !== 0) return false;
    if (model.attention === 'gqa' && model.kvHeads % tp !== 0 && tp % model.kvHeads !== 0) return false;
    return !worldFixed || cluster.worldSize % (tp * plan.pp * plan.cp) === 0;
  };
  // TP beyond one NVLink domain is never the clear fix for a divisibility problem.
  return nearestValid(plan.tp, valid, 1, Math.max(cluster.gpusPerNode, 1));
}

/** EP sizes that split the experts and divide the ranks of one pipeline stage (tp·cp·dp) with ETP. */
export function expertChoices(design: Design): number[] {
  const { plan, model } = design;
  if (model.experts <= 0) return [];
  const stageRanks = plan.tp * plan.cp * plan.dp;
  const valid = (ep: number) => model.experts % ep === 0 && stageRanks % (ep * plan.etp) === 0;
  return nearestValid(plan.ep, valid, 1, Math.min(model.experts, stageRanks));
}

/**
 * True when the schedule the plan runs accepts m micro-batches by its rules and within the simulator's budget,
 * as the estimate will judge it; builds no ops.
 */
export function scheduleAccepts(design: Design, microbatches: number): boolean {
  const run = planSchedule({ ...design.plan, microbatches });
  return checkScheduleConstraints(run.id, run.params) === undefined && scheduleOpBound(run.id, run.params) <= MAX_SCHEDULE_OPS;
}

/**
 * Micro-batch counts the schedule accepts, nearest first (DualPipe: even and ≥ 2p; interleaved 1F1B: Megatron's
 * group rule). The generator is the judge, so every schedule's rule is covered by one search.
 */
export function microbatchChoices(design: Design): number[] {
  const { plan } = design;
  const max = Math.max(plan.microbatches * 2, plan.pp * 4);
  return nearestValid(plan.microbatches, (m) => scheduleAccepts(design, m), 1, max);
}

/** The global batch that gives m micro-batches with the design's micro-batch size and DP. */
export function globalBatchFor(design: Design, microbatches: number): number {
  return microbatches * design.plan.microBatchSize * design.plan.dp;
}

/**
 * Legacy spellings whose replacement means exactly the same and sits in the same place, so renaming the key is
 * the whole fix (Megatron-LM arguments.py renames; FORMATS.md). Renames that move a key to another table
 * (torchtitan's [training] → [parallelism]) or change its meaning (--checkpoint-activations) are not offered.
 */
const LEGACY_RENAMES: Record<string, string> = {
  '--model-parallel-size': '--tensor-model-parallel-size',
  '--activations-checkpoint-num-layers': '--recompute-num-layers',
  '--distribute-checkpointed-activations': '--distribute-saved-activations',
  model_parallel_size: 'tensor_model_parallel_size',
  activations_checkpoint_num_layers: 'recompute_num_layers',
  distribute_checkpointed_activations: 'distribute_saved_activations',
};

/**
 * The legacy key at the start of a diagnostic's text (a flag may be followed by its value, a key may be quoted):
 * its offsets within that text and its current spelling; undefined when it is not a plain rename.
 */
export function legacyRename(text: string): { start: number; end: number; replacement: string } | undefined {
  const match = /^\s*["']?(--?[A-Za-z][\w.-]*|[A-Za-z_][\w]*)/.exec(text);
  if (!match) return undefined;
  const key = match[1]!;
  const replacement = LEGACY_RENAMES[key];
  if (replacement === undefined) return undefined;
  const end = match[0].length;
  return { start: end - key.length, end, replacement };
}

/**
 * Where, inside the text a value range covers, the plain number `expected` is written (`16`, `"16"`, `'16'`);
 * undefined for anything else (`$PP`, `${PP:-16}`, `16*2`), which a quick fix must not rewrite.
 */
export function plainNumberSpan(text: string, expected: number): { start: number; end: number } | undefined {
  const match = /^(\s*)(["']?)(\d+)\2\s*$/.exec(text);
  if (!match || Number(match[3]) !== expected) return undefined;
  const start = match[1]!.length + match[2]!.length;
  return { start, end: start + match[3]!.length };
}
