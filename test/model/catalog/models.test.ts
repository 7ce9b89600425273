import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { llama4ExpertFfnHidden, llamaFfnHidden } from '../../../src/model/catalog/archBuilders';
import { findFlavour, findModel, MODELS } from '../../../src/model/catalog/models';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/catalog', name), 'utf8')) as Record<string, unknown>;

describe('model catalog lookup', () => {
  it('finds models by id and alias, ignoring case and separators', () => {
    expect(findModel('deepseek_v3')?.id).toBe('deepseek-v3');
    expect(findModel('DeepSeek-V3')?.id).toBe('deepseek-v3');
    expect(findModel('Llama-3.1-405B')?.id).toBe('llama3-405b');
    expect(findModel('llama3.1-70b')?.id).toBe('llama3-70b');
    expect(findModel('GPT-3')?.id).toBe('gpt3-175b');
    expect(findModel('Mixtral-8x7B')?.id).toBe('mixtral-8x7b');
    expect(findModel('qwen3-235b-a22b')?.id).toBe('qwen3-235b-a22b');
    expect(findModel('llama-4-maverick')?.id).toBe('llama4-maverick');
    expect(findModel('meta-llama/Llama-3.1-405B')?.id).toBe('llama3-405b');
    expect(findModel('deepseek-ai/DeepSeek-V3')?.id).toBe('deepseek-v3');
    expect(findModel('gpt-5')).toBeUndefined();
    expect(findModel('someone/gpt-5')).toBeUndefined();
  });

  it('has at least the required models, each with a source and unique id', () => {
    const ids = MODELS.map((entry) => entry.id);
    for (const id of ['gpt3-175b', 'llama3-8b', 'llama3-70b', 'llama3-405b', 'mixtral-8x7b', 'mixtral-8x22b',
      'deepseek-v2', 'deepseek-v3', 'qwen3-30b-a3b', 'qwen3-235b-a22b']) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of MODELS) expect(entry.source.length).toBeGreaterThan(40);
  });
});

describe('catalog entries against published configs', () => {
  it('DeepSeek-V3 equals its Hugging Face config.json', () => {
    const hf = fixture('deepseek_v3_config.json');
    const arch = findModel('deepseek-v3')?.arch;
    expect(arch).toMatchObject({
      layers: hf.num_hidden_layers, hidden: hf.hidden_size, heads: hf.num_attention_heads,
      ffnHidden: hf.intermediate_size, expertFfnHidden: hf.moe_intermediate_size, experts: hf.n_routed_experts,
      topK: hf.num_experts_per_tok, sharedExperts: hf.n_shared_experts, denseLayers: hf.first_k_dense_replace,
      mtpLayers: hf.num_nextn_predict_layers, vocab: hf.vocab_size, tiedEmbeddings: hf.tie_word_embeddings,
      attention: 'mla',
      mla: { qLoraRank: hf.q_lora_rank, kvLoraRank: hf.kv_lora_rank, qkNopeHeadDim: hf.qk_nope_head_dim,
        qkRopeHeadDim: hf.qk_rope_head_dim, vHeadDim: hf.v_head_dim },
    });
    // The brief's numbers, stated literally as well: 61 / 7168 / 128 / 1536 / 512 / 128 / 64 / 128 / 18432 / 2048.
    expect(arch?.layers).toBe(61);
    expect(arch?.vocab).toBe(129280);
  });

  it('Llama 3.1 70B equals its Hugging Face config.json', () => {
    const hf = fixture('llama3_1_70b_instruct_config.json');
    expect(findModel('llama3-70b')?.arch).toMatchObject({
      layers: hf.num_hidden_layers, hidden: hf.hidden_size, heads: hf.num_attention_heads,
      kvHeads: hf.num_key_value_heads, ffnHidden: hf.intermediate_size, vocab: hf.vocab_size,
      tiedEmbeddings: hf.tie_word_embeddings, headDim: 128, attention: 'gqa', activation: 'swiglu', experts: 0,
    });
  });

  it('GPT-3 175B is an MHA GeLU model with 128-wide heads (Brown et al. Table 2.1)', () => {
    expect(findModel('gpt3-175b')?.arch).toMatchObject({
      layers: 96, hidden: 12288, heads: 96, kvHeads: 96, headDim: 128, ffnHidden: 49152, activation: 'gelu',
      attention: 'mha',
    });
  });
});

describe('torchtitan sizing rules and flavours', () => {
  it('reproduces Llama 3 FFN widths from dim, multiplier and multiple_of', () => {
    // 8B: trunc(8·4096/3) = 10922; ×1.3 → 14198; ceil(14198/1024) = 14 → 14336.
    expect(llamaFfnHidden(4096, 1024, 1.3)).toBe(14336);
    // 70B: trunc(8·8192/3) = 21845; ×1.3 → 28398; ceil(/4096) = 7 → 28672.
    expect(llamaFfnHidden(8192, 4096, 1.3)).toBe(28672);
    // 405B: trunc(8·16384/3) = 43690; ×1.2 → 52428; ceil(/4096) = 13 → 53248.
    expect(llamaFfnHidden(16384, 4096, 1.2)).toBe(53248);
    // debugmodel: trunc(8·256/3) = 682; ceil(682/256) = 3 → 768.
    expect(llamaFfnHidden(256, 256, null)).toBe(768);
  });

  it('reproduces Llama 4 expert width (auto-scaled by top_k + shared)', () => {
    // trunc(8·5120/3) = 13653; ×1.2 → 16383; /2 → 8191; ceil(/2048) = 4 → 8192 (HF Llama-4 intermediate_size 8192).
    expect(llama4ExpertFfnHidden(5120, 2048, 1.2, 2)).toBe(8192);
    // Dense layers of Maverick: 16383 → ceil(/2048) = 8 → 16384 (HF intermediate_size_mlp 16384).
    expect(llamaFfnHidden(5120, 2048, 1.2)).toBe(16384);
  });

  it('finds the flavours the torchtitan fixtures name', () => {
    expect(findFlavour('llama3', '405B')?.arch).toMatchObject({ hidden: 16384, layers: 126, heads: 128, kvHeads: 8, ffnHidden: 53248 });
    expect(findFlavour('llama3', 'debugmodel')?.arch).toMatchObject({ hidden: 256, layers: 6, heads: 16, kvHeads: 16, vocab: 2048, headDim: 16 });
    expect(findFlavour('deepseek_v3', '671B')?.arch).toMatchObject({ layers: 61, experts: 256, topK: 8, mtpLayers: 0 });
    expect(findFlavour('deepseek-v3', '16B')?.arch).toMatchObject({ hidden: 2048, layers: 27, experts: 64, topK: 6, sharedExperts: 2, mla: { qLoraRank: 0 } });
    expect(findFlavour('llama4', '17bx128e')?.arch).toMatchObject({ experts: 128, topK: 1, sharedExperts: 1, moeLayerInterval: 2 });
    expect(findFlavour('llama4', '17BX16E')?.arch).toMatchObject({ experts: 16, moeLayerInterval: 1 });
    expect(findFlavour('Llama3', '8b')?.arch.ffnHidden).toBe(14336);
    expect(findFlavour('qwen3', '30B-A3B')?.arch).toMatchObject({ hidden: 2048, experts: 128, expertFfnHidden: 768, headDim: 128 });
    expect(findFlavour('llama3', '1T')).toBeUndefined();
    expect(findFlavour('gpt5', '405B')).toBeUndefined();
  });

  it('agrees with the main catalog where the same model appears', () => {
    const pairs: [string, string, string][] = [['llama3', '8B', 'llama3-8b'], ['llama3', '70B', 'llama3-70b'],
      ['llama3', '405B', 'llama3-405b'], ['deepseek_v3', '236B', 'deepseek-v2']];
    for (const [family, name, id] of pairs) {
      const { name: _a, ...flavourArch } = findFlavour(family, name)?.arch ?? { name: '' };
      const { name: _b, ...modelArch } = findModel(id)?.arch ?? { name: '' };
      expect(flavourArch).toEqual(modelArch);
    }
  });
});

describe('torchtitan fixtures', () => {
  const folder = join(__dirname, '../../fixtures/catalog/torchtitan');
  const files = readdirSync(folder).filter((name) => name.endsWith('.toml'));

  it('every [model] name/flavor in the fixtures resolves to a flavour', () => {
    expect(files.length).toBe(6);
    for (const file of files) {
      const text = readFileSync(join(folder, file), 'utf8');
      const model = /\[model\]([^[]*)/.exec(text)?.[1] ?? '';
      const family = /^\s*name\s*=\s*"([^"]+)"/m.exec(model)?.[1];
      const flavor = /^\s*flavor\s*=\s*"([^"]+)"/m.exec(model)?.[1];
      expect(family, file).toBeDefined();
      expect(findFlavour(family ?? '', flavor ?? ''), `${file}: ${family} ${flavor}`).toBeDefined();
    }
  });
});

describe('flavour ids recorded by the torchtitan readers', () => {
  it('"torchtitan/llama3/405B" finds the 405B flavour', () => {
    const entry = findModel('torchtitan/llama3/405B');
    expect(entry?.arch.layers).toBe(126);
    expect(entry?.arch.hidden).toBe(16384);
  });
});
