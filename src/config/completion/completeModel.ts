// The model half of completion: the first layer that sets a field wins, then the catalog entry the design names
// (a model id, a torchtitan flavour, or a model name that is a catalog id), then documented defaults.
import type { AttentionKind, FieldPath, MlaDims, ModelArch } from '../../model/design';
import { findFlavour, findModel, type ModelEntry } from '../../model/catalog/models';
import type { SourceRange } from '../../model/problems';
import type { FormatId } from '../types';
import { howToComplete } from './howToComplete';
import { isBoolean, isNumber, isOneOf, isString, type Resolver } from './layers';

/** Looks an id up as a model id, then as "family:flavour", "family/flavour" or "family flavour" (torchtitan). */
export function findCatalogModel(id: string): ModelEntry | undefined {
  const direct = findModel(id);
  if (direct) return direct;
  const split = /^\s*([^:/\s]+)\s*[:/\s]\s*(\S+)\s*$/.exec(id);
  return split ? findFlavour(split[1]!, split[2]!) : undefined;
}

const isMla = (value: unknown): value is MlaDims =>
  typeof value === 'object' && value !== null && ['qLoraRank', 'kvLoraRank', 'qkNopeHeadDim', 'qkRopeHeadDim', 'vHeadDim'].every((key) => isNumber((value as Record<string, unknown>)[key]));

export function completeModel(resolver: Resolver, modelIdRange: () => SourceRange | undefined, format: FormatId): ModelArch | undefined {
  const modelId = resolver.pick('modelId', isString);
  let entry = modelId !== undefined ? findCatalogModel(modelId) : undefined;
  if (modelId !== undefined && !entry) {
    const problem = { severity: 'error' as const, code: 'model/unknown', field: 'modelId', message: `"${modelId}" is not a model plens knows; run \`plens catalog models\` for the list, or give the model's fields inline` };
    const range = modelIdRange();
    resolver.problems.push(range ? { ...problem, range } : problem);
  }
  const name = resolver.pick('model.name', isString);
  if (!entry && name !== undefined) entry = findCatalogModel(name);
  const base = entry?.arch;
  const catalogDetail = entry ? `catalog model ${entry.id}` : '';

  const number = (path: FieldPath & `model.${string}`, key: keyof ModelArch): number | undefined => {
    const value = resolver.pick(path, isNumber);
    if (value !== undefined) return value;
    const fromCatalog = base?.[key];
    return isNumber(fromCatalog) ? resolver.fill(path, fromCatalog, 'catalog', catalogDetail) : undefined;
  };

  const layers = number('model.layers', 'layers');
  const hidden = number('model.hidden', 'hidden');
  const heads = number('model.heads', 'heads');
  const missing = [layers === undefined && 'layers', hidden === undefined && 'hidden', heads === undefined && 'heads'].filter(Boolean);
  if (layers === undefined || hidden === undefined || heads === undefined) {
    const nothing = missing.length === 3 && modelId === undefined;
    resolver.problems.push({
      severity: 'error',
      code: nothing ? 'model/missing' : 'model/incomplete',
      message: nothing
        ? `the file does not say which model it trains; ${howToComplete(format, ['model'])}`
        : `the model lacks ${missing.join(', ')}; give them in the file, a plens directive or the model's config.json`,
    });
    return undefined;
  }

  const orDefault = (path: FieldPath & `model.${string}`, key: keyof ModelArch, fallback: number, detail: string): number =>
    number(path, key) ?? resolver.fill(path, fallback, 'default', detail);

  const kvHeads = orDefault('model.kvHeads', 'kvHeads', heads, 'one KV head per attention head (MHA)');
  const headDim = number('model.headDim', 'headDim') ?? resolver.fill('model.headDim', Math.max(1, Math.floor(hidden / heads)), 'derived', 'hidden / heads');
  const ffnHidden = number('model.ffnHidden', 'ffnHidden') ?? assumed(resolver, 'model.ffnHidden', 4 * hidden, '4 × hidden (GPT MLP width)');
  const vocab = number('model.vocab', 'vocab') ?? assumed(resolver, 'model.vocab', 32000, 'the Llama-2 / Mixtral vocabulary');
  const experts = orDefault('model.experts', 'experts', 0, 'dense model');
  const topK = number('model.topK', 'topK') ?? (experts > 0 ? assumed(resolver, 'model.topK', Math.min(2, experts), 'top-2 routing') : resolver.fill('model.topK', 0, 'default', 'dense model'));
  const expertFfnHidden = number('model.expertFfnHidden', 'expertFfnHidden') ??
    resolver.fill('model.expertFfnHidden', experts > 0 ? ffnHidden : 0, experts > 0 ? 'derived' : 'default', experts > 0 ? 'experts as wide as the dense MLP (Mixtral)' : 'dense model');
  const sharedExperts = orDefault('model.sharedExperts', 'sharedExperts', 0, 'no shared expert');
  const denseLayers = orDefault('model.denseLayers', 'denseLayers', 0, 'every layer MoE when the model has experts');
  const mtpLayers = orDefault('model.mtpLayers', 'mtpLayers', 0, 'no multi-token prediction');
  const tiedEmbeddings = resolver.pick('model.tiedEmbeddings', isBoolean) ??
    resolver.fill('model.tiedEmbeddings', base?.tiedEmbeddings ?? false, base ? 'catalog' : 'default', base ? catalogDetail : 'separate LM head');
  const activation = resolver.pick('model.activation', isOneOf(['swiglu', 'gelu'] as const)) ??
    resolver.fill('model.activation', base?.activation ?? 'swiglu', base ? 'catalog' : 'default', base ? catalogDetail : 'SwiGLU, as every recent LLM');
  const mla = resolver.pick('model.mla', isMla) ?? (base?.mla ? resolver.fill('model.mla', base.mla, 'catalog', catalogDetail) : undefined);
  const attention: AttentionKind = resolver.pick('model.attention', isOneOf(['mha', 'gqa', 'mla'] as const)) ??
    resolver.fill('model.attention', mla ? 'mla' : kvHeads < heads ? 'gqa' : 'mha', 'derived', 'from the KV heads and MLA dimensions');
  const modelName = name ?? resolver.fill('model.name', entry?.id ?? modelId ?? 'custom', entry ? 'catalog' : 'default', catalogDetail || 'unnamed model');

  const hiddenDropout = number('model.hiddenDropout', 'hiddenDropout') ?? resolver.fill('model.hiddenDropout', ...eraDropout(activation, format));
  const attentionDropout = number('model.attentionDropout', 'attentionDropout') ??
    resolver.fill('model.attentionDropout', hiddenDropout, 'derived', 'as the hidden dropout');

  const arch: ModelArch = {
    name: modelName, layers, hidden, heads, kvHeads, headDim, ffnHidden, vocab, experts, topK, expertFfnHidden,
    sharedExperts, denseLayers, mtpLayers, tiedEmbeddings, activation, attention, hiddenDropout, attentionDropout,
  };
  const interval = resolver.pick('model.moeLayerInterval', isNumber) ?? base?.moeLayerInterval;
  if (interval !== undefined) arch.moeLayerInterval = interval;
  if (mla) arch.mla = mla;
  if (attention === 'mla' && !mla) {
    resolver.problems.push({ severity: 'error', code: 'model/incomplete', field: 'model.mla', message: 'MLA attention needs qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim and vHeadDim' });
    return undefined;
  }
  return arch;
}

/**
 * The dropout of a model whose files do not state it: torchtitan's models have no dropout layers; otherwise GPT-era
 * GeLU models trained with 0.1 (GPT-3, Megatron's default) and SwiGLU ones without.
 */
function eraDropout(activation: ModelArch['activation'], format: FormatId): [number, 'default', string] {
  if (format === 'torchtitan-toml' || format === 'torchtitan-python') return [0, 'default', 'torchtitan\'s models have no dropout'];
  return activation === 'gelu' ? [0.1, 'default', 'GeLU (GPT-era) models trained with dropout 0.1'] : [0, 'default', 'SwiGLU models train without dropout'];
}

const MODEL_NUMBERS = [
  'layers', 'hidden', 'heads', 'kvHeads', 'headDim', 'ffnHidden', 'vocab', 'experts', 'topK', 'expertFfnHidden', 'sharedExperts', 'denseLayers',
  'moeLayerInterval', 'mtpLayers', 'hiddenDropout', 'attentionDropout',
] as const;

/**
 * The model as far as the layers state it, without catalog entries or defaults: what `estimate --json` shows when
 * the file does not say enough to estimate (a DeepSpeed JSON names no model at all), each value with its origin.
 */
export function modelAsRead(resolver: Resolver): Partial<ModelArch> {
  const model: Partial<ModelArch> = {};
  const name = resolver.pick('model.name', isString);
  if (name !== undefined) model.name = name;
  for (const key of MODEL_NUMBERS) {
    const value = resolver.pick(`model.${key}`, isNumber);
    if (value !== undefined) model[key] = value;
  }
  const tiedEmbeddings = resolver.pick('model.tiedEmbeddings', isBoolean);
  if (tiedEmbeddings !== undefined) model.tiedEmbeddings = tiedEmbeddings;
  const activation = resolver.pick('model.activation', isOneOf(['swiglu', 'gelu'] as const));
  if (activation !== undefined) model.activation = activation;
  const attention = resolver.pick('model.attention', isOneOf(['mha', 'gqa', 'mla'] as const));
  if (attention !== undefined) model.attention = attention;
  const mla = resolver.pick('model.mla', isMla);
  if (mla !== undefined) model.mla = mla;
  return model;
}

/** A default that changes the numbers noticeably: recorded and said aloud as an info problem. */
export function assumed<T>(resolver: Resolver, path: FieldPath, value: T, why: string): T {
  resolver.problems.push({ severity: 'info', code: 'value/defaulted', field: path, message: `${path} is not set anywhere; assumed ${JSON.stringify(value)} (${why})` });
  return resolver.fill(path, value, 'default', why);
}
