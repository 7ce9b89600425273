// Reader for the YAML dialects that spell Megatron's field names (FORMATS.md A.1): Megatron's functional-test
// YAML (`MODEL_ARGS:` with `--flag: value`), NeMo 1.x / NeMo-Framework-Launcher (Hydra + OmegaConf, `trainer:`
// and `model:`), and Megatron-Bridge `ConfigContainer` dumps (`model:`, `train:`, `ddp:`, `mixed_precision:`).
import { DraftBuilder, looksSymbolic } from '../draft/draftBuilder';
import { flagKey, reportLegacyFlag } from '../megatron/megatronFlagNames';
import { applyMegatronKeys, isMegatronKey, type KeyValue, type KeyValues } from '../megatron/megatronKeys';
import { Interpolator, type Resolved, type Scope } from './omegaconf';
import type { FormatId, ReadResult } from '../types';
import { asMap, entries, mapGet, mapKeys, readYaml, resolveAlias, rootMap, scalarValue, type YamlFile, type YamlMap, type YamlNode } from '../yaml/yamlTree';

type Dialect = Extract<FormatId, 'megatron-functest-yaml' | 'nemo-yaml' | 'megatron-bridge-yaml'>;

/** Keys that only a training config has under `model:`: enough to tell NeMo from any other YAML with a `model`. */
const MODEL_MARKERS = ['tensor_model_parallel_size', 'pipeline_model_parallel_size', 'num_layers', 'micro_batch_size', 'hidden_size'];

function detect(file: YamlFile, root: YamlMap): Dialect | undefined {
  const modelArgs = asMap(file, mapGet(root, 'MODEL_ARGS'));
  if (modelArgs && mapKeys(modelArgs).some((key) => key.startsWith('--'))) return 'megatron-functest-yaml';
  const model = asMap(file, mapGet(root, 'model'));
  if (!model) return undefined;
  const modelKeys = new Set(mapKeys(model));
  if (!MODEL_MARKERS.some((key) => modelKeys.has(key))) return undefined;
  const target = scalarValue(file, mapGet(root, '_target_'));
  if ((typeof target === 'string' && target.includes('ConfigContainer')) || asMap(file, mapGet(root, 'train'))) return 'megatron-bridge-yaml';
  return 'nemo-yaml';
}

export function readNemoYaml(text: string, _fileName: string): ReadResult | undefined {
  return readYaml(text, readNemoFile);
}

function readNemoFile(file: YamlFile): ReadResult | undefined {
  const root = rootMap(file);
  if (!root) return undefined;
  const dialect = detect(file, root);
  if (!dialect) return undefined;
  const builder = new DraftBuilder();
  const values: KeyValues = new Map();
  const interpolator = new Interpolator(file, root);
  const section = (name: string): YamlMap | undefined => asMap(file, mapGet(root, name));

  if (dialect === 'megatron-functest-yaml') {
    collectFlags(file, section('MODEL_ARGS')!, values, builder);
  } else {
    const model = section('model')!;
    collect(file, model, [root, model], interpolator, values, '');
    if (dialect === 'nemo-yaml') {
      const trainer = section('trainer');
      if (trainer) collect(file, trainer, [root, trainer], interpolator, values, '', ['num_nodes', 'devices', 'precision']);
      const optim = asMap(file, mapGet(model, 'optim'));
      if (optim) collect(file, optim, [root, model, optim], interpolator, values, 'optim_', ['name']);
      // model.tokenizer.{type, model}: the vocabulary when the file gives no size (megatronImplied.ts).
      const tokenizer = asMap(file, mapGet(model, 'tokenizer'));
      if (tokenizer) collect(file, tokenizer, [root, model, tokenizer], interpolator, values, 'tokenizer_', ['type', 'model']);
    } else {
      const train = section('train');
      if (train) collect(file, train, [root, train], interpolator, values, '', ['micro_batch_size', 'global_batch_size']);
      const ddp = section('ddp');
      if (ddp) collect(file, ddp, [root, ddp], interpolator, values, '', ['use_distributed_optimizer', 'data_parallel_sharding_strategy', 'use_megatron_fsdp', 'grad_reduce_in_fp32']);
      // DistributedInitConfig chooses PyTorch FSDP2 as the data-parallel wrapper.
      const dist = section('dist');
      if (dist) collect(file, dist, [root, dist], interpolator, values, '', ['use_torch_fsdp2']);
      // MixedPrecisionConfig is applied onto the model config at start-up, so its settings win when set.
      const mixed = section('mixed_precision');
      if (mixed) collect(file, mixed, [root, mixed], interpolator, values, '', ['bf16', 'fp16', 'fp8', 'fp8_recipe', 'fp4', 'fp4_recipe', 'grad_reduce_in_fp32'], true);
      // Or the recipe's name alone (`mixed_precision: bf16_with_mxfp8_mixed`), read as a precision name.
      const named = entries(file, root, (key) => key === 'mixed_precision').find((entry) => typeof scalarValue(file, entry.value) === 'string');
      if (named) values.set('precision', { name: named.key, raw: scalarValue(file, named.value), keyRange: named.keyRange, valueRange: named.valueRange });
    }
  }
  // The test YAML's keys are Megatron's command-line flags, so they are read as the command line reads them.
  applyMegatronKeys(values, builder, dialect === 'megatron-functest-yaml' ? 'flags' : 'dataclass');
  return builder.result(dialect, file.problems);
}

function collect(
  file: YamlFile, map: YamlMap, scope: Scope, interpolator: Interpolator, values: KeyValues, prefix: string,
  only?: readonly string[], onlyWhenSet = false,
): void {
  // Only the fields applyMegatronKeys reads are looked at: their values (and interpolations) alone are worked out.
  const wanted = (key: string): boolean => isMegatronKey(prefix + key) && (!only || only.includes(key));
  for (const entry of entries(file, map, wanted)) {
    const name = prefix + entry.key;
    if (!isMegatronKey(name)) continue;
    const raw = valueOf(file, entry.value, scope, interpolator);
    if (raw === undefined || (onlyWhenSet && raw === null)) continue;
    values.set(name, { name: entry.key, raw, keyRange: entry.keyRange, valueRange: entry.valueRange });
  }
}

/** A scalar (interpolated), or a list of scalars (`moe_layer_freq: [0, 0, 0, 1, …]`); maps are skipped. */
function valueOf(file: YamlFile, node: YamlNode | null, scope: Scope, interpolator: Interpolator): Resolved | Resolved[] | undefined {
  const target = resolveAlias(file, node);
  if (target === null) return null;
  if (target.kind === 'scalar') return interpolator.resolveNode(target, scope);
  if (target.kind === 'seq') {
    const items: Resolved[] = [];
    for (const item of target.items) {
      const value = item?.kind === 'scalar' ? interpolator.resolveNode(item, scope) : undefined;
      if (value === undefined) return undefined;
      items.push(value);
    }
    return items;
  }
  return undefined;
}

/** `--tensor-model-parallel-size: 2` → tensor_model_parallel_size; legacy flags warn at the key. */
function collectFlags(file: YamlFile, args: YamlMap, values: KeyValues, builder: DraftBuilder): void {
  for (const entry of entries(file, args, (key) => key.startsWith('--'))) {
    const name = flagKey(entry.key);
    reportLegacyFlag(builder, name, entry.key, entry.keyRange);
    if (!isMegatronKey(name)) continue;
    let raw: unknown = flagValue(file, entry.value);
    if (raw === undefined) continue;
    if (typeof raw === 'string' && looksSymbolic(raw)) raw = { symbolic: raw.trim() };
    const value: KeyValue = { name: entry.key, raw, keyRange: entry.keyRange, valueRange: entry.valueRange };
    values.set(name, value);
  }
}

/** A flag's scalar, or a YAML list of scalars (`--recompute-modules: [mla_up_proj, moe_act]`). */
function flagValue(file: YamlFile, node: YamlNode | null): unknown {
  const target = resolveAlias(file, node);
  if (target?.kind !== 'seq') return scalarValue(file, target);
  const items = target.items.map((item) => scalarValue(file, item));
  return items.some((item) => item === undefined) ? undefined : items;
}
