// Dropout rates in every format that states them (FORMATS.md A.6b), and what completion fills when none does.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readHfConfig } from '../../../src/config/json/hfConfig';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';
import { readPlensYaml } from '../../../src/config/plens/plensYaml';
import { initPythonGrammar, readTorchtitanPython } from '../../../src/config/torchtitan/torchtitanPython';
import { readTorchtitanToml } from '../../../src/config/torchtitan/torchtitanToml';
import type { ReadResult } from '../../../src/config/types';

const fixture = (path: string) => readFileSync(`test/fixtures/${path}`, 'utf8');
const line = (read: ReadResult, field: 'model.hiddenDropout' | 'model.attentionDropout') => read.sourceMap.get(field)?.key.line;

describe('HF config.json', () => {
  it('Llama 3.1 states only attention_dropout (its layers have no hidden dropout); completion gives SwiGLU no masks', () => {
    const read = readHfConfig(fixture('hf/llama3_1_70b_instruct_config.json'), 'config.json')!;
    expect(read.design.model.attentionDropout).toBe(0);
    expect(line(read, 'model.attentionDropout')).toBe(6);
    expect(read.design.model.hiddenDropout).toBeUndefined();
    const done = completeDesign(read);
    expect(done.design!.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0 });
    expect(done.origins['model.hiddenDropout']).toMatchObject({ from: 'default' });
  });

  it('GPT-2 spellings resid_pdrop / attn_pdrop; a rate outside 0..1 is an error at its value', () => {
    const gpt2 = '{"n_layer": 12, "n_embd": 768, "n_head": 12, "activation_function": "gelu_new", "resid_pdrop": 0.1, "attn_pdrop": 0.05}';
    expect(readHfConfig(gpt2, 'config.json')!.design.model).toMatchObject({ activation: 'gelu', hiddenDropout: 0.1, attentionDropout: 0.05 });
    const bad = readHfConfig('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "hidden_dropout": 2}', 'config.json')!;
    expect(bad.problems).toEqual([expect.objectContaining({ code: 'value/invalid', field: 'model.hiddenDropout', message: 'hidden_dropout: expected a probability from 0 to 1, got 2' })]);
  });

  it('a GeLU model that states no rate completes to 0.1 (GPT-era), said as a default', () => {
    const done = completeDesign(readHfConfig('{"n_layer": 2, "n_embd": 64, "n_head": 4, "activation_function": "gelu"}', 'config.json')!);
    expect(done.design!.model).toMatchObject({ hiddenDropout: 0.1, attentionDropout: 0.1 });
    expect(done.origins['model.hiddenDropout']).toMatchObject({ from: 'default' });
    expect(done.origins['model.attentionDropout']).toMatchObject({ from: 'derived' });
  });
});

describe('NeMo YAML', () => {
  it('NeMo 1.x launcher GPT-3 5B: 0.1 each at their lines; Llama 3.1 8B: 0.0', () => {
    const gpt = readNemoYaml(fixture('nemo/launcher_gpt3_5b.yaml'), 'gpt3_5b.yaml')!;
    expect(gpt.design.model).toMatchObject({ hiddenDropout: 0.1, attentionDropout: 0.1 });
    expect([line(gpt, 'model.hiddenDropout'), line(gpt, 'model.attentionDropout')]).toEqual([74, 75]);
    const llama = readNemoYaml(fixture('nemo/launcher_llama3_1_8b.yaml'), 'llama3_1_8b.yaml')!;
    expect(llama.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0 });
  });

  it('a Megatron-Bridge dump: hidden_dropout and attention_dropout where they stand in model:', () => {
    const bridge = readNemoYaml(fixture('nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml'), 'run_config.yaml')!;
    expect(bridge.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0 });
    expect([line(bridge, 'model.attentionDropout'), line(bridge, 'model.hiddenDropout')]).toEqual([272, 358]);
  });
});

describe('NeMo 2 recipe (Python)', () => {
  beforeAll(async () => {
    await initPythonGrammar({
      runtime: readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
      python: readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    });
  });

  it('recipe.model.config.hidden_dropout / attention_dropout', () => {
    const text = fixture('python/nemo2_recipe.py').replace(
      '    recipe.trainer.strategy.recompute_granularity = "full"\n',
      '    recipe.trainer.strategy.recompute_granularity = "full"\n    recipe.model.config.hidden_dropout = 0.0\n    recipe.model.config.attention_dropout = 0.1\n',
    );
    const read = readTorchtitanPython(text, 'nemo2_recipe.py')!;
    expect(read.format).toBe('nemo-python');
    expect(read.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0.1 });
    expect([line(read, 'model.hiddenDropout'), line(read, 'model.attentionDropout')]).toEqual([50, 51]);
  });
});

describe('plens YAML and torchtitan', () => {
  it('plens YAML model.hiddenDropout / model.attentionDropout, checked as probabilities', () => {
    const model = 'model:\n  layers: 2\n  hidden: 64\n  heads: 4\n  activation: gelu\n';
    const read = readPlensYaml(`${model}  hiddenDropout: 0\n  attentionDropout: 0.1\n`, 'x.plens.yaml')!;
    expect(read.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0.1 });
    expect([line(read, 'model.hiddenDropout'), line(read, 'model.attentionDropout')]).toEqual([6, 7]);
    const bad = readPlensYaml(`${model}  hiddenDropout: -0.5\n`, 'x.plens.yaml')!;
    expect(bad.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/invalid', 6]]);
  });

  it("torchtitan's models have no dropout layers: completion gives 0", () => {
    const done = completeDesign(readTorchtitanToml(fixture('torchtitan/llama3_8b.toml'), 'llama3_8b.toml')!);
    expect(done.design!.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0 });
    expect(done.origins['model.hiddenDropout']).toMatchObject({ from: 'default', detail: expect.stringContaining('torchtitan') });
  });
});

describe('attention backend', () => {
  const notModelled = (read: ReadResult) => read.problems.filter((p) => p.code === 'value/not-modelled').map((p) => [p.range?.line, p.message]);

  it('--attention-backend unfused is said not to be modelled at its line (the estimate assumes flash or fused attention)', () => {
    const read = readNemoYaml(fixture('megatron-lm/functest_gpt3_mcore_te_tp1_pp4_vp1_uneven_pipeline_model_config.yaml'), 'model_config.yaml')!;
    expect(notModelled(read)).toEqual([[53, expect.stringMatching(/^--attention-backend: read; the estimate does not model unfused attention: .*s² scores/)]]);
  });

  it('flash, fused and auto keep no scores and are not mentioned', () => {
    const read = readNemoYaml(fixture('megatron-lm/functest_gpt3_mcore_tp2_cp2_pp2_ep2_te_4experts2parallel_model_config.yaml'), 'model_config.yaml')!;
    expect(notModelled(read)).toEqual([]);
    for (const backend of ['fused', 'auto', 'AttnBackend.flash']) {
      expect(notModelled(readNemoYaml(`MODEL_ARGS:\n  --num-layers: 2\n  --attention-backend: ${backend}\n`, 'model_config.yaml')!)).toEqual([]);
    }
    expect(notModelled(readNemoYaml('MODEL_ARGS:\n  --num-layers: 2\n  --attention-backend: local\n', 'model_config.yaml')!)).toHaveLength(1);
  });
});
