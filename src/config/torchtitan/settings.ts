// torchtitan's job settings → a design draft, shared by the TOML reader (≤ v0.2.2) and the Python
// `config_registry.py` reader. Settings arrive flat, keyed by section and name (`parallelism.tensor_parallel_degree`),
// whichever era spelled them; FORMATS.md A.0/A.3 give the eras, defaults and derivations used here.
import { isSymbolic, type ScheduleId } from '../../model/design';
import { findFlavour } from '../../model/catalog/models';
import { parseScheduleId } from '../../model/schedule/index';
import { describe, parseCount, type DraftBuilder } from '../draft/draftBuilder';
import { readPipelineSplit } from './pipelineSplit';
import type { Setting, Settings } from './setting';
import { acknowledge, TORCHTITAN_NOT_MODELLED } from '../draft/notModelled';

/** Keys of the older eras and where they moved (commits 785c34c99, #980 and 8570415c3, #1238). */
export const LEGACY_KEYS: Record<string, string> = {
  'training.data_parallel_replicate_degree': 'parallelism.data_parallel_replicate_degree',
  'training.data_parallel_shard_degree': 'parallelism.data_parallel_shard_degree',
  'training.tensor_parallel_degree': 'parallelism.tensor_parallel_degree',
  'training.enable_loss_parallel': 'parallelism.disable_loss_parallel',
  'experimental.pipeline_parallel_degree': 'parallelism.pipeline_parallel_degree',
  'experimental.pipeline_parallel_schedule': 'parallelism.pipeline_parallel_schedule',
  'experimental.pipeline_parallel_microbatches': 'parallelism.pipeline_parallel_microbatch_size',
  'parallelism.pipeline_parallel_microbatches': 'parallelism.pipeline_parallel_microbatch_size',
  'experimental.context_parallel_degree': 'parallelism.context_parallel_degree',
  'experimental.enable_async_tensor_parallel': 'parallelism.enable_async_tensor_parallel',
  'training.batch_size': 'training.local_batch_size',
  'float8.enable_float8_linear': 'model.converters = ["float8"]',
};

// PyTorch's multi-stage schedules hold ≥ 2 stages per rank (torchtitan's default is 2); the rest hold one.
const MULTI_STAGE = new Set(['interleaved1f1b', 'loopedbfs', 'interleavedzerobubble', 'zbvzerobubble', 'dualpipev', 'pipelineschedulemulti']);

/** A setting by its current name, or by the name it had before; renamed keys mean the same, unlike the
 * microbatch count and the float8 switch, which are read separately. */
function find(settings: Settings, name: string): Setting | undefined {
  const current = settings.get(name);
  if (current) return current;
  for (const [old, now] of Object.entries(LEGACY_KEYS)) {
    if (now === name && !old.endsWith('microbatches')) {
      const setting = settings.get(old);
      if (setting) return setting;
    }
  }
  return undefined;
}

function count(builder: DraftBuilder, settings: Settings, name: string, field: Parameters<DraftBuilder['set']>[0], min = 1): number | undefined {
  const setting = find(settings, name);
  if (!setting) return undefined;
  if (isSymbolic(setting.value)) {
    // Kept symbolic; completion reports it once, with what it used instead.
    builder.set(field, setting.value, setting.key, setting.valueRange);
    return undefined;
  }
  const parsed = parseCount(setting.value, min);
  if (!parsed.ok) {
    builder.report('warning', 'value/invalid', `${name}: ${parsed.message}.`, setting.valueRange, field);
    return undefined;
  }
  builder.set(field, parsed.value, setting.key, setting.valueRange);
  return typeof parsed.value === 'number' ? parsed.value : undefined;
}

function readModel(builder: DraftBuilder, settings: Settings): number | undefined {
  const name = settings.get('model.name');
  const flavor = settings.get('model.flavor');
  if (!flavor || typeof flavor.value !== 'string') return undefined;
  const family = typeof name?.value === 'string' ? name.value : '';
  const entry = findFlavour(family, flavor.value);
  if (entry) {
    builder.set('modelId', entry.id, flavor.key, flavor.valueRange);
    return entry.arch.layers;
  }
  builder.set('modelId', flavor.value, flavor.key, flavor.valueRange);
  builder.report('warning', 'model/unknown-flavour', `The model flavour "${family}" "${flavor.value}" is not in the built-in torchtitan flavour table; give the model with a directive (# plens: model=…).`, flavor.valueRange, 'modelId');
  return undefined;
}

function readDataParallel(builder: DraftBuilder, settings: Settings): void {
  const shard = find(settings, 'parallelism.data_parallel_shard_degree');
  const replicate = find(settings, 'parallelism.data_parallel_replicate_degree');
  const replicas = replicate && typeof replicate.value === 'number' ? replicate.value : 1;
  if (shard?.value === -1) {
    // parallel_dims.py: dp_shard = world_size // (dp_replicate · cp · tp · pp) — known once the world size is.
    builder.report('info', 'value/derived', 'data_parallel_shard_degree = -1: the FSDP degree is what the world size leaves after replicate · CP · TP · PP.', shard.valueRange, 'plan.dp');
    builder.set('plan.zero', 3, shard.key, shard.valueRange);
  } else if (shard && typeof shard.value === 'number' && shard.value >= 1) {
    builder.set('plan.dp', shard.value * replicas, shard.key, shard.valueRange);
    builder.set('plan.zero', shard.value > 1 ? 3 : 0, shard.key, shard.valueRange);
  } else if (shard) {
    builder.report('warning', 'value/invalid', `data_parallel_shard_degree: expected -1 or a whole number ≥ 1, got ${describe(shard.value)}.`, shard.valueRange, 'plan.dp');
  }
  // HSDP: FSDP shards inside each replica, the replicas all-reduce the shards (model/cost/comm/shardGroups.ts). Without
  // sharding (data_parallel_shard_degree 1) the replicas are plain DDP and there is no shard group.
  const sharded = shard === undefined || shard.value === -1 || (typeof shard.value === 'number' && shard.value > 1);
  if (replicate && sharded && replicas > 1) builder.set('plan.dataParallelReplicas', replicas, replicate.key, replicate.valueRange);
}

function readSchedule(builder: DraftBuilder, settings: Settings, pp: number | undefined, layers: number | undefined): ScheduleId | undefined {
  const setting = find(settings, 'parallelism.pipeline_parallel_schedule');
  const ppSetting = find(settings, 'parallelism.pipeline_parallel_degree');
  if (!setting) {
    // torchtitan's default schedule is "1F1B".
    if (ppSetting && pp !== undefined && pp > 1) {
      builder.set('plan.schedule', '1f1b', ppSetting.key, ppSetting.valueRange);
      builder.set('plan.vpp', 1, ppSetting.key, ppSetting.valueRange);
    }
    return pp !== undefined && pp > 1 ? '1f1b' : undefined;
  }
  const text = typeof setting.value === 'string' ? setting.value : '';
  const id = parseScheduleId(text);
  if (!id) {
    builder.report('warning', 'schedule/unsupported', `Pipeline schedule ${describe(setting.value)} is not one this extension models (it models GPipe, 1F1B, Interleaved1F1B, InterleavedZeroBubble, ZBVZeroBubble, DualPipeV).`, setting.valueRange, 'plan.schedule');
    return undefined;
  }
  builder.set('plan.schedule', id, setting.key, setting.valueRange);
  const multiStage = MULTI_STAGE.has(text.toLowerCase().replace(/[\s_-]/g, ''));
  const perStage = find(settings, 'parallelism.pipeline_parallel_layers_per_stage');
  if (!multiStage) {
    builder.set('plan.vpp', 1, setting.key, setting.valueRange);
  } else if (perStage && typeof perStage.value === 'number' && layers !== undefined && pp !== undefined && perStage.value >= 1) {
    // pipeline_parallel.py: stages = ceil((n_layers + first_less + last_less) / layers_per_stage), must divide by PP.
    const first = Number(find(settings, 'parallelism.pipeline_parallel_first_stage_less_layers')?.value ?? 1) || 0;
    const last = Number(find(settings, 'parallelism.pipeline_parallel_last_stage_less_layers')?.value ?? 1) || 0;
    const stages = Math.ceil((layers + first + last) / perStage.value);
    if (stages % pp === 0) builder.set('plan.vpp', stages / pp, perStage.key, perStage.valueRange);
    else builder.report('error', 'layout/pipeline-stages', `${stages} pipeline stages (${layers} layers + ${first} + ${last}, ${perStage.value} per stage) do not divide over ${pp} pipeline ranks.`, perStage.valueRange, 'plan.vpp');
  } else {
    builder.set('plan.vpp', 2, setting.key, setting.valueRange);
  }
  return id;
}

function readBatch(builder: DraftBuilder, settings: Settings, pp: number | undefined): void {
  const local = find(settings, 'training.local_batch_size');
  const microSetting = find(settings, 'parallelism.pipeline_parallel_microbatch_size');
  const localSize = local ? parseCount(local.value) : undefined;
  const pipelined = pp !== undefined && pp > 1;
  if (pipelined) {
    const micro = microSetting ? count(builder, settings, 'parallelism.pipeline_parallel_microbatch_size', 'plan.microBatchSize') : 1;
    if (localSize?.ok && typeof localSize.value === 'number' && local && micro) {
      // pipeline_parallel.py: n_microbatches = local_batch_size // microbatch_size, which must divide exactly.
      if (localSize.value % micro !== 0) builder.report('error', 'batch/microbatch-divisibility', `local_batch_size ${localSize.value} is not divisible by pipeline_parallel_microbatch_size ${micro} (torchtitan raises ValueError).`, local.valueRange, 'plan.microbatches');
      else builder.set('plan.microbatches', localSize.value / micro, local.key, local.valueRange);
      if (!microSetting) builder.set('plan.microBatchSize', 1, local.key, local.valueRange);
    }
  } else if (local) {
    count(builder, settings, 'training.local_batch_size', 'plan.microBatchSize');
  }
  const microbatches = settings.get('parallelism.pipeline_parallel_microbatches') ?? settings.get('experimental.pipeline_parallel_microbatches');
  if (microbatches) count(builder, settings, settings.has('parallelism.pipeline_parallel_microbatches') ? 'parallelism.pipeline_parallel_microbatches' : 'experimental.pipeline_parallel_microbatches', 'plan.microbatches');
  const global = find(settings, 'training.global_batch_size');
  if (global && typeof global.value === 'number' && global.value > 0) count(builder, settings, 'training.global_batch_size', 'plan.globalBatchSize');
  else if (local && !pipelined && localSize?.ok) {
    // train.py: a global batch ≤ 0 means local_batch_size × the data-parallel degree: no gradient accumulation.
    builder.set('plan.microbatches', 1, local.key, local.valueRange);
  }
}

function readPrecisionAndRecompute(builder: DraftBuilder, settings: Settings, era: TorchtitanEra): void {
  const converters = settings.get('model.converters');
  const list = Array.isArray(converters?.value) ? converters.value : [converters?.value];
  const float8Enable = settings.get('float8.enable_float8_linear');
  const param = settings.get('training.mixed_precision_param');
  const names = list.filter((item): item is string => typeof item === 'string');
  if (converters && names.some(isMxConverter)) readMxRecipe(builder, settings, converters);
  else if (converters && names.some((item) => item.includes('float8'))) builder.set('plan.precision', 'fp8', converters.key, converters.valueRange);
  else if (float8Enable?.value === true) builder.set('plan.precision', 'fp8', float8Enable.key, float8Enable.valueRange);
  else if (param && typeof param.value === 'string') {
    const precision = { bfloat16: 'bf16', float16: 'fp16', float32: undefined }[param.value];
    if (precision) builder.set('plan.precision', precision, param.key, param.valueRange);
  }
  readFloat8RecipeAndCompile(builder, settings);
  // FSDP2's reduce dtype (MixedPrecisionPolicy.reduce_dtype; torchtitan's default float32).
  const reduce = settings.get('training.mixed_precision_reduce');
  if (reduce && typeof reduce.value === 'string') {
    const inFp32 = ({ float32: true, bfloat16: false, float16: false } as Record<string, boolean | undefined>)[reduce.value];
    if (inFp32 !== undefined) builder.set('plan.gradReduceInFp32', inFp32, reduce.key, reduce.valueRange);
    else builder.report('warning', 'value/invalid', `training.mixed_precision_reduce: expected "float32", "bfloat16" or "float16", got ${describe(reduce.value)}.`, reduce.valueRange, 'plan.gradReduceInFp32');
  }
  const mode = settings.get('activation_checkpoint.mode');
  if (mode) {
    const value = typeof mode.value === 'string' ? mode.value.toLowerCase() : '';
    if (value === 'none' || value === 'selective' || value === 'full') builder.set('plan.recompute', value, mode.key, mode.valueRange);
    else builder.report('warning', 'value/invalid', `activation_checkpoint.mode: expected "none", "selective" or "full", got ${describe(mode.value)}.`, mode.valueRange, 'plan.recompute');
    if (value === 'selective') readSelectiveOption(builder, settings, mode, era);
  }
}

/** torchtitan's MX converters: `mx` (TOML ≤ v0.2.2), `quantize.linear.mx` / `quantize.grouped_mm.mx`, `MXLinearConverter`. */
function isMxConverter(name: string): boolean {
  return /(^|\.)mx$/i.test(name) || /^mx\w*converter/i.test(name);
}

/**
 * MX training: MXFP8 GEMMs (torchao's `mxfp8`, `mxfp8_cublas`, `mxfp8_cublas_rceil` recipes) unless the recipe is
 * NVFP4; never BF16. A recipe plens does not price (mxfp4) is said at its value and priced as MXFP8.
 */
function readMxRecipe(builder: DraftBuilder, settings: Settings, converters: Setting): void {
  builder.set('plan.precision', 'fp8', converters.key, converters.valueRange);
  const recipe = settings.get('mx.recipe_name') ?? settings.get('quantize.linear.mx.recipe_name') ?? settings.get('quantize.grouped_mm.mx.recipe_name');
  const name = recipe && typeof recipe.value === 'string' ? recipe.value.trim().toLowerCase() : 'mxfp8';
  const at = recipe ?? converters;
  if (name.startsWith('nvfp4')) builder.set('plan.fp8Recipe', 'nvfp4', at.key, at.valueRange);
  else {
    builder.set('plan.fp8Recipe', 'mxfp8', at.key, at.valueRange);
    if (!name.startsWith('mxfp8')) builder.report('warning', 'precision/unknown-recipe', `${recipe ? 'recipe_name' : 'converters'}: plens does not price the MX recipe "${name}" separately; its GEMMs are priced as MXFP8`, at.valueRange, 'plan.fp8Recipe');
  }
}

/**
 * torchao's Float8 recipe (`float8.recipe_name`; absent is tensorwise dynamic scaling, completion's default) and
 * torch.compile (`compile.enable`, earlier `training.compile`), which fuses the memory-bound kernels.
 */
function readFloat8RecipeAndCompile(builder: DraftBuilder, settings: Settings): void {
  const recipe = settings.get('float8.recipe_name');
  if (recipe && typeof recipe.value === 'string' && !builder.has('plan.fp8Recipe')) {
    const name = recipe.value.trim().toLowerCase();
    if (name === 'tensorwise') builder.set('plan.fp8Recipe', 'tensorwise', recipe.key, recipe.valueRange);
    else builder.report('warning', 'precision/unknown-recipe', `float8.recipe_name: plens does not price the "${recipe.value}" Float8 recipe separately; its GEMMs are priced as tensorwise scaling`, recipe.valueRange, 'plan.fp8Recipe');
  }
  const compile = settings.get('compile.enable') ?? settings.get('training.compile');
  if (compile && typeof compile.value === 'boolean') builder.set('plan.compile', compile.value, compile.key, compile.valueRange);
}

/**
 * `selective_ac_option`: "op" is the op-level policy (the model's default for torchtitan); a whole number N
 * checkpoints every N-th layer (0 checkpoints every layer, as torchtitan's `not ac_freq` does). Absent, torchtitan
 * ≤ v0.2.2 uses "2"; the Python-config era has the op-level policy only.
 */
function readSelectiveOption(builder: DraftBuilder, settings: Settings, mode: Setting, era: TorchtitanEra): void {
  const option = settings.get('activation_checkpoint.selective_ac_option');
  if (!option) {
    if (era === 'torchtitan-toml') {
      builder.set('plan.recomputeLayerInterval', 2, mode.key, mode.valueRange);
      builder.report('info', 'value/defaulted', 'activation_checkpoint.selective_ac_option not given: torchtitan ≤ v0.2.2 checkpoints every second layer ("2").', mode.valueRange, 'plan.recomputeLayerInterval');
    }
    return;
  }
  const text = typeof option.value === 'number' ? String(option.value) : typeof option.value === 'string' ? option.value.trim().toLowerCase() : '';
  if (/^\d+$/.test(text)) builder.set('plan.recomputeLayerInterval', Math.max(1, Number(text)), option.key, option.valueRange);
  else if (text !== 'op') builder.report('warning', 'value/invalid', `activation_checkpoint.selective_ac_option: expected "op" or a whole number of layers, got ${describe(option.value)}.`, option.valueRange, 'plan.recomputeLayerInterval');
}

/** Which of torchtitan's config eras the settings came from; their defaults differ. */
export type TorchtitanEra = 'torchtitan-toml' | 'torchtitan-python';

export function mapTorchtitanSettings(builder: DraftBuilder, settings: Settings, era: TorchtitanEra): void {
  for (const [name, setting] of settings) {
    const replacement = LEGACY_KEYS[name];
    if (replacement) builder.report('warning', 'key/legacy', `\`${name}\` is the pre-2025 spelling; torchtitan now reads \`${replacement}\`.`, setting.key);
  }
  const layers = readModel(builder, settings);
  count(builder, settings, 'parallelism.tensor_parallel_degree', 'plan.tp');
  const pp = count(builder, settings, 'parallelism.pipeline_parallel_degree', 'plan.pp');
  count(builder, settings, 'parallelism.context_parallel_degree', 'plan.cp');
  count(builder, settings, 'parallelism.expert_parallel_degree', 'plan.ep');
  count(builder, settings, 'parallelism.expert_tensor_parallel_degree', 'plan.etp');
  count(builder, settings, 'training.seq_len', 'plan.seqLength');
  readDataParallel(builder, settings);
  readSchedule(builder, settings, pp, layers);
  readPipelineSplit(builder, settings, pp);
  acknowledgeSettings(builder, settings);
  readCpuOffload(builder, settings);
  readBatch(builder, settings, pp);
  readPrecisionAndRecompute(builder, settings, era);
}

/**
 * `training.enable_cpu_offload`: FSDP2's CPUOffloadPolicy keeps the sharded parameters and gradients on the host
 * and AdamW steps there (torchtitan distributed/fsdp.py sets `offload_policy` to `CPUOffloadPolicy()`).
 */
function readCpuOffload(builder: DraftBuilder, settings: Settings): void {
  const offload = find(settings, 'training.enable_cpu_offload');
  if (!offload || typeof offload.value !== 'boolean') return;
  builder.set('plan.optimizerOffloadFraction', offload.value ? 1 : 0, offload.key, offload.valueRange);
  builder.set('plan.parameterOffload', offload.value, offload.key, offload.valueRange);
}

/** Settings read but not modelled (notModelled.ts). */
function acknowledgeSettings(builder: DraftBuilder, settings: Settings): void {
  for (const [name, known] of Object.entries(TORCHTITAN_NOT_MODELLED)) {
    const setting = find(settings, name);
    if (setting) acknowledge(builder, known, name, setting.value, setting.key);
  }
}
