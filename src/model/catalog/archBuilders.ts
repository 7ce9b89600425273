// Builders for model architectures that follow a family's sizing rules, so catalog entries state only what the
// published config states (torchtitan derives FFN widths from dim, ffn_dim_multiplier and multiple_of).

import type { MlaDims, ModelArch } from '../design';

type RequiredArchFields = Pick<ModelArch, 'name' | 'layers' | 'hidden' | 'heads' | 'kvHeads' | 'ffnHidden' | 'vocab'>;

/** A model with no MoE and no MTP; `fields` overrides any default. */
export function denseArch(fields: RequiredArchFields & Partial<ModelArch>): ModelArch {
  return {
    headDim: fields.hidden / fields.heads,
    experts: 0,
    topK: 0,
    expertFfnHidden: 0,
    sharedExperts: 0,
    denseLayers: 0,
    mtpLayers: 0,
    tiedEmbeddings: false,
    activation: 'swiglu',
    attention: fields.kvHeads === fields.heads ? 'mha' : 'gqa',
    ...fields,
  };
}

/**
 * SwiGLU width rule of Llama (torchtitan `FeedForward.__init__`, v0.2.2): start from 4·dim, take 2/3, scale by
 * ffn_dim_multiplier, round up to multiple_of. Python's int() truncates; every value here is positive.
 */
export function llamaFfnHidden(dim: number, multipleOf: number, ffnDimMultiplier: number | null): number {
  let hidden = Math.trunc((2 * 4 * dim) / 3);
  if (ffnDimMultiplier !== null) hidden = Math.trunc(ffnDimMultiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/**
 * Llama 4 expert width (torchtitan llama4 `TransformerBlock`, v0.2.2, auto_scale_hidden_dim): the Llama rule before
 * rounding, divided by top_k + shared experts so that active FFN work matches one dense FFN, then rounded up.
 */
export function llama4ExpertFfnHidden(
  dim: number,
  multipleOf: number,
  ffnDimMultiplier: number | null,
  activeExpertsPerToken: number,
): number {
  let hidden = Math.trunc((2 * 4 * dim) / 3);
  if (ffnDimMultiplier !== null) hidden = Math.trunc(ffnDimMultiplier * hidden);
  hidden = Math.trunc(hidden / activeExpertsPerToken);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** Llama 3 dense model: 8 KV heads, head dim 128, vocab 128256, untied (Llama 3 paper Table 3). */
export function llama3DenseDefaults(name: string, hidden: number, layers: number, heads: number, ffn: number): ModelArch {
  return denseArch({ name, layers, hidden, heads, kvHeads: 8, ffnHidden: ffn, vocab: 128256 });
}

/** Llama 4 17B-active models (torchtitan llama4 "17bx16e" / "17bx128e"): dim 5120, 48 layers, 40 heads, 8 KV. */
export function llama4Arch(name: string, experts: number, moeLayerInterval: number): ModelArch {
  const dim = 5120;
  return denseArch({
    name, layers: 48, hidden: dim, heads: 40, kvHeads: 8, vocab: 202048,
    ffnHidden: llamaFfnHidden(dim, 2048, 1.2),
    experts, topK: 1, sharedExperts: 1,
    expertFfnHidden: llama4ExpertFfnHidden(dim, 2048, 1.2, 1 + 1),
    moeLayerInterval,
  });
}

/** Qwen3 MoE: head_dim 128 (not hidden/heads), 4 KV heads, 128 experts top-8, no shared expert, vocab 151936. */
export function qwen3MoeArch(
  name: string, hidden: number, layers: number, heads: number, ffn: number, expertFfn: number,
): ModelArch {
  return denseArch({
    name, layers, hidden, heads, kvHeads: 4, headDim: 128, ffnHidden: ffn, vocab: 151936,
    experts: 128, topK: 8, expertFfnHidden: expertFfn,
  });
}

/** DeepSeek MLA model (torchtitan `DeepSeekV3ModelArgs`); q_lora_rank 0 means a plain query projection. */
export function deepseekArch(fields: RequiredArchFields & Partial<ModelArch> & { mla: MlaDims }): ModelArch {
  return denseArch({ headDim: fields.mla.vHeadDim, attention: 'mla', ...fields });
}
