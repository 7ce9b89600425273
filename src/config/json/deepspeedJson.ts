// Reader for DeepSpeed's JSON config (FORMATS.md A.5): batch sizes, ZeRO stage and hpZ size, offload, precision,
// AutoTP/AutoEP sizes and the pipeline block. "auto" (HF Trainer fills it in) and template placeholders stay
// symbolic. The batch identity train_batch = micro × grad_acc × dp needs dp, so the reader checks what it can
// (divisibility) and completion checks the rest (validate.ts, `deepspeed/batch-identity`).
import type { FieldPath } from '../../model/design';
import { closestKey, DraftBuilder, parseCount, parseFlag } from '../draft/draftBuilder';
import { jsonEntries, jsonScalar, parseJson, type JsonEntry, type JsonFile, type JsonNode } from './jsonTree';
import type { ReadResult } from '../types';
import { acknowledge, DEEPSPEED_NOT_MODELLED } from '../draft/notModelled';

const BATCH_KEYS = ['train_batch_size', 'train_micro_batch_size_per_gpu', 'gradient_accumulation_steps'];
const MARKERS = [...BATCH_KEYS, 'zero_optimization'];
/** `get_pipeline_config` and the PipeEngine read only these (FORMATS.md A.5); blog posts invent others. */
const PIPELINE_KEYS = ['stages', 'partition', 'seed_layers', 'activation_checkpoint_interval', 'pipe_partitioned', 'grad_partitioned', 'use_reentrant'];

export function readDeepspeedJson(text: string, _fileName: string): ReadResult | undefined {
  const file = parseJson(text);
  if (!file.root || file.root.type !== 'object') return undefined;
  const top = new Map(jsonEntries(file, file.root).map((entry) => [entry.key, entry]));
  if (!MARKERS.some((key) => top.has(key))) return undefined;
  const builder = new DraftBuilder();

  count(builder, file, top.get('train_batch_size'), 'plan.globalBatchSize', 1);
  count(builder, file, top.get('train_micro_batch_size_per_gpu'), 'plan.microBatchSize', 1);
  // The pipeline engine runs gradient_accumulation_steps micro-batches per step (DeepSpeed runtime/pipe/engine.py).
  count(builder, file, top.get('gradient_accumulation_steps'), 'plan.microbatches', 1);
  checkDivisibility(builder);

  const zero = section(file, top.get('zero_optimization'));
  const stage = zero.get('stage');
  if (stage) {
    count(builder, file, stage, 'plan.zero', 0);
    if (typeof builder.draft.plan.zero === 'number' && builder.draft.plan.zero > 3) {
      builder.report('error', 'value/invalid', `zero_optimization.stage is 0–3, got ${builder.draft.plan.zero}`, stage.valueRange, 'plan.zero');
      delete builder.draft.plan.zero;
      builder.sourceMap.delete('plan.zero');
    }
  }
  readHpz(builder, file, zero.get('zero_hpz_partition_size'));
  acknowledgeSectionKeys(builder, file, 'zero_optimization', zero);
  acknowledgeSectionKeys(builder, file, 'activation_checkpointing', section(file, top.get('activation_checkpointing')));
  readOffload(builder, file, zero);
  readPrecision(builder, file, top);
  const tp = section(file, top.get('tensor_parallel')).get('autotp_size');
  // autotp_size 0 disables AutoTP (docs/_pages/config-json.md).
  if (tp && jsonScalar(file, tp) === 0) builder.set('plan.tp', 1, tp.keyRange, tp.valueRange);
  else count(builder, file, tp, 'plan.tp', 1);
  count(builder, file, section(file, top.get('expert_parallel')).get('autoep_size'), 'plan.ep', 1);
  // Ulysses sequence parallelism splits the sequence across GPUs as context parallelism does.
  count(builder, file, top.get('sequence_parallel_size'), 'plan.cp', 1);
  readPipeline(builder, file, top.get('pipeline'));
  return builder.result('deepspeed-json', file.problems);
}

/**
 * CPU offload (ZeRO-Offload): `offload_optimizer: {device: cpu}` keeps the optimizer state and the gradient partition
 * on the host and steps there, as the legacy `cpu_offload: true` did; `offload_param: {device: cpu}` keeps ZeRO-3's
 * parameter partition there. A symbolic device is left as written; NVMe is acknowledged below.
 */
function readOffload(builder: DraftBuilder, file: JsonFile, zero: Map<string, JsonEntry>): void {
  const device = (key: string): { entry: JsonEntry; raw: unknown } | undefined => {
    const entry = zero.get(key);
    if (!entry) return undefined;
    const field = entry.value?.type === 'object' ? section(file, entry).get('device') : undefined;
    return { entry, raw: field ? jsonScalar(file, field) : null };
  };
  const onCpu = (raw: unknown) => typeof raw === 'string' && /^cpu$/i.test(raw.trim());
  const optimizer = device('offload_optimizer');
  const legacy = zero.get('cpu_offload');
  if (optimizer && (optimizer.raw === null || typeof optimizer.raw === 'string')) {
    builder.set('plan.optimizerOffloadFraction', onCpu(optimizer.raw) ? 1 : 0, optimizer.entry.keyRange, optimizer.entry.valueRange);
  } else if (legacy) {
    const parsed = parseFlag(jsonScalar(file, legacy));
    if (parsed.ok && typeof parsed.value === 'boolean') builder.set('plan.optimizerOffloadFraction', parsed.value ? 1 : 0, legacy.keyRange, legacy.valueRange);
  }
  const parameters = device('offload_param');
  if (parameters && (parameters.raw === null || typeof parameters.raw === 'string')) {
    builder.set('plan.parameterOffload', onCpu(parameters.raw), parameters.entry.keyRange, parameters.entry.valueRange);
  }
}

/**
 * ZeRO++ hierarchical partitioning (model/cost/comm/shardGroups.ts): DeepSpeed's config accepts any size ≥ 0 and builds
 * hpZ groups only above 1, so 0 is read as 1 (none).
 */
function readHpz(builder: DraftBuilder, file: JsonFile, entry: JsonEntry | undefined): void {
  if (!entry) return;
  if (!entry.placeholder && jsonScalar(file, entry) === 0) return builder.set('plan.hpzPartitionSize', 1, entry.keyRange, entry.valueRange);
  count(builder, file, entry, 'plan.hpzPartitionSize', 1);
}

/** A section's keys read but not modelled (notModelled.ts); an offload section counts by its `device`. */
function acknowledgeSectionKeys(builder: DraftBuilder, file: JsonFile, name: string, entries: Map<string, JsonEntry>): void {
  for (const [path, known] of Object.entries(DEEPSPEED_NOT_MODELLED)) {
    if (!path.startsWith(`${name}.`)) continue;
    const entry = entries.get(path.slice(name.length + 1));
    if (!entry) continue;
    const device = entry.value?.type === 'object' ? section(file, entry).get('device') : undefined;
    const raw = entry.value?.type === 'object' ? (device ? jsonScalar(file, device) : null) : jsonScalar(file, entry);
    acknowledge(builder, known, path, raw, entry.keyRange);
  }
}

function section(file: JsonFile, entry: JsonEntry | undefined): Map<string, JsonEntry> {
  return new Map(jsonEntries(file, entry?.value as JsonNode | undefined).map((child) => [child.key, child]));
}

function count(builder: DraftBuilder, file: JsonFile, entry: JsonEntry | undefined, path: FieldPath, min: number): void {
  if (!entry) return;
  const raw = jsonScalar(file, entry);
  if (raw === undefined && !entry.placeholder) return;
  if (entry.placeholder) {
    builder.set(path, { symbolic: String(raw) }, entry.keyRange, entry.valueRange);
    return;
  }
  const parsed = parseCount(raw, min);
  if (parsed.ok) builder.set(path, parsed.value, entry.keyRange, entry.valueRange);
  else builder.report('error', 'value/invalid', `${entry.key}: ${parsed.message}`, entry.valueRange, path);
}

/** Without dp the identity cannot be checked, but train_batch must still be a multiple of micro × grad_acc. */
function checkDivisibility(builder: DraftBuilder): void {
  const { globalBatchSize, microBatchSize, microbatches } = builder.draft.plan;
  if (typeof globalBatchSize !== 'number' || typeof microBatchSize !== 'number' || typeof microbatches !== 'number') return;
  if (globalBatchSize % (microBatchSize * microbatches) === 0) return;
  builder.report('error', 'deepspeed/batch-identity',
    `train_batch_size ${globalBatchSize} must equal train_micro_batch_size_per_gpu ${microBatchSize} × gradient_accumulation_steps ${microbatches} × data-parallel size, but it is not a multiple of ${microBatchSize * microbatches}`,
    builder.sourceMap.get('plan.globalBatchSize')?.value, 'plan.globalBatchSize');
}

/** `bf16.enabled` (legacy `bfloat16`) or `fp16.enabled`; "auto" leaves the precision to the Trainer. */
function readPrecision(builder: DraftBuilder, file: JsonFile, top: Map<string, JsonEntry>): void {
  for (const [key, precision] of [['bf16', 'bf16'], ['bfloat16', 'bf16'], ['fp16', 'fp16']] as const) {
    const enabled = section(file, top.get(key)).get('enabled');
    if (!enabled) continue;
    const raw = enabled.placeholder ? `${jsonScalar(file, enabled)}` : jsonScalar(file, enabled);
    const parsed = enabled.placeholder ? { ok: true as const, value: { symbolic: String(raw) } } : parseFlag(raw);
    if (!parsed.ok) builder.report('error', 'value/invalid', `${key}.enabled: ${parsed.message}`, enabled.valueRange, 'plan.precision');
    else if (parsed.value === true) builder.set('plan.precision', precision, enabled.keyRange, enabled.valueRange);
    else if (typeof parsed.value === 'object' && !builder.has('plan.precision')) builder.set('plan.precision', parsed.value, enabled.keyRange, enabled.valueRange);
  }
}

function readPipeline(builder: DraftBuilder, file: JsonFile, entry: JsonEntry | undefined): void {
  if (!entry) return;
  for (const child of jsonEntries(file, entry.value)) {
    if (!PIPELINE_KEYS.includes(child.key)) {
      const guess = closestKey(child.key, PIPELINE_KEYS);
      builder.report('warning', 'key/unknown',
        `DeepSpeed does not read pipeline.${child.key}${guess ? ` (did you mean \`${guess}\`?)` : ''}; the pipeline degree comes from PipelineModule(num_stages=…) in Python`,
        child.keyRange);
    } else if (child.key === 'stages' && jsonScalar(file, child) !== 'auto') {
      count(builder, file, child, 'plan.pp', 1);
    }
  }
}
