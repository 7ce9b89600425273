// The dtype gradients are reduced in (plan.gradReduceInFp32), read in every format that has the key:
// Megatron's --grad-reduce-in-bf16 / --accumulate-allreduce-grads-in-fp32, the DDP config field
// grad_reduce_in_fp32 (NeMo 2's precision plugin, Megatron-Bridge's ddp / mixed_precision), torchtitan's
// training.mixed_precision_reduce; and what it does to the estimate (traffic.ts gradientBytesOf, memory.ts).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readConfig } from '../../../src/config/index';
import { initPythonGrammar } from '../../../src/config/torchtitan/torchtitanPython';
import { gradientBytesOf } from '../../../src/model/cost/comm/traffic';
import { stateBytesOf } from '../../../src/model/cost/memory/memory';
import { estimate } from '../../../src/model/estimate';
import { loadShellGrammar } from '../../testInputs';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const script = (flags: string): string =>
  `#!/bin/bash\ntorchrun --nproc_per_node 8 --nnodes 2 pretrain_gpt.py --tensor-model-parallel-size 2 --num-layers 8 --hidden-size 2048 \\\n  --num-attention-heads 16 --seq-length 2048 --micro-batch-size 1 --global-batch-size 32 --use-distributed-optimizer ${flags}\n`;
const functest = (flags: string): string => `MODEL_ARGS:\n  --num-layers: 4\n  --hidden-size: 1024\n  --num-attention-heads: 16\n  --seq-length: 4096\n  --bf16: true\n${flags}`;
const nemoModel = 'model:\n  tensor_model_parallel_size: 1\n  num_layers: 4\n  hidden_size: 1024\n  num_attention_heads: 16\n  micro_batch_size: 1\n';
const bridge = (extra: string): string => `_target_: megatron.bridge.training.config.ConfigContainer\n${nemoModel}train:\n  micro_batch_size: 1\n  global_batch_size: 32\n${extra}`;
const titanToml = (extra: string): string => `[model]\nname = "llama3"\nflavor = "8B"\n\n[training]\n${extra}\n[parallelism]\ndata_parallel_shard_degree = 8\n`;
const nemo2 = (line: string): string => fixture('python/nemo2_recipe.py').replace('    return recipe', `    ${line}\n    return recipe`);

const CASES: { name: string; file: string; text: () => string; expected: boolean | undefined }[] = [
  { name: 'Megatron script, no flag (FP32 for BF16: the model default)', file: 'train.sh', text: () => script('--bf16'), expected: undefined },
  { name: 'Megatron script --grad-reduce-in-bf16', file: 'train.sh', text: () => script('--bf16 --grad-reduce-in-bf16'), expected: false },
  { name: 'Megatron script --fp16 --accumulate-allreduce-grads-in-fp32', file: 'train.sh', text: () => script('--fp16 --accumulate-allreduce-grads-in-fp32'), expected: true },
  { name: 'functional-test YAML --grad-reduce-in-bf16: true', file: 'model_config.yaml', text: () => functest('  --grad-reduce-in-bf16: true\n'), expected: false },
  { name: 'Megatron-Bridge ddp.grad_reduce_in_fp32: false', file: 'run_config.yaml', text: () => bridge('ddp:\n  use_distributed_optimizer: true\n  grad_reduce_in_fp32: false\n'), expected: false },
  { name: 'Megatron-Bridge mixed_precision.grad_reduce_in_fp32: false', file: 'run_config.yaml', text: () => bridge('mixed_precision:\n  bf16: true\n  grad_reduce_in_fp32: false\n'), expected: false },
  { name: 'NeMo 2 recipe.trainer.plugins.grad_reduce_in_fp32 = False', file: 'nemo2_recipe.py', text: () => nemo2('recipe.trainer.plugins.grad_reduce_in_fp32 = False'), expected: false },
  { name: 'torchtitan TOML mixed_precision_reduce = "bfloat16"', file: 'llama3_8b.toml', text: () => titanToml('mixed_precision_reduce = "bfloat16"\n'), expected: false },
  { name: 'torchtitan TOML mixed_precision_reduce = "float32" (its default)', file: 'llama3_8b.toml', text: () => titanToml('mixed_precision_reduce = "float32"\n'), expected: true },
];

describe('gradient reduce dtype in every format', () => {
  beforeAll(async () => {
    await loadShellGrammar();
    await initPythonGrammar({
      runtime: readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
      python: readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    });
  });

  it.each(CASES)('$name', ({ file, text, expected }) => {
    const source = text();
    const read = readConfig(source, file)!;
    expect(read.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(read.design.plan.gradReduceInFp32).toBe(expected);
    const completion = completeDesign(read, { text: source });
    const plan = completion.design?.plan ?? completion.partial?.plan;
    expect(plan?.gradReduceInFp32).toBe(expected);
  });

  it('a torchtitan reduce dtype it does not know is a warning at its line, not a guess', () => {
    const read = readConfig(titanToml('mixed_precision_reduce = "float64"\n'), 'llama3_8b.toml')!;
    expect(read.design.plan.gradReduceInFp32).toBeUndefined();
    expect(read.problems.find((p) => p.field === 'plan.gradReduceInFp32')?.message).toMatch(/float64/);
  });
});

describe('what the reduce dtype does to the estimate', () => {
  beforeAll(loadShellGrammar);

  it('bytes per gradient element: FP32 4, BF16 2, FP16 2 unless asked for FP32', () => {
    expect(gradientBytesOf({ precision: 'bf16' })).toBe(4);
    expect(gradientBytesOf({ precision: 'bf16', gradReduceInFp32: false })).toBe(2);
    expect(gradientBytesOf({ precision: 'fp16' })).toBe(2);
    expect(gradientBytesOf({ precision: 'fp16', gradReduceInFp32: true })).toBe(4);
  });

  it('--grad-reduce-in-bf16 halves the DP gradient traffic and Megatron\'s gradient buffer', () => {
    const design = (flags: string) => completeDesign(readConfig(script(flags), 'train.sh')!, { text: script(flags) }).design!;
    const fp32 = estimate(design('--bf16')).estimate!;
    const bf16 = estimate(design('--bf16 --grad-reduce-in-bf16')).estimate!;
    expect(bf16.traffic.perGpuPerStep.dp.nvlinkBytes).toBeLessThan(fp32.traffic.perGpuPerStep.dp.nvlinkBytes);
    expect(bf16.memory.peakBytes).toBeLessThan(fp32.memory.peakBytes);
  });

  it('--fp16 --accumulate-allreduce-grads-in-fp32 doubles FP16\'s gradient traffic', () => {
    const design = (flags: string) => completeDesign(readConfig(script(flags), 'train.sh')!, { text: script(flags) }).design!;
    const fp16 = estimate(design('--fp16')).estimate!;
    const fp32 = estimate(design('--fp16 --accumulate-allreduce-grads-in-fp32')).estimate!;
    expect(fp32.traffic.perGpuPerStep.dp.nvlinkBytes).toBeGreaterThan(fp16.traffic.perGpuPerStep.dp.nvlinkBytes);
  });

  it('torchtitan keeps FP32 gradients in memory (FSDP2 casts the reduced shard back to the FP32 parameter)', () => {
    expect(stateBytesOf({ precision: 'bf16', framework: 'torchtitan', gradReduceInFp32: false }).gradients).toBe(4);
    expect(stateBytesOf({ precision: 'bf16', framework: 'megatron', gradReduceInFp32: false }).gradients).toBe(2);
  });
});
