// Layout search: every layout the design's model and cluster allow (space.ts), ranked by step time or peak memory,
// the best k returned. Complete by default: a layout is either estimated in full or ruled out by a lower bound
// that cannot exceed its score (bound.ts), so the answer is the one an estimate of every layout would give, on any
// machine and under any load. Ties are broken by the space's fixed order. Only a budget the caller sets, or a
// cancel, cuts a search short, and the result says so (result.ts).
//
// Order of work (branch and bound): layouts are grouped into shapes (the parallel degrees), families (a shape's
// micro-batch size and recomputation) and schedules (with their pipeline layout, the ZeRO stages under them). A
// shape's time bound is the step's total work per rank without the EP all-to-all (one stage holding every layer,
// priced at EP 1 and shared by every PP, DP and EP degree). A family waits at that bound with its own schedules'
// share of F&B pairs, and when it comes up at the bound with its own all-to-all (bound.ts). Until then a bound reads
// no EP degree: the shapes that differ only in EP wait as one entry, and so do their families of one micro-batch
// size and recomputation. A family that comes up
// at that checks its memory floor with the least any of its schedules keeps in flight (memoryBound.ts), then its
// schedules: one whose own work bound is above the family's waits in the queue at it. A schedule that comes up gets
// its memory bound with what it keeps in flight, then a time bound from its busiest rank's ops and fill and drain on its own stage costs; only layouts whose bound
// is below the k-th best score so far are estimated, and not those with a rank over capacity already, nor those
// whose bound plus the exposed DP synchronisation and optimizer step their step adds is not (beyondBound.ts). What the
// bounds read is priced once and shared by the plans that read the same fields (sharedPricing.ts,
// scheduleBounds.ts); the estimate cache (stageCostCache.ts) shares stage costs and simulated timelines between
// layouts, keyed by a number from the enumeration (space.ts stageCostKeyOf), so the layouts that differ only in
// ZeRO stage simulate once.
import { findGpu, hbmCapacityBytes } from '../catalog/gpus';
import type { Design, ParallelPlan } from '../design';
import { createEstimateCache, priceLayout, pricedEnvironment, type PricedLayout } from '../estimate';
import { sharedStageCosts } from '../stageCostCache';
import { rankHoldings, type RankHolding } from '../rankMemory';
import type { DpOverlapWindows } from '../cost/comm/dpOverlap';
import { fabricSlowdown } from '../cost/comm/overlap';
import { overlapsPairs } from './bound';
import { stepBeyondAtLeast, windowsAtLeast } from './beyondBound';
import { MinHeap } from './heap';
import { boundWithInFlight, chunksPerRank, memoryFloor, memoryLowerBound, rankOverCapacity, type MemoryFloor } from './memoryBound';
import { pipelineLayoutSummary } from './pipelineLayouts';
import { PlanKeys } from './planKeys';
import { leastPeakBytesOf, recomputeLabel, type SearchOptions, type SearchPartResult, type SearchResult, type SearchStatus } from './result';
import { ScheduleBounds } from './scheduleBounds';
import { SharedPricing } from './sharedPricing';
import { choicePlan, enumerateShapes, expertSiblings, shapeFamilies, stageCostKeyOf, type Family, type Shape } from './space';

export { pipelineLayoutLabel, type PipelineLayoutSummary } from './pipelineLayouts';
export { SharedBound } from './sharedBound';
export { DEEPSEEK_RECOMPUTE_MODULES, enumerateFamilies, enumerateShapes, recomputeChoices, scheduleChoices } from './space';
export {
  mergeSearchParts, noLayoutReason, recomputeLabel, type SearchCandidate, type SearchObjective, type SearchOptions, type SearchPart, type SearchPartResult,
  type SearchProgress, type SearchResult, type SearchStatus,
} from './result';

/** Relative slack on bounds: a bound and a simulation sum the same times in different orders. */
const BOUND_SLACK = 1e-9;
const PROGRESS_EVERY = 256;

interface Ranked {
  score: number;
  order: number;
  plan: ParallelPlan;
  /** Its estimate is built only if it stays among the best (PricedLayout.report). */
  priced: PricedLayout;
}

/**
 * A queue entry: shapes that differ only in EP at their work bound, their families of one micro-batch size and
 * recomputation at the bound without the all-to-all, one family at its bound with its all-to-all, or one of a
 * family's schedules at its work bound or, once `bounded`, at its own bound on its own stage costs. Without the
 * all-to-all a bound reads no EP degree (sharedPricing.ts), so the EP degrees wait as one entry until then.
 */
type Node = { shapes: Shape[] } | { families: Family[] } | { family: Family } | { family: Family; scheduleIndex: number; bounded: boolean };

export function searchLayouts(design: Design, options: SearchOptions = {}): SearchResult {
  const { scores: _scores, orders: _orders, partSpace: _partSpace, leastOverBytes, ...result } = searchLayoutsPart(design, options);
  const leastPeakBytes = leastPeakBytesOf(result.status, result.space, result.feasible, [leastOverBytes]);
  return leastPeakBytes !== undefined ? { ...result, leastPeakBytes } : result;
}

/** searchLayouts over `options.part` of the space (all of it without one), with what mergeSearchParts needs. */
export function searchLayoutsPart(design: Design, options: SearchOptions = {}): SearchPartResult {
  const part = options.part ?? { index: 0, count: 1 };
  const now = options.now ?? (() => Date.now());
  const started = now();
  const objective = options.objective ?? 'step-time';
  const top = Math.max(1, options.top ?? 10);
  const cache = createEstimateCache();
  const shapes = enumerateShapes(design, { maxMicroBatchSize: options.maxMicroBatchSize });
  let space = 0;
  for (const shape of shapes) space += shape.layouts;

  const best: Ranked[] = [];
  let evaluated = 0;
  let feasible = 0;
  let status: SearchStatus = 'complete';
  const shared = part.bound;
  const ownKth = () => (best.length < top ? Number.POSITIVE_INFINITY : best[best.length - 1]!.score);
  const kth = shared ? () => Math.min(ownKth(), shared.value) : ownKth;
  const bestScore = () => (best.length > 0 ? best[0]!.score : Number.POSITIVE_INFINITY);
  const offer = (entry: Ranked) => {
    if (best.length === top && !before(entry, best[best.length - 1]!)) return;
    let i = best.length;
    while (i > 0 && before(entry, best[i - 1]!)) i--;
    best.splice(i, 0, entry);
    if (best.length > top) best.pop();
    if (shared && best.length === top) shared.lower(ownKth());
  };

  const gpu = findGpu(design.cluster.gpu);
  // Without a known GPU, or a precision it runs, no layout has an estimate: the queue stays empty. The environment
  // is the one every estimate of the search reads from the cache.
  const env = gpu ? pricedEnvironment(design, gpu, cache).priced?.env : undefined;
  const bounded = objective === 'step-time' && env !== undefined;
  const capacityBytes = hbmCapacityBytes(design.cluster, gpu);
  // For a search where nothing fits: the least of the memory bounds and estimates that ruled layouts out, and
  // whether every layout estimated failed on memory alone (result.ts leastPeakBytes).
  let leastOverBytes = Number.POSITIVE_INFINITY;
  let onlyMemoryFailed = true;
  const overCapacity = (bytes: number): boolean => {
    if (bytes <= capacityBytes) return false;
    leastOverBytes = Math.min(leastOverBytes, bytes);
    return true;
  };

  const overBudget = () => options.budgetMs !== undefined && now() - started > options.budgetMs;
  const queue = new MinHeap<Node>();
  /** An opened family's memory floor and what each of its schedules counts in flight (scheduleBounds.ts listInFlight). */
  const floors = new WeakMap<Family, { floor: MemoryFloor; inFlight: Float64Array }>();
  const fabric = env ? fabricSlowdown(design.cluster.worldSize, env.calibration.fabricSlowdownPerDoubling) : 1;
  const keys = new PlanKeys(design.cluster.worldSize, options.maxMicroBatchSize ?? 8);
  // Without an environment the queue stays empty and neither is asked anything.
  const pricing = env ? new SharedPricing(design, env, keys) : undefined;
  const bounds = pricing ? new ScheduleBounds(pricing, keys, fabric) : undefined;
  let partSpace = 0;
  if (env) {
    const ours: Shape[] = [];
    for (const [index, shape] of shapes.entries()) {
      if (index % part.count !== part.index) continue;
      partSpace += shape.layouts;
      if ((shape.order & 0xffffff) === 0 && overBudget()) {
        status = 'budget';
        break;
      }
      ours.push(shape);
    }
    for (const siblings of expertSiblings(ours)) queue.push(bounded ? bounds!.shapeBound(siblings[0]!) : 0, siblings[0]!.order, { shapes: siblings });
  }

  let opened = 0;
  /** Estimates a schedule's layouts (its ZeRO stages) whose bound, `bound`, is below the k-th best so far. */
  const estimateSchedule = (family: Family, scheduleIndex: number, bound: number) => {
    const choice = family.schedules[scheduleIndex]!;
    // ZeRO-2 shards a superset of what ZeRO-1 shards, and ZeRO-1 of ZeRO-0's (cost/memory/memory.ts): once one does not
    // fit, the lower stages do not either. ZeRO-3 (only without PP) adds transient gathers and is tried on its own.
    let misfitAt = Number.NEGATIVE_INFINITY;
    const terms = pricing!.termsOf(family.plan);
    const facts = bounds!.choiceFacts(family, scheduleIndex);
    const bytes = facts && pricing!.stageBytesOf(family, choice, terms);
    const choiceOf = choicePlan(family.plan, choice);
    const pairs = overlapsPairs(choice.schedule);
    const split = pricing!.splitOf(choiceOf, choice.content);
    // What each rank holds, and the windows DP synchronisation hides behind: the same for every ZeRO stage.
    let holdings: RankHolding[] | undefined;
    let windows: DpOverlapWindows | undefined;
    for (let zeroIndex = family.zeros.length - 1; zeroIndex >= 0; zeroIndex--) {
      const zero = family.zeros[zeroIndex]!;
      if (zero < misfitAt) continue;
      const plan: ParallelPlan = { ...choiceOf, zero };
      const layout: Design = { ...design, plan };
      holdings ??= rankHoldings(layout, split);
      // A rank that is over capacity with its in-flight chunks at their lightest is over in the estimate too.
      if (facts && bytes!.length === facts.stages && overCapacity(rankOverCapacity(layout, holdings, facts.rankStages, facts.peaks, bytes!, terms, capacityBytes))) {
        if (zero <= 2) misfitAt = zero;
        continue;
      }
      // The step adds exposed DP synchronisation and the optimizer step to the makespan, known before the
      // simulation: with them the node's bound may already lose to the k-th best (the bound has the fabric's
      // share of the makespan already; its share of the DP time is left out, a looser bound). At least as much is
      // known before the layout's stages are priced (beyondBound.ts): most layouts that lose on it are declined
      // here, and the rest are checked again in full before their simulation.
      const beyondBound = (beyondSeconds: number) => (bound + beyondSeconds) * (1 - BOUND_SLACK) <= kth();
      if (bounded && facts) {
        windows ??= windowsAtLeast(split, pricing!.stageTimesOf(family, choice, pairs), facts.rankStages);
        if (!beyondBound(stepBeyondAtLeast(layout, gpu!, env!, pricing!.placementOf(plan), holdings, windows, terms))) continue;
      }
      const beforeSimulation = bounded ? beyondBound : undefined;
      const stageCostKey = stageCostKeyOf(family.order, choice.content, pairs);
      if (!cache.stageCosts.has(stageCostKey)) {
        sharedStageCosts(layout, env!, cache, { key: stageCostKey, split, base: { ...pricing!.groupsOf(family, plan), context: pricing!.contextOf(plan, pairs, family) } });
      }
      const result = priceLayout(layout, { cache, onlyIfFits: true, layoutChecked: true, stageCostKey, memoryTerms: terms, ...(beforeSimulation ? { beforeSimulation } : {}) });
      if ('declined' in result && result.declined) continue;
      evaluated++;
      if (!('report' in result)) {
        if (result.overCapacityBytes !== undefined && overCapacity(result.overCapacityBytes)) {
          if (zero <= 2) misfitAt = zero;
        } else onlyMemoryFailed = false;
        continue;
      }
      if (result.overCapacity || result.hostOverCapacity) {
        if (result.overCapacity && overCapacity(result.peakBytes)) {
          if (zero <= 2) misfitAt = zero;
        } else onlyMemoryFailed = false;
        continue;
      }
      feasible++;
      const score = objective === 'memory' ? result.peakBytes : result.stepTimeSeconds;
      offer({ score, order: family.order + scheduleIndex * family.zeros.length + zeroIndex, plan, priced: result });
    }
    if (options.onProgress && Math.floor(evaluated / PROGRESS_EVERY) > opened) {
      opened = Math.floor(evaluated / PROGRESS_EVERY);
      options.onProgress({ evaluated, space, best: bestScore() });
    }
  };
  /**
   * A schedule that came up at `bound`: its memory bound with its own activations in flight, then its own time bound
   * on its own stage costs and ops; one above `bound` waits in the queue at it, and may never come up.
   */
  const boundSchedule = (family: Family, scheduleIndex: number, bound: number) => {
    // The family's floor holds for each of its schedules: the rank totals read none of the schedule's fields.
    const { floor, inFlight } = floors.get(family)!;
    if (overCapacity(boundWithInFlight(floor, inFlight[scheduleIndex]!))) return;
    const own = bounded ? bounds!.scheduleBound(family, scheduleIndex) : bound;
    if (own > bound) queue.push(own, family.order + scheduleIndex * family.zeros.length, { family, scheduleIndex, bounded: true });
    else estimateSchedule(family, scheduleIndex, bound);
  };
  const stop = (): boolean => {
    if (options.isCancelled?.()) status = 'cancelled';
    else if (overBudget()) status = 'budget';
    return status !== 'complete';
  };

  /**
   * Least memory of a shape: the smallest micro-batch, full recomputation (it keeps the least: each layer's input;
   * what its backward rebuilds is less than what any other choice keeps of the whole stage's layers).
   */
  const fitsAtLeast = (shape: Shape): boolean => {
    const first = shape.batches[0]!;
    const shapeChunks = chunksPerRank(shape.batches.flatMap((b) => b.schedules));
    const leastPlan: ParallelPlan = { ...shape.base, microBatchSize: first.microBatchSize, microbatches: first.microbatches, recompute: 'full' };
    const leastTerms = pricing!.termsOf(leastPlan);
    return !overCapacity(memoryLowerBound(design, leastPlan, shape.zeros, shapeChunks, leastTerms, 0, pricing!.wholeModelOf(leastPlan, leastTerms)));
  };
  /** A family that came up at `bound` with its all-to-all: its memory bounds, then its schedules. */
  const openFamily = (family: Family, bound: number) => {
    // The family's activation terms serve its memory bounds and then every estimate of its layouts. Its floor holds
    // for every schedule, and with the least any of its schedules keeps in flight, for every layout: a family none
    // of whose schedules fits is left here. Each schedule's own share is checked when the schedule comes up.
    const terms = pricing!.termsOf(family.plan);
    const whole = pricing!.wholeModelOf(family.plan, terms);
    const floor = memoryFloor(design, family.plan, family.zeros, terms, whole);
    const inFlight = bounds!.listInFlight(family, terms, floor);
    if (overCapacity(boundWithInFlight(floor, inFlight.least))) return;
    floors.set(family, { floor, inFlight: inFlight.bytes });
    // Each schedule in turn: one whose work bound (bound.ts: a schedule that pairs F with B has its own) is above
    // the family's waits in the queue at it; the others are bounded now, at the family's bound (nothing left in the
    // queue is below it).
    const workBounds = bounded ? bounds!.scheduleWorkBounds(family.plan, family.schedules) : undefined;
    for (let scheduleIndex = 0; scheduleIndex < family.schedules.length; scheduleIndex++) {
      if (bound * (1 - BOUND_SLACK) > kth() || stop()) break;
      const own = workBounds?.[scheduleIndex] ?? bound;
      if (own > bound) queue.push(own, family.order + scheduleIndex * family.zeros.length, { family, scheduleIndex, bounded: false });
      else boundSchedule(family, scheduleIndex, bound);
    }
  };

  while (status === 'complete' && queue.size > 0) {
    const bound = queue.peekKey();
    if (bound * (1 - BOUND_SLACK) > kth()) break;
    if (stop()) break;
    const node = queue.pop()!;
    if ('shapes' in node) {
      // Each family's own memory bound waits until the family is opened: many are never reached. The families of
      // one micro-batch size and recomputation wait at their bound without the all-to-all, the same for every EP
      // degree; the all-to-all is priced when they come up: many never do.
      const families = node.shapes.filter(fitsAtLeast).map(shapeFamilies);
      for (let index = 0; index < (families[0]?.length ?? 0); index++) {
        const siblings = families.map((list) => list[index]!);
        queue.push(bounded ? bounds!.familyBoundWithoutAllToAll(siblings[0]!) : 0, siblings[0]!.order, { families: siblings });
      }
      continue;
    }
    if ('families' in node) {
      for (const family of node.families) {
        if (bound * (1 - BOUND_SLACK) > kth() || stop()) break;
        const own = bounded ? bounds!.familyBound(family) : bound;
        if (own > bound) queue.push(own, family.order, { family });
        else openFamily(family, bound);
      }
      continue;
    }
    if ('scheduleIndex' in node) {
      if (node.bounded) estimateSchedule(node.family, node.scheduleIndex, bound);
      else boundSchedule(node.family, node.scheduleIndex, bound);
      continue;
    }
    openFamily(node.family, bound);
  }

  // Without an environment no layout has an estimate, and none was ruled out by a bound.
  const pruned = status === 'complete' && env ? partSpace - evaluated : 0;
  return {
    space,
    partSpace,
    scores: best.map((entry) => entry.score),
    orders: best.map((entry) => entry.order),
    evaluated,
    pruned,
    feasible,
    seconds: (now() - started) / 1000,
    status,
    cutShort: status !== 'complete',
    leastOverBytes: onlyMemoryFailed ? leastOverBytes : Number.NaN,
    results: best.map(({ plan, priced }) => {
      const e = priced.report().estimate!;
      return { plan, estimate: e, recomputeLabel: recomputeLabel(plan), pipelineLayout: pipelineLayoutSummary(plan, e) };
    }),
  };
}

/** Better score first; equal scores in the space's order. */
function before(a: Ranked, b: Ranked): boolean {
  return a.score < b.score || (a.score === b.score && a.order < b.order);
}
