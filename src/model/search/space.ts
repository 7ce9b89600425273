// The layout space of one design: every plan its model and cluster allow, in one fixed order. A plan is in the
// space when layoutChecks.ts finds no error in it (the world is tp·cp·pp·dp, heads split over TP, the sequence
// over CP, experts over EP, the batch over micro-batch × DP, stages no more than layers, the schedule's own rules).
//
// What varies: TP, CP, PP, DP, EP, ETP, every schedule that applies, every VPP some pipeline layout fills, the
// pipeline layouts a Megatron-LM user writes for each PP × VPP (pipelineLayouts.ts: the even split, the embedding
// and/or loss counted as layers, shorter first/last ranks), the micro-batch size (1 to `maxMicroBatchSize`), the
// recomputation choices, the ZeRO stage. What stays as the file
// says: sequence length, global batch, precision, node limit, FP8 activation store. Sequence parallelism is on
// whenever TP > 1: it moves the same bytes as plain TP (reduce-scatter + all-gather for each all-reduce) and keeps
// less activation memory, so a plan without it never wins. With PP, ZeRO-3 keeps each stage's weights and
// gradients whole through the step (cost/comm/zeroSchedule.ts): ZeRO-1's memory and traffic, so it is left out there
// as a twin.
import { DEEPSEEK_V3_ACTIVATION_RECIPE } from '../cost/memory/activations';
import type { Design, ParallelPlan, Recompute, RecomputeModule, ScheduleId, ZeroStage } from '../design';
import { DEFAULT_RECOMPUTE_MODULES } from '../design';
import { stageCount } from '../layoutChecks';
import { checkScheduleConstraints } from '../schedule/index';
import type { StageCostKey } from '../stageCostCache';
import { endReductionLimits, layoutOptions, type LayoutFields } from './pipelineLayouts';

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

/** A schedule with its chunks per rank and one pipeline layout for them (pipelineLayouts.ts). */
export interface ScheduleChoice {
  schedule: ScheduleId;
  vpp: number;
  /** The plan fields that state the layout (none for the even split). */
  layout: LayoutFields;
  /** The layout's stages in Megatron's letters. */
  layoutString: string;
  /** Which stage contents the layout has, for the stage-cost key (stageCostKeyOf); 0 is one stage holding every layer. */
  content: number;
}

/** The plan of a family (or a shape's base) run with one schedule choice. */
export function choicePlan(plan: ParallelPlan, choice: ScheduleChoice): ParallelPlan {
  return { ...plan, schedule: choice.schedule, vpp: choice.vpp, ...choice.layout };
}

/** Numbers for distinct stage contents within one search: the stage count and the layout's letters decide them. */
export class StageContents {
  private readonly ids = new Map<string, number>();
  idOf(stages: number, layoutString: string): number {
    if (stages <= 1) return ONE_STAGE;
    const key = `${stages}|${layoutString}`;
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.ids.size + 1));
    return id;
  }
}

/** The stage-contents number of one stage holding every layer (a step's total work, search/bound.ts). */
export const ONE_STAGE = 0;

/**
 * Schedules (with their chunk counts) that a pipeline of `pp` ranks running `microbatches` allows, each with every
 * layout pipelineLayouts.ts offers for it. `limits`: endReductionLimits(design), `contents` numbers the layouts.
 */
export function scheduleChoices(
  design: Design, pp: number, microbatches: number, limits = endReductionLimits(design), contents = new StageContents(),
  layoutMemo = new Map<string, ScheduleChoice[]>(),
): ScheduleChoice[] {
  const single = (schedule: ScheduleId, vpp: number): ScheduleChoice => ({ schedule, vpp, layout: {}, layoutString: '', content: ONE_STAGE });
  // One rank has nothing to schedule: every schedule runs plain F, B per micro-batch (schedule/index.ts planSchedule).
  if (pp === 1) return [single('1f1b', 1)];
  const layers = design.model.layers;
  const out: ScheduleChoice[] = [];
  const consider = (schedule: ScheduleId, vpp: number) => {
    const stages = stageCount({ plan: { pp, vpp, schedule } });
    // Interleaving needs the plain split to divide (Megatron's rule); the other schedules shorten the end stages.
    const evenAllowed = schedule !== 'interleaved-1f1b' || layers % stages === 0;
    if (checkScheduleConstraints(schedule, { ranks: pp, microbatches, chunks: vpp }) !== undefined) return;
    // The layouts read the PP, the schedule and the stage count, not the micro-batches: one list per PP serves
    // every micro-batch size.
    const key = `${pp}/${schedule}/${vpp}`;
    let choices = layoutMemo.get(key);
    if (!choices) {
      choices = layoutOptions(design, pp, schedule, stages, evenAllowed, limits)
        .map((option) => ({ schedule, vpp, layout: option.fields, layoutString: option.layoutString, content: contents.idOf(stages, option.layoutString) }));
      layoutMemo.set(key, choices);
    }
    out.push(...choices);
  };
  consider('gpipe', 1);
  consider('1f1b', 1);
  // Every VPP some layout fills: the even split when it divides, or one counting the embedding and the loss as
  // layers (at most L + 2 stages), or shorter first and last ranks.
  for (let vpp = 2; pp * vpp <= layers + 2; vpp++) consider('interleaved-1f1b', vpp);
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
  schedules: ScheduleChoice[];
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
  batches: { microBatchSize: number; microbatches: number; schedules: ScheduleChoice[] }[];
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
  // (pipelineLayouts.ts). torchtitan's embedding and output weights stay: they are how that file splits any PP.
  const {
    recomputeModules: _fileModules, layout: _layout, firstStageLayers: _first, lastStageLayers: _last,
    accountForEmbedding: _embedding, accountForLoss: _loss, ...fileFields
  } = file;
  const schedulesOf = new Map<string, ScheduleChoice[]>();
  const limits = endReductionLimits(design);
  const contents = new StageContents();
  const layoutMemo = new Map<string, ScheduleChoice[]>();
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
          if (!schedules) schedulesOf.set(key, (schedules = scheduleChoices(design, pp, microbatches, limits, contents, layoutMemo)));
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

/**
 * `shapes` (in the space's order) in runs that differ only in EP: enumerateShapes lists the EP degrees of one TP,
 * CP, PP, DP and ETP one after another, with one batch list between them. Such shapes share every bound that leaves
 * the all-to-all out (search/sharedPricing.ts), and their families line up: the same batches and recomputations.
 */
export function expertSiblings(shapes: readonly Shape[]): Shape[][] {
  const runs: Shape[][] = [];
  for (const shape of shapes) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && last.batches === shape.batches && last.base.etp === shape.base.etp && last.recomputes === shape.recomputes) run.push(shape);
    else runs.push([shape]);
  }
  return runs;
}

/** The order of a shape's family: its micro-batch size's index × the recompute choice's. */
export function familyOrder(shape: Shape, batchIndex: number, recomputeIndex: number): number {
  return shape.order + (batchIndex * shape.recomputes.length + recomputeIndex) * FAMILY_STRIDE;
}

/** Stage contents a key has room for (contents × pairs or not). */
const STAGE_KEYS = 2 * FAMILY_STRIDE;

/**
 * The key of a family's stage costs for one stage contents (ScheduleChoice.content: the stage count and the
 * layout; ONE_STAGE for one stage holding every layer), for the estimate cache (stageCostCache.ts): a layout's stage
 * costs read every plan field but the batch, the VPP and the ZeRO stage, and of the schedule only whether it pairs F
 * with B, so within one search they are fixed by the family (its shape's degrees, its micro-batch size and
 * recomputation), what each stage holds and the pairing. A number, so no string is built per layout.
 */
export function stageCostKeyOf(order: number, content: number, pairs: boolean): StageCostKey {
  const family = Math.floor(order / FAMILY_STRIDE);
  // More contents than a key has room for: a string, never a clash.
  if (content * 2 + 1 >= STAGE_KEYS) return `${family}/${content}/${pairs}`;
  return family * STAGE_KEYS + content * 2 + (pairs ? 1 : 0);
}

/** A shape's families, in order. */
export function shapeFamilies(shape: Shape): Family[] {
  const families: Family[] = [];
  for (const { microBatchSize, microbatches, schedules } of shape.batches) {
    for (const choice of shape.recomputes) {
      const plan: ParallelPlan = {
        ...shape.base, microBatchSize, microbatches, schedule: schedules[0]!.schedule, vpp: schedules[0]!.vpp, recompute: choice.recompute,
      };
      // One list per recomputation choice for every family: plans never change their lists, and a search keys its
      // shared pricing by the list's identity first (planKeys.ts).
      if (choice.recomputeModules) plan.recomputeModules = choice.recomputeModules;
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
