// Reader for Hugging Face `config.json` (Llama, Mixtral, Qwen-MoE, DeepSeek-V2/V3) and DeepSeek's own inference
// config (`config_671B.json`). It gives model fields only; the same concept has several spellings (FORMATS.md A.6),
// so each field lists its aliases in the order they are tried.
import type { FieldPath, MlaDims } from '../../model/design';
import { DraftBuilder, parseCount, parseProbability } from '../draft/draftBuilder';
import { jsonEntries, jsonScalar, parseJson, type JsonEntry, type JsonFile } from './jsonTree';
import type { ReadResult } from '../types';

const FIELDS: { path: FieldPath; keys: string[]; min: number }[] = [
  { path: 'model.layers', keys: ['num_hidden_layers', 'n_layers', 'n_layer', 'num_layers'], min: 1 },
  { path: 'model.hidden', keys: ['hidden_size', 'dim', 'n_embd', 'd_model'], min: 1 },
  { path: 'model.heads', keys: ['num_attention_heads', 'n_heads', 'n_head'], min: 1 },
  { path: 'model.kvHeads', keys: ['num_key_value_heads', 'n_kv_heads'], min: 1 },
  { path: 'model.headDim', keys: ['head_dim'], min: 1 },
  { path: 'model.ffnHidden', keys: ['intermediate_size', 'inter_dim', 'n_inner', 'ffn_dim'], min: 1 },
  { path: 'model.vocab', keys: ['vocab_size'], min: 1 },
  { path: 'model.experts', keys: ['n_routed_experts', 'num_local_experts', 'num_experts'], min: 0 },
  { path: 'model.topK', keys: ['num_experts_per_tok', 'n_activated_experts', 'moe_topk'], min: 0 },
  { path: 'model.expertFfnHidden', keys: ['moe_intermediate_size', 'moe_inter_dim'], min: 0 },
  { path: 'model.sharedExperts', keys: ['n_shared_experts', 'num_shared_experts'], min: 0 },
  { path: 'model.denseLayers', keys: ['first_k_dense_replace', 'n_dense_layers'], min: 0 },
  { path: 'model.mtpLayers', keys: ['num_nextn_predict_layers'], min: 0 },
];

const MLA_KEYS: Record<keyof MlaDims, string> = {
  qLoraRank: 'q_lora_rank', kvLoraRank: 'kv_lora_rank', qkNopeHeadDim: 'qk_nope_head_dim', qkRopeHeadDim: 'qk_rope_head_dim', vHeadDim: 'v_head_dim',
};

/** A model config has layers, width and heads under one of their spellings, and no training keys. */
function isModelConfig(keys: Map<string, JsonEntry>): boolean {
  const has = (names: string[]) => names.some((name) => keys.has(name));
  return has(FIELDS[0]!.keys) && has(FIELDS[1]!.keys) && has(FIELDS[2]!.keys) && !keys.has('train_batch_size') && !keys.has('train_micro_batch_size_per_gpu');
}

export function readHfConfig(text: string, _fileName: string): ReadResult | undefined {
  const file = parseJson(text);
  if (!file.root || file.root.type !== 'object') return undefined;
  const keys = new Map(jsonEntries(file, file.root).map((entry) => [entry.key, entry]));
  if (!isModelConfig(keys)) return undefined;
  const builder = new DraftBuilder();
  for (const field of FIELDS) {
    const entry = field.keys.map((key) => keys.get(key)).find((found) => found !== undefined && jsonScalar(file, found) !== null);
    if (entry) setCount(builder, file, field.path, entry, field.min);
  }
  // Mixtral's experts are as wide as its dense MLP: `intermediate_size` serves both (FORMATS.md A.6).
  if (!builder.has('model.expertFfnHidden') && keys.has('num_local_experts') && builder.has('model.ffnHidden')) {
    const ffn = builder.sourceMap.get('model.ffnHidden')!;
    builder.set('model.expertFfnHidden', builder.draft.model.ffnHidden, ffn.key, ffn.value);
  }
  const sharedWidth = keys.get('shared_expert_intermediate_size');
  if (sharedWidth && !builder.has('model.sharedExperts') && typeof jsonScalar(file, sharedWidth) === 'number' && (jsonScalar(file, sharedWidth) as number) > 0) {
    builder.set('model.sharedExperts', 1, sharedWidth.keyRange, sharedWidth.valueRange);
  }
  readMoeFrequency(builder, file, keys.get('moe_layer_freq'));
  readFlags(builder, file, keys);
  readDropout(builder, file, keys);
  readMla(builder, file, keys);
  const name = keys.get('_name_or_path') ?? keys.get('model_type');
  const nameValue = name ? jsonScalar(file, name) : undefined;
  if (name && typeof nameValue === 'string' && nameValue.trim() !== '') builder.set('model.name', nameValue.trim(), name.keyRange, name.valueRange);
  return builder.result('hf-config-json', file.problems);
}

function setCount(builder: DraftBuilder, file: JsonFile, path: FieldPath, entry: JsonEntry, min: number): void {
  const parsed = parseCount(jsonScalar(file, entry), min);
  if (parsed.ok) builder.set(path, parsed.value, entry.keyRange, entry.valueRange);
  else builder.report('error', 'value/invalid', `${entry.key}: ${parsed.message}`, entry.valueRange, path);
}

/** DeepSeek's `moe_layer_freq`: every n-th layer after the dense prefix is MoE (1 = all). */
function readMoeFrequency(builder: DraftBuilder, file: JsonFile, entry: JsonEntry | undefined): void {
  const value = entry ? jsonScalar(file, entry) : undefined;
  if (entry && typeof value === 'number' && Number.isInteger(value) && value > 1) builder.set('model.moeLayerInterval', value, entry.keyRange, entry.valueRange);
}

function readFlags(builder: DraftBuilder, file: JsonFile, keys: Map<string, JsonEntry>): void {
  const tie = keys.get('tie_word_embeddings');
  if (tie && typeof jsonScalar(file, tie) === 'boolean') builder.set('model.tiedEmbeddings', jsonScalar(file, tie), tie.keyRange, tie.valueRange);
  const act = keys.get('hidden_act') ?? keys.get('activation_function');
  const actValue = act ? jsonScalar(file, act) : undefined;
  if (act && typeof actValue === 'string') {
    // Llama-family configs name the gate's activation (silu) of a 3-matrix gated MLP; GPT-style ones a plain GELU.
    const lower = actValue.toLowerCase();
    if (lower === 'silu' || lower === 'swiglu' || lower === 'swish') builder.set('model.activation', 'swiglu', act.keyRange, act.valueRange);
    else if (lower.startsWith('gelu')) builder.set('model.activation', 'gelu', act.keyRange, act.valueRange);
  }
}

/**
 * Dropout probabilities by their spellings: GPT-NeoX and Falcon `hidden_dropout` / `attention_dropout`, GPT-2
 * `resid_pdrop` / `attn_pdrop`, BERT-style `*_dropout_prob`. Llama-family configs state only `attention_dropout`
 * (their layers have no hidden dropout), so the hidden one is then left to completion.
 */
const DROPOUT_FIELDS: { path: FieldPath; keys: string[] }[] = [
  { path: 'model.hiddenDropout', keys: ['hidden_dropout', 'resid_pdrop', 'hidden_dropout_prob'] },
  { path: 'model.attentionDropout', keys: ['attention_dropout', 'attn_pdrop', 'attention_probs_dropout_prob'] },
];

function readDropout(builder: DraftBuilder, file: JsonFile, keys: Map<string, JsonEntry>): void {
  for (const field of DROPOUT_FIELDS) {
    const entry = field.keys.map((key) => keys.get(key)).find((found) => found !== undefined && jsonScalar(file, found) !== null);
    if (!entry) continue;
    const parsed = parseProbability(jsonScalar(file, entry));
    if (parsed.ok) builder.set(field.path, parsed.value, entry.keyRange, entry.valueRange);
    else builder.report('error', 'value/invalid', `${entry.key}: ${parsed.message}`, entry.valueRange, field.path);
  }
}

function readMla(builder: DraftBuilder, file: JsonFile, keys: Map<string, JsonEntry>): void {
  const kv = keys.get('kv_lora_rank');
  if (!kv || typeof jsonScalar(file, kv) !== 'number') return;
  const dims: Partial<MlaDims> = {};
  for (const [field, key] of Object.entries(MLA_KEYS) as [keyof MlaDims, string][]) {
    const entry = keys.get(key);
    const value = entry ? jsonScalar(file, entry) : undefined;
    // DeepSeek-V2-Lite has q_lora_rank null: queries are not compressed.
    if (field === 'qLoraRank' && (value === null || value === undefined)) dims.qLoraRank = 0;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) dims[field] = value;
  }
  const missing = (Object.keys(MLA_KEYS) as (keyof MlaDims)[]).filter((field) => dims[field] === undefined);
  if (missing.length > 0) {
    builder.report('error', 'model/incomplete', `multi-latent attention needs ${missing.map((field) => MLA_KEYS[field]).join(', ')}`, kv.keyRange, 'model.mla');
    return;
  }
  builder.set('model.attention', 'mla', kv.keyRange, kv.valueRange);
  builder.set('model.mla', dims as MlaDims, kv.keyRange, kv.valueRange);
  // MLA has no KV-head grouping: every head has its own latent-derived key and value.
  if (!builder.has('model.kvHeads') && builder.has('model.heads')) {
    const heads = builder.sourceMap.get('model.heads')!;
    builder.set('model.kvHeads', builder.draft.model.heads, heads.key, heads.value);
  }
}
