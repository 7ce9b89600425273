// "What would a neighbouring value give?" for hovers: the design with one field changed, re-derived the way
// completion derives it (dp = world / (tp·pp·cp), micro-batches = global batch / (micro-batch · dp)), estimated
// again. Pure, no `vscode`; each estimate is milliseconds and the op count is bounded before estimating.
import { fieldValue, type Design, type FieldPath, type ParallelPlan, type Recompute, type ScheduleId } from '../../model/design';
import { estimate, type Estimate, type EstimateOptions } from '../../model/estimate';
import { planSchedule, SCHEDULE_IDS, scheduleOpBound } from '../../model/schedule/index';
import type { WhatIfChanges } from '../../protocol';

/** Above this many schedule ops a variant is not estimated inside a hover (a hover must answer at once). */
export const MAX_VARIANT_OPS = 1_500_000;

export type FieldValue = number | string;

export interface Variant {
  value: FieldValue;
  current: boolean;
  /** The estimate, or why there is none (a rule the changed layout breaks, or the budget). */
  estimate: Estimate | null;
  reason?: string;
}

const SIZE_FIELDS = ['plan.pp', 'plan.tp', 'plan.cp', 'plan.ep', 'plan.vpp', 'plan.microBatchSize', 'plan.microbatches', 'plan.globalBatchSize'] as const;
const SCHEDULES_COMPARED: readonly ScheduleId[] = ['1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'dualpipe', 'dualpipev'];
const RECOMPUTE: readonly Recompute[] = ['none', 'selective', 'full'];

/** Fields a hover compares neighbours for. */
export function comparesNeighbours(field: string): boolean {
  return (SIZE_FIELDS as readonly string[]).includes(field) || field === 'plan.schedule' || field === 'plan.recompute' || field === 'plan.zero';
}

/** Half, current and double for sizes (PP 8 / 16 / 32); the alternatives for choices. */
export function neighbourValues(field: FieldPath, design: Design): FieldValue[] {
  const plan = design.plan;
  if (field === 'plan.schedule') return SCHEDULES_COMPARED.includes(plan.schedule) ? [...SCHEDULES_COMPARED] : [plan.schedule, ...SCHEDULES_COMPARED];
  if (field === 'plan.recompute') return [...RECOMPUTE];
  if (field === 'plan.zero') return [0, 1, 2, 3];
  if (!(SIZE_FIELDS as readonly string[]).includes(field)) return [];
  const current = plan[field.slice('plan.'.length) as keyof ParallelPlan];
  if (typeof current !== 'number') return [];
  const values: number[] = [];
  if (current >= 2 && current % 2 === 0) values.push(current / 2);
  values.push(current, current * 2);
  return values;
}

/** The design with one field changed and the dependent sizes re-derived; a string says why it cannot be. */
export function withValue(design: Design, field: FieldPath, value: FieldValue): Design | string {
  const plan: ParallelPlan = { ...design.plan };
  const next: Design = { model: design.model, cluster: design.cluster, plan };
  switch (field) {
    case 'plan.schedule': plan.schedule = value as ScheduleId; if (plan.schedule === 'interleaved-1f1b' && plan.vpp < 2) plan.vpp = 2; return next;
    case 'plan.recompute': plan.recompute = value as Recompute; return next;
    case 'plan.zero': plan.zero = value as ParallelPlan['zero']; return next;
    case 'plan.ep': plan.ep = Number(value); return next;
    case 'plan.vpp': plan.vpp = Number(value); return next;
    case 'plan.microbatches':
      plan.microbatches = Number(value);
      plan.globalBatchSize = plan.microbatches * plan.microBatchSize * plan.dp;
      return next;
    case 'plan.globalBatchSize':
      plan.globalBatchSize = Number(value);
      return rederiveMicrobatches(next);
    case 'plan.microBatchSize':
      plan.microBatchSize = Number(value);
      return rederiveMicrobatches(next);
    case 'plan.pp': case 'plan.tp': case 'plan.cp': {
      plan[field.slice('plan.'.length) as 'pp' | 'tp' | 'cp'] = Number(value);
      const modelParallel = plan.tp * plan.pp * plan.cp;
      if (design.cluster.worldSize % modelParallel !== 0) return `tp·pp·cp = ${modelParallel} does not divide ${design.cluster.worldSize} GPUs`;
      plan.dp = design.cluster.worldSize / modelParallel;
      return rederiveMicrobatches(next);
    }
    default: return 'not compared';
  }
}

function rederiveMicrobatches(design: Design): Design | string {
  const { plan } = design;
  const perStep = plan.microBatchSize * plan.dp;
  if (plan.globalBatchSize % perStep !== 0) return `global batch ${plan.globalBatchSize} is not a multiple of ${perStep}`;
  plan.microbatches = plan.globalBatchSize / perStep;
  return design;
}

/** Ops the plan's schedule will generate, as the budget counts them. */
export function scheduleOps(plan: ParallelPlan): number {
  const run = planSchedule(plan);
  return scheduleOpBound(run.id, run.params);
}

export function compareNeighbours(design: Design, field: FieldPath, currentEstimate: Estimate | null, options: EstimateOptions = {}): Variant[] {
  const current = fieldValue(design, field);
  return neighbourValues(field, design).map((value) => {
    const isCurrent = value === current;
    if (isCurrent && currentEstimate) return { value, current: true, estimate: currentEstimate };
    const changed = withValue(design, field, value);
    if (typeof changed === 'string') return { value, current: isCurrent, estimate: null, reason: changed };
    if (scheduleOps(changed.plan) > MAX_VARIANT_OPS) return { value, current: isCurrent, estimate: null, reason: 'too many micro-batches to estimate in a hover' };
    try {
      const result = estimate(changed, options);
      const blocking = result.problems.find((p) => p.severity === 'error' && p.code !== 'memory/over-capacity');
      if (result.estimate) return { value, current: isCurrent, estimate: result.estimate };
      return { value, current: isCurrent, estimate: null, reason: blocking?.message ?? 'no estimate' };
    } catch (error) {
      return { value, current: isCurrent, estimate: null, reason: `estimate failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  });
}


/** Bounds on what the panel's what-if controls may ask for (the page is not trusted to have checked). */
export const WHAT_IF_LIMITS = { pp: 1024, microBatchSize: 1024 } as const;

/**
 * The design with the panel's what-if values (schedule, PP, micro-batch size) applied in that order, each
 * re-derived as a hover's neighbour is; a string says why the changes cannot be applied. Never touches a file.
 */
export function applyWhatIf(design: Design, changes: WhatIfChanges): { design: Design; changes: WhatIfChanges } | string {
  const clean: WhatIfChanges = {};
  let next: Design = design;
  if (changes.schedule !== undefined) {
    if (!(SCHEDULE_IDS as readonly unknown[]).includes(changes.schedule)) return `unknown schedule "${String(changes.schedule)}"`;
    if (changes.schedule !== design.plan.schedule) clean.schedule = changes.schedule;
  }
  for (const key of ['pp', 'microBatchSize'] as const) {
    const value = changes[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1 || value > WHAT_IF_LIMITS[key]) return `${key === 'pp' ? 'PP' : 'micro-batch size'} must be a whole number from 1 to ${WHAT_IF_LIMITS[key]}`;
    if (value !== design.plan[key]) clean[key] = value;
  }
  const steps: [FieldPath, FieldValue | undefined][] = [['plan.schedule', clean.schedule], ['plan.pp', clean.pp], ['plan.microBatchSize', clean.microBatchSize]];
  for (const [field, value] of steps) {
    if (value === undefined) continue;
    const changed = withValue(next, field, value);
    if (typeof changed === 'string') return changed;
    next = changed;
  }
  return { design: next, changes: clean };
}
