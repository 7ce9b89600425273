import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readConfig } from '../../../src/config/index';
import { readHfConfig } from '../../../src/config/json/hfConfig';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/hf/${path}`, import.meta.url), 'utf8');
const DEEPSEEK_V3_MLA = { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 };

describe('readHfConfig', () => {
  it('DeepSeek-V3 config.json: MoE keys under their DeepSeek spellings, MLA dims', () => {
    const result = readHfConfig(fixture('deepseek_v3_config.json'), 'config.json')!;
    expect(result.format).toBe('hf-config-json');
    expect(result.problems).toEqual([]);
    expect(result.design.model).toMatchObject({
      layers: 61, hidden: 7168, heads: 128, kvHeads: 128, ffnHidden: 18432, vocab: 129280, experts: 256, topK: 8,
      expertFfnHidden: 2048, sharedExperts: 1, denseLayers: 3, mtpLayers: 1, tiedEmbeddings: false, activation: 'swiglu', attention: 'mla',
    });
    expect(result.design.model.mla).toEqual(DEEPSEEK_V3_MLA);
    expect(result.sourceMap.get('model.layers')!.key).toMatchObject({ line: 31, column: 3 });
  });

  it("DeepSeek's native inference config (dim, n_layers, n_activated_experts …) gives the same model", () => {
    const result = readHfConfig(fixture('deepseek_v3_native_inference_config_671B.json'), 'config_671B.json')!;
    expect(result.design.model).toMatchObject({ layers: 61, hidden: 7168, heads: 128, kvHeads: 128, ffnHidden: 18432, experts: 256, topK: 8, expertFfnHidden: 2048, sharedExperts: 1, denseLayers: 3 });
    expect(result.design.model.mla).toEqual(DEEPSEEK_V3_MLA);
    expect(result.sourceMap.get('model.layers')!.key.line).toBe(6);
  });

  it('Llama 3.1 70B: GQA with 8 KV heads, 28672-wide SwiGLU', () => {
    const result = readHfConfig(fixture('llama3_1_70b_instruct_config.json'), 'config.json')!;
    expect(result.design.model).toMatchObject({ layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffnHidden: 28672, vocab: 128256, activation: 'swiglu', tiedEmbeddings: false });
    expect(result.design.model.experts).toBeUndefined();
    expect(result.sourceMap.get('model.layers')!.key.line).toBe(21);
  });

  it('Mixtral spelling: num_local_experts, experts as wide as intermediate_size', () => {
    const text = '{"model_type": "mixtral", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000}';
    const result = readHfConfig(text, 'config.json')!;
    expect(result.design.model).toMatchObject({ experts: 8, topK: 2, expertFfnHidden: 14336, kvHeads: 8 });
  });

  it('pairs with a launch script through `model=./config.json`', () => {
    const script = '# plens: model=./config.json gpu=H800 nodes=32\nparallel:\n  tp: 1\n  pp: 16\n  ep: 64\nschedule: dualpipe\ntraining: {globalBatchSize: 1024}\n';
    const read = readConfig(script, 'run.plens.yaml')!;
    const done = completeDesign(read, { text: script, readFile: (path) => (path === './config.json' ? fixture('deepseek_v3_config.json') : undefined), readModelFile: readConfig });
    expect(done.design!.model).toMatchObject({ layers: 61, experts: 256, attention: 'mla' });
    expect(done.origins['model.layers']).toMatchObject({ from: 'directive', detail: 'model file ./config.json' });
    const missing = completeDesign(read, { text: script, readFile: () => undefined, readModelFile: readConfig });
    expect(missing.problems[0]).toMatchObject({ code: 'directive/model-file', range: { line: 1, column: 16 } });
  });

  it('answers undefined for JSON without a model shape', () => {
    expect(readHfConfig('{"hidden_size": 10}', 'config.json')).toBeUndefined();
  });
});
