// What a search prices once and shares between the layouts, families and shapes that read the same plan fields:
// activation terms, whole-model holdings, splits, placements and communication, stage-cost contexts, the work of one
// stage holding every layer, a stage boundary's send, stage activation bytes and the stage times its bounds read.
//
// One stage holding every layer costs the same whatever the PP and DP degrees (its F and B read the TP, CP and EP
// groups, the micro-batch and the recomputation, never PP or DP: test/model/search/bounds.test.ts checks this on
// random layouts), and m / PP = global batch · TP · CP / (micro-batch · world) does not read them either: the
// families of one (TP, CP, EP, ETP, micro-batch, recompute) share one work bound. The activation terms read neither
// either, and of EP only whether it is above 1 (the same test): the families with the same terms key share them.
import type { Design, ParallelPlan } from '../design';
import { type StageCostEnv, stageCostBase, stageCostGroups, type StageCostGroups } from '../stageCostCache';
import { placePlan, type Placement } from '../cost/comm/placement';
import { expertAllToAll as expertAllToAllOf, pipelineSend, type PassComm } from '../cost/comm/traffic';
import { layerMemoryTerms, type LayerMemoryTerms } from '../cost/memory/memory';
import { stageCount } from '../layoutChecks';
import { splitLayers, type LayerSplit } from '../cost/stages';
import { stageActivationBytes } from '../rankMemory';
import {
  stageTimesOf, stageTimesWithAllToAll, wholeStageSeconds, wholeStageWithAllToAll, type StageCostContext, type StageTimes, type StageWorkSeconds,
} from '../cost/compute/stageTime';
import { overlapsPairs } from './bound';
import { wholeModel, type WholeModel } from './memoryBound';
import type { PlanKeys, SharedPlanKey } from './planKeys';
import { choicePlan, ONE_STAGE, type Family, type ScheduleChoice } from './space';

interface ComposedTimes {
  context: StageCostContext;
  design: Design;
  expertAllToAll: PassComm;
  byContents: Map<number, StageTimes>;
}

export class SharedPricing {
  private readonly terms = new Map<SharedPlanKey, LayerMemoryTerms>();
  private readonly wholeModels = new Map<SharedPlanKey, WholeModel>();
  private readonly splits = new Map<number, LayerSplit>();
  private readonly placements = new Map<string, Placement>();
  private readonly groups = new WeakMap<Family | ParallelPlan, StageCostGroups>();
  private readonly contexts = [new Map<SharedPlanKey, StageCostContext>(), new Map<SharedPlanKey, StageCostContext>()];
  private readonly wholeStageWork = new Map<SharedPlanKey, StageWorkSeconds>();
  private readonly pipelineSends = new Map<string, number>();
  private readonly activationBytes = new WeakMap<LayerMemoryTerms, Map<number, Float64Array>>();
  private readonly boundTimes = new WeakMap<StageCostContext, Map<number, StageTimes>>();
  /** Per pairing and plan key (with EP), the EP-1 context, the plan's all-to-all and the stage times composed from them. */
  private readonly composedTimes = [new Map<SharedPlanKey, ComposedTimes>(), new Map<SharedPlanKey, ComposedTimes>()];

  constructor(private readonly design: Design, private readonly env: StageCostEnv, private readonly keys: PlanKeys) {}

  /** The plan's activation terms (cost/memory/memory.ts). */
  termsOf(plan: ParallelPlan): LayerMemoryTerms {
    const key = this.keys.activations(plan);
    let terms = this.terms.get(key);
    if (!terms) this.terms.set(key, (terms = layerMemoryTerms(this.design.model, plan)));
    return terms;
  }

  /** One stage holding every layer, as one GPU of the plan holds it: it reads TP, EP and ETP (gpuParameters) and the terms. */
  wholeModelOf(plan: ParallelPlan, terms: LayerMemoryTerms): WholeModel {
    const key = this.keys.shared(plan);
    let whole = this.wholeModels.get(key);
    if (!whole) this.wholeModels.set(key, (whole = wholeModel(this.design, plan, terms)));
    return whole;
  }

  /**
   * A layout's split: fixed by its stage contents (the content number stands for the stages' holdings), whatever
   * the family, so one split per contents serves every family's bounds and estimates.
   */
  splitOf(plan: ParallelPlan, content: number): LayerSplit {
    let split = this.splits.get(content);
    if (!split) this.splits.set(content, (split = splitLayers({ ...this.design, plan }, stageCount({ plan }))));
    return split;
  }

  /**
   * The placement and communication of `owner` (a family, or a plan of its own). A placement reads only the
   * parallel degrees (cost/comm/placement.ts): the families of a shape share it.
   */
  groupsOf(owner: Family | ParallelPlan, plan: ParallelPlan): StageCostGroups {
    let found = this.groups.get(owner);
    if (!found) this.groups.set(owner, (found = stageCostGroups({ ...this.design, plan }, this.env, this.placementOf(plan))));
    return found;
  }

  /**
   * The pricing context of a plan's stage rows, per pairing (stageTime.ts). A row reads the same plan fields as one
   * whole stage (bounds.test.ts checks that a context priced at PP 1 prices every split of a layout as its own does):
   * the families of one shared key share one context per pairing, so a stage of 4 layers is priced once for every
   * PP degree. The context reads of the schedule only whether it pairs F with B.
   */
  contextOf(plan: ParallelPlan, pairs: boolean, owner: Family | ParallelPlan): StageCostContext {
    const key = this.keys.shared(plan);
    const byKey = this.contexts[pairs ? 1 : 0]!;
    let context = byKey.get(key);
    if (!context) {
      const priced: ParallelPlan = pairs === overlapsPairs(plan.schedule) ? plan : { ...plan, schedule: pairs ? 'dualpipe' : '1f1b' };
      byKey.set(key, (context = stageCostBase({ ...this.design, plan: priced }, this.env, this.groupsOf(owner, plan)).context));
    }
    return context;
  }

  /** The work of one stage holding every layer of the plan (bound.ts), priced as 1F1B. */
  workOf(plan: ParallelPlan): StageWorkSeconds {
    const key = this.keys.shared(plan);
    let work = this.wholeStageWork.get(key);
    if (!work) {
      const one: ParallelPlan = { ...plan, pp: 1, dp: this.design.cluster.worldSize / (plan.tp * plan.cp), schedule: '1f1b', vpp: 1 };
      const withOne: Design = { ...this.design, plan: one };
      // With experts spread over EP ranks, the stage at EP 1 and this plan's all-to-all: no pricing context of its
      // own, which most of these work bounds would never use again.
      work = one.ep > 1 && this.design.model.experts > 0
        ? wholeStageWithAllToAll(this.workWithoutAllToAll(one), withOne, expertAllToAllOf({ design: withOne, placement: this.placementOf(one), links: this.env.links }), this.env.calibration, this.splitOf(one, ONE_STAGE))
        : wholeStageSeconds(this.contextOf(one, false, one), this.splitOf(one, ONE_STAGE));
      this.wholeStageWork.set(key, work);
    }
    return work;
  }

  /**
   * The same stage without its EP all-to-all: it costs the same whatever the EP degree (the grouped expert GEMM sees
   * the rank's whole routed work, the imbalance is the calibration's; bounds.test.ts checks it), so priced with EP 1
   * it serves the shapes and families of every EP degree as a bound that leaves the all-to-all out.
   */
  workWithoutAllToAll(plan: ParallelPlan): StageWorkSeconds {
    return this.wholeStageWork.get(this.keys.withoutExperts(plan)) ?? this.workOf({ ...plan, ep: 1 });
  }

  /**
   * A stage boundary's send, which reads the PP group's placement and the activation's size (traffic.ts
   * pipelineSend): the families of one PP, DP, TP, CP and micro-batch share it, without pricing the rest of their
   * communication.
   */
  pipelineSendSeconds(plan: ParallelPlan): number {
    const key = `${plan.pp}/${plan.dp}/${plan.tp}/${plan.cp}/${plan.microBatchSize}`;
    let seconds = this.pipelineSends.get(key);
    if (seconds === undefined) {
      const placement = this.placementOf(plan);
      this.pipelineSends.set(key, (seconds = pipelineSend({ design: { ...this.design, plan }, placement, links: this.env.links }).seconds));
    }
    return seconds;
  }

  /**
   * One micro-batch's activations through each stage of a schedule choice. They read the activation terms and what
   * each stage holds (and the file's offloading, the same in every layout): the families that share terms share
   * them per stage contents.
   */
  stageBytesOf(family: Family, choice: ScheduleChoice, terms: LayerMemoryTerms): Float64Array {
    let stageBytes = this.activationBytes.get(terms);
    if (!stageBytes) this.activationBytes.set(terms, (stageBytes = new Map()));
    let bytes = stageBytes.get(choice.content);
    if (!bytes) {
      // The whole plan is built only for a stage contents not seen yet.
      const plan = choicePlan(family.plan, choice);
      stageBytes.set(choice.content, (bytes = stageActivationBytes({ ...this.design, plan }, this.splitOf(plan, choice.content), terms)));
    }
    return bytes;
  }

  /**
   * F, B, W and F&B per stage of a schedule choice: all a bound reads of its stage costs (the rest of the breakdown
   * waits for a layout's estimate), fixed by the pricing context and the stage contents. The family's plan serves
   * for the context; the choice's own plan is built only for a stage contents not seen yet.
   */
  stageTimesOf(family: Family, choice: ScheduleChoice, pairs: boolean): StageTimes {
    const { plan } = family;
    if (plan.ep > 1 && this.design.model.experts > 0) return this.stageTimesWithAllToAll(family, choice, pairs);
    const context = this.contextOf(plan, pairs, family);
    let byContents = this.boundTimes.get(context);
    if (!byContents) this.boundTimes.set(context, (byContents = new Map()));
    let times = byContents.get(choice.content);
    if (!times) {
      const own = choicePlan(plan, choice);
      byContents.set(choice.content, (times = stageTimesOf(context, this.splitOf(own, choice.content))));
    }
    return times;
  }

  /**
   * stageTimesOf with EP above 1: the rows of the plan priced at EP 1 (one context and one row per stage contents for
   * every EP degree) with the plan's all-to-all added per stage (stageTime.ts stageTimesWithAllToAll). Most of the
   * families whose schedules are bounded are never estimated, and need no context of their own.
   */
  private stageTimesWithAllToAll(family: Family, choice: ScheduleChoice, pairs: boolean): StageTimes {
    const { plan } = family;
    const key = this.keys.shared(plan);
    const byKey = this.composedTimes[pairs ? 1 : 0]!;
    let composed = byKey.get(key);
    if (!composed) {
      const withoutExperts: ParallelPlan = { ...plan, ep: 1 };
      const design: Design = { ...this.design, plan };
      const expertAllToAll = expertAllToAllOf({ design, placement: this.placementOf(plan), links: this.env.links });
      byKey.set(key, (composed = { context: this.contextOf(withoutExperts, pairs, withoutExperts), design, expertAllToAll, byContents: new Map() }));
    }
    let times = composed.byContents.get(choice.content);
    if (!times) {
      const split = this.splitOf(choicePlan(plan, choice), choice.content);
      composed.byContents.set(choice.content, (times = stageTimesWithAllToAll(composed.context, split, composed.design, composed.expertAllToAll, this.env.calibration)));
    }
    return times;
  }

  /** The plan's placement (cost/comm/placement.ts): it reads only the parallel degrees. */
  placementOf(plan: ParallelPlan): Placement {
    const degrees = `${plan.tp}/${plan.cp}/${plan.dp}/${plan.pp}/${plan.ep}/${plan.etp}`;
    let placement = this.placements.get(degrees);
    if (!placement) this.placements.set(degrees, (placement = placePlan(plan, this.design.cluster.gpusPerNode)));
    return placement;
  }
}
