// Built-in model architectures, looked up by id or alias ("deepseek-v3", "Llama-3.1-405B"), and torchtitan's
// flavour tables (a TOML names `[model] name = "llama3"`, `flavor = "405B"`; the dimensions live only in Python,
// FORMATS.md §A.0). Every number is from the model's published config or paper, cited in `source`.

import type { ModelArch } from '../design';
import { normaliseCatalogKey } from './gpus';
import { denseArch, llama3DenseDefaults, llama4Arch, qwen3MoeArch } from './archBuilders';
import { TORCHTITAN_FLAVOURS, TORCHTITAN_V022 } from './torchtitanFlavours';

export interface ModelEntry {
  id: string;
  aliases: string[];
  arch: ModelArch;
  source: string;
}

const DEEPSEEK_V3: ModelArch = {
  name: 'deepseek-v3',
  layers: 61,
  hidden: 7168,
  heads: 128,
  kvHeads: 128,
  headDim: 128,
  ffnHidden: 18432,
  vocab: 129280,
  experts: 256,
  topK: 8,
  expertFfnHidden: 2048,
  sharedExperts: 1,
  denseLayers: 3,
  mtpLayers: 1,
  tiedEmbeddings: false,
  activation: 'swiglu',
  attention: 'mla',
  mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
};

const DEEPSEEK_V2: ModelArch = {
  name: 'deepseek-v2',
  layers: 60,
  hidden: 5120,
  heads: 128,
  kvHeads: 128,
  headDim: 128,
  ffnHidden: 12288,
  vocab: 102400,
  experts: 160,
  topK: 6,
  expertFfnHidden: 1536,
  sharedExperts: 2,
  denseLayers: 1,
  mtpLayers: 0,
  tiedEmbeddings: false,
  activation: 'swiglu',
  attention: 'mla',
  mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
};

function mixtral(name: string, hidden: number, layers: number, heads: number, ffn: number): ModelArch {
  // Mixtral: every layer is MoE, 8 SwiGLU experts of the dense FFN's width, top-2, no shared expert.
  return denseArch({
    name, layers, hidden, heads, kvHeads: 8, ffnHidden: ffn, vocab: 32000,
    experts: 8, topK: 2, expertFfnHidden: ffn,
  });
}

export const MODELS: readonly ModelEntry[] = [
  {
    id: 'gpt3-175b',
    aliases: ['gpt3', 'gpt-3', 'gpt-3-175b', 'gpt3-175', 'gpt-175b'],
    arch: denseArch({
      name: 'gpt3-175b', layers: 96, hidden: 12288, heads: 96, kvHeads: 96, ffnHidden: 4 * 12288, vocab: 50257,
      activation: 'gelu', tiedEmbeddings: true,
    }),
    source:
      'Brown et al. 2020 (arXiv 2005.14165) Table 2.1: n_layers 96, d_model 12288, n_heads 96, d_head 128; FFN 4·d_model ' +
      '(§2.1, as GPT-2); GPT-2 BPE vocabulary 50,257; tied input/output embedding as in Megatron-LM GPT (Narayanan 2021).',
  },
  {
    id: 'llama3-8b',
    aliases: ['llama-3-8b', 'llama3.1-8b', 'llama-3.1-8b', 'meta-llama-3-8b', 'meta-llama-3.1-8b', 'llama3_8b'],
    arch: { ...llama3DenseDefaults('llama3-8b', 4096, 32, 32, 14336) },
    source:
      'meta-llama/Meta-Llama-3.1-8B config.json: hidden 4096, 32 layers, 32 heads, 8 KV heads, intermediate 14336, ' +
      'vocab 128256, untied; same dims as torchtitan llama3 "8B" (dim 4096, ffn_dim_multiplier 1.3, multiple_of 1024 → 14336).',
  },
  {
    id: 'llama3-70b',
    aliases: ['llama-3-70b', 'llama3.1-70b', 'llama-3.1-70b', 'meta-llama-3-70b', 'meta-llama-3.1-70b', 'llama3_70b'],
    arch: { ...llama3DenseDefaults('llama3-70b', 8192, 80, 64, 28672) },
    source:
      'meta-llama/Llama-3.1-70B-Instruct config.json (fixture hf/llama3_1_70b_instruct_config.json): hidden 8192, ' +
      '80 layers, 64 heads, 8 KV heads, intermediate 28672, vocab 128256, untied.',
  },
  {
    id: 'llama3-405b',
    aliases: ['llama-3-405b', 'llama3.1-405b', 'llama-3.1-405b', 'meta-llama-3.1-405b', 'llama3_405b'],
    arch: { ...llama3DenseDefaults('llama3-405b', 16384, 126, 128, 53248) },
    source:
      'Llama 3 paper (arXiv 2407.21783) Table 3: 126 layers, model dim 16,384, FFN 53,248, 128 heads, 8 KV heads, ' +
      'vocab 128,000 (+256 special = 128,256); torchtitan llama3 "405B" (ffn_dim_multiplier 1.2, multiple_of 4096).',
  },
  {
    id: 'mixtral-8x7b',
    aliases: ['mixtral', 'mixtral-8x7b-v0.1', 'mistralai/mixtral-8x7b-v0.1', 'mixtral_8x7b'],
    arch: mixtral('mixtral-8x7b', 4096, 32, 32, 14336),
    source:
      'mistralai/Mixtral-8x7B-v0.1 config.json: hidden 4096, intermediate 14336, 32 layers, 32 heads, 8 KV heads, ' +
      '8 local experts, 2 per token, vocab 32000; Jiang et al. 2024 (arXiv 2401.04088) Table 1.',
  },
  {
    id: 'mixtral-8x22b',
    aliases: ['mixtral-8x22b-v0.1', 'mistralai/mixtral-8x22b-v0.1', 'mixtral_8x22b'],
    arch: mixtral('mixtral-8x22b', 6144, 56, 48, 16384),
    source:
      'mistralai/Mixtral-8x22B-v0.1 config.json: hidden 6144, intermediate 16384, 56 layers, 48 heads, 8 KV heads, ' +
      '8 local experts, 2 per token, vocab 32000 (the later v0.3 tokenizer has 32768).',
  },
  {
    id: 'deepseek-v2',
    aliases: ['deepseek_v2', 'deepseekv2', 'deepseek-v2-236b', 'deepseek-ai/deepseek-v2'],
    arch: DEEPSEEK_V2,
    source:
      'deepseek-ai/DeepSeek-V2 config.json and arXiv 2405.04434 §3.1: 60 layers, hidden 5120, 128 heads, MLA q_lora 1536, ' +
      'kv_lora 512, qk_nope 128, qk_rope 64, v 128; first layer dense (intermediate 12288), then 2 shared + 160 routed ' +
      'experts of 1536, top-6; vocab 102400; 236B total / 21B active. Same as torchtitan deepseek_v3 "236B".',
  },
  {
    id: 'deepseek-v3',
    aliases: ['deepseek_v3', 'deepseekv3', 'deepseek-v3-671b', 'deepseek-ai/deepseek-v3', 'deepseek-v3-base', 'dsv3'],
    arch: DEEPSEEK_V3,
    source:
      'deepseek-ai/DeepSeek-V3 config.json (fixture hf/deepseek_v3_config.json) and arXiv 2412.19437 §4.2: 61 layers, ' +
      'hidden 7168, 128 heads, MLA q_lora 1536, kv_lora 512, qk_nope 128, qk_rope 64, v 128; first 3 layers dense ' +
      '(intermediate 18432), 58 MoE layers of 1 shared + 256 routed experts of 2048, top-8; 1 MTP module; vocab 129280.',
  },
  {
    id: 'qwen3-30b-a3b',
    aliases: ['qwen3-30b', 'qwen/qwen3-30b-a3b', 'qwen3_30b_a3b'],
    arch: qwen3MoeArch('qwen3-30b-a3b', 2048, 48, 32, 6144, 768),
    source:
      'Qwen/Qwen3-30B-A3B config.json and torchtitan qwen3 "30B-A3B" (v0.2.2): hidden 2048, 48 layers, 32 heads, ' +
      '4 KV heads, head_dim 128, 128 experts of 768, top-8, no shared expert, vocab 151936, untied.',
  },
  {
    id: 'qwen3-235b-a22b',
    aliases: ['qwen3-235b', 'qwen/qwen3-235b-a22b', 'qwen3_235b_a22b'],
    arch: qwen3MoeArch('qwen3-235b-a22b', 4096, 94, 64, 12288, 1536),
    source:
      'Qwen/Qwen3-235B-A22B config.json and torchtitan qwen3 "235B-A22B" (v0.2.2): hidden 4096, 94 layers, 64 heads, ' +
      '4 KV heads, head_dim 128, 128 experts of 1536, top-8, no shared expert, vocab 151936, untied.',
  },
  {
    id: 'llama4-scout',
    aliases: ['llama4-17bx16e', 'llama-4-scout', 'llama-4-scout-17b-16e', 'llama4_scout'],
    arch: llama4Arch('llama4-scout', 16, 1),
    source: `torchtitan llama4 "17bx16e" (${TORCHTITAN_V022}): dim 5120, 48 layers, 40 heads, 8 KV heads, ` +
      'ffn_dim_multiplier 1.2, multiple_of 2048, 16 experts top-1 + 1 shared, every layer MoE; vocab 202048.',
  },
  {
    id: 'llama4-maverick',
    aliases: ['llama4-17bx128e', 'llama-4-maverick', 'llama-4-maverick-17b-128e', 'llama4_maverick'],
    arch: llama4Arch('llama4-maverick', 128, 2),
    source: `torchtitan llama4 "17bx128e" (${TORCHTITAN_V022}): dim 5120, 48 layers, 40 heads, 8 KV heads, ` +
      'ffn_dim_multiplier 1.2, multiple_of 2048, 128 experts top-1 + 1 shared on every 2nd layer; vocab 202048.',
  },
];

export function findModel(id: string): ModelEntry | undefined {
  const key = normaliseCatalogKey(id);
  const match = (wanted: string): ModelEntry | undefined => MODELS.find(
    (entry) => normaliseCatalogKey(entry.id) === wanted || entry.aliases.some((alias) => normaliseCatalogKey(alias) === wanted),
  );
  // A Hugging Face repository id ("meta-llama/Llama-3.1-405B") names the model after its organisation.
  const slash = key.lastIndexOf('/');
  return match(key) ?? flavourById(id) ?? (slash >= 0 ? match(key.slice(slash + 1)) : undefined);
}

/** A flavour's own id, "torchtitan/<family>/<flavour>", as the torchtitan readers record it. */
function flavourById(id: string): ModelEntry | undefined {
  const parts = /^\s*torchtitan\/([^/]+)\/([^/]+?)\s*$/i.exec(id);
  return parts ? findFlavour(parts[1]!, parts[2]!) : undefined;
}

/** torchtitan families are spelled "deepseek_v3", "deepseek-v3", "DeepSeekV3": compare without separators. */
function familyKey(family: string): string {
  return family.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

export function findFlavour(family: string, flavour: string): ModelEntry | undefined {
  const table = Object.entries(TORCHTITAN_FLAVOURS).find(([name]) => familyKey(name) === familyKey(family))?.[1];
  if (table === undefined) return undefined;
  const wanted = flavour.trim().toLowerCase();
  return Object.entries(table).find(([name]) => name.toLowerCase() === wanted)?.[1];
}

export { TORCHTITAN_FLAVOURS };
