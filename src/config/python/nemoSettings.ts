// NeMo 2 recipe names → design fields. NeMo 2 recipes are Python (FORMATS.md A.0 item 2); they set Megatron's
// TransformerConfig/strategy names and the recipe helpers' own parameter names (`tensor_parallelism`).
import type { Node } from 'web-tree-sitter';
import type { FieldPath } from '../../model/design';
import type { SourceRange } from '../../model/problems';
import { isSymbolic } from '../../model/design';
import { describe, parseCount, parseFlag, type DraftBuilder } from '../draft/draftBuilder';
import { dottedName } from './literals';
import type { PySetting } from './collect';

type Kind = 'count' | 'flag' | 'vpp' | 'recompute';

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
};

export function mapNemoSettings(builder: DraftBuilder, settings: readonly PySetting[], rangeOf: (node: Node) => SourceRange): void {
  for (const setting of settings) {
    const name = setting.path.at(-1) ?? '';
    const key = rangeOf(setting.key);
    const valueRange = rangeOf(setting.value);
    if (name === 'precision_plugin') {
      const plugin = dottedName(setting.value).at(-1) ?? '';
      builder.set('plan.precision', plugin.includes('fp8') ? 'fp8' : plugin.startsWith('fp16') ? 'fp16' : 'bf16', key, valueRange);
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
    const parsed = kind === 'flag' ? parseFlag(value) : parseCount(value);
    if (parsed.ok) builder.set(field, parsed.value, key, valueRange);
    else builder.report('warning', 'value/invalid', `${name}: ${parsed.message}.`, valueRange, field);
  }
}
