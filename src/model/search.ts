// Layout search: for a model and cluster, enumerate parallel layouts, keep those that fit in memory and rank
// them. Two passes keep it inside a budget: first the shape of the layout (TP, PP, CP, EP, schedule, VPP) with
// selective recomputation, micro-batch 1 and ZeRO-1; then, for the best shapes, the micro-batch size,
// recomputation and ZeRO stage. Work beyond the budget is cut short and the result says so.
import type { Design, ParallelPlan, Recompute, ScheduleId, ZeroStage } from './design';
import { estimate, type Estimate } from './estimate';

export type SearchObjective = 'step-time' | 'memory';

export interface SearchOptions {
  objective?: SearchObjective;
  top?: number;
  /** Wall-clock budget in milliseconds (default 5000). */
  budgetMs?: number;
  /** Clock for the budget; injectable so tests are deterministic. */
  now?: () => number;
}

export interface SearchResult {
  evaluated: number;
  feasible: number;
  seconds: number;
  /** True when the budget ran out before every candidate was estimated. */
  cutShort: boolean;
  results: { plan: ParallelPlan; estimate: Estimate }[];
}

const TP_CHOICES = [1, 2, 4, 8];
const PP_CHOICES = [1, 2, 4, 8, 16, 32, 64];
const CP_CHOICES = [1, 2, 4];
const SHAPE_SCHEDULES: { schedule: ScheduleId; vpp: number }[] = [
  { schedule: '1f1b', vpp: 1 },
  { schedule: 'interleaved-1f1b', vpp: 2 },
  { schedule: 'interleaved-1f1b', vpp: 4 },
  { schedule: 'zb-h1', vpp: 1 },
  { schedule: 'dualpipe', vpp: 1 },
];
const MICRO_BATCH_CHOICES = [1, 2, 4];
const RECOMPUTE_CHOICES: Recompute[] = ['none', 'selective', 'full'];
const ZERO_CHOICES: ZeroStage[] = [1, 3];
/** Shapes refined in the second pass. */
const REFINED_SHAPES = 12;

function epChoices(design: Design, tpCpDp: number): number[] {
  const experts = design.model.experts;
  if (experts <= 0) return [1];
  const choices: number[] = [];
  for (let ep = 1; ep <= Math.min(experts, tpCpDp); ep *= 2) if (experts % ep === 0 && tpCpDp % ep === 0) choices.push(ep);
  return choices;
}

function shapes(design: Design): ParallelPlan[] {
  const { model, cluster, plan } = design;
  const world = cluster.worldSize;
  const plans: ParallelPlan[] = [];
  for (const tp of TP_CHOICES) {
    if (tp > cluster.gpusPerNode || model.heads % tp !== 0) continue;
    for (const cp of CP_CHOICES) {
      if (cp > 1 && plan.seqLength < 8192) continue;
      for (const pp of PP_CHOICES) {
        if (pp > model.layers || world % (tp * cp * pp) !== 0) continue;
        const dp = world / (tp * cp * pp);
        if (plan.globalBatchSize % dp !== 0) continue;
        for (const ep of epChoices(design, tp * cp * dp)) {
          for (const { schedule, vpp } of SHAPE_SCHEDULES) {
            if (pp === 1 && schedule !== '1f1b') continue;
            if (schedule === 'interleaved-1f1b' && model.layers < pp * vpp) continue;
            if (schedule === 'dualpipe' && pp % 2 !== 0) continue;
            plans.push(withBatch({ ...plan, tp, cp, pp, dp, ep, etp: 1, schedule, vpp, microBatchSize: 1, recompute: 'selective', zero: 1, sequenceParallel: tp > 1 }));
          }
        }
      }
    }
  }
  return plans;
}

function withBatch(plan: ParallelPlan): ParallelPlan {
  return { ...plan, microbatches: Math.max(1, Math.round(plan.globalBatchSize / (plan.microBatchSize * plan.dp))) };
}

function score(e: Estimate, objective: SearchObjective): number {
  return objective === 'memory' ? e.memory.peakBytes : e.stepTimeSeconds;
}

export function searchLayouts(design: Design, options: SearchOptions = {}): SearchResult {
  const now = options.now ?? (() => Date.now());
  const objective = options.objective ?? 'step-time';
  const budgetMs = options.budgetMs ?? 5000;
  const started = now();
  let evaluated = 0;
  let cutShort = false;
  const feasible: { plan: ParallelPlan; estimate: Estimate }[] = [];
  const seen = new Set<string>();

  const tryPlan = (plan: ParallelPlan): Estimate | undefined => {
    const key = JSON.stringify(plan);
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (now() - started > budgetMs) {
      cutShort = true;
      return undefined;
    }
    if (plan.globalBatchSize % (plan.microBatchSize * plan.dp) !== 0) return undefined;
    evaluated++;
    const result = estimate({ ...design, plan });
    if (!result.estimate || result.problems.some((p) => p.severity === 'error')) return undefined;
    feasible.push({ plan, estimate: result.estimate });
    return result.estimate;
  };

  // Pass 1: layout shapes. Pass 2: batch, recomputation and ZeRO for the best shapes (whether they fit or not:
  // full recomputation or ZeRO-3 may be what makes one fit).
  const ranked: { plan: ParallelPlan; value: number }[] = [];
  for (const plan of shapes(design)) {
    const e = tryPlan(plan);
    const memoryPenalty = e ? 0 : Number.POSITIVE_INFINITY;
    ranked.push({ plan, value: e ? score(e, objective) : memoryPenalty });
    if (cutShort) break;
  }
  ranked.sort((a, b) => a.value - b.value);
  for (const { plan } of ranked.slice(0, REFINED_SHAPES)) {
    for (const microBatchSize of MICRO_BATCH_CHOICES) {
      for (const recompute of RECOMPUTE_CHOICES) {
        for (const zero of ZERO_CHOICES) tryPlan(withBatch({ ...plan, microBatchSize, recompute, zero }));
      }
    }
    if (cutShort) break;
  }

  feasible.sort((a, b) => score(a.estimate, objective) - score(b.estimate, objective));
  return {
    evaluated,
    feasible: feasible.length,
    seconds: (now() - started) / 1000,
    cutShort,
    results: feasible.slice(0, options.top ?? 10),
  };
}
