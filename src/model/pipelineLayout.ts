// The pipeline layout: what each model stage holds — the embedding, a run of decoder layers, MTP modules, the
// output head with the loss. Stage s sits on rank s mod p as chunk ⌊s/p⌋ (Megatron's interleaved order; V and
// DualPipe placements map model stages to ranks in stages.ts). A plan states its layout in one of three ways,
// each read as Megatron-LM reads it:
//
// 1. A layout string (`--pipeline-model-parallel-layout`, PipelineParallelLayerLayout): `E` embedding, `t` decoder
//    layer, `m` MTP module, `L` loss (output head), `|` ends a stage; commas are cosmetic; `(…)*n` repeats a group
//    and then `x*n` one character, each in a single left-to-right pass, so groups do not nest. The stages are
//    listed in model order; `E` comes first and `L` last, once each; decoder layers come before MTP modules, all
//    MTP modules sit in one stage, and that stage is the last chunk of its rank.
// 2. Uneven first and last ranks (`--decoder-first/last-pipeline-num-layers`): rank 0 and rank p−1 hold the given
//    decoder layers (over all their chunks), the middle ranks share the rest evenly; every rank's count splits
//    evenly over its chunks (TransformerConfig.__post_init__, transformer_block.get_num_layers_to_build).
// 3. The embedding and the loss counted as layers (`--account-for-embedding/loss-in-pipeline-split`): L + 1 or
//    L + 2 "layers" split evenly over ranks and chunks; the first stage gives one slot to the embedding, the last
//    one to the loss. Options 2 and 3 exclude each other and the layout string excludes both.
// 4. torchtitan's split (pipeline_parallel.py, _generate_llm_fqn_per_model_part): the embedding and the output head
//    weigh `pipeline_parallel_first/last_stage_less_layers` layers (default 1 each); the L + weights "effective
//    layers" are dealt out ⌊E/S⌋ per stage with the remainder to the first stages, and the first and last stages
//    give up their weights' worth of decoder layers.
// Without any of them Megatron needs L divisible by the stage count; here the split then falls back to even
// stages with the first and last shortened (stages.ts), which layoutChecks reports as a warning.
import type { ParallelPlan } from './design';

/** One model stage's holdings. */
export interface StageHolding {
  embedding: boolean;
  decoderLayers: number;
  mtpLayers: number;
  /** The output head and the loss. */
  loss: boolean;
}

export type LayoutResult = { ok: true; stages: StageHolding[] } | { ok: false; message: string };

/** Layouts that expand beyond this many characters are refused (a typo such as `t*100000000` must not hang). */
const MAX_EXPANDED = 200_000;

const LAYOUT_UNITS = new Set(['E', 't', 'm', 'L']);

/** `(…)*n` then `x*n`, one pass each, as Megatron unrolls them; undefined past MAX_EXPANDED characters. */
function expand(layout: string): string | undefined {
  let tooLong = false;
  const repeat = (unit: string, times: string): string => {
    const n = Number(times);
    if (!Number.isSafeInteger(n) || unit.length * n > MAX_EXPANDED) {
      tooLong = true;
      return '';
    }
    return unit.repeat(n);
  };
  const text = layout.trim().replace(/,/g, '')
    .replace(/\(([^)]+)\)\*(\d+)/g, (_, group: string, times: string) => repeat(group, times))
    .replace(/(.)\*(\d+)/g, (_, unit: string, times: string) => repeat(unit, times));
  return tooLong || text.length > MAX_EXPANDED ? undefined : text;
}

/** A Megatron layout string → its stages in model order. */
export function parseLayoutString(layout: string): LayoutResult {
  const text = expand(layout);
  if (text === undefined) return { ok: false, message: `the layout expands to more than ${MAX_EXPANDED.toLocaleString('en-US')} characters` };
  const bad = [...text].find((char) => char !== '|' && !LAYOUT_UNITS.has(char));
  if (bad !== undefined) {
    const what = bad === '(' || bad === ')' ? 'a parenthesis Megatron does not expand (a group needs `*n` and groups do not nest)' : `"${bad}"`;
    return { ok: false, message: `${what} is not a layout character (E embedding, t decoder layer, m MTP, L loss, | between stages)` };
  }
  return { ok: true, stages: text.split('|').map(stageOf) };
}

/** An explicit list, one entry per stage, each in the layout string's letters (`["Et*3", "tt", "mL"]`). */
export function parseLayoutList(stages: readonly string[]): LayoutResult {
  const out: StageHolding[] = [];
  for (const [index, stage] of stages.entries()) {
    if (stage.includes('|')) return { ok: false, message: `stage ${index} "${stage}" contains "|": a list gives one stage per entry` };
    const parsed = parseLayoutString(stage);
    if (!parsed.ok) return { ok: false, message: `stage ${index}: ${parsed.message}` };
    out.push(parsed.stages[0]!);
  }
  return { ok: true, stages: out };
}

function stageOf(units: string): StageHolding {
  let decoderLayers = 0;
  let mtpLayers = 0;
  for (const unit of units) {
    if (unit === 't') decoderLayers++;
    else if (unit === 'm') mtpLayers++;
  }
  return { embedding: units.includes('E'), decoderLayers, mtpLayers, loss: units.includes('L') };
}

/** The layout's units in model order (the rules on E first, L last and t before m read it). */
function unitsInOrder(layout: string | readonly string[]): string | undefined {
  return expand(typeof layout === 'string' ? layout : layout.join('|'))?.replace(/\|/g, '');
}

/** The shape a layout is checked against. */
export interface LayoutShape {
  layers: number;
  mtpLayers: number;
  /** Pipeline ranks. */
  ranks: number;
  /** Model stages the schedule runs (pp·vpp interleaved, 2·pp for V placements). */
  stageCount: number;
}

/**
 * Megatron's rules for a layout (PipelineParallelLayerLayout.validate_layer_layout), in its words where it has
 * them; the first broken rule, or undefined. `order` is the layout's units in model order, when it is a string.
 */
export function layoutRuleBroken(stages: readonly StageHolding[], shape: LayoutShape, order?: string): string | undefined {
  const count = (pick: (s: StageHolding) => number): number => stages.reduce((sum, s) => sum + pick(s), 0);
  if (stages.length % shape.ranks !== 0) return `the layout has ${stages.length} stages, not a multiple of pp = ${shape.ranks}`;
  if (stages.length !== shape.stageCount) return `the layout has ${stages.length} stages but the schedule runs ${shape.stageCount} (pp·vpp)`;
  const units = (unit: string) => (order !== undefined ? [...order].filter((c) => c === unit).length : undefined);
  const embeddings = units('E') ?? count((s) => (s.embedding ? 1 : 0));
  const losses = units('L') ?? count((s) => (s.loss ? 1 : 0));
  if (embeddings !== 1) return `the embedding (E) must appear exactly once, found ${embeddings}`;
  if (losses !== 1) return `the loss (L) must appear exactly once, found ${losses}`;
  if (order !== undefined && order[0] !== 'E') return 'the first unit of the layout must be the embedding (E)';
  if (order !== undefined && order[order.length - 1] !== 'L') return 'the last unit of the layout must be the loss (L)';
  const decoders = count((s) => s.decoderLayers);
  if (decoders !== shape.layers) return `the layout has ${decoders} decoder layers (t) but the model has ${shape.layers}`;
  const mtp = count((s) => s.mtpLayers);
  if (mtp !== shape.mtpLayers) return `the layout has ${mtp} MTP modules (m) but the model has ${shape.mtpLayers}`;
  if (order !== undefined && order.includes('m') && order.slice(order.indexOf('m')).includes('t')) return 'decoder layers (t) must come before MTP modules (m)';
  const mtpStages = stages.flatMap((s, index) => (s.mtpLayers > 0 ? [index] : []));
  if (mtpStages.length > 1) return `all MTP modules must sit in one stage, found them in stages ${mtpStages.join(', ')}`;
  const lastChunkFrom = stages.length - shape.ranks;
  if (mtpStages.length === 1 && mtpStages[0]! < lastChunkFrom) return `MTP must be in the last virtual stage of its rank (stage ${mtpStages[0]} is not)`;
  return undefined;
}

/** Which way the plan states its layout; `even` when it states none. */
export type LayoutSource = 'layout' | 'first-last' | 'account' | 'weighted' | 'even';

export function layoutSource(plan: Partial<ParallelPlan>): LayoutSource {
  if (plan.layout !== undefined) return 'layout';
  if (plan.firstStageLayers !== undefined || plan.lastStageLayers !== undefined) return 'first-last';
  if (plan.accountForEmbedding || plan.accountForLoss) return 'account';
  if (plan.embeddingWeight !== undefined || plan.lossWeight !== undefined) return 'weighted';
  return 'even';
}

/** The layout a plan states (undefined for `even`), or the rule it breaks. */
export function statedLayout(plan: Partial<ParallelPlan>, shape: LayoutShape): LayoutResult | undefined {
  const source = layoutSource(plan);
  if (source === 'even') return undefined;
  const conflict = conflictOf(plan);
  if (conflict) return { ok: false, message: conflict };
  if (source === 'layout') {
    const parsed = typeof plan.layout === 'string' ? parseLayoutString(plan.layout) : parseLayoutList(plan.layout!);
    if (!parsed.ok) return parsed;
    const broken = layoutRuleBroken(parsed.stages, shape, unitsInOrder(plan.layout!));
    return broken ? { ok: false, message: broken } : parsed;
  }
  const chunks = shape.stageCount / shape.ranks;
  if (!Number.isInteger(chunks)) return { ok: false, message: `${shape.stageCount} stages do not fill ${shape.ranks} ranks evenly` };
  if (source === 'weighted') return weightedSplit(plan, shape);
  return source === 'first-last' ? unevenFirstLast(plan, shape, chunks) : accountedSplit(plan, shape, chunks);
}

function conflictOf(plan: Partial<ParallelPlan>): string | undefined {
  const uneven = plan.firstStageLayers !== undefined || plan.lastStageLayers !== undefined;
  const account = plan.accountForEmbedding === true || plan.accountForLoss === true;
  const weighted = plan.embeddingWeight !== undefined || plan.lossWeight !== undefined;
  if (plan.layout !== undefined && (uneven || account || weighted)) return 'a pipeline layout cannot be set with the other pipeline layout options (first/last stage layers, account for embedding/loss)';
  if (uneven && account) return 'first/last stage layers cannot be set together with accounting for the embedding or the loss in the pipeline split';
  if (weighted && (uneven || account)) return "torchtitan's embedding/output weights cannot be combined with Megatron's first/last stage layers or accounting options";
  return undefined;
}

/** torchtitan's split of L decoder layers plus the embedding's and the head's weights over the stages. */
function weightedSplit(plan: Partial<ParallelPlan>, shape: LayoutShape): LayoutResult {
  const { layers, stageCount } = shape;
  const input = plan.embeddingWeight ?? 1;
  const output = plan.lossWeight ?? 1;
  if (!Number.isInteger(input) || !Number.isInteger(output) || input < 0 || output < 0) return { ok: false, message: `the embedding and output weights must be whole numbers ≥ 0, got ${input} and ${output}` };
  if (stageCount === 1) return { ok: true, stages: [{ embedding: true, decoderLayers: layers, mtpLayers: shape.mtpLayers, loss: true }] };
  const effective = layers + input + output;
  if (stageCount > effective) return { ok: false, message: `${stageCount} stages cannot be more than the ${effective} effective layers (${layers} layers + embedding ${input} + output ${output})` };
  const perStage = Math.floor(effective / stageCount);
  const extra = effective % stageCount;
  if (input > perStage) return { ok: false, message: `the embedding weight ${input} exceeds the minimum layers per stage (${perStage})` };
  if (output > perStage) return { ok: false, message: `the output weight ${output} exceeds the minimum layers per stage (${perStage})` };
  const stages = Array.from({ length: stageCount }, (_, s): StageHolding => {
    const share = perStage + (s < extra ? 1 : 0) - (s === 0 ? input : 0) - (s === stageCount - 1 ? output : 0);
    return { embedding: s === 0, decoderLayers: share, mtpLayers: s === stageCount - 1 ? shape.mtpLayers : 0, loss: s === stageCount - 1 };
  });
  return { ok: true, stages };
}

/** Stage list in model order from per-(rank, chunk) decoder counts; stage c·p + r holds counts[r][c]. */
function fromRankCounts(counts: number[][], ranks: number, chunks: number, mtpLayers: number): StageHolding[] {
  const stages: StageHolding[] = [];
  for (let c = 0; c < chunks; c++) {
    for (let r = 0; r < ranks; r++) stages.push({ embedding: false, decoderLayers: counts[r]![c]!, mtpLayers: 0, loss: false });
  }
  stages[0]!.embedding = true;
  const last = stages[stages.length - 1]!;
  last.loss = true;
  last.mtpLayers = mtpLayers;
  return stages;
}

function unevenFirstLast(plan: Partial<ParallelPlan>, shape: LayoutShape, chunks: number): LayoutResult {
  const { firstStageLayers: first, lastStageLayers: last } = plan;
  const { ranks, layers } = shape;
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) return { ok: false, message: `layers in the ${name} pipeline stage must be larger than 0, got ${value}` };
    if (value % chunks !== 0) return { ok: false, message: `layers in the ${name} pipeline stage (${value}) must be divisible by the virtual pipeline size ${chunks}` };
  }
  const middleLayers = layers - (first ?? 0) - (last ?? 0);
  const middleRanks = ranks - (first !== undefined ? 1 : 0) - (last !== undefined ? 1 : 0);
  if ((middleLayers !== 0) !== (middleRanks > 0) || middleLayers < 0) {
    return { ok: false, message: `${middleLayers} layers are left for ${Math.max(0, middleRanks)} middle pipeline ranks (${layers} layers − first ${first ?? 0} − last ${last ?? 0})` };
  }
  if (middleRanks > 0 && middleLayers % middleRanks !== 0) return { ok: false, message: `${middleLayers} layers on the middle ranks do not split evenly over ${middleRanks} ranks` };
  const perMiddle = middleRanks > 0 ? middleLayers / middleRanks : 0;
  if (perMiddle % chunks !== 0) return { ok: false, message: `${perMiddle} layers on each middle rank do not split evenly over ${chunks} virtual stages` };
  const counts = Array.from({ length: ranks }, (_, r) => {
    // Megatron lets the last-stage count win on a single rank that is both first and last.
    const total = r === ranks - 1 && last !== undefined ? last : r === 0 && first !== undefined ? first : perMiddle;
    return new Array<number>(chunks).fill(total / chunks);
  });
  return { ok: true, stages: fromRankCounts(counts, ranks, chunks, shape.mtpLayers) };
}

function accountedSplit(plan: Partial<ParallelPlan>, shape: LayoutShape, chunks: number): LayoutResult {
  const { ranks, layers } = shape;
  const slots = layers + (plan.accountForEmbedding ? 1 : 0) + (plan.accountForLoss ? 1 : 0);
  const counted = [plan.accountForEmbedding ? 'embedding' : '', plan.accountForLoss ? 'loss' : ''].filter(Boolean).join(' and ');
  if (slots % ranks !== 0) return { ok: false, message: `${layers} layers + ${counted} = ${slots} do not split evenly over pp = ${ranks}` };
  if ((slots / ranks) % chunks !== 0) return { ok: false, message: `${slots / ranks} layers per rank (with ${counted}) do not split evenly over ${chunks} virtual stages` };
  const perChunk = slots / ranks / chunks;
  const counts = Array.from({ length: ranks }, () => new Array<number>(chunks).fill(perChunk));
  if (plan.accountForEmbedding) counts[0]![0]!--;
  if (plan.accountForLoss) counts[ranks - 1]![chunks - 1]!--;
  if (counts[0]![0]! < 0) return { ok: false, message: 'not enough layers in the first virtual pipeline stage for the embedding' };
  if (counts[ranks - 1]![chunks - 1]! < 0) return { ok: false, message: 'not enough layers in the last virtual pipeline stage for the loss' };
  return { ok: true, stages: fromRankCounts(counts, ranks, chunks, shape.mtpLayers) };
}

/** A layout in Megatron's letters, runs of equal stages folded: `Et*3|(tt|)*29m|L`. */
export function formatLayout(stages: readonly StageHolding[]): string {
  const texts = stages.map((s) => {
    const body = `${s.embedding ? 'E' : ''}${s.decoderLayers > 2 ? `t*${s.decoderLayers}` : 't'.repeat(s.decoderLayers)}${s.mtpLayers > 2 ? `m*${s.mtpLayers}` : 'm'.repeat(s.mtpLayers)}${s.loss ? 'L' : ''}`;
    return body;
  });
  const parts: string[] = [];
  for (let i = 0; i < texts.length;) {
    let run = 1;
    while (i + run < texts.length && texts[i + run] === texts[i]) run++;
    const last = i + run === texts.length;
    // A run of equal stages that is not at the end folds as (x|)*n; the final stage takes no trailing bar.
    if (run > 1 && texts[i] !== '' && !last) parts.push(`(${texts[i]}|)*${run}`);
    else if (run > 1 && texts[i] !== '' && last) parts.push(`(${texts[i]}|)*${run - 1}${texts[i]}`);
    else parts.push(Array.from({ length: run }, () => texts[i]).join('|') + (last ? '' : '|'));
    i += run;
  }
  return parts.join('');
}
