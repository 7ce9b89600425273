// torchtitan's model flavours as of tag v0.2.2 (the last release that reads TOML, FORMATS.md §A.0), read from
// `torchtitan/models/<family>/__init__.py` and the `*ModelArgs` defaults in `model/args.py`. torchtitan's DeepSeek
// model at v0.2.2 has no MTP module, so its "671B" builds mtpLayers = 0 (the paper's model has 1).

import type { ModelArch } from '../design';
import { deepseekArch, denseArch, llama4Arch, llama4ExpertFfnHidden, llamaFfnHidden } from './archBuilders';

export const TORCHTITAN_V022 = 'pytorch/torchtitan v0.2.2 (73a0e6979dd10b6b1904098eb3c8f62c18ab87ce)';

interface FlavourEntry {
  id: string;
  aliases: string[];
  arch: ModelArch;
  source: string;
}

function flavour(family: string, name: string, arch: ModelArch, detail: string): FlavourEntry {
  return {
    id: `torchtitan/${family}/${name}`,
    aliases: [],
    arch,
    source: `${TORCHTITAN_V022} torchtitan/models/${family}/__init__.py flavour "${name}": ${detail}`,
  };
}

/** Llama 3 flavours: n_kv_heads defaults to n_heads, vocab_size 128256, multiple_of 256 (llama3/model/args.py). */
function llama3(name: string, dim: number, layers: number, heads: number, kvHeads: number, vocab: number,
  multipleOf: number, multiplier: number | null): ModelArch {
  return denseArch({
    name, layers, hidden: dim, heads, kvHeads, vocab, ffnHidden: llamaFfnHidden(dim, multipleOf, multiplier),
  });
}

const LLAMA3: Record<string, FlavourEntry> = {
  debugmodel: flavour('llama3', 'debugmodel', llama3('llama3-debugmodel', 256, 6, 16, 16, 2048, 256, null),
    'dim 256, 6 layers, 16 heads, vocab 2048 (FFN 768 by the multiple_of 256 rule)'),
  '8B': flavour('llama3', '8B', llama3('llama3-8b', 4096, 32, 32, 8, 128256, 1024, 1.3),
    'dim 4096, 32 layers, 32 heads, 8 KV, ffn_dim_multiplier 1.3, multiple_of 1024'),
  '70B': flavour('llama3', '70B', llama3('llama3-70b', 8192, 80, 64, 8, 128256, 4096, 1.3),
    'dim 8192, 80 layers, 64 heads, 8 KV, ffn_dim_multiplier 1.3, multiple_of 4096'),
  '405B': flavour('llama3', '405B', llama3('llama3-405b', 16384, 126, 128, 8, 128256, 4096, 1.2),
    'dim 16384, 126 layers, 128 heads, 8 KV, ffn_dim_multiplier 1.2, multiple_of 4096'),
};
for (const variant of ['flex', 'varlen']) {
  const base = LLAMA3['8B'];
  if (base) LLAMA3[`8B_${variant}`] = { ...base, id: `torchtitan/llama3/8B_${variant}` };
}
for (const variant of ['debugmodel_flex_attn', 'debugmodel_varlen_attn']) {
  const base = LLAMA3.debugmodel;
  if (base) LLAMA3[variant] = { ...base, id: `torchtitan/llama3/${variant}` };
}

const MLA_V3_DIMS = { kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 };

const DEEPSEEK_V3: Record<string, FlavourEntry> = {
  debugmodel: flavour('deepseek_v3', 'debugmodel', deepseekArch({
    name: 'deepseek_v3-debugmodel', layers: 6, hidden: 256, heads: 16, kvHeads: 16, ffnHidden: 1024, vocab: 2048,
    experts: 8, topK: 3, sharedExperts: 2, expertFfnHidden: 256, denseLayers: 1, mla: { qLoraRank: 0, ...MLA_V3_DIMS },
  }), 'dim 256, 6 layers (1 dense), 16 heads, 8 experts top-3 + 2 shared of 256, q_lora_rank 0, vocab 2048'),
  '16B': flavour('deepseek_v3', '16B', deepseekArch({
    name: 'deepseek_v3-16b', layers: 27, hidden: 2048, heads: 16, kvHeads: 16, ffnHidden: 10944, vocab: 102400,
    experts: 64, topK: 6, sharedExperts: 2, expertFfnHidden: 1408, denseLayers: 1, mla: { qLoraRank: 0, ...MLA_V3_DIMS },
  }), 'dim 2048, 27 layers (1 dense, inter 10944), 16 heads, 64 experts top-6 + 2 shared of 1408, q_lora_rank 0, vocab 102400'),
  '236B': flavour('deepseek_v3', '236B', deepseekArch({
    name: 'deepseek_v3-236b', layers: 60, hidden: 5120, heads: 128, kvHeads: 128, ffnHidden: 12288, vocab: 102400,
    experts: 160, topK: 6, sharedExperts: 2, expertFfnHidden: 1536, denseLayers: 1, mla: { qLoraRank: 1536, ...MLA_V3_DIMS },
  }), 'dim 5120, 60 layers (1 dense, inter 12288), 128 heads, 160 experts top-6 + 2 shared of 1536, q_lora_rank 1536'),
  '671B': flavour('deepseek_v3', '671B', deepseekArch({
    name: 'deepseek_v3-671b', layers: 61, hidden: 7168, heads: 128, kvHeads: 128, ffnHidden: 18432, vocab: 129280,
    experts: 256, topK: 8, sharedExperts: 1, expertFfnHidden: 2048, denseLayers: 3, mla: { qLoraRank: 1536, ...MLA_V3_DIMS },
  }), 'dim 7168, 61 layers (3 dense, inter 18432), 128 heads, 256 experts top-8 + 1 shared of 2048, vocab 129280; no MTP'),
};
for (const [variant, baseName] of [['debugmodel_flex_attn', 'debugmodel']] as const) {
  const base = DEEPSEEK_V3[baseName];
  if (base) DEEPSEEK_V3[variant] = { ...base, id: `torchtitan/deepseek_v3/${variant}` };
}

/** llama4 debugmodel: MoEArgs defaults (8 experts, top-1, 1 shared), interleave step 2, multiple_of 256. */
const LLAMA4_DEBUG: ModelArch = denseArch({
  name: 'llama4-debugmodel', layers: 6, hidden: 256, heads: 16, kvHeads: 16, vocab: 2048,
  ffnHidden: llamaFfnHidden(256, 256, null),
  experts: 8, topK: 1, sharedExperts: 1, expertFfnHidden: llama4ExpertFfnHidden(256, 256, null, 2), moeLayerInterval: 2,
});

const LLAMA4: Record<string, FlavourEntry> = {
  debugmodel: flavour('llama4', 'debugmodel', LLAMA4_DEBUG,
    'dim 256, 6 layers, 16 heads, vocab 2048; MoEArgs defaults 8 experts top-1 + 1 shared on every 2nd layer'),
  '17bx16e': flavour('llama4', '17bx16e', llama4Arch('llama4-17bx16e', 16, 1),
    'dim 5120, 48 layers, 40 heads, 8 KV, ffn_dim_multiplier 1.2, multiple_of 2048, 16 experts, interleave step 1'),
  '17bx128e': flavour('llama4', '17bx128e', llama4Arch('llama4-17bx128e', 128, 2),
    'dim 5120, 48 layers, 40 heads, 8 KV, ffn_dim_multiplier 1.2, multiple_of 2048, 128 experts, interleave step 2'),
};
for (const [variant, baseName] of [['debugmodel_irope', 'debugmodel'], ['17bx16e_irope', '17bx16e'],
  ['17bx128e_irope', '17bx128e']] as const) {
  const base = LLAMA4[baseName];
  if (base) LLAMA4[variant] = { ...base, id: `torchtitan/llama4/${variant}` };
}

function qwen3(name: string, dim: number, layers: number, heads: number, kvHeads: number, ffn: number,
  tied: boolean, vocab = 151936, moe?: { experts: number; expertFfn: number }): ModelArch {
  return denseArch({
    name, layers, hidden: dim, heads, kvHeads, headDim: 128, ffnHidden: ffn, vocab, tiedEmbeddings: tied,
    ...(moe ? { experts: moe.experts, topK: 8, expertFfnHidden: moe.expertFfn } : {}),
  });
}

const QWEN3: Record<string, FlavourEntry> = {
  debugmodel: flavour('qwen3', 'debugmodel', qwen3('qwen3-debugmodel', 256, 8, 16, 8, 3072, true, 2048),
    'dim 256, 8 layers, 16 heads, 8 KV, head_dim 128, hidden 3072, tied, vocab 2048'),
  '0.6B': flavour('qwen3', '0.6B', qwen3('qwen3-0.6b', 1024, 28, 16, 8, 3072, true), 'dim 1024, 28 layers, tied'),
  '1.7B': flavour('qwen3', '1.7B', qwen3('qwen3-1.7b', 2048, 28, 16, 8, 6144, true), 'dim 2048, 28 layers, tied'),
  '4B': flavour('qwen3', '4B', qwen3('qwen3-4b', 2560, 36, 32, 8, 9728, true), 'dim 2560, 36 layers, tied'),
  '8B': flavour('qwen3', '8B', qwen3('qwen3-8b', 4096, 36, 32, 8, 12288, false), 'dim 4096, 36 layers'),
  '14B': flavour('qwen3', '14B', qwen3('qwen3-14b', 5120, 40, 40, 8, 17408, false), 'dim 5120, 40 layers'),
  '32B': flavour('qwen3', '32B', qwen3('qwen3-32b', 5120, 64, 64, 8, 25600, false), 'dim 5120, 64 layers'),
  debugmodel_moe: flavour('qwen3', 'debugmodel_moe',
    qwen3('qwen3-debugmodel-moe', 256, 8, 16, 8, 3072, false, 2048, { experts: 64, expertFfn: 768 }),
    'dim 256, 8 layers, 64 experts top-8 of 768, vocab 2048'),
  '30B-A3B': flavour('qwen3', '30B-A3B',
    qwen3('qwen3-30b-a3b', 2048, 48, 32, 4, 6144, false, 151936, { experts: 128, expertFfn: 768 }),
    'dim 2048, 48 layers, 32 heads, 4 KV, 128 experts top-8 of 768'),
  '235B-A22B': flavour('qwen3', '235B-A22B',
    qwen3('qwen3-235b-a22b', 4096, 94, 64, 4, 12288, false, 151936, { experts: 128, expertFfn: 1536 }),
    'dim 4096, 94 layers, 64 heads, 4 KV, 128 experts top-8 of 1536'),
};

/** family → flavour → entry, spelled as torchtitan spells them (`[model] name` and `flavor`). */
export const TORCHTITAN_FLAVOURS: Readonly<Record<string, Readonly<Record<string, FlavourEntry>>>> = {
  llama3: LLAMA3,
  deepseek_v3: DEEPSEEK_V3,
  llama4: LLAMA4,
  qwen3: QWEN3,
};
