// What a layout search is asked and what it answers (index.ts runs it): its options, its result with the best
// layouts, and the merge of the parts that worker threads search side by side (src/worker/).
import { findGpu, hbmCapacityBytes } from '../catalog/gpus';
import { DEFAULT_RECOMPUTE_MODULES, type Design, type ParallelPlan, type RecomputeModule } from '../design';
import type { Estimate } from '../estimate';
import type { PipelineLayoutSummary } from './pipelineLayouts';
import type { SharedBound } from './sharedBound';
import { DEEPSEEK_RECOMPUTE_MODULES } from './space';

export type SearchObjective = 'step-time' | 'memory';

export interface SearchProgress {
  /** Layouts estimated in full so far. */
  evaluated: number;
  /** Layouts in the space. */
  space: number;
  /** Best score so far (seconds or bytes), Infinity before the first layout that fits. */
  best: number;
}

export interface SearchOptions {
  objective?: SearchObjective;
  top?: number;
  /** Wall-clock budget in milliseconds; absent (the default), the search runs to completion. */
  budgetMs?: number;
  /** Clock for the budget; injectable so tests are deterministic. */
  now?: () => number;
  /** Largest micro-batch size in the space (default 8). */
  maxMicroBatchSize?: number;
  /** Called every few hundred layouts estimated. */
  onProgress?: (progress: SearchProgress) => void;
  /** Polled as the search runs; true stops it with status `cancelled`. */
  isCancelled?: () => boolean;
  /** Search only this part of the space (parallel workers; mergeSearchParts joins the parts). */
  part?: SearchPart;
}

/**
 * One of `count` parts of a search: the space's shapes are dealt round-robin (shape i to part i mod count), and
 * `bound` shares the parts' k-th best score (sharedBound.ts). The layouts estimated then depend on timing, the
 * answer does not: each part returns its own best k, which hold every layout of the whole top k it has.
 */
export interface SearchPart {
  index: number;
  count: number;
  bound?: SharedBound;
}

/** A part's result: its best layouts with their scores and places in the space's order, and its share of the space. */
export interface SearchPartResult extends SearchResult {
  scores: number[];
  orders: number[];
  partSpace: number;
  /**
   * The least of the memory bounds and estimates over the GPU's memory that ruled this part's layouts out; Infinity
   * when none did, NaN when some layout estimated failed for another reason (leastPeakBytes then says nothing).
   */
  leastOverBytes: number;
}

export type SearchStatus = 'complete' | 'budget' | 'cancelled';

export interface SearchResult {
  /** Layouts in the space: every one was estimated or ruled out by a bound, unless the status says otherwise. */
  space: number;
  /** Layouts estimated in full. */
  evaluated: number;
  /** Layouts ruled out by a lower bound on their score, without an estimate. */
  pruned: number;
  /** Of the layouts estimated, those that fit in memory. */
  feasible: number;
  seconds: number;
  status: SearchStatus;
  /** True when the status is not `complete` (kept for CONTRACT.md's older readers). */
  cutShort: boolean;
  results: SearchCandidate[];
  /**
   * Only when the search is complete and no layout fits, each having failed on GPU memory: what every layout of the
   * space needs per GPU at least (the least of the memory bounds and estimates that ruled them out).
   */
  leastPeakBytes?: number;
}

/** Why a complete search of `design` ranks no layout, in a sentence; undefined when it ranks some, or cannot say. */
export function noLayoutReason(result: SearchResult, design: Design): string | undefined {
  if (result.status !== 'complete' || result.results.length > 0) return undefined;
  const { cluster, model, plan } = design;
  if (result.space === 0) {
    return `the space is empty: no split of the ${cluster.worldSize} GPUs into TP × CP × PP × DP has a DP that divides the global batch of ${plan.globalBatchSize}`
      + ` with TP within the heads, CP dividing the sequence, PP at most the ${model.layers} layers and a schedule for its micro-batches`;
  }
  if (result.leastPeakBytes === undefined) return undefined;
  const capacityBytes = hbmCapacityBytes(cluster, findGpu(cluster.gpu));
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  return `none of the ${result.space} layouts fits in ${gib(capacityBytes)} GiB per GPU: each needs at least ${gib(result.leastPeakBytes)} GiB`
    + ' (the least of the memory bounds and estimates that ruled them out)';
}

/** leastPeakBytes of a search from its status, its counts and its parts' leastOverBytes; undefined where it says nothing. */
export function leastPeakBytesOf(status: SearchStatus, space: number, feasible: number, leastOverBytes: readonly number[]): number | undefined {
  if (status !== 'complete' || space === 0 || feasible > 0) return undefined;
  let least = Number.POSITIVE_INFINITY;
  for (const bytes of leastOverBytes) {
    if (Number.isNaN(bytes)) return undefined;
    least = Math.min(least, bytes);
  }
  return Number.isFinite(least) ? least : undefined;
}

export interface SearchCandidate {
  plan: ParallelPlan;
  estimate: Estimate;
  /** What the plan recomputes, in words: `none`, `full`, `selective (core_attn)`, `selective: DeepSeek-V3 recipe (…)`. */
  recomputeLabel: string;
  /** The pipeline layout the plan states (its fields are in `plan` too) and what it holds per stage. */
  pipelineLayout: PipelineLayoutSummary;
}

export function recomputeLabel(plan: { recompute: ParallelPlan['recompute']; recomputeModules?: readonly RecomputeModule[] | undefined }): string {
  if (plan.recompute !== 'selective') return plan.recompute;
  const modules = plan.recomputeModules ?? DEFAULT_RECOMPUTE_MODULES;
  const deepSeek = modules.length === DEEPSEEK_RECOMPUTE_MODULES.length && DEEPSEEK_RECOMPUTE_MODULES.every((m) => modules.includes(m));
  return deepSeek ? `selective: DeepSeek-V3 recipe (${modules.join(', ')})` : `selective (${modules.length > 0 ? modules.join(', ') : 'no modules'})`;
}

/**
 * The parts' results as one: the best `top` by score, equal scores in the space's order, the counts added. The
 * status is the worst part's; `seconds` is the caller's wall time (the parts ran side by side).
 */
export function mergeSearchParts(parts: readonly SearchPartResult[], top: number, seconds: number): SearchResult {
  const ranked = parts.flatMap((part) => part.results.map((candidate, i) => ({ score: part.scores[i]!, order: part.orders[i]!, candidate })));
  ranked.sort((a, b) => a.score - b.score || a.order - b.order);
  const status: SearchStatus = parts.some((p) => p.status === 'cancelled') ? 'cancelled' : parts.some((p) => p.status === 'budget') ? 'budget' : 'complete';
  let evaluated = 0;
  let feasible = 0;
  let pruned = 0;
  for (const part of parts) {
    evaluated += part.evaluated;
    feasible += part.feasible;
    pruned += part.pruned;
  }
  const space = parts[0]?.space ?? 0;
  const leastPeakBytes = leastPeakBytesOf(status, space, feasible, parts.map((part) => part.leastOverBytes));
  return {
    space, evaluated, pruned: status === 'complete' ? pruned : 0, feasible, seconds, status, cutShort: status !== 'complete',
    results: ranked.slice(0, Math.max(1, top)).map((entry) => entry.candidate),
    ...(leastPeakBytes !== undefined ? { leastPeakBytes } : {}),
  };
}
