// Megatron's dataclass field names (TransformerConfig / ModelParallelConfig, FORMATS.md A.0.3) → design fields.
// NeMo 1.x, Megatron-Bridge, Megatron's functional-test YAML and Megatron launch scripts all spell their keys this
// way (the test YAML and the scripts as `--flag-name`, which becomes the field name with dashes as underscores).
// Values that combine several keys (virtual pipeline, MLA, precision, ZeRO, the MoE layer pattern) are worked out
// after the simple ones.
import type { FieldPath, MlaDims, RecomputeModule, Symbolic } from '../../model/design';
import { FP8_RECIPES, isSymbolic, RECOMPUTE_MODULES } from '../../model/design';
import { describe, DraftBuilder, parseCount, parseFlag, parseProbability } from '../draft/draftBuilder';
import { applyBatchRamp, applyExpertWidth, applyTokenizerVocab } from './megatronImplied';
import { countLayoutStages, leadingDenseLayers } from './megatronLayout';
import { precisionOfRecipeName } from './precisionRecipes';
import { acknowledge, isOn, MEGATRON_NOT_MODELLED, type Acknowledged } from '../draft/notModelled';
import { applyActivationOffload, applyFineGrainedOffload, applyOptimizerOffload } from './megatronOffload';
import { applyGradReduceDtype, applyOptimizerStates } from './megatronOptimizerStates';
import { applyExpertCapacity } from './megatronCapacity';
import { isSet, type KeyValue } from './keyValue';

export type { KeyValue } from './keyValue';

const COUNTS = {
  tensor_model_parallel_size: { path: 'plan.tp', min: 1 },
  pipeline_model_parallel_size: { path: 'plan.pp', min: 1 },
  expert_model_parallel_size: { path: 'plan.ep', min: 1 },
  expert_tensor_parallel_size: { path: 'plan.etp', min: 1 },
  context_parallel_size: { path: 'plan.cp', min: 1 },
  micro_batch_size: { path: 'plan.microBatchSize', min: 1 },
  global_batch_size: { path: 'plan.globalBatchSize', min: 1 },
  seq_length: { path: 'plan.seqLength', min: 1 },
  encoder_seq_length: { path: 'plan.seqLength', min: 1 },
  num_layers: { path: 'model.layers', min: 1 },
  hidden_size: { path: 'model.hidden', min: 1 },
  ffn_hidden_size: { path: 'model.ffnHidden', min: 1 },
  num_attention_heads: { path: 'model.heads', min: 1 },
  num_query_groups: { path: 'model.kvHeads', min: 1 },
  kv_channels: { path: 'model.headDim', min: 1 },
  vocab_size: { path: 'model.vocab', min: 1 },
  num_moe_experts: { path: 'model.experts', min: 0 },
  moe_router_topk: { path: 'model.topK', min: 0 },
  moe_ffn_hidden_size: { path: 'model.expertFfnHidden', min: 0 },
  mtp_num_layers: { path: 'model.mtpLayers', min: 0 },
  num_layers_in_first_pipeline_stage: { path: 'plan.firstStageLayers', min: 1 },
  num_layers_in_last_pipeline_stage: { path: 'plan.lastStageLayers', min: 1 },
  num_nodes: { path: 'cluster.nodes', min: 1 },
  num_distributed_optimizer_instances: { path: 'plan.dataParallelReplicas', min: 1 },
  devices: { path: 'cluster.gpusPerNode', min: 1 },
} satisfies Record<string, { path: FieldPath; min: number }>;

/** The names read below besides the counts; `optim_name` is NeMo's `model.optim.name`. */
const OTHER_KEYS = [
  'sequence_parallel', 'virtual_pipeline_model_parallel_size', 'num_virtual_stages_per_pipeline_rank', 'num_layers_per_virtual_pipeline_stage',
  'pipeline_model_parallel_layout', 'account_for_embedding_in_pipeline_split', 'account_for_loss_in_pipeline_split', 'fp8_format', 'fp8', 'bf16', 'fp16', 'precision', 'recompute_granularity',
  'activations_checkpoint_granularity', 'recompute_activations', 'recompute_modules', 'recompute_method', 'activations_checkpoint_method',
  'recompute_num_layers', 'activations_checkpoint_num_layers', 'data_parallel_sharding_strategy', 'use_megatron_fsdp', 'use_torch_fsdp2',
  'use_distributed_optimizer', 'optim_name', 'swiglu', 'gated_linear_unit', 'activation', 'untie_embeddings_and_output_weights',
  'share_embeddings_and_output_weights', 'moe_shared_expert_intermediate_size', 'moe_layer_freq', 'multi_latent_attention', 'q_lora_rank',
  'kv_lora_rank', 'qk_head_dim', 'qk_pos_emb_head_dim', 'v_head_dim', 'group_query_attention', 'activation_func_fp8_input_store',
  // How FP8 is scaled and which communication overlaps compute (COSTMODEL.md §7 items 4 and 5).
  'fp8_recipe', 'fp4', 'fp4_format', 'fp4_recipe', 'tp_comm_overlap', 'overlap_grad_reduce', 'overlap_param_gather',
  'overlap_moe_expert_parallel_comm',
  // Megatron-DeepSpeed's own flag (microsoft/Megatron-DeepSpeed), and the legacy flags that still say something.
  'zero_stage', 'model_parallel_size', 'checkpoint_activations',
  // What Megatron derives values from when they are not stated (megatronImplied.ts); NeMo's model.tokenizer.* too.
  'tokenizer_type', 'tokenizer_model', 'make_vocab_size_divisible_by', 'step_batch_size_schedule', 'rampup_batch_size',
  'squared_relu', 'quick_geglu',
  // What lives in host memory instead of HBM (megatronOffload.ts).
  'cpu_offloading', 'cpu_offloading_num_layers', 'cpu_offloading_activations', 'optimizer_cpu_offload', 'optimizer_offload_fraction',
  'fine_grained_activation_offloading', 'offload_modules', 'overlap_cpu_optimizer_d2h_h2d',
  // The precision-aware optimizer's state dtypes (megatronOptimizerStates.ts).
  'use_precision_aware_optimizer', 'main_params_dtype', 'exp_avg_dtype', 'exp_avg_sq_dtype', 'main_grads_dtype', 'store_param_remainders',
  // The dtype gradients are reduced in (megatronOptimizerStates.ts applyGradReduceDtype).
  'grad_reduce_in_fp32', 'accumulate_allreduce_grads_in_fp32', 'grad_reduce_in_bf16',
  // Expert capacity and padding (megatronCapacity.ts).
  'moe_expert_capacity_factor', 'moe_pad_expert_input_to_capacity',
  // Dropout probabilities: above 0 the layer keeps dropout masks for the backward (docs/MEMORY.md).
  'hidden_dropout', 'attention_dropout',
] as const;

/**
 * A field name this file reads; the type keeps every lookup below to the names a reader collects. Each is modelled
 * (COUNTS, OTHER_KEYS) or acknowledged as not modelled (notModelled.ts), never both: the check below fails to
 * compile when a name is in both tables.
 */
export type MegatronKey = keyof typeof COUNTS | (typeof OTHER_KEYS)[number] | keyof typeof MEGATRON_NOT_MODELLED;
type ModelledAndNot = (keyof typeof COUNTS | (typeof OTHER_KEYS)[number]) & keyof typeof MEGATRON_NOT_MODELLED;
const MODELLED_OR_NOT: [ModelledAndNot] extends [never] ? true : ModelledAndNot = true;

/** The keys whose value changes the estimate, and those read and said not to (FORMATS.md lists both). */
export const MEGATRON_MODELLED_KEYS: readonly string[] = [...Object.keys(COUNTS), ...OTHER_KEYS];
export const MEGATRON_ACKNOWLEDGED_KEYS: readonly string[] = MODELLED_OR_NOT ? Object.keys(MEGATRON_NOT_MODELLED) : [];

const MEGATRON_KEYS: ReadonlySet<string> = new Set<string>([...MEGATRON_MODELLED_KEYS, ...MEGATRON_ACKNOWLEDGED_KEYS]);

/** Whether a reader should collect a field: a Bridge dump's `model:` has 370 fields, of which these are read. */
export function isMegatronKey(name: string): name is MegatronKey {
  return MEGATRON_KEYS.has(name);
}

/** Canonical snake_case field name → its value, in the file's order. */
export type KeyValues = Map<MegatronKey, KeyValue>;

const COUNT_RULES: Readonly<Record<string, { path: FieldPath; min: number } | undefined>> = COUNTS;

/**
 * How the keys were written. `dataclass`: TransformerConfig / DDP config fields (NeMo, Megatron-Bridge), whose
 * defaults are the dataclasses'. `flags`: Megatron's command line (launch scripts, and the functional-test YAML,
 * whose keys are the flags), read as megatron/training/arguments.py reads them: --num-query-groups counts only with
 * --group-query-attention, an absent --q-lora-rank is argparse's None (no query compression), and the flags older
 * Megatron accepted (--model-parallel-size, --checkpoint-activations, --activations-checkpoint-method) still mean
 * what they meant to the Megatron the file was written for.
 */
export type KeyDialect = 'dataclass' | 'flags';

export function applyMegatronKeys(values: KeyValues, builder: DraftBuilder, dialect: KeyDialect): void {
  for (const [name, entry] of values) {
    const rule = COUNT_RULES[name];
    if (!rule || !isSet(entry) || (dialect === 'flags' && name === 'num_query_groups')) continue;
    setCount(builder, rule.path, entry, rule.min);
  }
  const oldTp = values.get('model_parallel_size');
  if (dialect === 'flags' && isSet(oldTp) && !isSet(values.get('tensor_model_parallel_size'))) setCount(builder, 'plan.tp', oldTp, 1);
  setFlag(builder, 'plan.sequenceParallel', values.get('sequence_parallel'));
  setFlag(builder, 'plan.activationFp8InputStore', values.get('activation_func_fp8_input_store'));
  setFlag(builder, 'plan.accountForEmbedding', values.get('account_for_embedding_in_pipeline_split'));
  setFlag(builder, 'plan.accountForLoss', values.get('account_for_loss_in_pipeline_split'));
  setFlag(builder, 'plan.tpCommOverlap', values.get('tp_comm_overlap'));
  setFlag(builder, 'plan.overlapGradReduce', values.get('overlap_grad_reduce'));
  setFlag(builder, 'plan.overlapParamGather', values.get('overlap_param_gather'));
  setFlag(builder, 'plan.epCommOverlap', values.get('overlap_moe_expert_parallel_comm'));
  for (const [name, known] of Object.entries(MEGATRON_NOT_MODELLED) as [MegatronKey, Acknowledged][]) {
    const entry = values.get(name);
    const switchedOn = known.onlyWith === undefined || isOn(values.get(known.onlyWith as MegatronKey)?.raw);
    if (entry && switchedOn) acknowledge(builder, known, entry.name, entry.raw, entry.keyRange);
  }
  applyVirtualPipeline(values, builder);
  applyPipelineLayout(values, builder);
  applyPrecision(values, builder);
  applyRecompute(values, builder, dialect);
  applyRecomputeModules(values, builder);
  noteRecomputeShape(values, builder);
  applyZero(values, builder);
  applyModelShape(values, builder, dialect);
  const get = (name: string) => values.get(name as MegatronKey);
  applyExpertWidth(get, builder);
  applyTokenizerVocab(get, builder);
  applyBatchRamp(get, builder);
  applyActivationOffload(get, builder, dialect === 'flags');
  applyFineGrainedOffload(get, builder);
  applyOptimizerOffload(get, builder, dialect === 'flags');
  applyOptimizerStates(get, builder);
  applyGradReduceDtype(get, builder);
  applyExpertCapacity(get, builder);
}

function setCount(builder: DraftBuilder, path: FieldPath, entry: KeyValue, min: number): number | Symbolic | undefined {
  const parsed = isSymbolic(entry.raw) ? { ok: true as const, value: entry.raw } : parseCount(entry.raw, min);
  if (!parsed.ok) {
    builder.report('error', 'value/invalid', `${entry.name}: ${parsed.message}`, entry.valueRange, path);
    return undefined;
  }
  builder.set(path, parsed.value, entry.keyRange, entry.valueRange);
  return parsed.value;
}

function setFlag(builder: DraftBuilder, path: FieldPath, entry: KeyValue | undefined): void {
  if (!isSet(entry)) return;
  const parsed = isSymbolic(entry.raw) ? { ok: true as const, value: entry.raw } : parseFlag(entry.raw);
  if (parsed.ok) builder.set(path, parsed.value, entry.keyRange, entry.valueRange);
  else builder.report('error', 'value/invalid', `${entry.name}: ${parsed.message}`, entry.valueRange, path);
}

function setProbability(builder: DraftBuilder, path: FieldPath, entry: KeyValue | undefined): void {
  if (!isSet(entry)) return;
  const parsed = parseProbability(entry.raw);
  if (parsed.ok) builder.set(path, parsed.value, entry.keyRange, entry.valueRange);
  else builder.report('error', 'value/invalid', `${entry.name}: ${parsed.message}`, entry.valueRange, path);
}

function truthy(entry: KeyValue | undefined): boolean {
  return isSet(entry) && entry.raw !== false && entry.raw !== 0 && !(typeof entry.raw === 'string' && /^(false|none|null|)$/i.test(entry.raw.trim()));
}

function known(builder: DraftBuilder, path: FieldPath): number | undefined {
  const dot = path.indexOf('.');
  const value = (builder.draft[path.slice(0, dot) as 'model' | 'plan'] as Record<string, unknown>)[path.slice(dot + 1)];
  return typeof value === 'number' ? value : undefined;
}

/** Megatron arguments.py ~L940–983: vpp from the explicit size, the layers per virtual stage, or the layout. */
function applyVirtualPipeline(values: KeyValues, builder: DraftBuilder): void {
  const explicit = values.get('virtual_pipeline_model_parallel_size') ?? values.get('num_virtual_stages_per_pipeline_rank');
  if (isSet(explicit)) {
    setCount(builder, 'plan.vpp', explicit, 1);
    return;
  }
  const pp = known(builder, 'plan.pp');
  const perStage = values.get('num_layers_per_virtual_pipeline_stage');
  if (isSet(perStage)) {
    const per = isSymbolic(perStage.raw) ? { ok: true as const, value: perStage.raw } : parseCount(perStage.raw, 1);
    // arguments.py counts the embedding and the loss as layers here too when they are accounted for.
    const modelLayers = known(builder, 'model.layers');
    const layers = modelLayers === undefined ? undefined : modelLayers + (truthy(values.get('account_for_embedding_in_pipeline_split')) ? 1 : 0) + (truthy(values.get('account_for_loss_in_pipeline_split')) ? 1 : 0);
    if (!per.ok) builder.report('error', 'value/invalid', `${perStage.name}: ${per.message}`, perStage.valueRange, 'plan.vpp');
    else if (typeof per.value !== 'number' || layers === undefined || pp === undefined) builder.set('plan.vpp', { symbolic: `${perStage.name}=${isSymbolic(per.value) ? per.value.symbolic : per.value}` }, perStage.keyRange, perStage.valueRange);
    else if (layers % pp !== 0 || (layers / pp) % per.value !== 0) {
      builder.report('error', 'layout/vpp-divisibility', `number of layers per pipeline stage (${layers} / ${pp}) must be divisible by the layers per virtual stage (${per.value})`, perStage.valueRange, 'plan.vpp');
    } else builder.set('plan.vpp', layers / pp / per.value, perStage.keyRange, perStage.valueRange);
    return;
  }
  // The layout gives the virtual pipeline size; whether it is a valid layout is the model's to check.
  const layout = values.get('pipeline_model_parallel_layout');
  const stages = isSet(layout) && typeof layout.raw === 'string' ? countLayoutStages(layout.raw) : undefined;
  if (stages !== undefined && pp !== undefined && stages % pp === 0) builder.set('plan.vpp', stages / pp, layout!.keyRange, layout!.valueRange);
}

/** The pipeline layout string as written (model/pipelineLayout.ts reads it and layoutChecks.ts states its rules). */
function applyPipelineLayout(values: KeyValues, builder: DraftBuilder): void {
  const layout = values.get('pipeline_model_parallel_layout');
  if (!isSet(layout)) return;
  if (isSymbolic(layout.raw)) return builder.set('plan.layout', layout.raw, layout.keyRange, layout.valueRange);
  if (typeof layout.raw !== 'string') {
    builder.report('error', 'value/invalid', `${layout.name}: expected a layout string such as "Et*3|(tt|)*29,m|L", got ${describe(layout.raw)}`, layout.valueRange, 'plan.layout');
    return;
  }
  builder.set('plan.layout', layout.raw.trim(), layout.keyRange, layout.valueRange);
}

function applyPrecision(values: KeyValues, builder: DraftBuilder): void {
  // NVFP4 (Megatron --fp4-format / --fp4-recipe nvfp4): FP4 GEMMs, priced as the fp8 precision's nvfp4 recipe.
  const fp4 = values.get('fp4_format') ?? values.get('fp4') ?? values.get('fp4_recipe');
  if (truthy(fp4)) {
    builder.set('plan.precision', 'fp8', fp4!.keyRange, fp4!.valueRange);
    builder.set('plan.fp8Recipe', 'nvfp4', fp4!.keyRange, fp4!.valueRange);
    return;
  }
  const fp8 = values.get('fp8_format') ?? values.get('fp8');
  if (truthy(fp8)) {
    builder.set('plan.precision', 'fp8', fp8!.keyRange, fp8!.valueRange);
    applyFp8Recipe(values.get('fp8_recipe'), builder);
    return;
  }
  for (const [key, precision] of [['bf16', 'bf16'], ['fp16', 'fp16']] as const) {
    const entry = values.get(key);
    if (truthy(entry)) {
      builder.set('plan.precision', precision, entry!.keyRange, entry!.valueRange);
      return;
    }
  }
  // NeMo / Lightning trainer.precision: bf16, bf16-mixed, 16, 16-mixed, 32.
  const precision = values.get('precision');
  if (!isSet(precision)) return;
  const text = String(isSymbolic(precision.raw) ? precision.raw.symbolic : precision.raw).toLowerCase();
  // Megatron-Bridge names a recipe (`mixed_precision: bf16_with_mxfp8_mixed`): its FP8 / FP4 part decides.
  const recipe = isSymbolic(precision.raw) ? undefined : precisionOfRecipeName(text);
  if (recipe) {
    builder.set('plan.precision', recipe.precision, precision.keyRange, precision.valueRange);
    if (recipe.fp8Recipe) builder.set('plan.fp8Recipe', recipe.fp8Recipe, precision.keyRange, precision.valueRange);
  } else if (isSymbolic(precision.raw)) builder.set('plan.precision', precision.raw, precision.keyRange, precision.valueRange);
  else if (text.startsWith('bf16')) builder.set('plan.precision', 'bf16', precision.keyRange, precision.valueRange);
  else if (text.startsWith('16') || text.startsWith('fp16')) builder.set('plan.precision', 'fp16', precision.keyRange, precision.valueRange);
  else if (text.startsWith('32')) builder.report('warning', 'value/unsupported', `${precision.name}: ${text} (FP32) training is not modelled; estimates assume BF16`, precision.valueRange, 'plan.precision');
}

/** `--fp8-recipe`: a recipe the model prices, or an error at the value (never silently another precision). */
function applyFp8Recipe(entry: KeyValue | undefined, builder: DraftBuilder): void {
  if (!isSet(entry)) return;
  if (isSymbolic(entry.raw)) return builder.set('plan.fp8Recipe', entry.raw, entry.keyRange, entry.valueRange);
  const text = String(entry.raw).trim().toLowerCase();
  if ((FP8_RECIPES as readonly string[]).includes(text)) return builder.set('plan.fp8Recipe', text, entry.keyRange, entry.valueRange);
  builder.report('error', 'precision/unknown-recipe', `${entry.name}: plens cannot price the FP8 recipe ${describe(entry.raw)} (it prices ${FP8_RECIPES.join(', ')})`, entry.valueRange, 'plan.fp8Recipe');
}

function applyRecompute(values: KeyValues, builder: DraftBuilder, dialect: KeyDialect): void {
  const granularity = values.get('recompute_granularity') ?? values.get('activations_checkpoint_granularity');
  const explicitlyNone = granularity?.raw === null ? granularity : undefined;
  if (isSet(granularity)) {
    const text = typeof granularity.raw === 'string' ? granularity.raw.trim().toLowerCase() : '';
    if (text === 'selective' || text === 'full') builder.set('plan.recompute', text, granularity.keyRange, granularity.valueRange);
    else if (isSymbolic(granularity.raw)) builder.set('plan.recompute', granularity.raw, granularity.keyRange, granularity.valueRange);
    else builder.report('error', 'value/invalid', `${granularity.name}: expected selective or full, got ${describe(granularity.raw)}`, granularity.valueRange, 'plan.recompute');
    return;
  }
  if (explicitlyNone) builder.set('plan.recompute', 'none', explicitlyNone.keyRange, explicitlyNone.valueRange);
  const activations = values.get('recompute_activations');
  if (truthy(activations)) return builder.set('plan.recompute', 'selective', activations!.keyRange, activations!.valueRange);
  if (dialect !== 'flags') return;
  // In the Megatron of --checkpoint-activations, it and a checkpoint method alone recomputed every layer in full
  // (NeMo's activations_checkpoint_method, by contrast, does nothing without a granularity).
  const legacy = [values.get('checkpoint_activations'), values.get('activations_checkpoint_method')].find(truthy);
  if (legacy) builder.set('plan.recompute', 'full', legacy.keyRange, legacy.valueRange);
}

/**
 * TransformerConfig.recompute_modules: a YAML list in NeMo / Megatron-Bridge dumps; in the functional-test YAML the
 * flag's words as one string (`--recompute-modules: mla_up_proj moe_act`, also `[a, b]`). Names this model does
 * not know are left out with a note; the rest are kept (Megatron itself would reject an unknown name).
 */
function applyRecomputeModules(values: KeyValues, builder: DraftBuilder): void {
  const entry = values.get('recompute_modules');
  if (!isSet(entry)) return;
  if (isSymbolic(entry.raw)) return builder.set('plan.recomputeModules', entry.raw, entry.keyRange, entry.valueRange);
  const names = Array.isArray(entry.raw) ? entry.raw.map((item) => String(item).trim())
    : typeof entry.raw === 'string' ? entry.raw.replace(/[[\]'"]/g, ' ').split(/[\s,]+/).filter((word) => word.length > 0) : undefined;
  if (!names) {
    builder.report('error', 'value/invalid', `${entry.name}: expected a list of ${RECOMPUTE_MODULES.join(', ')}, got ${describe(entry.raw)}`, entry.valueRange, 'plan.recomputeModules');
    return;
  }
  const modules: RecomputeModule[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const module = RECOMPUTE_MODULES.find((known) => known === name);
    if (!module) unknown.push(name);
    else if (!modules.includes(module)) modules.push(module);
  }
  // With no known name left, Megatron's default (core_attn) stands rather than an empty list.
  const instead = modules.length > 0 ? `the estimate leaves ${unknown.length === 1 ? 'it' : 'them'} out` : 'the estimate assumes Megatron\'s default core_attn';
  if (unknown.length > 0) {
    builder.report('info', 'value/unsupported', `${entry.name}: ${unknown.join(', ')} not modelled (known: ${RECOMPUTE_MODULES.join(', ')}); ${instead}`, entry.valueRange, 'plan.recomputeModules');
  }
  if (modules.length > 0) builder.set('plan.recomputeModules', modules, entry.keyRange, entry.valueRange);
}

/**
 * recompute_method / recompute_num_layers shape full recomputation (Megatron arguments.py): `uniform` checkpoints
 * groups of N layers, `block` only the first N layers of each stage. The plan models every layer checkpointed on
 * its own (uniform, N = 1); other shapes are read and said to be approximated.
 */
function noteRecomputeShape(values: KeyValues, builder: DraftBuilder): void {
  const method = values.get('recompute_method') ?? values.get('activations_checkpoint_method');
  const layers = values.get('recompute_num_layers') ?? values.get('activations_checkpoint_num_layers');
  // Megatron reads them only under full granularity.
  if (!isSet(method) || typeof method.raw !== 'string' || builder.draft.plan.recompute !== 'full') return;
  const count = isSet(layers) && typeof layers.raw === 'number' ? layers.raw : 1;
  const text = method.raw.trim().toLowerCase();
  if (text === 'block') {
    builder.report('info', 'value/unsupported', `${method.name}: block recomputes only the first ${count} layer${count === 1 ? '' : 's'} of each pipeline stage; the estimate recomputes every layer (slower, less activation memory than the run)`, method.valueRange, 'plan.recompute');
  } else if (text === 'uniform' && count > 1) {
    builder.report('info', 'value/unsupported', `${method.name}: uniform with ${count} layers per checkpoint keeps one input per ${count} layers; the estimate keeps one per layer (more activation memory than the run)`, method.valueRange, 'plan.recompute');
  } else if (text !== 'uniform') {
    builder.report('error', 'value/invalid', `${method.name}: expected uniform or block, got ${describe(method.raw)}`, method.valueRange, 'plan.recompute');
  }
}

/**
 * Distributed optimizer = ZeRO-1; Megatron-DeepSpeed's --zero-stage as written. Under Megatron-FSDP / FSDP2 the
 * sharding strategy gives the stage (no_shard … optim_grads_params = 0 … 3, default optim_grads_params); without
 * FSDP the strategy does nothing (Bridge dumps carry its default no_shard next to the distributed optimizer).
 */
function applyZero(values: KeyValues, builder: DraftBuilder): void {
  const fsdp = [values.get('use_megatron_fsdp'), values.get('use_torch_fsdp2')].find(truthy);
  if (fsdp) {
    const strategy = values.get('data_parallel_sharding_strategy');
    const byStrategy: Record<string, 0 | 1 | 2 | 3> = { no_shard: 0, optim: 1, optim_grads: 2, optim_grads_params: 3 };
    const stage = isSet(strategy) && typeof strategy.raw === 'string' ? byStrategy[strategy.raw.trim()] : undefined;
    if (!isSet(strategy)) builder.set('plan.zero', 3, fsdp.keyRange, fsdp.valueRange);
    else if (stage !== undefined) builder.set('plan.zero', stage, strategy.keyRange, strategy.valueRange);
    else if (isSymbolic(strategy.raw)) builder.set('plan.zero', strategy.raw, strategy.keyRange, strategy.valueRange);
    else builder.report('error', 'value/invalid', `${strategy.name}: expected ${Object.keys(byStrategy).join(', ')}, got ${describe(strategy.raw)}`, strategy.valueRange, 'plan.zero');
    return;
  }
  const stage = values.get('zero_stage');
  if (isSet(stage)) {
    setCount(builder, 'plan.zero', stage, 0);
    return;
  }
  const distributed = values.get('use_distributed_optimizer');
  if (isSet(distributed)) {
    const parsed = parseFlag(distributed.raw);
    if (parsed.ok && typeof parsed.value === 'boolean') builder.set('plan.zero', parsed.value ? 1 : 0, distributed.keyRange, distributed.valueRange);
    return;
  }
  const optimizer = values.get('optim_name');
  if (isSet(optimizer) && typeof optimizer.raw === 'string' && /distributed/.test(optimizer.raw)) {
    builder.set('plan.zero', 1, optimizer.keyRange, optimizer.valueRange);
  }
}

function applyModelShape(values: KeyValues, builder: DraftBuilder, dialect: KeyDialect): void {
  const swiglu = values.get('swiglu') ?? values.get('gated_linear_unit');
  const activation = values.get('activation');
  // --quick-geglu is gated like SwiGLU (three matrices); --squared-relu is not (two, as GeLU).
  const gated = [swiglu, values.get('quick_geglu')].find(truthy);
  const squared = values.get('squared_relu');
  if (gated) builder.set('model.activation', 'swiglu', gated.keyRange, gated.valueRange);
  else if (truthy(squared)) builder.set('model.activation', 'gelu', squared!.keyRange, squared!.valueRange);
  else if (isSet(activation) && typeof activation.raw === 'string') {
    const text = activation.raw.toLowerCase();
    if (text.includes('swiglu') || text.includes('geglu') || text.includes('reglu')) builder.set('model.activation', 'swiglu', activation.keyRange, activation.valueRange);
    else if (text.includes('gelu') || text.includes('relu')) builder.set('model.activation', 'gelu', activation.keyRange, activation.valueRange);
  }
  const untie = values.get('untie_embeddings_and_output_weights');
  const share = values.get('share_embeddings_and_output_weights');
  if (truthy(untie)) builder.set('model.tiedEmbeddings', false, untie!.keyRange, untie!.valueRange);
  else if (isSet(share)) setFlag(builder, 'model.tiedEmbeddings', share);
  setProbability(builder, 'model.hiddenDropout', values.get('hidden_dropout'));
  setProbability(builder, 'model.attentionDropout', values.get('attention_dropout'));
  if (dialect === 'flags') applyFlagShapeDefaults(values, builder);

  applySharedExperts(values, builder);
  const frequency = values.get('moe_layer_freq');
  if (isSet(frequency) && !isSymbolic(frequency.raw)) {
    const pattern = leadingDenseLayers(frequency.raw);
    if (pattern.denseLayers !== undefined) builder.set('model.denseLayers', pattern.denseLayers, frequency.keyRange, frequency.valueRange);
    else builder.report('info', 'value/unsupported', `${frequency.name}: ${describe(frequency.raw)} is not a pattern this reader understands; dense layers are not read from it`, frequency.valueRange, 'model.denseLayers');
    if (pattern.interval !== undefined && pattern.interval > 1) builder.set('model.moeLayerInterval', pattern.interval, frequency.keyRange, frequency.valueRange);
  }
  if (dialect === 'flags') applyGroupedQueries(values, builder);
  applyMla(values, builder, dialect);
}

/**
 * A command line that spells out the model's shape gets argparse's defaults for the shape flags it leaves out: no
 * `--swiglu` builds a GeLU MLP, no `--untie-embeddings-and-output-weights` shares the embedding with the output
 * layer, and no `--hidden-dropout` / `--attention-dropout` trains with dropout 0.1 (arguments.py). A catalog or
 * settings default ("SwiGLU, untied, no dropout, as recent LLMs") would misread GPT-era scripts, so these are set
 * here, anchored at `--hidden-size` and said once each (the two dropouts in one note).
 */
function applyFlagShapeDefaults(values: KeyValues, builder: DraftBuilder): void {
  const hidden = values.get('hidden_size');
  if (!isSet(hidden)) return;
  if (!builder.has('model.activation')) {
    builder.set('model.activation', 'gelu', hidden.keyRange, hidden.valueRange);
    builder.report('info', 'value/defaulted', 'No --swiglu (or other gated activation) is given: Megatron-LM builds a GeLU MLP, its default.', hidden.keyRange, 'model.activation');
  }
  if (!builder.has('model.tiedEmbeddings')) {
    builder.set('model.tiedEmbeddings', true, hidden.keyRange, hidden.valueRange);
    builder.report('info', 'value/defaulted', 'No --untie-embeddings-and-output-weights is given: Megatron-LM shares the input embedding with the output layer, its default.', hidden.keyRange, 'model.tiedEmbeddings');
  }
  // A flag given with a bad value has its error already; Megatron would not run with it, so nothing is defaulted.
  const dropouts = DROPOUT_FLAGS.filter(({ path, key }) => !builder.has(path) && !values.has(key));
  for (const { path } of dropouts) builder.set(path, MEGATRON_DEFAULT_DROPOUT, hidden.keyRange, hidden.valueRange);
  if (dropouts.length > 0) {
    const flags = dropouts.map(({ flag }) => flag);
    builder.report('info', 'value/defaulted', `No ${flags.join(' / ')} is given: Megatron-LM trains with dropout ${MEGATRON_DEFAULT_DROPOUT}, its default (${dropouts.map(({ cost }) => cost).join('; ')}). Give ${flags.map((flag) => `${flag} 0`).join(' ')} if the run trains without.`, hidden.keyRange, dropouts[0]!.path);
  }
}

/** arguments.py's default for --hidden-dropout and --attention-dropout. */
const MEGATRON_DEFAULT_DROPOUT = 0.1;
/** The dropout flags and what their default costs, for the note (activations.ts counts the bytes). */
const DROPOUT_FLAGS = [
  { path: 'model.hiddenDropout', key: 'hidden_dropout', flag: '--hidden-dropout', cost: 'hidden dropout keeps a 1-byte mask per hidden element after attention, after the MLP and on the embedding for the backward' },
  { path: 'model.attentionDropout', key: 'attention_dropout', flag: '--attention-dropout', cost: 'attention dropout keeps no mask under flash attention, which the estimate assumes' },
] as const;

/**
 * Megatron fuses the shared experts into one MLP of this width; the design counts them in routed-expert widths.
 * A width that is not a multiple counts as one shared expert, said as an approximation, rather than none.
 */
function applySharedExperts(values: KeyValues, builder: DraftBuilder): void {
  const shared = values.get('moe_shared_expert_intermediate_size');
  if (!isSet(shared) || typeof shared.raw !== 'number' || shared.raw <= 0) return;
  const expertWidth = known(builder, 'model.expertFfnHidden');
  const whole = expertWidth !== undefined && expertWidth > 0 && shared.raw % expertWidth === 0;
  builder.set('model.sharedExperts', whole ? shared.raw / expertWidth : 1, shared.keyRange, shared.valueRange);
  if (!whole && expertWidth !== undefined && expertWidth > 0) {
    builder.report('info', 'value/unsupported', `${shared.name}: ${shared.raw} is not a multiple of the expert width ${expertWidth}; the estimate counts one shared expert of width ${expertWidth}`, shared.valueRange, 'model.sharedExperts');
  }
}

/** arguments.py: num_query_groups is used only when group_query_attention is set. */
function applyGroupedQueries(values: KeyValues, builder: DraftBuilder): void {
  const groups = values.get('num_query_groups');
  if (!isSet(groups)) return;
  const gqa = values.get('group_query_attention');
  if (!truthy(gqa)) {
    builder.report('info', 'key/ignored', `${groups.name} only takes effect with --group-query-attention`, groups.keyRange, 'model.kvHeads');
    return;
  }
  if (setCount(builder, 'model.kvHeads', groups, 1) !== undefined) builder.set('model.attention', 'gqa', gqa!.keyRange, gqa!.valueRange);
}

function applyMla(values: KeyValues, builder: DraftBuilder, dialect: KeyDialect): void {
  const flag = values.get('multi_latent_attention');
  const keys: Record<keyof MlaDims, MegatronKey> = {
    qLoraRank: 'q_lora_rank', kvLoraRank: 'kv_lora_rank', qkNopeHeadDim: 'qk_head_dim', qkRopeHeadDim: 'qk_pos_emb_head_dim', vHeadDim: 'v_head_dim',
  };
  if (!truthy(flag)) return;
  builder.set('model.attention', 'mla', flag!.keyRange, flag!.valueRange);
  const dims: Partial<MlaDims> = {};
  for (const [field, key] of Object.entries(keys) as [keyof MlaDims, MegatronKey][]) {
    const entry = values.get(key);
    if (isSet(entry) && typeof entry.raw === 'number' && Number.isInteger(entry.raw) && entry.raw >= 0) dims[field] = entry.raw;
  }
  // On the command line an absent --q-lora-rank is None: queries are projected directly, without compression.
  if (dialect === 'flags' && !values.has('q_lora_rank')) dims.qLoraRank = 0;
  // Megatron's MLATransformerConfig defaults (q_lora_rank 512, kv_lora_rank 512, qk 128, rope 64, v 128) apply
  // to unset keys; without the full set the design would silently use another model's shape, so say so.
  const missing = (Object.keys(keys) as (keyof MlaDims)[]).filter((field) => dims[field] === undefined);
  if (missing.length === 0) builder.set('model.mla', dims as MlaDims, flag!.keyRange, flag!.valueRange);
  else builder.report('warning', 'model/incomplete', `multi-latent attention without ${missing.map((field) => keys[field]).join(', ')}: the MLA shape comes from the model catalog or config.json`, flag!.keyRange, 'model.mla');
}
