// Layout search: for a model and cluster, enumerate parallel layouts, keep those that fit in memory and rank
// them. Two passes keep it inside a budget: first the shape of the layout (TP, PP, CP, EP, schedule, VPP) with
// selective recomputation (the file's module list, if it names one), micro-batch 1 and ZeRO-1; then, for the best shapes, the micro-batch size,
// recomputation and ZeRO stage. Work beyond the budget is cut short and the result says so.
//
// Recomputation choices of the second pass: none, Megatron's selective default (core_attn), full, and for MLA or
// MoE models the DeepSeek-V3 report's recipe as Megatron modules (layernorm, mla_up_proj, moe_act: §3.2.3,
// §3.3.3), which keeps far less per layer than core_attn for a few milliseconds of backward. Each result carries
// a label that names the modules, since `recompute: selective` alone would not say which.
import { DEEPSEEK_V3_ACTIVATION_RECIPE } from './cost/activations';
import { DEFAULT_RECOMPUTE_MODULES, type Design, type ParallelPlan, type Recompute, type RecomputeModule, type ScheduleId, type ZeroStage } from './design';
import { createEstimateCache, estimate, type Estimate } from './estimate';

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
  results: SearchCandidate[];
}

export interface SearchCandidate {
  plan: ParallelPlan;
  estimate: Estimate;
  /** What the plan recomputes, in words: `none`, `full`, `selective (core_attn)`, `selective: DeepSeek-V3 recipe (…)`. */
  recomputeLabel: string;
}

/** The DeepSeek-V3 recipe's recompute modules, as Megatron names them. */
export const DEEPSEEK_RECOMPUTE_MODULES: readonly RecomputeModule[] = DEEPSEEK_V3_ACTIVATION_RECIPE.recomputeModules;

export function recomputeLabel(plan: Pick<ParallelPlan, 'recompute' | 'recomputeModules'>): string {
  if (plan.recompute !== 'selective') return plan.recompute;
  const modules = plan.recomputeModules ?? DEFAULT_RECOMPUTE_MODULES;
  const deepSeek = modules.length === DEEPSEEK_RECOMPUTE_MODULES.length && DEEPSEEK_RECOMPUTE_MODULES.every((m) => modules.includes(m));
  return deepSeek ? `selective: DeepSeek-V3 recipe (${modules.join(', ')})` : `selective (${modules.length > 0 ? modules.join(', ') : 'no modules'})`;
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
interface RecomputeChoice {
  recompute: Recompute;
  /** Absent: Megatron's default for selective (core_attn); not used by none and full. */
  recomputeModules?: readonly RecomputeModule[];
}

function recomputeChoices(design: Design): RecomputeChoice[] {
  const choices: RecomputeChoice[] = [{ recompute: 'none' }, { recompute: 'selective' }, { recompute: 'full' }];
  if (design.model.attention === 'mla' || design.model.experts > 0) choices.push({ recompute: 'selective', recomputeModules: DEEPSEEK_RECOMPUTE_MODULES });
  return choices;
}

/** The plan with this recomputation and no module list left over from another setting. */
function withRecompute(plan: ParallelPlan, choice: RecomputeChoice): ParallelPlan {
  const { recomputeModules: _previous, ...rest } = plan;
  return choice.recomputeModules ? { ...rest, recompute: choice.recompute, recomputeModules: [...choice.recomputeModules] } : { ...rest, recompute: choice.recompute };
}
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
  const feasible: SearchCandidate[] = [];
  const seen = new Set<string>();
  const cache = createEstimateCache();

  const tryPlan = (plan: ParallelPlan): Estimate | undefined => {
    // Plans built along different paths list their fields in different orders; compare them field by field.
    const key = JSON.stringify(plan, Object.keys(plan).sort());
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (now() - started > budgetMs) {
      cutShort = true;
      return undefined;
    }
    if (plan.globalBatchSize % (plan.microBatchSize * plan.dp) !== 0) return undefined;
    evaluated++;
    const result = estimate({ ...design, plan }, { cache });
    if (!result.estimate || result.problems.some((p) => p.severity === 'error')) return undefined;
    feasible.push({ plan, estimate: result.estimate, recomputeLabel: recomputeLabel(plan) });
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
      for (const choice of recomputeChoices(design)) {
        // With PP, ZeRO-3 gathers once per step and keeps the stage whole: the same memory and traffic as
        // ZeRO-1 (cost/zeroSchedule.ts), so trying it again would only list twins.
        for (const zero of plan.pp > 1 ? [1 as const] : ZERO_CHOICES) tryPlan(withBatch(withRecompute({ ...plan, microBatchSize, zero }, choice)));
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
