// The layout space of one design: every plan its model and cluster allow, in one fixed order. A plan is in the
// space when layoutChecks.ts finds no error in it (the world is tp·cp·pp·dp, heads split over TP, the sequence
// over CP, experts over EP, the batch over micro-batch × DP, stages no more than layers, the schedule's own rules).
//
// What varies: TP, CP, PP, DP, EP, ETP, every schedule that applies, every VPP with an even layer split, the
// micro-batch size (1 to `maxMicroBatchSize`), the recomputation choices, the ZeRO stage. What stays as the file
// says: sequence length, global batch, precision, node limit, FP8 activation store. Sequence parallelism is on
// whenever TP > 1: it moves the same bytes as plain TP (reduce-scatter + all-gather for each all-reduce) and keeps
// less activation memory, so a plan without it never wins. With PP, ZeRO-3 keeps each stage's weights and
// gradients whole through the step (cost/zeroSchedule.ts): ZeRO-1's memory and traffic, so it is left out there
// as a twin.
import { DEEPSEEK_V3_ACTIVATION_RECIPE } from '../cost/activations';
import type { Design, ParallelPlan, Recompute, RecomputeModule, ScheduleId, ZeroStage } from '../design';
import { DEFAULT_RECOMPUTE_MODULES } from '../design';
import { stageCount } from '../layoutChecks';
import { checkScheduleConstraints } from '../schedule/index';
import type { StageCostKey } from '../stageCostCache';

export interface SpaceOptions {
  /** Largest micro-batch size tried (default 8). */
  maxMicroBatchSize?: number;
}

export interface RecomputeChoice {
  recompute: Recompute;
  /** Absent: Megatron's default for selective (core_attn); not used by none and full. */
  recomputeModules?: readonly RecomputeModule[];
}

/** The DeepSeek-V3 recipe's recompute modules, as Megatron names them. */
export const DEEPSEEK_RECOMPUTE_MODULES: readonly RecomputeModule[] = DEEPSEEK_V3_ACTIVATION_RECIPE.recomputeModules;

const sameModules = (a: readonly RecomputeModule[], b: readonly RecomputeModule[]) => a.length === b.length && a.every((m) => b.includes(m));

/**
 * None, Megatron's selective default (core_attn), full; for MLA or MoE models the DeepSeek-V3 report's recipe
 * (layernorm, mla_up_proj, moe_act: §3.2.3, §3.3.3); and the file's own selective module list when it names
 * another one.
 */
export function recomputeChoices(design: Design): RecomputeChoice[] {
  const choices: RecomputeChoice[] = [{ recompute: 'none' }, { recompute: 'selective' }, { recompute: 'full' }];
  if (design.model.attention === 'mla' || design.model.experts > 0) choices.push({ recompute: 'selective', recomputeModules: DEEPSEEK_RECOMPUTE_MODULES });
  const own = design.plan.recompute === 'selective' ? design.plan.recomputeModules : undefined;
  if (own && !choices.some((c) => sameModules(c.recomputeModules ?? DEFAULT_RECOMPUTE_MODULES, own))) choices.push({ recompute: 'selective', recomputeModules: own });
  return choices;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

function tpAllowed(design: Design, tp: number): boolean {
  const { model } = design;
  if (model.heads % tp !== 0) return false;
  return model.attention !== 'gqa' || model.kvHeads % tp === 0 || tp % model.kvHeads === 0;
}

/** Schedules (with their chunk counts) that a pipeline of `pp` ranks running `microbatches` allows. */
export function scheduleChoices(design: Design, pp: number, microbatches: number): { schedule: ScheduleId; vpp: number }[] {
  // One rank has nothing to schedule: every schedule runs plain F, B per micro-batch (schedule/index.ts planSchedule).
  if (pp === 1) return [{ schedule: '1f1b', vpp: 1 }];
  const layers = design.model.layers;
  const out: { schedule: ScheduleId; vpp: number }[] = [];
  const consider = (schedule: ScheduleId, vpp: number) => {
    if (stageCount({ plan: { pp, vpp, schedule } }) > layers) return;
    if (checkScheduleConstraints(schedule, { ranks: pp, microbatches, chunks: vpp }) === undefined) out.push({ schedule, vpp });
  };
  consider('gpipe', 1);
  consider('1f1b', 1);
  // Every VPP that splits the layers evenly: an uneven split puts its shortfall on the first and last stages.
  for (let vpp = 2; pp * vpp <= layers; vpp++) if (layers % (pp * vpp) === 0) consider('interleaved-1f1b', vpp);
  consider('zb-h1', 1);
  consider('zb-h2', 1);
  consider('zbv', 2);
  consider('dualpipe', 1);
  consider('dualpipev', 2);
  return out;
}

/** EP × ETP choices of an MoE model: EP divides the experts, ETP the expert FFN, and EP·ETP the stage's GPUs. */
function expertChoices(design: Design, stageGpus: number, tp: number): { ep: number; etp: number }[] {
  const { experts, expertFfnHidden } = design.model;
  if (experts <= 0) return [{ ep: 1, etp: 1 }];
  const out: { ep: number; etp: number }[] = [];
  for (const etp of divisors(tp)) {
    if (expertFfnHidden % etp !== 0) continue;
    for (const ep of divisors(experts)) if (stageGpus % (ep * etp) === 0) out.push({ ep, etp });
  }
  return out;
}

/**
 * Layouts that share everything but the schedule (with its VPP) and the ZeRO stage. `plan` holds the shared
 * fields (its schedule, VPP and ZeRO stage are the first choices'); `order` places the family in the space's fixed
 * order, with room for its schedule × ZeRO layouts after it.
 */
export interface Family {
  plan: ParallelPlan;
  schedules: { schedule: ScheduleId; vpp: number }[];
  zeros: readonly ZeroStage[];
  /** schedules × zeros. */
  layouts: number;
  order: number;
}

/**
 * The parallel degrees of a group of families (TP, CP, PP, DP, EP, ETP): its families differ in micro-batch size
 * and recomputation. `base` holds the plan fields every layout of the search keeps from the file.
 */
export interface Shape {
  base: ParallelPlan;
  /** Micro-batch sizes that divide the batch and leave a schedule that applies, with those schedules. */
  batches: { microBatchSize: number; microbatches: number; schedules: { schedule: ScheduleId; vpp: number }[] }[];
  recomputes: readonly RecomputeChoice[];
  zeros: readonly ZeroStage[];
  /** Layouts under this shape. */
  layouts: number;
  order: number;
}

/** Room in the order numbering for one family's layouts, and for one shape's families. */
const FAMILY_STRIDE = 4096;
const SHAPE_STRIDE = FAMILY_STRIDE * 64;

/** Every shape of the space, in a fixed order (the order breaks ties between equal scores). */
export function enumerateShapes(design: Design, options: SpaceOptions = {}): Shape[] {
  const { model, cluster, plan: file } = design;
  const maxMicroBatch = options.maxMicroBatchSize ?? 8;
  const world = cluster.worldSize;
  const recomputes = recomputeChoices(design);
  // The file's module list and pipeline layout belong to its own TP/PP/VPP; each layout of the space sets its own
  // (the even split of cost/stages.ts).
  const {
    recomputeModules: _fileModules, layout: _layout, firstStageLayers: _first, lastStageLayers: _last,
    accountForEmbedding: _embedding, accountForLoss: _loss, ...fileFields
  } = file;
  const schedulesOf = new Map<string, { schedule: ScheduleId; vpp: number }[]>();
  const shapes: Shape[] = [];
  for (const tp of divisors(world)) {
    if (!tpAllowed(design, tp)) continue;
    for (const cp of divisors(world / tp)) {
      if (file.seqLength % cp !== 0) continue;
      for (const pp of divisors(world / (tp * cp))) {
        if (pp > model.layers) continue;
        const dp = world / (tp * cp * pp);
        if (file.globalBatchSize % dp !== 0) continue;
        const zeros = zeroChoices(pp);
        const batches: Shape['batches'] = [];
        for (let microBatchSize = 1; microBatchSize <= maxMicroBatch; microBatchSize++) {
          if (file.globalBatchSize % (microBatchSize * dp) !== 0) continue;
          const microbatches = file.globalBatchSize / (microBatchSize * dp);
          const key = `${pp}/${microbatches}`;
          let schedules = schedulesOf.get(key);
          if (!schedules) schedulesOf.set(key, (schedules = scheduleChoices(design, pp, microbatches)));
          if (schedules.length > 0) batches.push({ microBatchSize, microbatches, schedules });
        }
        if (batches.length === 0) continue;
        let layouts = 0;
        for (const batch of batches) layouts += batch.schedules.length * recomputes.length * zeros.length;
        for (const { ep, etp } of expertChoices(design, tp * cp * dp, tp)) {
          const base: ParallelPlan = {
            ...fileFields, tp, cp, pp, dp, ep, etp, sequenceParallel: tp > 1, microBatchSize: batches[0]!.microBatchSize,
            microbatches: batches[0]!.microbatches, schedule: batches[0]!.schedules[0]!.schedule, vpp: 1, zero: zeros[0]!, recompute: 'none',
          };
          shapes.push({ base, batches, recomputes, zeros, layouts, order: shapes.length * SHAPE_STRIDE });
        }
      }
    }
  }
  return shapes;
}

/** The order of a shape's family: its micro-batch size's index × the recompute choice's. */
export function familyOrder(shape: Shape, batchIndex: number, recomputeIndex: number): number {
  return shape.order + (batchIndex * shape.recomputes.length + recomputeIndex) * FAMILY_STRIDE;
}

/** Stage counts a key has room for (stages × pairs or not). */
const STAGE_KEYS = 2 * FAMILY_STRIDE;

/**
 * The key of a family's stage costs over `stages` stages, for the estimate cache (stageCostCache.ts): a layout's
 * stage costs read every plan field but the batch, the VPP and the ZeRO stage, and of the schedule only whether it
 * pairs F with B, so within one search they are fixed by the family (its shape's degrees, its micro-batch size and
 * recomputation), the stage count and the pairing. A number, so no string is built per layout.
 */
export function stageCostKeyOf(order: number, stages: number, pairs: boolean): StageCostKey {
  const family = Math.floor(order / FAMILY_STRIDE);
  // More stages than a key has room for (no model has 4,096 layers): a string, never a clash.
  if (stages * 2 + 1 >= STAGE_KEYS) return `${family}/${stages}/${pairs}`;
  return family * STAGE_KEYS + stages * 2 + (pairs ? 1 : 0);
}

/** A shape's families, in order. */
export function shapeFamilies(shape: Shape): Family[] {
  const families: Family[] = [];
  for (const { microBatchSize, microbatches, schedules } of shape.batches) {
    for (const choice of shape.recomputes) {
      const plan: ParallelPlan = {
        ...shape.base, microBatchSize, microbatches, schedule: schedules[0]!.schedule, vpp: schedules[0]!.vpp, recompute: choice.recompute,
      };
      if (choice.recomputeModules) plan.recomputeModules = [...choice.recomputeModules];
      families.push({ plan, schedules, zeros: shape.zeros, layouts: schedules.length * shape.zeros.length, order: shape.order + families.length * FAMILY_STRIDE });
    }
  }
  return families;
}

/** Every family of the space, in order. */
export function enumerateFamilies(design: Design, options: SpaceOptions = {}): Family[] {
  return enumerateShapes(design, options).flatMap(shapeFamilies);
}

function zeroChoices(pp: number): readonly ZeroStage[] {
  return pp > 1 ? [0, 1, 2] : [0, 1, 2, 3];
}
