// The time and in-flight bounds a search reads of its shapes, families and schedules (bound.ts, memoryBound.ts),
// with what they share: the schedules' facts, kept per schedule and per shared schedule list, the work bounds
// without the all-to-all, kept per plan key without EP, and the in-flight counts, kept per schedule list and
// activation terms.
//
// The step is at least the fabric slowdown × the makespan (estimate.ts: the fabric term scales the makespan and the
// exposed DP time by slowdown − 1, and every other addition is ≥ 0): every makespan bound is scaled by it.
import type { ParallelPlan, ScheduleId } from '../design';
import { planSchedule, scheduleOpBound } from '../schedule/index';
import type { StageWorkSeconds } from '../cost/compute/stageTime';
import type { LayerMemoryTerms } from '../cost/memory/memory';
import { ANY_PAIRS, busiestRankBound, meanBusyBound, overlapsPairs, pipelineBound } from './bound';
import { drainBound, drainTails, tailsMicrobatches, type DrainScheduleId, type DrainTails } from './pairedDrain';
import { chunksOf, countedInFlight, inFlightSumOf, type MemoryFloor } from './memoryBound';
import type { PlanKeys, SharedPlanKey } from './planKeys';
import { scheduleFacts, type ScheduleFacts } from './scheduleFacts';
import type { SharedPricing } from './sharedPricing';
import type { Family, ScheduleChoice, Shape } from './space';

/** Largest schedule built only for a memory bound; a larger one's bound counts one micro-batch in flight. */
const BOUND_SCHEDULE_OPS = 1 << 18;

/** Per choice of a schedule list, the activations in flight its memory bound counts (countedInFlight), and their least. */
export interface ListInFlight {
  bytes: Float64Array;
  least: number;
  /** The floor's one micro-batch through every layer they were counted with. */
  wholeActivationBytes: number;
}

/** The distinct runs (schedule and VPP) of a shared schedule list, each choice's run, and each run's facts once asked for. */
interface ScheduleList {
  runs: { schedule: ScheduleId; vpp: number; pairs: boolean }[];
  runOf: number[];
  facts: (ScheduleFacts | null | undefined)[];
}

export class ScheduleBounds {
  private readonly factsByKey = new Map<string, ScheduleFacts | null>();
  private readonly lists = new WeakMap<readonly ScheduleChoice[], ScheduleList>();
  private readonly boundsWithoutAllToAll = new Map<SharedPlanKey, WeakMap<object, number>>();
  private readonly listInFlights = new WeakMap<LayerMemoryTerms, WeakMap<readonly ScheduleChoice[], ListInFlight>>();
  private readonly drainTails = new Map<string, DrainTails | undefined>();

  constructor(private readonly pricing: SharedPricing, private readonly keys: PlanKeys, private readonly fabric: number) {}

  /**
   * A shape's bound: its families' least. Per token, a larger micro-batch never costs more (GEMMs fill the GPU
   * better, per-op latencies spread over more tokens) and no recomputation is the least work. Without the all-to-all
   * it reads no EP degree, and the shapes of one PP and DP share their batches: it is kept for them.
   */
  shapeBound(shape: Shape): number {
    const largest = shape.batches[shape.batches.length - 1]!;
    const { tp, cp, etp } = shape.base;
    // recomputeChoices lists none first. The shape's plan is built only for a bound not worked out yet.
    const byBatches = this.withoutAllToAll(this.keys.withoutExperts({ tp, cp, etp, microBatchSize: largest.microBatchSize, recompute: 'none' }));
    let bound = byBatches.get(shape.batches);
    if (bound === undefined) {
      const plan: ParallelPlan = { ...shape.base, microBatchSize: largest.microBatchSize, microbatches: largest.microbatches, recompute: 'none' };
      byBatches.set(shape.batches, (bound = this.workBound(plan, shape.batches.map((b) => b.schedules), false, this.pricing.workWithoutAllToAll(plan))));
    }
    return bound;
  }

  /** A family's work bound without its all-to-all: where it waits until it comes up and is priced in full. */
  familyBoundWithoutAllToAll(family: Family): number {
    const bounds = this.withoutAllToAll(this.keys.withoutExperts(family.plan));
    let bound = bounds.get(family.schedules);
    if (bound === undefined) {
      bounds.set(family.schedules, (bound = this.workBound(family.plan, [family.schedules], true, this.pricing.workWithoutAllToAll(family.plan))));
    }
    return bound;
  }

  /** A family's work bound with its all-to-all: the least of its schedules'. */
  familyBound(family: Family): number {
    return this.workBound(family.plan, [family.schedules], true, this.pricing.workOf(family.plan));
  }

  /** Each of a family's schedules' work bound (bound.ts), with its own share of pairs. */
  scheduleWorkBounds(plan: ParallelPlan, schedules: readonly ScheduleChoice[]): number[] {
    const list = this.listOf(schedules);
    const oneStage = this.pricing.workOf(plan);
    const byRun = list.runs.map((_, runIndex) => this.runWorkBound(plan, list, runIndex, true, oneStage));
    return list.runOf.map((runIndex) => byRun[runIndex]!);
  }

  /** A schedule's facts for its bounds, or null (a schedule too large to build for a bound, or one that does not apply). */
  choiceFacts(family: Family, scheduleIndex: number): ScheduleFacts | null {
    const list = this.listOf(family.schedules);
    return this.runFacts(list, list.runOf[scheduleIndex]!, family.plan);
  }

  /**
   * The activations in flight each of a family's schedules counts in its memory bound, and the least of them: with
   * the family's floor, a bound on every layout of the family. They read the schedule list (PP and micro-batch
   * count), the activation terms and the floor's whole-model activations (read off the terms): the families that
   * differ only in EP (above 1) share all three, and one count serves them all.
   */
  listInFlight(family: Family, terms: LayerMemoryTerms, floor: MemoryFloor): ListInFlight {
    let byList = this.listInFlights.get(terms);
    if (!byList) this.listInFlights.set(terms, (byList = new WeakMap()));
    let counted = byList.get(family.schedules);
    if (!counted || counted.wholeActivationBytes !== floor.wholeActivationBytes) {
      const bytes = Float64Array.from(family.schedules, (choice, index) => countedInFlight(floor, chunksOf(choice), this.inFlightOf(family, index, terms)));
      const least = bytes.reduce((min, value) => Math.min(min, value), Number.POSITIVE_INFINITY);
      byList.set(family.schedules, (counted = { bytes, least, wholeActivationBytes: floor.wholeActivationBytes }));
    }
    return counted;
  }

  /**
   * inFlightSumOf one of a family's schedules (memoryBound.ts); 0 for a schedule too large to build for a bound.
   * Asked once per schedule of a list and terms (listInFlight keeps the counts).
   */
  private inFlightOf(family: Family, scheduleIndex: number, terms: LayerMemoryTerms): number {
    const facts = this.choiceFacts(family, scheduleIndex);
    if (!facts) return 0;
    const bytes = this.pricing.stageBytesOf(family, family.schedules[scheduleIndex]!, terms);
    return bytes.length === facts.stages ? inFlightSumOf(facts.rankStages, facts.peaks, bytes) : 0;
  }

  /**
   * A schedule's own bound on its stage costs: fill and drain, and its busiest rank's ops (bound.ts). The family's
   * plan serves for the pricing context, the placement and the sizes (they read none of the schedule's fields).
   */
  scheduleBound(family: Family, scheduleIndex: number): number {
    const choice = family.schedules[scheduleIndex]!;
    const { plan } = family;
    const pairs = overlapsPairs(choice.schedule);
    const times = this.pricing.stageTimesOf(family, choice, pairs);
    const run = planSchedule({ pp: plan.pp, microbatches: plan.microbatches, vpp: choice.vpp, schedule: choice.schedule });
    const facts = this.factsOf(run.id, run.params);
    // The pair schedules' drain bound is at least their busiest rank's work (pairedDrain.ts).
    const tails = facts && pairs ? this.drainTailsOf(choice.schedule as DrainScheduleId, plan.pp, tailsMicrobatches(plan.pp, plan.microbatches)) : undefined;
    const busiest = !facts ? 0 : tails ? drainBound(facts.counts, tails, times) : busiestRankBound(facts.counts, times);
    const p2p = pairs ? 0 : this.pricing.pipelineSendSeconds(plan);
    return this.fabric * Math.max(busiest, pipelineBound(choice.schedule, times, plan.microbatches, plan.pp, p2p));
  }

  /** drainTails per schedule, PP degree and table size (pairedDrain.ts): a few hundred ops each, read once. */
  private drainTailsOf(id: DrainScheduleId, ranks: number, microbatches: number): DrainTails | undefined {
    const key = `${id}/${ranks}/${microbatches}`;
    if (!this.drainTails.has(key)) this.drainTails.set(key, drainTails(id, ranks, microbatches));
    return this.drainTails.get(key);
  }

  /**
   * What the bounds read of a schedule (its sizes and placement, its ops counted by rank, its peak in-flight counts),
   * collected as its program runs, with no op table (scheduleFacts.ts), and kept per schedule: a few numbers per rank.
   */
  private factsOf(id: ScheduleId, params: { ranks: number; microbatches: number; chunks?: number }): ScheduleFacts | null {
    const key = `${id}/${params.ranks}/${params.microbatches}/${params.chunks}`;
    let facts = this.factsByKey.get(key);
    if (facts === undefined) this.factsByKey.set(key, (facts = scheduleFacts(id, params)));
    return facts;
  }

  /**
   * A schedule list is shared by the families of one PP and micro-batch count (space.ts), and many of its choices
   * run the same schedule and VPP with other layouts: what the bounds read of its runs is kept per list.
   */
  private listOf(schedules: readonly ScheduleChoice[]): ScheduleList {
    let list = this.lists.get(schedules);
    if (!list) {
      const runs: ScheduleList['runs'] = [];
      const runOf = schedules.map(({ schedule, vpp }) => {
        let index = runs.findIndex((run) => run.schedule === schedule && run.vpp === vpp);
        if (index < 0) index = runs.push({ schedule, vpp, pairs: overlapsPairs(schedule) }) - 1;
        return index;
      });
      this.lists.set(schedules, (list = { runs, runOf, facts: [] }));
    }
    return list;
  }

  /** A run's facts for the bounds, or null for a schedule too large to build for a bound (or one that does not apply). */
  private runFacts(list: ScheduleList, runIndex: number, plan: ParallelPlan): ScheduleFacts | null {
    let facts = list.facts[runIndex];
    if (facts === undefined) {
      const { schedule, vpp } = list.runs[runIndex]!;
      const run = planSchedule({ pp: plan.pp, microbatches: plan.microbatches, vpp, schedule });
      list.facts[runIndex] = facts = scheduleOpBound(run.id, run.params) > BOUND_SCHEDULE_OPS ? null : this.factsOf(run.id, run.params);
    }
    return facts;
  }

  /**
   * The step's total work per rank (bound.ts) for one run of a list, priced as 1F1B: a DualPipe stage exposes at
   * least as much EP all-to-all, and its bound counts only what it cannot hide.
   */
  private runWorkBound(plan: ParallelPlan, list: ScheduleList, runIndex: number, ownPairs: boolean, oneStage: StageWorkSeconds): number {
    if (!list.runs[runIndex]!.pairs) return this.fabric * meanBusyBound(oneStage, plan.microbatches, plan.pp, false);
    const shares = ownPairs ? (this.runFacts(list, runIndex, plan)?.shares ?? ANY_PAIRS) : ANY_PAIRS;
    return this.fabric * meanBusyBound(oneStage, plan.microbatches, plan.pp, true, shares);
  }

  /**
   * The least work bound over `lists` of schedules. With `ownPairs` each pair-running schedule counts the share of
   * its work it runs in pairs (its ops are counted once per schedule): a family's schedules all run its
   * micro-batches. A shape's bound covers families with other micro-batch counts, so it counts none.
   */
  private workBound(plan: ParallelPlan, scheduleLists: readonly (readonly ScheduleChoice[])[], ownPairs: boolean, oneStage: StageWorkSeconds): number {
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < scheduleLists.length; i++) {
      const list = this.listOf(scheduleLists[i]!);
      // The runs without pairs share one bound: it reads no schedule.
      let unpairedDone = false;
      for (let runIndex = 0; runIndex < list.runs.length; runIndex++) {
        if (!list.runs[runIndex]!.pairs) {
          if (unpairedDone) continue;
          unpairedDone = true;
        }
        least = Math.min(least, this.runWorkBound(plan, list, runIndex, ownPairs, oneStage));
      }
    }
    return least;
  }

  /** Work bounds without the all-to-all, by the plan's key without EP and by the schedule lists (or a shape's batches) they cover. */
  private withoutAllToAll(key: SharedPlanKey): WeakMap<object, number> {
    let bounds = this.boundsWithoutAllToAll.get(key);
    if (!bounds) this.boundsWithoutAllToAll.set(key, (bounds = new WeakMap()));
    return bounds;
  }
}
