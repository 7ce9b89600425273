// Reader for our own format, `*.plens.yaml` (CONTRACT.md "The native format"): every key maps to one design
// field, so this reader is mostly a table. Unknown keys warn (`key/unknown`), bad values fail at the value.
import { ACTIVATION_OFFLOAD_MODULES, FP8_RECIPES, type FieldPath, type MlaDims, MOMENT_DTYPES, RECOMPUTE_MODULES, type Symbolic } from '../../model/design';
import { CALIBRATION_KEYS, calibrationRange, type CalibrationKey } from '../../model/cost/calibration';
import { parseScheduleId, SCHEDULE_IDS } from '../../model/schedule/index';
import { closestKey, describe, DraftBuilder, looksSymbolic, parseChoice, parseCount, parseFlag, parseProbability, type Parsed } from '../draft/draftBuilder';
import type { ReadResult } from '../types';
import { asMap, entries, mapKeys, nodeText, readYaml, rootMap, scalarValue, type YamlEntry, type YamlFile, type YamlNode } from '../yaml/yamlTree';

type ValueParser = (raw: unknown) => Parsed<unknown>;

const count: ValueParser = (raw) => parseCount(raw, 1);
const countOrZero: ValueParser = (raw) => parseCount(raw, 0);
const flag: ValueParser = parseFlag;
const text: ValueParser = (raw) =>
  typeof raw === 'string' && raw.trim() !== '' ? { ok: true, value: raw.trim() } : { ok: false, message: `expected a name, got ${describe(raw)}` };
const positiveNumber: ValueParser = (raw) => {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return { ok: true, value: raw };
  if (typeof raw === 'string' && looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  return { ok: false, message: `expected a positive number, got ${describe(raw)}` };
};
const zeroStage: ValueParser = (raw) => {
  const parsed = parseCount(raw, 0);
  if (parsed.ok && typeof parsed.value === 'number' && parsed.value > 3) return { ok: false, message: `ZeRO stage is 0–3 (FSDP = 3), got ${parsed.value}` };
  return parsed;
};
const nodeLimit: ValueParser = (raw) => {
  if (raw === null || (typeof raw === 'string' && ['none', 'unlimited'].includes(raw.trim().toLowerCase()))) return { ok: true, value: null };
  return parseCount(raw, 1);
};

interface FieldSpec {
  path: FieldPath;
  parse: ValueParser;
  /** The value is a list of scalars (`[a, b]` or a block list); parse gets them as an array. */
  list?: boolean;
}

/** A list of Megatron module names from `choices`, each once (`recomputeModules: [layernorm, mla_up_proj, moe_act]`). */
function moduleList(choices: readonly string[]): ValueParser {
  return (raw) => {
    const items = Array.isArray(raw) ? raw : [raw];
    const modules: string[] = [];
    for (const item of items) {
      const parsed = parseChoice(item, choices);
      if (!parsed.ok || typeof parsed.value !== 'string') return { ok: false, message: `expected a list of ${choices.join(', ')}, got ${describe(item)}` };
      if (!modules.includes(parsed.value)) modules.push(parsed.value);
    }
    return { ok: true, value: modules };
  };
}

/** A Megatron layout string, or one such string per stage; its grammar and rules are checked by the model. */
function pipelineLayout(raw: unknown): Parsed<unknown> {
  if (typeof raw === 'string' && raw.trim() !== '') return { ok: true, value: looksSymbolic(raw) ? { symbolic: raw.trim() } : raw.trim() };
  if (Array.isArray(raw) && raw.length > 0 && raw.every((item) => typeof item === 'string')) return { ok: true, value: raw.map((item: string) => item.trim()) };
  return { ok: false, message: `expected a layout string such as "Et*3|(tt|)*29,m|L" or a list of one such string per stage, got ${describe(raw)}` };
}

const CLUSTER: Record<string, FieldSpec> = {
  gpu: { path: 'cluster.gpu', parse: text },
  nodes: { path: 'cluster.nodes', parse: count },
  gpusPerNode: { path: 'cluster.gpusPerNode', parse: count },
  worldSize: { path: 'cluster.worldSize', parse: count },
  nvlinkGBps: { path: 'cluster.nvlinkGBps', parse: positiveNumber },
  ibGBps: { path: 'cluster.ibGBps', parse: positiveNumber },
  hbmGB: { path: 'cluster.hbmGB', parse: positiveNumber },
  peakTflops: { path: 'cluster.peakTflops', parse: positiveNumber },
  hostMemoryGB: { path: 'cluster.hostMemoryGB', parse: positiveNumber },
  hostLinkGBps: { path: 'cluster.hostLinkGBps', parse: positiveNumber },
};

const PARALLEL: Record<string, FieldSpec> = {
  tp: { path: 'plan.tp', parse: count },
  pp: { path: 'plan.pp', parse: count },
  vpp: { path: 'plan.vpp', parse: count },
  ep: { path: 'plan.ep', parse: count },
  etp: { path: 'plan.etp', parse: count },
  cp: { path: 'plan.cp', parse: count },
  dp: { path: 'plan.dp', parse: count },
  zero: { path: 'plan.zero', parse: zeroStage },
  replicas: { path: 'plan.dataParallelReplicas', parse: count },
  hpzPartitionSize: { path: 'plan.hpzPartitionSize', parse: count },
  sequenceParallel: { path: 'plan.sequenceParallel', parse: flag },
  layout: { path: 'plan.layout', parse: (raw) => pipelineLayout(raw), list: true },
  firstStageLayers: { path: 'plan.firstStageLayers', parse: count },
  lastStageLayers: { path: 'plan.lastStageLayers', parse: count },
  accountForEmbedding: { path: 'plan.accountForEmbedding', parse: flag },
  accountForLoss: { path: 'plan.accountForLoss', parse: flag },
  embeddingWeight: { path: 'plan.embeddingWeight', parse: countOrZero },
  lossWeight: { path: 'plan.lossWeight', parse: countOrZero },
};

const TRAINING: Record<string, FieldSpec> = {
  seqLength: { path: 'plan.seqLength', parse: count },
  microBatchSize: { path: 'plan.microBatchSize', parse: count },
  globalBatchSize: { path: 'plan.globalBatchSize', parse: count },
  microbatches: { path: 'plan.microbatches', parse: count },
  // fp4 / nvfp4 / mxfp8 name the GEMM format directly: fp8 precision with that recipe (lowPrecisionShorthand).
  precision: { path: 'plan.precision', parse: (raw) => parseChoice(raw, ['bf16', 'fp16', 'fp8', 'fp4', 'nvfp4', 'mxfp8'] as const) },
  recompute: { path: 'plan.recompute', parse: (raw) => parseChoice(raw, ['none', 'selective', 'full'] as const) },
  recomputeModules: { path: 'plan.recomputeModules', parse: moduleList(RECOMPUTE_MODULES), list: true },
  activationFp8InputStore: { path: 'plan.activationFp8InputStore', parse: flag },
  fp8Recipe: { path: 'plan.fp8Recipe', parse: (raw) => parseChoice(raw, FP8_RECIPES) },
  compile: { path: 'plan.compile', parse: flag },
  gradReduceInFp32: { path: 'plan.gradReduceInFp32', parse: flag },
  framework: { path: 'plan.framework', parse: (raw) => parseChoice(raw, ['megatron', 'torchtitan'] as const) },
  recomputeLayerInterval: { path: 'plan.recomputeLayerInterval', parse: count },
};

/** A share from 0 to 1. */
const fraction: ValueParser = (raw) => {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= 1) return { ok: true, value: raw };
  if (typeof raw === 'string' && looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  return { ok: false, message: `expected a fraction from 0 to 1, got ${describe(raw)}` };
};

/** What lives in host memory instead of HBM (model/cost/memory/offload.ts). */
const OFFLOAD: Record<string, FieldSpec> = {
  activationLayers: { path: 'plan.activationOffloadLayers', parse: countOrZero },
  activationModules: { path: 'plan.activationOffloadModules', parse: moduleList(ACTIVATION_OFFLOAD_MODULES), list: true },
  optimizer: { path: 'plan.optimizerOffloadFraction', parse: fraction },
  optimizerOverlap: { path: 'plan.optimizerOffloadOverlap', parse: flag },
  parameters: { path: 'plan.parameterOffload', parse: flag },
};

/** Megatron's precision-aware optimizer: the dtypes its states are kept in (model/cost/memory/memory.ts stateBytesOf). */
const OPTIMIZER: Record<string, FieldSpec> = {
  precisionAware: { path: 'plan.precisionAwareOptimizer', parse: flag },
  mainParams: { path: 'plan.optimizerMainParams', parse: (raw) => parseChoice(raw, ['fp32', 'fp16'] as const) },
  expAvg: { path: 'plan.optimizerExpAvg', parse: (raw) => parseChoice(raw, MOMENT_DTYPES) },
  expAvgSq: { path: 'plan.optimizerExpAvgSq', parse: (raw) => parseChoice(raw, MOMENT_DTYPES) },
  paramRemainders: { path: 'plan.optimizerParamRemainders', parse: flag },
};

/** Which communication the framework overlaps with compute (COSTMODEL.md §7 item 4). */
const OVERLAP: Record<string, FieldSpec> = {
  tp: { path: 'plan.tpCommOverlap', parse: flag },
  ep: { path: 'plan.epCommOverlap', parse: flag },
  cp: { path: 'plan.cpCommOverlap', parse: flag },
  gradReduce: { path: 'plan.overlapGradReduce', parse: flag },
  paramGather: { path: 'plan.overlapParamGather', parse: flag },
};

/** A calibration value within its key's range (cost/calibration.ts): a number, never a guess at a typo. */
function calibrationValue(key: CalibrationKey): ValueParser {
  const { min, max } = calibrationRange(key);
  return (raw) => {
    if (typeof raw === 'string' && looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < min || raw > max) return { ok: false, message: `expected a number from ${min} to ${max}, got ${describe(raw)}` };
    return { ok: true, value: raw };
  };
}

/** The native `calibration:` block (CONTRACT.md), one key per calibration value. */
export const CALIBRATION: Record<string, FieldSpec> = Object.fromEntries(
  CALIBRATION_KEYS.map((key) => [key, { path: `calibration.${key}` as FieldPath, parse: calibrationValue(key) }]),
);

const ROUTING: Record<string, FieldSpec> = {
  nodeLimit: { path: 'plan.nodeLimit', parse: nodeLimit },
  capacityFactor: { path: 'plan.expertCapacityFactor', parse: positiveNumber },
  padToCapacity: { path: 'plan.padExpertsToCapacity', parse: flag },
};

const MODEL: Record<string, FieldSpec> = {
  name: { path: 'model.name', parse: text },
  layers: { path: 'model.layers', parse: count },
  hidden: { path: 'model.hidden', parse: count },
  heads: { path: 'model.heads', parse: count },
  kvHeads: { path: 'model.kvHeads', parse: count },
  headDim: { path: 'model.headDim', parse: count },
  ffnHidden: { path: 'model.ffnHidden', parse: count },
  vocab: { path: 'model.vocab', parse: count },
  experts: { path: 'model.experts', parse: countOrZero },
  topK: { path: 'model.topK', parse: countOrZero },
  expertFfnHidden: { path: 'model.expertFfnHidden', parse: countOrZero },
  sharedExperts: { path: 'model.sharedExperts', parse: countOrZero },
  denseLayers: { path: 'model.denseLayers', parse: countOrZero },
  mtpLayers: { path: 'model.mtpLayers', parse: countOrZero },
  moeLayerInterval: { path: 'model.moeLayerInterval', parse: count },
  tiedEmbeddings: { path: 'model.tiedEmbeddings', parse: flag },
  activation: { path: 'model.activation', parse: (raw) => parseChoice(raw, ['swiglu', 'gelu'] as const) },
  hiddenDropout: { path: 'model.hiddenDropout', parse: parseProbability },
  attentionDropout: { path: 'model.attentionDropout', parse: parseProbability },
};

const MLA_KEYS = ['qLoraRank', 'kvLoraRank', 'qkNopeHeadDim', 'qkRopeHeadDim', 'vHeadDim'] as const;
const TOP_LEVEL = ['model', 'cluster', 'parallel', 'schedule', 'training', 'routing', 'overlap', 'offload', 'optimizer', 'calibration'] as const;

/** True for names the native format is known by; content decides for any other name. */
function isPlensFileName(fileName: string): boolean {
  return /(^|[\\/.])plens\.ya?ml$/i.test(fileName);
}

export function readPlensYaml(source: string, fileName: string): ReadResult | undefined {
  return readYaml(source, (file) => readPlensFile(file, source, isPlensFileName(fileName)));
}

function readPlensFile(file: YamlFile, source: string, named: boolean): ReadResult | undefined {
  const root = rootMap(file);
  if (!root) {
    if (!named) return undefined;
    const builder = new DraftBuilder();
    if (file.problems.length === 0) builder.report('error', 'value/invalid', 'a plens file is a map with model, cluster, parallel, schedule, training and routing');
    return builder.result('plens-yaml', file.problems);
  }
  // The keys alone rule most files out; only then are values (and ranges) looked at.
  if (!named && !mostKeysOurs(mapKeys(root))) return undefined;
  const top = entries(file, root);
  if (!named && !looksLikePlens(file, top)) return undefined;

  const builder = new DraftBuilder();
  const seen = new Map<string, YamlEntry>();
  for (const entry of top) {
    warnDuplicate(builder, seen, entry, '');
    switch (entry.key) {
      case 'model': readModel(builder, file, source, entry); break;
      case 'cluster': readSection(builder, file, entry, CLUSTER); break;
      case 'parallel': readSection(builder, file, entry, PARALLEL); break;
      case 'training': readSection(builder, file, entry, TRAINING); break;
      case 'routing': readSection(builder, file, entry, ROUTING); break;
      case 'overlap': readSection(builder, file, entry, OVERLAP); break;
      case 'offload': readSection(builder, file, entry, OFFLOAD); break;
      case 'optimizer': readSection(builder, file, entry, OPTIMIZER); break;
      case 'calibration': readSection(builder, file, entry, CALIBRATION); break;
      case 'schedule': readSchedule(builder, file, entry); break;
      default: unknownKey(builder, entry, TOP_LEVEL, '');
    }
  }
  lowPrecisionShorthand(builder);
  return builder.result('plens-yaml', file.problems);
}

/**
 * `precision: fp4` (or `nvfp4`) and `precision: mxfp8` are the FP8 precision with the NVFP4 / MXFP8 recipe, as the
 * model prices them; a separately given `fp8Recipe` that says otherwise is an error, never silently one of the two.
 */
function lowPrecisionShorthand(builder: DraftBuilder): void {
  const precision = builder.draft.plan.precision as unknown;
  const recipe = precision === 'fp4' || precision === 'nvfp4' ? 'nvfp4' : precision === 'mxfp8' ? 'mxfp8' : undefined;
  const ranges = builder.sourceMap.get('plan.precision');
  if (!recipe || !ranges) return;
  builder.set('plan.precision', 'fp8', ranges.key, ranges.value);
  const given = builder.draft.plan.fp8Recipe;
  if (given === undefined) builder.set('plan.fp8Recipe', recipe, ranges.key, ranges.value);
  else if (given !== recipe) builder.report('error', 'value/invalid', `precision: ${String(precision)} is the ${recipe} recipe, but fp8Recipe says ${JSON.stringify(given)}`, builder.sourceMap.get('plan.fp8Recipe')?.value ?? ranges.value, 'plan.fp8Recipe');
}

/** At least two top-level keys, and more than half of them, are the native format's. */
function mostKeysOurs(keys: readonly string[]): boolean {
  const ours = keys.filter((key) => (TOP_LEVEL as readonly string[]).includes(key)).length;
  return ours >= 2 && ours * 2 > keys.length;
}

/** Without the name, a map is ours when its `parallel` or `cluster` is a map and most top-level keys are ours. */
function looksLikePlens(file: YamlFile, top: YamlEntry[]): boolean {
  const anchor = top.some((entry) => (entry.key === 'parallel' || entry.key === 'cluster') && asMap(file, entry.value));
  return anchor && mostKeysOurs(top.map((entry) => entry.key));
}

function readSection(builder: DraftBuilder, file: YamlFile, section: YamlEntry, fields: Record<string, FieldSpec>): void {
  const map = asMap(file, section.value);
  if (!map) {
    builder.report('error', 'value/invalid', `\`${section.key}\` must be a map of ${Object.keys(fields).join(', ')}`, section.valueRange);
    return;
  }
  const seen = new Map<string, YamlEntry>();
  for (const entry of entries(file, map)) {
    warnDuplicate(builder, seen, entry, `${section.key}.`);
    const spec = Object.hasOwn(fields, entry.key) ? fields[entry.key] : undefined;
    if (!spec) unknownKey(builder, entry, Object.keys(fields), `${section.key}.`);
    else setParsed(builder, file, entry, spec);
  }
}

function setParsed(builder: DraftBuilder, file: YamlFile, entry: YamlEntry, spec: FieldSpec): void {
  const raw = spec.list && entry.value?.kind === 'seq'
    ? entry.value.items.map((item) => (item?.kind === 'scalar' ? scalarValue(file, item) : undefined) ?? null)
    : scalarValue(file, entry.value);
  const parsed = raw === undefined && entry.value !== null
    ? { ok: false as const, message: `expected a single value, got ${describe(typeof raw === 'undefined' ? {} : raw)}` }
    : spec.parse(raw === undefined ? null : raw);
  if (!parsed.ok) {
    builder.report('error', 'value/invalid', `${entry.key}: ${parsed.message}`, entry.valueRange, spec.path);
    return;
  }
  builder.set(spec.path, parsed.value, entry.keyRange, entry.valueRange);
}

function readModel(builder: DraftBuilder, file: YamlFile, source: string, entry: YamlEntry): void {
  const raw = scalarValue(file, entry.value);
  if (typeof raw === 'string' && raw.trim() !== '') {
    builder.set('modelId', looksSymbolic(raw) ? { symbolic: raw.trim() } : raw.trim(), entry.keyRange, entry.valueRange);
    return;
  }
  const map = asMap(file, entry.value);
  if (!map) {
    builder.report('error', 'value/invalid', 'model: expected a catalog id (e.g. deepseek-v3) or a block of model fields', entry.valueRange, 'modelId');
    return;
  }
  const seen = new Map<string, YamlEntry>();
  for (const field of entries(file, map)) {
    warnDuplicate(builder, seen, field, 'model.');
    if (field.key === 'attention') readAttention(builder, file, source, field);
    else if (Object.hasOwn(MODEL, field.key)) setParsed(builder, file, field, MODEL[field.key]!);
    else unknownKey(builder, field, [...Object.keys(MODEL), 'attention'], 'model.');
  }
}

/** `attention: gqa` or `attention: {kind: mla, qLoraRank, …}`; MLA needs all five dimensions to be usable. */
function readAttention(builder: DraftBuilder, file: YamlFile, source: string, entry: YamlEntry): void {
  const kinds = ['mha', 'gqa', 'mla'] as const;
  const raw = scalarValue(file, entry.value);
  if (raw !== undefined) {
    const parsed = parseChoice(raw, kinds);
    if (parsed.ok) builder.set('model.attention', parsed.value, entry.keyRange, entry.valueRange);
    else builder.report('error', 'value/invalid', `attention: ${parsed.message}`, entry.valueRange, 'model.attention');
    return;
  }
  const map = asMap(file, entry.value);
  if (!map) {
    builder.report('error', 'value/invalid', `attention: expected mha, gqa, mla or {kind: mla, …}, got ${nodeText(file, entry.value as YamlNode, source)}`, entry.valueRange, 'model.attention');
    return;
  }
  const dims: Partial<Record<(typeof MLA_KEYS)[number], number | Symbolic>> = {};
  let kindSet = false;
  for (const field of entries(file, map)) {
    if (field.key === 'kind') {
      const parsed = parseChoice(scalarValue(file, field.value), kinds);
      if (parsed.ok) {
        builder.set('model.attention', parsed.value, field.keyRange, field.valueRange);
        kindSet = true;
      } else builder.report('error', 'value/invalid', `kind: ${parsed.message}`, field.valueRange, 'model.attention');
    } else if ((MLA_KEYS as readonly string[]).includes(field.key)) {
      const parsed = parseCount(scalarValue(file, field.value), 0);
      if (parsed.ok) dims[field.key as (typeof MLA_KEYS)[number]] = parsed.value;
      else builder.report('error', 'value/invalid', `${field.key}: ${parsed.message}`, field.valueRange, 'model.mla');
    } else unknownKey(builder, field, ['kind', ...MLA_KEYS], 'model.attention.');
  }
  const given = MLA_KEYS.filter((key) => dims[key] !== undefined);
  if (given.length === 0) return;
  if (!kindSet) builder.set('model.attention', 'mla', entry.keyRange, entry.valueRange);
  const missing = MLA_KEYS.filter((key) => dims[key] === undefined);
  if (missing.length > 0) {
    builder.report('error', 'value/invalid', `MLA needs ${MLA_KEYS.join(', ')}; missing ${missing.join(', ')}`, entry.keyRange, 'model.mla');
    return;
  }
  // MLA dims are one value in the design; a symbolic part cannot be used, so report it and keep the rest out.
  const symbolic = given.find((key) => typeof dims[key] !== 'number');
  if (symbolic) {
    builder.set('model.mla', { symbolic: `attention.${symbolic}` }, entry.keyRange, entry.valueRange);
    return;
  }
  builder.set('model.mla', dims as MlaDims, entry.keyRange, entry.valueRange);
}

function readSchedule(builder: DraftBuilder, file: YamlFile, entry: YamlEntry): void {
  const raw = scalarValue(file, entry.value);
  if (raw !== undefined) {
    setScheduleName(builder, raw, entry);
    return;
  }
  const map = asMap(file, entry.value);
  if (!map) {
    builder.report('error', 'value/invalid', `schedule: expected a schedule id or {name, chunks}`, entry.valueRange, 'plan.schedule');
    return;
  }
  for (const field of entries(file, map)) {
    if (field.key === 'name') setScheduleName(builder, scalarValue(file, field.value), field);
    else if (field.key === 'chunks') setParsed(builder, file, field, { path: 'plan.vpp', parse: count });
    else unknownKey(builder, field, ['name', 'chunks'], 'schedule.');
  }
}

function setScheduleName(builder: DraftBuilder, raw: unknown, entry: YamlEntry): void {
  if (typeof raw === 'string' && looksSymbolic(raw)) {
    builder.set('plan.schedule', { symbolic: raw.trim() }, entry.keyRange, entry.valueRange);
    return;
  }
  const id = typeof raw === 'string' ? parseScheduleId(raw) : undefined;
  if (id) builder.set('plan.schedule', id, entry.keyRange, entry.valueRange);
  else builder.report('error', 'value/invalid', `schedule: ${describe(raw)} is not a schedule; use one of ${SCHEDULE_IDS.join(', ')}`, entry.valueRange, 'plan.schedule');
}

function unknownKey(builder: DraftBuilder, entry: YamlEntry, known: readonly string[], prefix: string): void {
  const guess = closestKey(entry.key, known);
  const hint = guess ? `; did you mean \`${guess}\`?` : `; known keys: ${known.join(', ')}`;
  builder.report('warning', 'key/unknown', `unknown key \`${prefix}${entry.key}\`${hint}`, entry.keyRange);
}

function warnDuplicate(builder: DraftBuilder, seen: Map<string, YamlEntry>, entry: YamlEntry, prefix: string): void {
  const first = seen.get(entry.key);
  if (first) builder.report('warning', 'key/duplicate', `\`${prefix}${entry.key}\` is set again (first at line ${first.keyRange.line}); the last one wins`, entry.keyRange);
  else seen.set(entry.key, entry);
}
