// Nothing read is dropped in silence (issue 9): every flag below, toggled away from its default in an otherwise
// unchanged config, either changes what `plens estimate --json` returns or yields exactly one info problem
// `value/not-modelled` naming it.
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo } from '../../src/cli/io';
import { MEGATRON_ACKNOWLEDGED_KEYS, MEGATRON_MODELLED_KEYS } from '../../src/config/megatron/megatronKeys';

type Args = Record<string, string | number | boolean>;

/** A Megatron functional-test config: a small MoE GPT on 4 pipeline ranks × 2 experts groups. */
function megatron(args: Args, layers = 16): string {
  const all: Args = {
    '--num-layers': layers, '--hidden-size': 1024, '--num-attention-heads': 16, '--ffn-hidden-size': 4096, '--vocab-size': 32000,
    '--seq-length': 2048, '--micro-batch-size': 1, '--global-batch-size': 64, '--tensor-model-parallel-size': 1,
    '--pipeline-model-parallel-size': 4, '--context-parallel-size': 2, '--num-experts': 8, '--moe-router-topk': 2,
    '--moe-ffn-hidden-size': 1024, '--expert-model-parallel-size': 2, '--use-distributed-optimizer': true, '--bf16': true, ...args,
  };
  const lines = Object.entries(all).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? JSON.stringify(value) : value}`);
  return `# plens: gpu=H100-SXM nodes=2\nMODEL_ARGS:\n${lines.join('\n')}\n`;
}

/** The same model as a NeMo 1.x YAML (dataclass field names under `model:`), on one pipeline rank. */
function nemo(fields: Record<string, string | number | boolean>): string {
  const all = {
    num_layers: 16, hidden_size: 1024, num_attention_heads: 16, ffn_hidden_size: 4096, seq_length: 2048, micro_batch_size: 1, global_batch_size: 64,
    tensor_model_parallel_size: 1, pipeline_model_parallel_size: 1, context_parallel_size: 2, ...fields,
  };
  const lines = Object.entries(all).map(([key, value]) => `  ${key}: ${value}`);
  return `# plens: gpu=H100-SXM nodes=2\ntrainer:\n  devices: 8\n  num_nodes: 2\n  precision: bf16\nmodel:\n${lines.join('\n')}\n`;
}

function deepspeed(zero: string): string {
  return `// plens: model=llama3-8b gpu=H100-SXM nodes=1\n{"train_batch_size": 64, "train_micro_batch_size_per_gpu": 1, "bf16": {"enabled": true}, "zero_optimization": {"stage": 3${zero}}}\n`;
}

function torchtitan(parallelism: string[], training: string[] = []): string {
  return ['# plens: gpu=H100-SXM nodes=2', '[model]', 'name = "llama3"', 'flavor = "8B"', '[training]', 'local_batch_size = 2', 'seq_len = 4096', ...training,
    '[parallelism]', 'tensor_parallel_degree = 2', ...parallelism, ''].join('\n');
}

interface Toggle {
  flag: string;
  file: string;
  before: string;
  after: string;
}

const megatronToggle = (flag: string, value: string | number | boolean, base: Args = {}, layers?: number): Toggle => ({
  flag, file: 'model_config.yaml', before: megatron(base, layers), after: megatron({ ...base, [flag]: value }, layers),
});

const TOGGLES: Toggle[] = [
  // On the command line a layer count turns offloading on by itself and the switch alone offloads no layer; in a
  // dataclass config (NeMo, Megatron-Bridge) the switch is what turns the counted layers on.
  { flag: 'cpu_offloading', file: 'megatron_gpt_config.yaml', before: nemo({ cpu_offloading_num_layers: 2 }), after: nemo({ cpu_offloading_num_layers: 2, cpu_offloading: true }) },
  megatronToggle('--cpu-offloading-num-layers', 2, { '--cpu-offloading': true }),
  // Fine-grained offload takes effect with modules to offload; the module list alone (switch off) does nothing.
  megatronToggle('--fine-grained-activation-offloading', true, { '--offload-modules': 'core_attn' }),
  megatronToggle('--offload-modules', 'core_attn attn_proj', { '--fine-grained-activation-offloading': true, '--offload-modules': 'core_attn' }),
  { flag: 'cpu_offloading_weights', file: 'megatron_gpt_config.yaml', before: nemo({ cpu_offloading_num_layers: 2, cpu_offloading: true }), after: nemo({ cpu_offloading_num_layers: 2, cpu_offloading: true, cpu_offloading_weights: true }) },
  megatronToggle('--optimizer-cpu-offload', true),
  megatronToggle('--optimizer-offload-fraction', 0.5, { '--optimizer-cpu-offload': true }),
  megatronToggle('--overlap-cpu-optimizer-d2h-h2d', true, { '--optimizer-cpu-offload': true }),
  // probs or position picks which copies are dropped, not how many: read and said not to move the estimate.
  megatronToggle('--moe-token-drop-policy', 'position', { '--moe-expert-capacity-factor': 1.0 }),
  // Under the default expert imbalance (1.1) a capacity of 1.0 caps the busiest expert and drops copies.
  megatronToggle('--moe-expert-capacity-factor', 1.0),
  megatronToggle('--moe-pad-expert-input-to-capacity', true, { '--moe-expert-capacity-factor': 1.25 }),
  megatronToggle('--cp-comm-type', 'a2a'),
  megatronToggle('--attention-backend', 'unfused'),
  megatronToggle('--pipeline-model-parallel-layout', 'Et*3|t*4|t*4|t*5L'),
  megatronToggle('--decoder-first-pipeline-num-layers', 1, {}, 16),
  megatronToggle('--decoder-last-pipeline-num-layers', 1, {}, 16),
  megatronToggle('--account-for-embedding-in-pipeline-split', true, {}, 15),
  // Without any option plens shortens the last stage first, which is what accounting for the loss does; on 16
  // layers the option makes 17 slots that 4 ranks cannot share, and Megatron refuses the config.
  megatronToggle('--account-for-loss-in-pipeline-split', true, {}, 16),
  megatronToggle('--num-distributed-optimizer-instances', 2),
  megatronToggle('--use-precision-aware-optimizer', true),
  megatronToggle('--exp-avg-dtype', 'bf16', { '--use-precision-aware-optimizer': true }),
  megatronToggle('--exp-avg-sq-dtype', 'bf16', { '--use-precision-aware-optimizer': true }),
  megatronToggle('--main-grads-dtype', 'bf16', { '--use-precision-aware-optimizer': true }),
  // HSDP against FSDP over the same 8 data-parallel ranks: 2 replicas of 4-way shards instead of 8-way shards.
  { flag: 'data_parallel_replicate_degree', file: 'job.toml',
    before: torchtitan(['data_parallel_shard_degree = 8']), after: torchtitan(['data_parallel_shard_degree = 4', 'data_parallel_replicate_degree = 2']) },
  { flag: 'training.enable_cpu_offload', file: 'job.toml',
    before: torchtitan(['data_parallel_shard_degree = 8']), after: torchtitan(['data_parallel_shard_degree = 8'], ['enable_cpu_offload = true']) },
  { flag: 'zero_optimization.offload_optimizer', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "offload_optimizer": {"device": "cpu", "pin_memory": true}') },
  { flag: 'zero_optimization.offload_param', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "offload_param": {"device": "cpu"}') },
  { flag: 'zero_optimization.cpu_offload', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "cpu_offload": true') },
  // Offload to NVMe is read and said not to be modelled.
  { flag: 'zero_optimization.offload_optimizer', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "offload_optimizer": {"device": "nvme", "nvme_path": "/local_nvme"}') },
  { flag: 'zero_optimization.zero_hpz_partition_size', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "zero_hpz_partition_size": 8') },
  // ZeRO++'s quantized collectives and MiCS shard groups are read and said not to be modelled.
  { flag: 'zero_optimization.zero_quantized_weights', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "zero_quantized_weights": true') },
  { flag: 'zero_optimization.zero_quantized_gradients', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "zero_quantized_gradients": true') },
  { flag: 'zero_optimization.mics_shard_size', file: 'ds_config.json', before: deepspeed(''), after: deepspeed(', "mics_shard_size": 4') },
];

async function run(file: string, text: string) {
  const io = memoryIo({ [file]: text });
  await runEstimate([file, '--json'], io);
  return JSON.parse(io.out) as { estimate: unknown; problems: { code: string; message: string; severity: string; line?: number }[] };
}

const notModelled = (result: Awaited<ReturnType<typeof run>>) => result.problems.filter((p) => p.code === 'value/not-modelled');

describe('every flag the issue names is modelled or said not to be', () => {
  it.each(TOGGLES)('$flag', async ({ flag, file, before, after }) => {
    const base = await run(file, before);
    const toggled = await run(file, after);
    // The untoggled config estimates, so a change is the flag's doing (a refusal, as for 17 slots on 4 ranks, is one).
    expect(base.estimate).not.toBeNull();
    expect(notModelled(base).filter((p) => p.message.includes(flag))).toEqual([]);
    const said = notModelled(toggled).filter((p) => p.message.includes(`${flag}:`));
    const changed = JSON.stringify(base.estimate) !== JSON.stringify(toggled.estimate);
    // One or the other, never neither; a modelled flag is not also called not modelled.
    expect(said.length).toBe(changed ? 0 : 1);
    if (!changed) {
      expect(said[0]!.message).toMatch(/: read; the estimate does not model /);
      expect(said[0]!.severity).toBe('info');
      expect(said[0]!.line).toBeGreaterThan(1);
    }
  });
});

describe("the Megatron reader's key tables", () => {
  it('has no key both modelled and acknowledged', () => {
    expect(MEGATRON_MODELLED_KEYS.filter((key) => MEGATRON_ACKNOWLEDGED_KEYS.includes(key))).toEqual([]);
  });
});
