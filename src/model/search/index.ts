// Layout search: every layout the design's model and cluster allow (space.ts), ranked by step time or peak memory,
// the best k returned. Complete by default: a layout is either estimated in full or ruled out by a lower bound
// that cannot exceed its score (bound.ts), so the answer is the one an estimate of every layout would give, on any
// machine and under any load. Ties are broken by the space's fixed order. Only a budget the caller sets, or a
// cancel, cuts a search short, and the result says so.
//
// Order of work (branch and bound): layouts are grouped into shapes (the parallel degrees), families (a shape's
// micro-batch size and recomputation) and schedules (with their pipeline layout, the ZeRO stages under them). A
// shape's time bound is the step's total work per rank without the EP all-to-all (one stage holding every layer,
// priced at EP 1 and shared by every PP, DP and EP degree); a family's adds its own all-to-all and, for the
// schedules that pair F with B, the slower compute of the share of work they run in pairs (bound.ts). A family
// that comes up checks its memory floor (memoryBound.ts) and then its schedules: one whose own work bound is above
// the family's waits in the queue at it. A schedule that comes up gets its memory bound with what it keeps in
// flight, then a time bound from its busiest rank's ops and fill and drain on its own stage costs; only layouts
// whose bound is below the k-th best score so far are estimated. A stage's costs are priced once per (TP, CP, EP,
// ETP, micro-batch, recomputation) and stage contents, whatever the PP degree (stageTime.ts rows); the estimate
// cache (stageCostCache.ts) shares stage costs and simulated timelines between layouts, keyed by a number from the
// enumeration (space.ts stageCostKeyOf), so the layouts that differ only in ZeRO stage simulate once.
import { findGpu } from '../catalog/gpus';
import { DEFAULT_RECOMPUTE_MODULES, type Design, type ParallelPlan, type RecomputeModule, type ScheduleId } from '../design';
import { costEnvironment, createEstimateCache, estimate, peakFlopsOf, type Estimate } from '../estimate';
import { sharedHoldings, sharedStageCosts, stageCostBase, stageCostGroups, type StageCostGroups } from '../stageCostCache';
import { fabricSlowdown } from '../cost/comm/overlap';
import { placePlan, type Placement } from '../cost/comm/placement';
import { pipelineSend } from '../cost/comm/traffic';
import { layerMemoryTerms, type LayerMemoryTerms } from '../cost/memory/memory';
import { stageCount } from '../layoutChecks';
import { planSchedule, scheduleOpBound } from '../schedule/index';
import { splitLayers, type LayerSplit } from '../cost/stages';
import { stageActivationBytes } from '../rankMemory';
import { stageTimesOf, wholeStageSeconds, wholeStageWithAllToAll, type StageCostContext, type StageTimes, type StageWorkSeconds } from '../cost/compute/stageTime';
import { ANY_PAIRS, busiestRankBound, meanBusyBound, overlapsPairs, pipelineBound } from './bound';
import { MinHeap } from './heap';
import { scheduleFacts, type ScheduleFacts } from './scheduleFacts';
import type { SharedBound } from './sharedBound';
import { PlanKeys, type SharedPlanKey } from './planKeys';
import { pipelineLayoutSummary, type PipelineLayoutSummary } from './pipelineLayouts';
import { boundFromFloor, chunksPerRank, inFlightSumOf, memoryFloor, memoryLowerBound, someRankOver, wholeModel, type MemoryFloor, type WholeModel } from './memoryBound';
import { choicePlan, DEEPSEEK_RECOMPUTE_MODULES, enumerateShapes, ONE_STAGE, shapeFamilies, stageCostKeyOf, type Family, type ScheduleChoice, type Shape } from './space';

export { pipelineLayoutLabel, type PipelineLayoutSummary } from './pipelineLayouts';
export { SharedBound } from './sharedBound';
export { DEEPSEEK_RECOMPUTE_MODULES, enumerateFamilies, enumerateShapes, recomputeChoices, scheduleChoices } from './space';

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

/** Relative slack on bounds: a bound and a simulation sum the same times in different orders. */
const BOUND_SLACK = 1e-9;
const PROGRESS_EVERY = 256;
/** Largest schedule built only for a memory bound; a larger one's bound counts one micro-batch in flight. */
const BOUND_SCHEDULE_OPS = 1 << 18;

interface Ranked {
  score: number;
  order: number;
  plan: ParallelPlan;
  estimate: Estimate;
}

/** The distinct runs (schedule and VPP) of a shared schedule list, each choice's run, and each run's facts once asked for. */
interface ScheduleList {
  runs: { schedule: ScheduleId; vpp: number; pairs: boolean }[];
  runOf: number[];
  facts: (ScheduleFacts | null | undefined)[];
}



/**
 * A queue entry: a shape or a family at its work bound, or one of a family's schedules at its work bound or, once
 * `bounded`, at its own bound on its own stage costs.
 */
type Node = { shape: Shape } | { family: Family; priced: boolean } | { family: Family; scheduleIndex: number; bounded: boolean };

export function searchLayouts(design: Design, options: SearchOptions = {}): SearchResult {
  const { scores: _scores, orders: _orders, partSpace: _partSpace, ...result } = searchLayoutsPart(design, options);
  return result;
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
  return {
    space: parts[0]?.space ?? 0, evaluated, pruned: status === 'complete' ? pruned : 0, feasible, seconds, status, cutShort: status !== 'complete',
    results: ranked.slice(0, Math.max(1, top)).map((entry) => entry.candidate),
  };
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
  const peak = gpu ? peakFlopsOf(design, gpu) : 0;
  // Without a known GPU or a peak for the precision no layout has an estimate: the queue stays empty.
  const env = gpu && peak > 0 ? costEnvironment(design, gpu, peak) : undefined;
  const bounded = objective === 'step-time' && env !== undefined;
  const capacityBytes = design.cluster.hbmGB ? design.cluster.hbmGB * 2 ** 30 : (gpu?.hbmBytes ?? 0);

  const overBudget = () => options.budgetMs !== undefined && now() - started > options.budgetMs;
  const queue = new MinHeap<Node>();
  const memoryTerms = new WeakMap<Family, LayerMemoryTerms>();
  const floors = new WeakMap<Family, MemoryFloor>();
  // One stage holding every layer reads the TP, EP and ETP degrees (gpuParameters) and the activation terms: the
  // families with the same shared key (below) share it.
  const wholeModels = new Map<SharedPlanKey, WholeModel>();
  const wholeModelOf = (plan: ParallelPlan, terms: LayerMemoryTerms): WholeModel => {
    const key = sharedKey(plan);
    let whole = wholeModels.get(key);
    if (!whole) wholeModels.set(key, (whole = wholeModel(design, plan, terms)));
    return whole;
  };
  // The step is at least the fabric slowdown × the makespan (estimate.ts: the fabric term scales the makespan and
  // the exposed DP time by slowdown − 1, and every other addition is ≥ 0): every makespan bound is scaled by it.
  const fabric = env ? fabricSlowdown(design.cluster.worldSize, env.calibration.fabricSlowdownPerDoubling) : 1;
  // One stage holding every layer costs the same whatever the PP and DP degrees (its F and B read the TP, CP and
  // EP groups, the micro-batch and the recomputation, never PP or DP: test/model/search/bounds.test.ts checks this
  // on random layouts), and m / PP = global batch · TP · CP / (micro-batch · world) does not read them either: the
  // families of one (TP, CP, EP, ETP, micro-batch, recompute) share one work bound.
  // The activation terms read neither either, and of EP only whether it is above 1 (the same test): the families
  // with the same terms key share them.
  const keys = new PlanKeys(design.cluster.worldSize, options.maxMicroBatchSize ?? 8);
  const sharedKey = (plan: ParallelPlan): SharedPlanKey => keys.shared(plan);
  const wholeStageWork = new Map<SharedPlanKey, StageWorkSeconds>();
  const sharedTerms = new Map<SharedPlanKey, LayerMemoryTerms>();
  const termsOf = (plan: ParallelPlan): LayerMemoryTerms => {
    const key = keys.activations(plan);
    let terms = sharedTerms.get(key);
    if (!terms) sharedTerms.set(key, (terms = layerMemoryTerms(design.model, plan)));
    return terms;
  };
  // A layout's split is fixed by its stage contents (the content number stands for the stages' holdings), whatever
  // the family: one split per contents serves every family's bounds and estimates.
  const splits = new Map<number, LayerSplit>();
  const splitOf = (plan: ParallelPlan, content: number): LayerSplit => {
    let split = splits.get(content);
    if (!split) splits.set(content, (split = splitLayers({ ...design, plan }, stageCount({ plan }))));
    return split;
  };
  // A stage's row (stageTime.ts) reads the same plan fields (bounds.test.ts checks that a context priced at PP 1
  // prices every split of a layout as its own does): the families of one such key share one pricing context per
  // pairing, so a stage of 4 layers is priced once for every PP degree. The PP send and the DP traffic do read the
  // placement: each family keeps its own groups (placement and communication) for those.
  const contexts = [new Map<SharedPlanKey, StageCostContext>(), new Map<SharedPlanKey, StageCostContext>()];
  const groups = new WeakMap<Family | ParallelPlan, StageCostGroups>();
  // A placement reads only the parallel degrees (cost/comm/placement.ts): the families of a shape share it.
  const placements = new Map<string, Placement>();
  const groupsOf = (owner: Family | ParallelPlan, plan: ParallelPlan): StageCostGroups => {
    let found = groups.get(owner);
    if (!found) {
      const degrees = `${plan.tp}/${plan.cp}/${plan.dp}/${plan.pp}/${plan.ep}/${plan.etp}`;
      let placement = placements.get(degrees);
      if (!placement) placements.set(degrees, (placement = placePlan(plan, design.cluster.gpusPerNode)));
      groups.set(owner, (found = stageCostGroups({ ...design, plan }, env!, placement)));
    }
    return found;
  };
  const contextOf = (plan: ParallelPlan, pairs: boolean, owner: Family | ParallelPlan): StageCostContext => {
    const key = sharedKey(plan);
    const byKey = contexts[pairs ? 1 : 0]!;
    let context = byKey.get(key);
    if (!context) {
      // The context reads of the schedule only whether it pairs F with B.
      const priced: ParallelPlan = pairs === overlapsPairs(plan.schedule) ? plan : { ...plan, schedule: pairs ? 'dualpipe' : '1f1b' };
      byKey.set(key, (context = stageCostBase({ ...design, plan: priced }, env!, groupsOf(owner, plan)).context));
    }
    return context;
  };
  const workOf = (plan: ParallelPlan): StageWorkSeconds => {
    const key = sharedKey(plan);
    let work = wholeStageWork.get(key);
    if (!work) {
      const one: ParallelPlan = { ...plan, pp: 1, dp: design.cluster.worldSize / (plan.tp * plan.cp), schedule: '1f1b', vpp: 1 };
      // With experts spread over EP ranks, the stage at EP 1 and this plan's all-to-all: no pricing context of its
      // own, which most of these work bounds would never use again.
      work = one.ep > 1 && design.model.experts > 0
        ? wholeStageWithAllToAll(workWithoutAllToAll(one), { ...design, plan: one }, groupsOf(one, one).comm, env!.calibration, splitOf(one, ONE_STAGE))
        : wholeStageSeconds(contextOf(one, false, one), splitOf(one, ONE_STAGE));
      wholeStageWork.set(key, work);
    }
    return work;
  };
  // Without its EP all-to-all a stage costs the same whatever the EP degree (the grouped expert GEMM sees the rank's
  // whole routed work, the imbalance is the calibration's; bounds.test.ts checks it): priced with EP 1, one whole
  // stage serves the shapes and families of every EP degree as a bound that leaves the all-to-all out. A family's
  // schedules get the bound with their own all-to-all when the family opens.
  const workWithoutAllToAll = (plan: ParallelPlan): StageWorkSeconds => {
    return wholeStageWork.get(keys.withoutExperts(plan)) ?? workOf({ ...plan, ep: 1 });
  };
  // What the bounds read of a schedule (its sizes and placement, its ops counted by rank, its peak in-flight counts)
  // is collected as its program runs, with no op table (scheduleFacts.ts), and kept per schedule: a few numbers per
  // rank.
  const scheduleFactsByKey = new Map<string, ScheduleFacts | null>();
  const factsOf = (id: ScheduleId, params: { ranks: number; microbatches: number; chunks?: number }): ScheduleFacts | null => {
    const key = `${id}/${params.ranks}/${params.microbatches}/${params.chunks}`;
    let facts = scheduleFactsByKey.get(key);
    if (facts === undefined) scheduleFactsByKey.set(key, (facts = scheduleFacts(id, params)));
    return facts;
  };
  // A schedule list is shared by the families of one PP and micro-batch count (space.ts), and many of its choices
  // run the same schedule and VPP with other layouts: what the bounds read of its runs is kept per list.
  const lists = new WeakMap<readonly ScheduleChoice[], ScheduleList>();
  const listOf = (schedules: readonly ScheduleChoice[]): ScheduleList => {
    let list = lists.get(schedules);
    if (!list) {
      const runs: ScheduleList['runs'] = [];
      const runOf = schedules.map(({ schedule, vpp }) => {
        let index = runs.findIndex((run) => run.schedule === schedule && run.vpp === vpp);
        if (index < 0) index = runs.push({ schedule, vpp, pairs: overlapsPairs(schedule) }) - 1;
        return index;
      });
      lists.set(schedules, (list = { runs, runOf, facts: [] }));
    }
    return list;
  };
  /** A run's facts for the bounds, or null for a schedule too large to build for a bound (or one that does not apply). */
  const runFacts = (list: ScheduleList, runIndex: number, plan: ParallelPlan): ScheduleFacts | null => {
    let facts = list.facts[runIndex];
    if (facts === undefined) {
      const { schedule, vpp } = list.runs[runIndex]!;
      const run = planSchedule({ pp: plan.pp, microbatches: plan.microbatches, vpp, schedule });
      list.facts[runIndex] = facts = scheduleOpBound(run.id, run.params) > BOUND_SCHEDULE_OPS ? null : factsOf(run.id, run.params);
    }
    return facts;
  };
  // The step's total work per rank (bound.ts) is priced as 1F1B: a DualPipe stage exposes at least as much EP
  // all-to-all, and its bound takes it all off.
  const runWorkBounds = (plan: ParallelPlan, list: ScheduleList, ownPairs: boolean, oneStage: StageWorkSeconds): number[] => {
    let other: number | undefined;
    return list.runs.map((run, runIndex) => {
      if (!run.pairs) return (other ??= fabric * meanBusyBound(oneStage, plan.microbatches, plan.pp, false));
      const shares = ownPairs ? (runFacts(list, runIndex, plan)?.shares ?? ANY_PAIRS) : ANY_PAIRS;
      return fabric * meanBusyBound(oneStage, plan.microbatches, plan.pp, true, shares);
    });
  };
  /** Each of a family's schedules' work bound (bound.ts), with its own share of pairs. */
  const scheduleWorkBounds = (plan: ParallelPlan, schedules: readonly ScheduleChoice[]): number[] => {
    const list = listOf(schedules);
    const byRun = runWorkBounds(plan, list, true, workOf(plan));
    return list.runOf.map((runIndex) => byRun[runIndex]!);
  };
  /**
   * The least work bound over `lists` of schedules. With `ownPairs` each pair-running schedule counts the share of
   * its work it runs in pairs (its ops are counted once per schedule): a family's schedules all run its
   * micro-batches. A shape's bound covers families with other micro-batch counts, so it counts none.
   */
  const workBound = (plan: ParallelPlan, scheduleLists: readonly (readonly ScheduleChoice[])[], ownPairs: boolean, oneStage = workOf(plan)): number => {
    let least = Number.POSITIVE_INFINITY;
    for (const schedules of scheduleLists) for (const bound of runWorkBounds(plan, listOf(schedules), ownPairs, oneStage)) least = Math.min(least, bound);
    return least;
  };
  // Work bounds without the all-to-all, by the plan's key without EP and by the schedule lists (or a shape's
  // batches) they cover: the shapes and families that differ only in EP share them.
  const boundsWithoutAllToAll = new Map<SharedPlanKey, WeakMap<object, number>>();
  const withoutAllToAllBounds = (plan: ParallelPlan): WeakMap<object, number> => {
    const key = keys.withoutExperts(plan);
    let bounds = boundsWithoutAllToAll.get(key);
    if (!bounds) boundsWithoutAllToAll.set(key, (bounds = new WeakMap()));
    return bounds;
  };
  /** A family's work bound without its all-to-all: where it waits until it comes up and is priced in full. */
  const familyBoundWithoutAllToAll = (family: Family): number => {
    const bounds = withoutAllToAllBounds(family.plan);
    let bound = bounds.get(family.schedules);
    if (bound === undefined) bounds.set(family.schedules, (bound = workBound(family.plan, [family.schedules], true, workWithoutAllToAll(family.plan))));
    return bound;
  };
  /** inFlightSumOf one of a family's schedules (memoryBound.ts); 0 for a schedule too large to build for a bound. */
  // A stage's activations read the activation terms and what the stage holds (and the file's offloading, the same
  // in every layout): the families that share terms share them per stage contents.
  const activationBytes = new WeakMap<LayerMemoryTerms, Map<number, Float64Array>>();
  const stageBytesOf = (family: Family, choice: ScheduleChoice, terms: LayerMemoryTerms): Float64Array => {
    let stageBytes = activationBytes.get(terms);
    if (!stageBytes) activationBytes.set(terms, (stageBytes = new Map()));
    let bytes = stageBytes.get(choice.content);
    if (!bytes) {
      // The whole plan is built only for a stage contents not seen yet.
      const plan = choicePlan(family.plan, choice);
      stageBytes.set(choice.content, (bytes = stageActivationBytes({ ...design, plan }, splitOf(plan, choice.content), terms)));
    }
    return bytes;
  };
  /** A schedule's facts for its bounds, or null (schedule too large to build for a bound). */
  const choiceFacts = (family: Family, scheduleIndex: number): ScheduleFacts | null => {
    const list = listOf(family.schedules);
    return runFacts(list, list.runOf[scheduleIndex]!, family.plan);
  };
  // The families that differ only in EP (above 1) share their terms, so their stage bytes, and their schedule lists:
  // a schedule's in-flight sum is kept per schedule and stage bytes.
  const inFlightSums = new WeakMap<ScheduleFacts, WeakMap<Float64Array, number>>();
  const inFlightOf = (family: Family, scheduleIndex: number, terms: LayerMemoryTerms): number => {
    const facts = choiceFacts(family, scheduleIndex);
    if (!facts) return 0;
    const bytes = stageBytesOf(family, family.schedules[scheduleIndex]!, terms);
    let sums = inFlightSums.get(facts);
    if (!sums) inFlightSums.set(facts, (sums = new WeakMap()));
    let sum = sums.get(bytes);
    if (sum === undefined) sums.set(bytes, (sum = bytes.length === facts.stages ? inFlightSumOf(facts.rankStages, facts.peaks, bytes) : 0));
    return sum;
  };
  // A stage boundary's send reads the PP group's placement and the activation's size (traffic.ts pipelineSend):
  // the families of one PP, TP, CP and micro-batch share it, without pricing the rest of their communication.
  const pipelineSends = new Map<string, number>();
  const pipelineSendSeconds = (plan: ParallelPlan): number => {
    const key = `${plan.pp}/${plan.dp}/${plan.tp}/${plan.cp}/${plan.microBatchSize}`;
    let seconds = pipelineSends.get(key);
    if (seconds === undefined) {
      const placement = placements.get(`${plan.tp}/${plan.cp}/${plan.dp}/${plan.pp}/${plan.ep}/${plan.etp}`) ?? placePlan(plan, design.cluster.gpusPerNode);
      pipelineSends.set(key, (seconds = pipelineSend({ design: { ...design, plan }, placement, links: env!.links }).seconds));
    }
    return seconds;
  };
  // The bounds read F, B, W and F&B per stage alone (the rest of the breakdown waits for a layout's estimate), and
  // those are fixed by the pricing context and the stage contents.
  const boundTimes = new WeakMap<StageCostContext, Map<number, StageTimes>>();
  /**
   * A schedule's own bound on its stage costs: fill and drain, and its busiest rank's ops (bound.ts). The family's
   * plan serves for the pricing context, the placement and the sizes (they read none of the schedule's fields); the
   * schedule's own plan is built only for a stage contents not seen yet.
   */
  const scheduleBound = (family: Family, scheduleIndex: number): number => {
    const choice = family.schedules[scheduleIndex]!;
    const { plan } = family;
    const pairs = overlapsPairs(choice.schedule);
    const context = contextOf(plan, pairs, family);
    let byContents = boundTimes.get(context);
    if (!byContents) boundTimes.set(context, (byContents = new Map()));
    let times = byContents.get(choice.content);
    if (!times) {
      const own = choicePlan(plan, choice);
      byContents.set(choice.content, (times = stageTimesOf(context, splitOf(own, choice.content))));
    }
    const run = planSchedule({ pp: plan.pp, microbatches: plan.microbatches, vpp: choice.vpp, schedule: choice.schedule });
    const facts = factsOf(run.id, run.params);
    const busiest = facts ? busiestRankBound(facts.counts, times) : 0;
    const p2p = pairs ? 0 : pipelineSendSeconds(plan);
    return fabric * Math.max(busiest, pipelineBound(choice.schedule, times, plan.microbatches, plan.pp, p2p));
  };
  let partSpace = 0;
  if (env) {
    for (const [index, shape] of shapes.entries()) {
      if (index % part.count !== part.index) continue;
      partSpace += shape.layouts;
      if ((shape.order & 0xffffff) === 0 && overBudget()) {
        status = 'budget';
        break;
      }
      // A shape's bound is its families' least: per token, a larger micro-batch never costs more (GEMMs fill the
      // GPU better, per-op latencies spread over more tokens) and no recomputation is the least work.
      let bound = 0;
      if (bounded) {
        const largest = shape.batches[shape.batches.length - 1]!;
        // recomputeChoices lists none first.
        const plan: ParallelPlan = { ...shape.base, microBatchSize: largest.microBatchSize, microbatches: largest.microbatches, recompute: 'none' };
        // Without the all-to-all the bound reads no EP degree, and the shapes of one PP and DP share their batches.
        const byBatches = withoutAllToAllBounds(plan);
        const known = byBatches.get(shape.batches);
        if (known !== undefined) bound = known;
        else byBatches.set(shape.batches, (bound = workBound(plan, shape.batches.map((b) => b.schedules), false, workWithoutAllToAll(plan))));
      }
      queue.push(bound, shape.order, { shape });
    }
  }

  let opened = 0;
  /** Estimates a schedule's layouts (its ZeRO stages) whose bound, `bound`, is below the k-th best so far. */
  const estimateSchedule = (family: Family, scheduleIndex: number, bound: number) => {
    const choice = family.schedules[scheduleIndex]!;
    // ZeRO-2 shards a superset of what ZeRO-1 shards, and ZeRO-1 of ZeRO-0's (cost/memory/memory.ts): once one does not
    // fit, the lower stages do not either. ZeRO-3 (only without PP) adds transient gathers and is tried on its own.
    let misfitAt = Number.NEGATIVE_INFINITY;
    const terms = memoryTerms.get(family)!;
    const facts = choiceFacts(family, scheduleIndex);
    for (let zeroIndex = family.zeros.length - 1; zeroIndex >= 0; zeroIndex--) {
      const zero = family.zeros[zeroIndex]!;
      if (zero < misfitAt) continue;
      const plan: ParallelPlan = { ...choicePlan(family.plan, choice), zero };
      // The step adds exposed DP synchronisation and the optimizer step to the makespan, known before the
      // simulation: with them the node's bound may already lose to the k-th best (the bound has the fabric's
      // share of the makespan already; its share of the DP time is left out, a looser bound).
      const beforeSimulation = bounded ? (beyondSeconds: number) => (bound + beyondSeconds) * (1 - BOUND_SLACK) <= kth() : undefined;
      const pairs = overlapsPairs(choice.schedule);
      const stageCostKey = stageCostKeyOf(family.order, choice.content, pairs);
      const layout: Design = { ...design, plan };
      const shared = cache.stageCosts.get(stageCostKey)
        ?? sharedStageCosts(layout, env!, cache, { key: stageCostKey, split: splitOf(plan, choice.content), base: { ...groupsOf(family, plan), context: contextOf(plan, pairs, family) } });
      // A rank that is over capacity with its in-flight chunks at their lightest is over in the estimate too.
      const bytes = facts && stageBytesOf(family, choice, terms);
      if (facts && bytes!.length === facts.stages && someRankOver(layout, sharedHoldings(layout, shared), facts.rankStages, facts.peaks, bytes!, terms, capacityBytes)) {
        if (zero <= 2) misfitAt = zero;
        continue;
      }
      const result = estimate(layout, { cache, onlyIfFits: true, layoutChecked: true, stageCostKey, memoryTerms: terms, ...(beforeSimulation ? { beforeSimulation } : {}) });
      if (result.declined) continue;
      evaluated++;
      if (!result.estimate || result.problems.some((p) => p.severity === 'error')) {
        if (zero <= 2 && result.problems.some((p) => p.code === 'memory/over-capacity')) misfitAt = zero;
        continue;
      }
      feasible++;
      const score = objective === 'memory' ? result.estimate.memory.peakBytes : result.estimate.stepTimeSeconds;
      offer({ score, order: family.order + scheduleIndex * family.zeros.length + zeroIndex, plan, estimate: result.estimate });
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
    const choice = family.schedules[scheduleIndex]!;
    const inFlight = inFlightOf(family, scheduleIndex, memoryTerms.get(family)!);
    // The family's floor holds for each of its schedules: the rank totals read none of the schedule's fields.
    if (boundFromFloor(floors.get(family)!, chunksPerRank([choice]), inFlight) > capacityBytes) return;
    const own = bounded ? scheduleBound(family, scheduleIndex) : bound;
    if (own > bound) queue.push(own, family.order + scheduleIndex * family.zeros.length, { family, scheduleIndex, bounded: true });
    else estimateSchedule(family, scheduleIndex, bound);
  };
  const stop = (): boolean => {
    if (options.isCancelled?.()) status = 'cancelled';
    else if (overBudget()) status = 'budget';
    return status !== 'complete';
  };

  while (status === 'complete' && queue.size > 0) {
    const bound = queue.peekKey();
    if (bound * (1 - BOUND_SLACK) > kth()) break;
    if (stop()) break;
    const node = queue.pop()!;
    if ('shape' in node) {
      // Least memory of the shape: the smallest micro-batch, full recomputation (it keeps the least: each layer's
      // input; what its backward rebuilds is less than what any other choice keeps of the whole stage's layers).
      const first = node.shape.batches[0]!;
      const shapeChunks = chunksPerRank(node.shape.batches.flatMap((b) => b.schedules));
      const leastPlan: ParallelPlan = { ...node.shape.base, microBatchSize: first.microBatchSize, microbatches: first.microbatches, recompute: 'full' };
      const leastTerms = termsOf(leastPlan);
      if (memoryLowerBound(design, leastPlan, node.shape.zeros, shapeChunks, leastTerms, 0, wholeModelOf(leastPlan, leastTerms)) > capacityBytes) continue;
      // Each family's own memory bound waits until the family is opened: many are never reached.
      // A family waits at its bound without the all-to-all (shared by the EP degrees); the all-to-all is priced
      // when it comes up: many never do.
      for (const family of shapeFamilies(node.shape)) {
        queue.push(bounded ? familyBoundWithoutAllToAll(family) : 0, family.order, { family, priced: !bounded });
      }
      continue;
    }
    const { family } = node;
    if ('scheduleIndex' in node) {
      if (node.bounded) estimateSchedule(family, node.scheduleIndex, bound);
      else boundSchedule(family, node.scheduleIndex, bound);
      continue;
    }
    if (!node.priced) {
      const own = workBound(family.plan, [family.schedules], true);
      if (own > bound) {
        queue.push(own, family.order, { family, priced: true });
        continue;
      }
    }
    // The family's activation terms serve its memory bounds and then every estimate of its layouts. Its floor with
    // one micro-batch through the model in flight holds for every schedule; each schedule's own in-flight share is
    // counted when the schedule comes up.
    const terms = termsOf(family.plan);
    const whole = wholeModelOf(family.plan, terms);
    const floor = memoryFloor(design, family.plan, family.zeros, terms, whole);
    if (boundFromFloor(floor, chunksPerRank(family.schedules)) > capacityBytes) continue;
    memoryTerms.set(family, terms);
    floors.set(family, floor);
    // Each schedule in turn: one whose work bound (bound.ts: a schedule that pairs F with B has its own) is above
    // the family's waits in the queue at it; the others are bounded now, at the family's bound (nothing left in the
    // queue is below it).
    const workBounds = bounded ? scheduleWorkBounds(family.plan, family.schedules) : undefined;
    for (let scheduleIndex = 0; scheduleIndex < family.schedules.length; scheduleIndex++) {
      if (bound * (1 - BOUND_SLACK) > kth() || stop()) break;
      const own = workBounds?.[scheduleIndex] ?? bound;
      if (own > bound) queue.push(own, family.order + scheduleIndex * family.zeros.length, { family, scheduleIndex, bounded: false });
      else boundSchedule(family, scheduleIndex, bound);
    }
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
    results: best.map(({ plan, estimate: e }) => ({ plan, estimate: e, recomputeLabel: recomputeLabel(plan), pipelineLayout: pipelineLayoutSummary(plan, e) })),
  };
}

/** Better score first; equal scores in the space's order. */
function before(a: Ranked, b: Ranked): boolean {
  return a.score < b.score || (a.score === b.score && a.order < b.order);
}
