import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMATS, readConfig } from '../../src/config/index';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

describe('readConfig', () => {
  it('detects each YAML and JSON fixture by content', () => {
    const cases: [string, string][] = [
      ['nemo/launcher_gpt3_175b.yaml', 'nemo-yaml'],
      ['nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml', 'megatron-bridge-yaml'],
      ['megatron-lm/functest_gpt3_7b_tp1_pp4_vp_model_config.yaml', 'megatron-functest-yaml'],
      ['deepspeed/hf_transformers_ds_config_zero3_bf16.json', 'deepspeed-json'],
      ['deepspeed/mds_moe_ds_config_gpt_TEMPLATE.json', 'deepspeed-json'],
      ['hf/llama3_1_70b_instruct_config.json', 'hf-config-json'],
      ['torchtitan/llama3_405b.toml', 'torchtitan-toml'],
    ];
    for (const [path, format] of cases) expect([path, readConfig(fixture(path), path)?.format]).toEqual([path, format]);
  });

  it('ignores YAML and JSON that are not training configs, silently', () => {
    expect(readConfig('name: CI\non: [push]\njobs: {}\n', '.github/workflows/ci.yml')).toBeUndefined();
    expect(readConfig('{"compilerOptions": {"strict": true}}', 'tsconfig.json')).toBeUndefined();
    expect(readConfig('', 'empty.yaml')).toBeUndefined();
  });

  it('sniffs an extension-less file: JSON by its brace', () => {
    expect(readConfig(fixture('deepspeed/ds_config_func_bs8_zero2_offload.json'), 'ds_config')?.format).toBe('deepspeed-json');
  });

  it('lists every format with a reader', () => {
    expect(new Set(FORMATS.map((format) => format.id)).size).toBe(FORMATS.length);
    expect(FORMATS.map((format) => format.id)).toContain('torchtitan-python');
  });
});
