// Stage costs shared between the layouts of one search. What a stage costs (cost/stages.ts, with the placement and
// communication it prices) depends on the model, the cluster and the plan's fields except the few listed in
// NOT_IN_STAGE_COSTS, and on the number of stages the layers are split into. The key is built from every other
// plan field, so a field added to the plan later is in the key unless someone states here that costs ignore it
// (test/model/search/complete.test.ts checks the statement on random layouts against a plain estimate). Of the
// schedule only whether it pairs F with B (DualPipe, DualPipeV) is in the key: a pair hides EP all-to-all, and no
// other stage cost reads the schedule (GPipe, 1F1B and the zero-bubble schedules of one stage count share).
//
// A search may key its stage costs itself (a number from its own enumeration, search/space.ts stageCostKeyOf):
// building this string for every layout costs more than the lookup it serves.
import type { GpuSpec } from './catalog/gpus';
import type { EfficiencyParams } from './cost/compute/efficiency';
import type { Links } from './cost/comm/collectives';
import { placePlan, type Placement } from './cost/comm/placement';
import { splitLayers, type LayerSplit } from './cost/stages';
import { stageCostContext, stageCostsOf, type StageCostBreakdown, type StageCostContext } from './cost/compute/stageTime';
import type { Calibration } from './cost/calibration';
import { modelComm, type ModelComm } from './cost/comm/traffic';
import type { Design, ParallelPlan } from './design';
import type { LayerMemoryTerms } from './cost/memory/memory';
import { rankHoldings, type RankHolding } from './rankMemory';
import { stageCount } from './layoutChecks';

/**
 * Plan fields the stage costs do not read: the ZeRO stage (DP synchronisation is priced per step, after the
 * pipeline), the batch (a stage's cost is per micro-batch) and the VPP (it matters only through the stage count,
 * which is in the key). The schedule is in the key: DualPipe's pairs change how much EP all-to-all a stage exposes.
 */
const NOT_IN_STAGE_COSTS: ReadonlySet<string> = new Set<keyof ParallelPlan>(['zero', 'globalBatchSize', 'microbatches', 'vpp', 'schedule']);

/** Whether a schedule runs F&B pairs, the one thing about the schedule stage costs read (cost/compute/stageTime.ts). */
export function pairsForwardAndBackward(schedule: ParallelPlan['schedule']): boolean {
  return schedule === 'dualpipe' || schedule === 'dualpipev';
}

/** A stage-cost key: this file's string, or a number a search derives from its own enumeration. */
export type StageCostKey = string | number;

export interface StageCostEnv {
  gpu: GpuSpec;
  efficiency: EfficiencyParams;
  links: Links;
  peakFlopsPerSecond: number;
  calibration: Calibration;
}

export interface SharedStageCosts {
  key: StageCostKey;
  placement: Placement;
  comm: ModelComm;
  split: LayerSplit;
  costs: StageCostBreakdown;
  /**
   * What the layouts of this entry also share, filled in by the first estimate that needs it: the plan fields
   * the key keeps decide the activation terms (cost/memory/memory.ts layerMemoryTerms reads none it drops), and the
   * split with the ranks' placement of stages (looped, V, DualPipe's two directions) decides each rank's holding.
   */
  memoryTerms?: LayerMemoryTerms;
  holdings?: Map<string, RankHolding[]>;
}

export interface StageCostMemo {
  stageCosts: Map<StageCostKey, SharedStageCosts>;
}

/** The key of a plan's stage costs over `stages` stages (one model and cluster). */
export function stageCostKey(plan: ParallelPlan, stages: number): string {
  let key = `${stages}|pairs=${pairsForwardAndBackward(plan.schedule)}`;
  const record = plan as unknown as Record<string, unknown>;
  for (const field of Object.keys(record).sort()) {
    if (NOT_IN_STAGE_COSTS.has(field)) continue;
    const value = record[field];
    key += `|${field}=${Array.isArray(value) ? value.join('+') : String(value)}`;
  }
  return key;
}

/** The ranks' placement and what the plan's groups send (cost/comm/traffic.ts). */
export interface StageCostGroups {
  placement: Placement;
  comm: ModelComm;
}

/** `placement`: placePlan of the plan, when the caller keeps it (it reads only the parallel degrees). */
export function stageCostGroups(design: Design, env: StageCostEnv, placement = placePlan(design.plan, design.cluster.gpusPerNode)): StageCostGroups {
  return { placement, comm: modelComm({ design, placement, links: env.links }) };
}

/** What every split of one plan shares: its groups and the per-stage pricing (stageTime.ts). */
export interface StageCostBase extends StageCostGroups {
  context: StageCostContext;
}

/**
 * `sameGroups`: the groups of a plan that differs from this one at most in the schedule, the VPP and the layout
 * (placement and communication read none of those fields).
 */
export function stageCostBase(design: Design, env: StageCostEnv, sameGroups?: StageCostGroups): StageCostBase {
  const { placement, comm } = sameGroups ?? stageCostGroups(design, env);
  const context = stageCostContext({ design, gpu: env.gpu, efficiency: env.efficiency, comm, peakFlopsPerSecond: env.peakFlopsPerSecond, calibration: env.calibration });
  return { placement, comm, context };
}

export interface SharedStageCostOptions {
  /** Stages the layers are split into: the plan's own stage count unless given (a search asks for 1 to price a step's total work). */
  stages?: number;
  /** Stands for stageCostKey(design.plan, stages): the caller vouches that equal keys mean equal costs. */
  key?: StageCostKey;
  /** Stands for splitLayers(design, stages), which a search keeps per stage contents. */
  split?: LayerSplit;
  /**
   * Stands for stageCostBase(design, env): a base of a plan that differs from this one at most in the VPP, the layout
   * and the schedule among those that pair F with B alike (a stage's row reads none of them).
   */
  base?: StageCostBase;
}

/**
 * The design's stage costs, computed once per key. A search asks for one stage holding every layer to get a step's
 * total work cheaply (the work of a stage is the sum of its layers').
 */
export function sharedStageCosts(design: Design, env: StageCostEnv, memo: StageCostMemo | undefined, options: SharedStageCostOptions = {}): SharedStageCosts {
  const stages = options.stages ?? stageCount(design);
  const key = options.key ?? (memo ? stageCostKey(design.plan, stages) : '');
  const known = memo?.stageCosts.get(key);
  if (known) return known;
  const { placement, comm, context } = options.base ?? stageCostBase(design, env);
  const split = options.split ?? splitLayers(design, stages);
  const costs = stageCostsOf(context, split);
  const shared = { key, placement, comm, split, costs };
  memo?.stageCosts.set(key, shared);
  return shared;
}

/** The ranks' holdings of a shared stage-cost entry, by how the schedule places stages on ranks (stages.ts stagesOfRank). */
export function sharedHoldings(design: Design, shared: SharedStageCosts): RankHolding[] {
  const { schedule } = design.plan;
  const placement = schedule === 'dualpipe' || schedule === 'zbv' || schedule === 'dualpipev' ? schedule.replace('zbv', 'dualpipev') : 'looped';
  shared.holdings ??= new Map();
  let holdings = shared.holdings.get(placement);
  if (!holdings) shared.holdings.set(placement, (holdings = rankHoldings(design, shared.split)));
  return holdings;
}
