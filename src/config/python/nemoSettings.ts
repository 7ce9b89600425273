// NeMo 2 recipe names → design fields. NeMo 2 recipes are Python (FORMATS.md A.0 item 2); they set Megatron's
// TransformerConfig/strategy names and the recipe helpers' own parameter names (`tensor_parallelism`).
import type { Node } from 'web-tree-sitter';
import type { FieldPath } from '../../model/design';
import type { SourceRange } from '../../model/problems';
import { isSymbolic } from '../../model/design';
import { describe, parseCount, parseFlag, parseProbability, type DraftBuilder } from '../draft/draftBuilder';
import { precisionOfRecipeName } from '../megatron/precisionRecipes';
import { dottedName } from './literals';
import type { PySetting } from './collect';

type Kind = 'count' | 'flag' | 'vpp' | 'recompute' | 'probability';

/** Where NeMo 2 (`precision_plugin=bf16_with_fp8_mixed()`) and Megatron-Bridge (`mixed_precision="…"`) name a recipe. */
const PRECISION_NAMES: ReadonlySet<string> = new Set(['precision_plugin', 'mixed_precision', 'precision_config']);

const NEMO_NAMES: Record<string, [FieldPath, Kind]> = {
  tensor_model_parallel_size: ['plan.tp', 'count'],
  tensor_parallelism: ['plan.tp', 'count'],
  pipeline_model_parallel_size: ['plan.pp', 'count'],
  pipeline_parallelism: ['plan.pp', 'count'],
  virtual_pipeline_model_parallel_size: ['plan.vpp', 'vpp'],
  virtual_pipeline_parallelism: ['plan.vpp', 'vpp'],
  context_parallel_size: ['plan.cp', 'count'],
  context_parallelism: ['plan.cp', 'count'],
  expert_model_parallel_size: ['plan.ep', 'count'],
  expert_parallelism: ['plan.ep', 'count'],
  expert_tensor_parallel_size: ['plan.etp', 'count'],
  expert_tensor_parallelism: ['plan.etp', 'count'],
  sequence_parallel: ['plan.sequenceParallel', 'flag'],
  sequence_parallelism: ['plan.sequenceParallel', 'flag'],
  micro_batch_size: ['plan.microBatchSize', 'count'],
  global_batch_size: ['plan.globalBatchSize', 'count'],
  seq_length: ['plan.seqLength', 'count'],
  num_nodes: ['cluster.nodes', 'count'],
  num_gpus_per_node: ['cluster.gpusPerNode', 'count'],
  devices: ['cluster.gpusPerNode', 'count'],
  num_layers: ['model.layers', 'count'],
  hidden_size: ['model.hidden', 'count'],
  ffn_hidden_size: ['model.ffnHidden', 'count'],
  num_attention_heads: ['model.heads', 'count'],
  num_query_groups: ['model.kvHeads', 'count'],
  num_moe_experts: ['model.experts', 'count'],
  moe_router_topk: ['model.topK', 'count'],
  moe_ffn_hidden_size: ['model.expertFfnHidden', 'count'],
  mtp_num_layers: ['model.mtpLayers', 'count'],
  recompute_granularity: ['plan.recompute', 'recompute'],
  hidden_dropout: ['model.hiddenDropout', 'probability'],
  attention_dropout: ['model.attentionDropout', 'probability'],
  // NeMo 2's precision plugin (`recipe.trainer.plugins.grad_reduce_in_fp32 = False`), Megatron-Bridge's
  // `cfg.ddp.grad_reduce_in_fp32` / `cfg.mixed_precision.grad_reduce_in_fp32`.
  grad_reduce_in_fp32: ['plan.gradReduceInFp32', 'flag'],
};

export function mapNemoSettings(builder: DraftBuilder, settings: readonly PySetting[], rangeOf: (node: Node) => SourceRange): void {
  for (const setting of settings) {
    const name = setting.path.at(-1) ?? '';
    const key = rangeOf(setting.key);
    const valueRange = rangeOf(setting.value);
    if (PRECISION_NAMES.has(name)) {
      const value = setting.literal.value;
      const recipe = typeof value === 'string' ? value : dottedName(setting.value).at(-1) ?? '';
      const read = precisionOfRecipeName(recipe);
      if (read) {
        builder.set('plan.precision', read.precision, key, valueRange);
        if (read.fp8Recipe) builder.set('plan.fp8Recipe', read.fp8Recipe, key, valueRange);
      } else if (recipe !== '') {
        builder.report('warning', 'precision/unknown-recipe', `${name}: plens does not know the mixed-precision recipe "${recipe}"; the precision is left to the other settings`, valueRange, 'plan.precision');
      }
      continue;
    }
    const rule = NEMO_NAMES[name];
    if (!rule) continue;
    const [field, kind] = rule;
    const value = setting.literal.value;
    if (setting.literal.unknown.length > 0 || isSymbolic(value)) {
      // Kept symbolic; completion reports it once, with what it used instead.
      builder.set(field, { symbolic: setting.value.text.slice(0, 80) }, key, valueRange);
      continue;
    }
    if (kind === 'vpp' && value === null) {
      builder.set(field, 1, key, valueRange);
      continue;
    }
    if (kind === 'recompute') {
      if (value === null) builder.set(field, 'none', key, valueRange);
      else if (value === 'full' || value === 'selective') builder.set(field, value, key, valueRange);
      else builder.report('warning', 'value/invalid', `${name}: expected "full", "selective" or None, got ${describe(value)}.`, valueRange, field);
      continue;
    }
    const parsed = kind === 'flag' ? parseFlag(value) : kind === 'probability' ? parseProbability(value) : parseCount(value);
    if (parsed.ok) builder.set(field, parsed.value, key, valueRange);
    else builder.report('warning', 'value/invalid', `${name}: ${parsed.message}.`, valueRange, field);
  }
}
