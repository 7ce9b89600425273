// A Megatron launch script and Megatron's functional-test YAML pass the same command-line flags, so they must read
// to the same design with the same problems; the NeMo / Bridge dataclass YAML differs only where Megatron's
// command line does (argparse's gates and defaults, the legacy flags).
import { beforeAll, describe, expect, it } from 'vitest';
import { DraftBuilder } from '../../../src/config/draft/draftBuilder';
import { applyMegatronKeys, type KeyValues } from '../../../src/config/megatron/megatronKeys';
import { readMegatronShell } from '../../../src/config/megatron/megatronShell';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';
import type { ReadResult } from '../../../src/config/types';
import { loadShellGrammar } from '../../testInputs';

type Flags = [flag: string, value: string | true][];

// A modern model's shape flags, no dropout as modern recipes set it; the shape defaults for scripts that leave them
// out have a test of their own (megatronShell.test.ts).
const BASE: Flags = [
  ['--num-layers', '8'], ['--hidden-size', '1024'], ['--num-attention-heads', '16'],
  ['--swiglu', true], ['--untie-embeddings-and-output-weights', true], ['--hidden-dropout', '0.0'], ['--attention-dropout', '0.0'],
];

function readBoth(flags: Flags): { shell: ReadResult; yaml: ReadResult } {
  const all = [...BASE, ...flags];
  const script = `torchrun --nproc_per_node 8 pretrain_gpt.py \\\n${all.map(([flag, value]) => `  ${flag}${value === true ? '' : ` ${value}`}`).join(' \\\n')}\n`;
  const yaml = `MODEL_ARGS:\n${all.map(([flag, value]) => `  ${flag}: ${value === true ? 'true' : value}`).join('\n')}\n`;
  const shellRead = readMegatronShell(script, 'run.sh');
  const yamlRead = readNemoYaml(yaml, 'model_config.yaml');
  if (!shellRead || !yamlRead) throw new Error('not recognised');
  expect(yamlRead.format).toBe('megatron-functest-yaml');
  return { shell: shellRead, yaml: yamlRead };
}

/** Problems without their ranges: the two files put the same flag on different lines. */
const said = (result: ReadResult) => result.problems.map((p) => [p.severity, p.code, p.field]);

/** Reads both, checks they agree on everything but the launcher's GPUs per node, and gives the YAML's reading. */
function agreed(flags: Flags): ReadResult {
  const { shell, yaml } = readBoth(flags);
  const { gpusPerNode, ...shellCluster } = shell.design.cluster;
  expect(gpusPerNode).toBe(8);
  expect({ ...shell.design, cluster: shellCluster }).toEqual(yaml.design);
  expect(said(shell)).toEqual(said(yaml));
  return yaml;
}

describe('launch script and functional-test YAML read the same flags the same way', () => {
  beforeAll(loadShellGrammar);

  it('--moe-layer-freq 2: every second layer MoE, no leading dense layers', () => {
    const read = agreed([['--num-experts', '8'], ['--moe-layer-freq', '2']]);
    expect(read.design.model).toMatchObject({ experts: 8, moeLayerInterval: 2, denseLayers: 0 });
  });

  it('--moe-layer-freq as a pattern gives the leading dense layers; an unreadable one is said', () => {
    expect(agreed([['--num-experts', '8'], ['--moe-layer-freq', '"([0]*2+[1]*6)"']]).design.model.denseLayers).toBe(2);
    const unreadable = agreed([['--num-experts', '8'], ['--moe-layer-freq', '"[2]*8"']]);
    expect(unreadable.design.model.denseLayers).toBeUndefined();
    expect(said(unreadable)).toContainEqual(['info', 'value/unsupported', 'model.denseLayers']);
  });

  it('a shared-expert width that is not a multiple of the expert width counts as one shared expert, with a note', () => {
    const read = agreed([['--num-experts', '8'], ['--moe-ffn-hidden-size', '1024'], ['--moe-shared-expert-intermediate-size', '1536']]);
    expect(read.design.model.sharedExperts).toBe(1);
    expect(said(read)).toEqual([['info', 'value/unsupported', 'model.sharedExperts']]);
    expect(agreed([['--num-experts', '8'], ['--moe-ffn-hidden-size', '1024'], ['--moe-shared-expert-intermediate-size', '2048']]).design.model.sharedExperts).toBe(2);
  });

  it('--recompute-method block is noted as approximated', () => {
    const read = agreed([['--recompute-granularity', 'full'], ['--recompute-method', 'block'], ['--recompute-num-layers', '2']]);
    expect(read.design.plan.recompute).toBe('full');
    expect(said(read)).toEqual([['info', 'value/unsupported', 'plan.recompute']]);
  });

  it('legacy --model-parallel-size and --checkpoint-activations still mean TP and full recomputation, with a warning', () => {
    const read = agreed([['--model-parallel-size', '2'], ['--checkpoint-activations', true]]);
    expect(read.design.plan).toMatchObject({ tp: 2, recompute: 'full' });
    expect(said(read)).toEqual([['warning', 'key/legacy', undefined], ['warning', 'key/legacy', undefined]]);
    // The current flag wins over the old one.
    expect(agreed([['--model-parallel-size', '2'], ['--tensor-model-parallel-size', '4']]).design.plan.tp).toBe(4);
  });

  it('--num-query-groups counts only with --group-query-attention, as in arguments.py', () => {
    const ignored = agreed([['--num-query-groups', '4']]);
    expect(ignored.design.model.kvHeads).toBeUndefined();
    expect(said(ignored)).toEqual([['info', 'key/ignored', 'model.kvHeads']]);
    const grouped = agreed([['--group-query-attention', true], ['--num-query-groups', '4']]);
    expect(grouped.design.model).toMatchObject({ kvHeads: 4, attention: 'gqa' });
  });

  it('MLA without --q-lora-rank projects queries directly (q_lora_rank None)', () => {
    const dims: Flags = [['--kv-lora-rank', '512'], ['--qk-head-dim', '128'], ['--qk-pos-emb-head-dim', '64'], ['--v-head-dim', '128']];
    const read = agreed([['--multi-latent-attention', true], ...dims]);
    expect(read.design.model.mla).toEqual({ qLoraRank: 0, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 });
    expect(agreed([['--multi-latent-attention', true], ['--q-lora-rank', '1536'], ...dims]).design.model.mla).toMatchObject({ qLoraRank: 1536 });
  });

  it('Megatron-FSDP sharding strategies map to ZeRO 0–3, no_shard included; without FSDP the strategy does nothing', () => {
    const zero = (strategy: string) => agreed([['--use-megatron-fsdp', true], ['--data-parallel-sharding-strategy', strategy]]).design.plan.zero;
    expect(['no_shard', 'optim', 'optim_grads', 'optim_grads_params'].map(zero)).toEqual([0, 1, 2, 3]);
    expect(agreed([['--use-megatron-fsdp', true]]).design.plan.zero).toBe(3);
    expect(agreed([['--use-distributed-optimizer', true], ['--data-parallel-sharding-strategy', 'optim_grads_params']]).design.plan.zero).toBe(1);
  });

  it('precision, switches and the plain counts', () => {
    const read = agreed([
      ['--tensor-model-parallel-size', '2'], ['--pipeline-model-parallel-size', '2'], ['--sequence-parallel', true], ['--bf16', true],
      ['--swiglu', true], ['--untie-embeddings-and-output-weights', true], ['--recompute-activations', true], ['--activation-func-fp8-input-store', true],
    ]);
    expect(read.design.plan).toMatchObject({ tp: 2, pp: 2, sequenceParallel: true, precision: 'bf16', recompute: 'selective', activationFp8InputStore: true });
    expect(read.design.model).toMatchObject({ activation: 'swiglu', tiedEmbeddings: false });
    expect(read.design.plan.schedule).toBeUndefined();
  });

  it('--hidden-dropout and --attention-dropout are read as the rates they are, each at its own line', () => {
    const { shell, yaml } = readBoth([['--hidden-dropout', '0.1'], ['--attention-dropout', '0.05']]);
    for (const read of [shell, yaml]) {
      // The later flag wins over BASE's 0.0, as argparse does.
      expect(read.design.model).toMatchObject({ hiddenDropout: 0.1, attentionDropout: 0.05 });
      expect(read.sourceMap.get('model.hiddenDropout')!.key.line).not.toBe(read.sourceMap.get('model.attentionDropout')!.key.line);
    }
    expect(said(shell)).toEqual(said(yaml));
  });
});

describe('the dataclass YAML keeps its own defaults', () => {
  const bridge = (model: string, ddp: string) =>
    readNemoYaml(`_target_: megatron.bridge.training.config.ConfigContainer\nmodel:\n  num_layers: 8\n  hidden_size: 1024\n${model}train:\n  micro_batch_size: 1\nddp:\n${ddp}`, 'x.yaml')!;

  it('hidden_dropout / attention_dropout as written; left out, they are not defaulted to TransformerConfig\'s 0.1', () => {
    const stated = bridge('  hidden_dropout: 0.0\n  attention_dropout: 0.1\n', '  use_distributed_optimizer: true\n');
    expect(stated.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0.1 });
    const absent = bridge('', '  use_distributed_optimizer: true\n');
    expect(absent.design.model.hiddenDropout).toBeUndefined();
    expect(absent.problems.filter((problem) => problem.code === 'value/defaulted')).toEqual([]);
  });

  it('num_query_groups is the KV head count without any gate', () => {
    expect(bridge('  num_query_groups: 4\n', '  use_distributed_optimizer: true\n').design.model.kvHeads).toBe(4);
  });

  it('use_megatron_fsdp with no_shard is ZeRO 0; the default no_shard beside the distributed optimizer is ZeRO 1', () => {
    const at = { startOffset: 0, endOffset: 1, line: 1, column: 1, endLine: 1, endColumn: 2 };
    const values: KeyValues = new Map();
    values.set('use_megatron_fsdp', { name: 'use_megatron_fsdp', raw: true, keyRange: at, valueRange: at });
    values.set('data_parallel_sharding_strategy', { name: 'data_parallel_sharding_strategy', raw: 'no_shard', keyRange: at, valueRange: at });
    const builder = new DraftBuilder();
    applyMegatronKeys(values, builder, 'dataclass');
    expect(builder.draft.plan.zero).toBe(0);
    expect(bridge('', '  use_megatron_fsdp: false\n  data_parallel_sharding_strategy: no_shard\n  use_distributed_optimizer: true\n').design.plan.zero).toBe(1);
  });
});
