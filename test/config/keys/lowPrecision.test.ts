// NVFP4 and MXFP8 (Blackwell's low-precision GEMMs) read in every format that can say them (issue 10 item 6):
// the precision is fp8 with the named recipe, never BF16 because a reader did not know the spelling.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readConfig } from '../../../src/config/index';
import { initPythonGrammar } from '../../../src/config/torchtitan/torchtitanPython';
import type { FormatId } from '../../../src/config/types';
import { loadShellGrammar } from '../../testInputs';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

const SHAPE_FLAGS = '--num-layers 4 --hidden-size 1024 --num-attention-heads 16 --seq-length 4096 --micro-batch-size 1 --global-batch-size 32 --bf16';
const script = (flags: string): string => `#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py \\\n  ${SHAPE_FLAGS} \\\n  ${flags}\n`;
const functest = (flags: string): string => `MODEL_ARGS:\n  --num-layers: 4\n  --hidden-size: 1024\n  --num-attention-heads: 16\n  --seq-length: 4096\n  --bf16: true\n${flags}`;
const nemoModel = 'model:\n  tensor_model_parallel_size: 1\n  num_layers: 4\n  hidden_size: 1024\n  num_attention_heads: 16\n  micro_batch_size: 1\n';
const bridge = (mixed: string): string => `_target_: megatron.bridge.training.config.ConfigContainer\n${nemoModel}train:\n  micro_batch_size: 1\n  global_batch_size: 32\n${mixed}`;
const titanToml = (extra: string): string => `[model]\nname = "llama3"\nflavor = "8B"\n${extra}\n[parallelism]\ntensor_parallel_degree = 2\n`;

interface Case {
  name: string;
  file: string;
  text: () => string;
  format: FormatId;
  recipe: 'nvfp4' | 'mxfp8' | 'tensorwise' | 'blockwise' | 'delayed';
}

const CASES: Case[] = [
  { name: 'Megatron script --fp8-recipe mxfp8', file: 'train.sh', format: 'megatron-shell', recipe: 'mxfp8', text: () => script('--fp8-format e4m3 --fp8-recipe mxfp8') },
  { name: 'Megatron script --fp4-format e2m1 --fp4-recipe nvfp4', file: 'train.sh', format: 'megatron-shell', recipe: 'nvfp4', text: () => script('--fp4-format e2m1 --fp4-recipe nvfp4') },
  { name: 'functional-test YAML --fp8-recipe: mxfp8', file: 'model_config.yaml', format: 'megatron-functest-yaml', recipe: 'mxfp8', text: () => functest('  --fp8-format: hybrid\n  --fp8-recipe: mxfp8\n') },
  { name: 'NeMo YAML model.fp8_recipe: mxfp8', file: 'megatron_gpt_config.yaml', format: 'nemo-yaml', recipe: 'mxfp8', text: () => `trainer:\n  precision: bf16\n${nemoModel}  fp8: true\n  fp8_recipe: mxfp8\n` },
  { name: 'Megatron-Bridge mixed_precision: {fp4: e2m1, fp4_recipe: nvfp4}', file: 'run_config.yaml', format: 'megatron-bridge-yaml', recipe: 'nvfp4', text: () => bridge('mixed_precision:\n  bf16: true\n  fp8: null\n  fp4: e2m1\n  fp4_recipe: nvfp4\n') },
  { name: 'Megatron-Bridge mixed_precision: {fp8: e4m3, fp8_recipe: mxfp8}', file: 'run_config.yaml', format: 'megatron-bridge-yaml', recipe: 'mxfp8', text: () => bridge('mixed_precision:\n  bf16: true\n  fp8: e4m3\n  fp8_recipe: mxfp8\n') },
  { name: 'Megatron-Bridge mixed_precision: bf16_with_nvfp4_mixed', file: 'run_config.yaml', format: 'megatron-bridge-yaml', recipe: 'nvfp4', text: () => bridge('mixed_precision: bf16_with_nvfp4_mixed\n') },
  { name: 'NeMo 2 recipe plugins=bf16_with_mxfp8_mixed()', file: 'nemo2_recipe.py', format: 'nemo-python', recipe: 'mxfp8', text: () => fixture('python/nemo2_recipe.py').replaceAll('bf16_with_fp8_mixed', 'bf16_with_mxfp8_mixed') },
  { name: 'NeMo 2 recipe plugins=bf16_with_nvfp4_mixed()', file: 'nemo2_recipe.py', format: 'nemo-python', recipe: 'nvfp4', text: () => fixture('python/nemo2_recipe.py').replaceAll('bf16_with_fp8_mixed', 'bf16_with_nvfp4_mixed') },
  { name: 'NeMo 2 recipe plugins=bf16_with_fp8_current_scaling_mixed()', file: 'nemo2_recipe.py', format: 'nemo-python', recipe: 'tensorwise', text: () => fixture('python/nemo2_recipe.py').replaceAll('bf16_with_fp8_mixed', 'bf16_with_fp8_current_scaling_mixed') },
  { name: 'NeMo 2 recipe plugins=bf16_with_fp8_subchannel_scaling_mixed()', file: 'nemo2_recipe.py', format: 'nemo-python', recipe: 'blockwise', text: () => fixture('python/nemo2_recipe.py').replaceAll('bf16_with_fp8_mixed', 'bf16_with_fp8_subchannel_scaling_mixed') },
  { name: 'torchtitan TOML converters = ["mx"], [mx] recipe_name = "mxfp8_cublas"', file: 'llama3_8b.toml', format: 'torchtitan-toml', recipe: 'mxfp8', text: () => titanToml('converters = ["mx"]\n\n[mx]\nrecipe_name = "mxfp8_cublas"\n') },
  { name: 'torchtitan TOML converters = ["quantize.linear.mx"]', file: 'llama3_8b.toml', format: 'torchtitan-toml', recipe: 'mxfp8', text: () => titanToml('converters = ["quantize.linear.mx"]\n') },
  {
    name: 'torchtitan Python MXLinearConverter.Config(recipe_name="mxfp8_cublas")', file: 'config_registry.py', format: 'torchtitan-python', recipe: 'mxfp8',
    text: () => fixture('python/torchtitan_config_registry.py').replace('Float8LinearConverter.Config(enable_fsdp_float8_all_gather=True)', 'MXLinearConverter.Config(recipe_name="mxfp8_cublas")'),
  },
  { name: 'native precision: fp4', file: 'x.plens.yaml', format: 'plens-yaml', recipe: 'nvfp4', text: () => 'model: llama3-8b\ncluster: {gpu: B200, nodes: 1}\nparallel: {tp: 2}\ntraining: {precision: fp4}\n' },
  { name: 'native precision: mxfp8', file: 'x.plens.yaml', format: 'plens-yaml', recipe: 'mxfp8', text: () => 'model: llama3-8b\ncluster: {gpu: B200, nodes: 1}\nparallel: {tp: 2}\ntraining: {precision: mxfp8}\n' },
  { name: 'native precision: fp8, fp8Recipe: nvfp4', file: 'x.plens.yaml', format: 'plens-yaml', recipe: 'nvfp4', text: () => 'model: llama3-8b\ncluster: {gpu: B200, nodes: 1}\nparallel: {tp: 2}\ntraining: {precision: fp8, fp8Recipe: nvfp4}\n' },
];

describe('low-precision recipes in every format', () => {
  beforeAll(async () => {
    await loadShellGrammar();
    await initPythonGrammar({
      runtime: readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
      python: readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    });
  });

  it.each(CASES)('$name → fp8 with the $recipe recipe', ({ file, text, format, recipe }) => {
    const source = text();
    const read = readConfig(source, file);
    expect(read?.format).toBe(format);
    expect(read!.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(read!.design.plan.precision).toBe('fp8');
    expect(read!.design.plan.fp8Recipe).toBe(recipe);
    // Completion keeps it: the design the model prices says the same.
    const completion = completeDesign(read!, { text: source });
    expect(completion.design?.plan ?? completion.partial?.plan).toMatchObject({ precision: 'fp8', fp8Recipe: recipe });
  });

  it('the same files without the low-precision spelling stay BF16: the cases are not read as FP8 by accident', () => {
    const plain = readConfig(script(''), 'train.sh')!;
    expect(plain.design.plan.precision).toBe('bf16');
    expect(plain.design.plan.fp8Recipe).toBeUndefined();
    const titan = readConfig(titanToml(''), 'llama3_8b.toml')!;
    expect(titan.design.plan.precision).not.toBe('fp8');
  });

  it('a recipe plens does not price is said, and its FP8-ness kept', () => {
    const mxfp4 = readConfig(titanToml('converters = ["mx"]\n\n[mx]\nrecipe_name = "mxfp4"\n'), 'llama3_8b.toml')!;
    expect(mxfp4.design.plan.precision).toBe('fp8');
    expect(mxfp4.problems.find((p) => p.code === 'precision/unknown-recipe')?.message).toContain('mxfp4');
    const clash = readConfig('model: llama3-8b\ntraining: {precision: fp4, fp8Recipe: mxfp8}\nparallel: {tp: 1}\n', 'x.plens.yaml')!;
    expect(clash.problems.find((p) => p.field === 'plan.fp8Recipe')?.severity).toBe('error');
  });
});
