// Large and deep configs for the editor's per-format cut-off (DESIGN.md §7): a real fixture of each format grown
// with more of what such files hold (more sections, flags, functions), and nesting just under the readers' limit.
// Used by bench/editor.ts to time the analysis at each cut-off; not fixtures (they are generated to a size).
import { readFileSync } from 'node:fs';
import type { EditorFormat } from '../src/extension/analysis/pipeline';

interface Seed {
  fileName: string;
  path: string;
  /** The i-th block of more of the same; appended (or inserted before the closing brace) until the size is met. */
  block: (i: number) => string;
  /** A legal file nesting `depth` levels. */
  deep: (depth: number) => string;
}

const SEEDS: Record<EditorFormat, Seed> = {
  'plens-yaml': {
    fileName: 'large.plens.yaml',
    path: 'examples/gpt3-175b.plens.yaml',
    block: (i) => `# variant ${i}: the same layout with a longer sequence, kept for reference\n# training:\n#   seqLength: ${2048 * (1 + (i % 4))}\n`,
    deep: (depth) => `model: gpt3-175b\nnotes:\n${Array.from({ length: depth - 1 }, (_, i) => `${' '.repeat(i + 1)}n${i}:`).join('\n')} 1\n`,
  },
  yaml: {
    fileName: 'large.yaml',
    path: 'test/fixtures/nemo/launcher_llama3_1_405b.yaml',
    block: (i) => `extra_${i}:\n  name: run_${i}\n  results_dir: \${base_results_dir}/run_${i}\n  time_limit: "0-04:00:00"\n  dependency: singleton\n  env_vars:\n    NCCL_ALGO_${i}: Ring\n    TRANSFORMERS_OFFLINE: 1\n`,
    deep: (depth) => `trainer:\n  num_nodes: 16\nmodel:\n  tensor_model_parallel_size: 8\n  pipeline_model_parallel_size: 1\nextra:\n${Array.from({ length: depth - 2 }, (_, i) => `${' '.repeat(i + 1)}n${i}:`).join('\n')} 1\n`,
  },
  shell: {
    fileName: 'large.sh',
    path: 'test/fixtures/megatron-lm/train_gpt3_175b_distributed.sh',
    block: (i) => `# setting ${i} for the cluster's network\nexport NCCL_SETTING_${i}=\${NCCL_SETTING_${i}:-1}\nif [ -n "$RUN_${i}" ]; then echo "run ${i} at $(date)"; fi\n`,
    deep: (depth) => `#!/bin/bash\nTP=$(( ${'('.repeat(depth)}8${')'.repeat(depth)} ))\ntorchrun pretrain_gpt.py --tensor-model-parallel-size $TP --pipeline-model-parallel-size 1\n`,
  },
  toml: {
    fileName: 'large.toml',
    path: 'test/fixtures/torchtitan/llama3_405b.toml',
    block: (i) => `\n[experimental_${i}]\nenable = false\nname = "variant_${i}"\nsteps = [${i}, ${i + 1}, ${i + 2}]\n`,
    deep: (depth) => `[parallelism]\ntensor_parallel_degree = 8\n[extra]\nvalue = ${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}\n`,
  },
  json: {
    fileName: 'large.json',
    path: 'test/fixtures/deepspeed/ds_config_func_bs8_zero2_offload.json',
    block: (i) => `,\n  "extra_${i}": { "enabled": false, "name": "variant_${i}", "buckets": [${i}, ${i + 1}, ${i + 2}] }`,
    deep: (depth) => `{"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 1}, "extra": ${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}}\n`,
  },
  python: {
    fileName: 'large.py',
    path: 'test/fixtures/python/torchtitan_config_registry.py',
    block: (i) => `\n\ndef variant_${i}() -> Trainer.Config:\n    return Trainer.Config(\n        model_spec=model_registry("8B"),\n        training=TrainingConfig(local_batch_size=${1 + (i % 8)}, seq_len=8192, steps=${i}),\n        parallelism=ParallelismConfig(tensor_parallel_degree=2, pipeline_parallel_degree=1),\n    )\n`,
    deep: (depth) => `from torchtitan.config import ParallelismConfig\n\ndef deep() -> Trainer.Config:\n    return Trainer.Config(parallelism=ParallelismConfig(tensor_parallel_degree=${'('.repeat(depth - 3)}8${')'.repeat(depth - 3)}))\n`,
  },
};

/** A realistic file of this format grown to at least `chars` characters. */
export function largeConfig(format: EditorFormat, chars: number): { fileName: string; text: string } {
  const seed = SEEDS[format];
  const base = readFileSync(seed.path, 'utf8');
  const parts: string[] = [];
  let length = base.length;
  for (let i = 0; length < chars; i++) {
    const block = seed.block(i);
    parts.push(block);
    length += block.length;
  }
  const text = format === 'json' ? base.replace(/\}\s*$/, `${parts.join('')}\n}\n`) : `${base}${parts.join('')}`;
  return { fileName: seed.fileName, text };
}

/** A legal file of this format nesting `depth` levels (just under the readers' limit when depth = MAX_NESTING - 1). */
export function deepConfig(format: EditorFormat, depth: number): { fileName: string; text: string } {
  return { fileName: SEEDS[format].fileName, text: SEEDS[format].deep(depth) };
}
