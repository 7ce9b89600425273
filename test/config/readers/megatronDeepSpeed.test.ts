// Megatron-DeepSpeed's dialect (issue 10 item 4), on a launch script written the way its MoE examples are: model
// and MoE sizes in variables, a `megatron_options` string, a DeepSpeed config written by a heredoc, the deepspeed
// launcher. Megatron-DeepSpeed's own flags and defaults must be read as its arguments.py reads them.
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readMegatronShell } from '../../../src/config/megatron/megatronShell';
import type { ReadResult } from '../../../src/config/types';
import { runEstimate } from '../../../src/cli/commands/estimate';
import { memoryIo } from '../../../src/cli/io';
import { loadShellGrammar } from '../../testInputs';

const MOE_SCRIPT = `#!/bin/bash
# GPT-3 350M with 64 experts (PR-MoE off), Megatron-DeepSpeed style.
NUM_LAYERS=24
HIDDEN_SIZE=1024
NUM_ATTN_HEADS=16
SEQ_LEN=2048
MICRO_BATCH=4
GLOBAL_BATCH=256
EP_SIZE=64
EP_PARALLEL_SIZE=8
MP_SIZE=1
NUM_GPUS_PERNODE=8
NUM_NODE=4
ZERO_STAGE=1
config_json="ds_config_gpt_moe.json"

megatron_options=" \\
    --tensor-model-parallel-size \${MP_SIZE} \\
    --moe-expert-parallel-size \${EP_PARALLEL_SIZE} \\
    --num-experts \${EP_SIZE} \\
    --moe-loss-coeff 0.01 \\
    --moe-train-capacity-factor 1.0 \\
    --num-layers \${NUM_LAYERS} \\
    --hidden-size \${HIDDEN_SIZE} \\
    --num-attention-heads \${NUM_ATTN_HEADS} \\
    --num-key-value-heads 4 \\
    --seq-length \${SEQ_LEN} \\
    --max-position-embeddings \${SEQ_LEN} \\
    --micro-batch-size \${MICRO_BATCH} \\
    --global-batch-size \${GLOBAL_BATCH} \\
    --tokenizer-type GPT2BPETokenizer \\
    --checkpoint-activations \\
    --fp16"

cat <<EOT > \${config_json}
{
  "train_batch_size": \${GLOBAL_BATCH},
  "train_micro_batch_size_per_gpu": \${MICRO_BATCH},
  "zero_optimization": { "stage": \${ZERO_STAGE} },
  "fp16": { "enabled": true }
}
EOT

deepspeed_options=" \\
    --deepspeed \\
    --deepspeed_config \${config_json} \\
    --zero-stage \${ZERO_STAGE}"

deepspeed --num_nodes \${NUM_NODE} --num_gpus \${NUM_GPUS_PERNODE} pretrain_gpt.py \${megatron_options} \${deepspeed_options}
`;

function read(text: string): ReadResult {
  const result = readMegatronShell(text, 'ds_pretrain_gpt_350M_MoE64.sh');
  if (!result) throw new Error('not read as a Megatron script');
  return result;
}

describe('Megatron-DeepSpeed launch scripts', () => {
  beforeAll(loadShellGrammar);

  it('reads its own spellings: --moe-expert-parallel-size, --num-key-value-heads, --num-experts, the launcher and the heredoc JSON', () => {
    const result = read(MOE_SCRIPT);
    expect(result.design.plan).toMatchObject({ tp: 1, ep: 8, zero: 1, microBatchSize: 4, globalBatchSize: 256, seqLength: 2048, precision: 'fp16', recompute: 'full' });
    expect(result.design.model).toMatchObject({ layers: 24, hidden: 1024, heads: 16, kvHeads: 4, experts: 64 });
    expect(result.design.cluster).toMatchObject({ nodes: 4, gpusPerNode: 8 });
    expect(result.sourceMap.get('plan.ep')?.key.line).toBe(19);
    expect(result.sourceMap.get('model.kvHeads')?.key.line).toBe(26);
  });

  it('takes its defaults: top-1 routing and experts every second layer, each said once', () => {
    const result = read(MOE_SCRIPT);
    expect(result.design.model).toMatchObject({ topK: 1, moeLayerInterval: 2 });
    const defaulted = result.problems.filter((p) => p.code === 'value/defaulted').map((p) => p.field);
    expect(defaulted).toContain('model.topK');
    expect(defaulted).toContain('model.moeLayerInterval');
    const stated = read(MOE_SCRIPT.replace('--moe-loss-coeff 0.01', '--topk 2 --expert-interval 1'));
    expect(stated.design.model).toMatchObject({ topK: 2, moeLayerInterval: 1 });
    expect(stated.problems.filter((p) => p.code === 'value/defaulted' && (p.field === 'model.topK' || p.field === 'model.moeLayerInterval'))).toEqual([]);
  });

  it('--checkpoint-activations is current there: full recomputation, no legacy warning', () => {
    const result = read(MOE_SCRIPT);
    expect(result.design.plan.recompute).toBe('full');
    expect(result.problems.filter((p) => p.code === 'key/legacy')).toEqual([]);
    // The same flag in a plain Megatron-LM script is the removed flag it is there.
    const plain = read(MOE_SCRIPT.replace(/deepspeed_options="[^"]*"/, 'deepspeed_options=""').replace(/--moe-expert-parallel-size \S+ \\\n/, '').replace(/--num-key-value-heads 4 \\\n/, '').replace('--moe-loss-coeff 0.01 \\\n', ''));
    expect(plain.problems.some((p) => p.code === 'key/legacy' && p.message.includes('--checkpoint-activations'))).toBe(true);
  });

  it('--num-experts as a per-layer list: the largest, said; 1 is a dense model', () => {
    const pyramid = read(MOE_SCRIPT.replace('--num-experts ${EP_SIZE}', '--num-experts 32 32 32 32 32 32 32 32 32 32 64 64'));
    expect(pyramid.design.model.experts).toBe(64);
    expect(pyramid.problems.find((p) => p.field === 'model.experts')?.message).toContain('prices every MoE layer with 64');
    const dense = read(MOE_SCRIPT.replace('EP_SIZE=64', 'EP_SIZE=1'));
    expect(dense.design.model.experts).toBe(0);
    expect(dense.design.model.topK).toBeUndefined();
  });

  it('a hostfile launch: the world size from NUM_GPUS, which its MoE examples set, at its line', () => {
    const text = MOE_SCRIPT.replace('NUM_NODE=4\n', 'NUM_GPUS=64\n').replace('deepspeed --num_nodes ${NUM_NODE} --num_gpus ${NUM_GPUS_PERNODE}', 'deepspeed --hostfile /job/hostfile');
    const result = read(text);
    expect(result.design.cluster.worldSize).toBe(64);
    expect(result.sourceMap.get('cluster.worldSize')?.key.line).toBe(13);
    expect(completeDesign(result, { text }).design!.plan.dp).toBe(64);
    // A launcher that gives the nodes wins over it.
    expect(read(MOE_SCRIPT.replace('NUM_NODE=4\n', 'NUM_NODE=4\nNUM_GPUS=64\n')).design.cluster.worldSize).toBeUndefined();
  });

  it('completes to an estimate-ready design: ZeRO-1 over DP, EP 8 inside DP 32', () => {
    const text = MOE_SCRIPT;
    const completion = completeDesign(read(text), { text });
    expect(completion.design).toBeDefined();
    expect(completion.design!.plan).toMatchObject({ dp: 32, ep: 8, zero: 1 });
    expect(completion.design!.model).toMatchObject({ experts: 64, topK: 1, kvHeads: 4, attention: 'gqa' });
    expect(completion.design!.cluster.worldSize).toBe(32);
  });

  describe('a DeepSpeed config the script names but does not write', () => {
    // The same script with its heredoc taken out: ds_config_gpt_moe.json is a file beside it.
    const script = MOE_SCRIPT.replace(/cat <<EOT[\s\S]*?EOT\n/, '').replace(/ZERO_STAGE=1\n/, '').replace(' \\\n    --zero-stage ${ZERO_STAGE}', '').replace('    --micro-batch-size ${MICRO_BATCH} \\\n    --global-batch-size ${GLOBAL_BATCH} \\\n', '');
    const dsConfig = '{\n  "train_batch_size": 512,\n  "train_micro_batch_size_per_gpu": 2,\n  "zero_optimization": {"stage": 2},\n  "fp16": {"enabled": true}\n}\n';
    interface Out { design: { plan: Record<string, unknown> }; origins: Record<string, { from: string; detail?: string }>; problems: { code: string; severity: string; message: string; line?: number }[] }
    const estimate = async (files: Record<string, string>): Promise<Out> => {
      const io = memoryIo(files);
      await runEstimate(['run/train.sh', '--json'], io);
      return JSON.parse(io.out) as Out;
    };

    it('the script does not carry the values itself', () => {
      expect(script).not.toContain('cat <<EOT');
      expect(script).not.toContain('--zero-stage');
      expect(script).not.toContain('--global-batch-size');
      expect(script).toContain('--deepspeed_config ${config_json}');
    });

    it('reads ZeRO stage and batch sizes from it, inside the config folder, with the file as their origin', async () => {
      const out = await estimate({ 'run/train.sh': script, 'run/ds_config_gpt_moe.json': dsConfig });
      expect(out.design.plan).toMatchObject({ zero: 2, globalBatchSize: 512, microBatchSize: 2 });
      expect(out.origins['plan.zero']).toMatchObject({ from: 'file', detail: 'DeepSpeed config ds_config_gpt_moe.json' });
      expect(out.problems.filter((p) => p.code === 'config/companion-not-read')).toEqual([]);
    });

    it('says so at the flag when the file is missing, and never reads outside the folder', async () => {
      const missing = await estimate({ 'run/train.sh': script });
      const said = missing.problems.find((p) => p.code === 'config/companion-not-read');
      expect(said?.message).toContain('ds_config_gpt_moe.json');
      expect(said?.line).toBe(35); // the --deepspeed_config line, once the heredoc and batch flags are taken out
      const outside = script.replace('config_json="ds_config_gpt_moe.json"', 'config_json="../../etc/ds.json"');
      const refused = await estimate({ 'run/train.sh': outside, '../../etc/ds.json': dsConfig });
      expect(refused.design.plan.zero).not.toBe(2);
      expect(refused.problems.find((p) => p.code === 'config/companion-not-read')?.severity).toBe('warning');
    });
  });

  describe('a hostfile launch with no GPU count in the script', () => {
    // deepspeed --hostfile: the hosts and their slots are the world size (deepspeed/launcher/runner.py's format).
    const script = MOE_SCRIPT.replace('deepspeed --num_nodes ${NUM_NODE} --num_gpus ${NUM_GPUS_PERNODE}', 'deepspeed --hostfile hostfile');
    interface Out { design: { plan: Record<string, unknown>; cluster: Record<string, unknown> }; origins: Record<string, { from: string; detail?: string }>; problems: { code: string; severity: string; message: string; line?: number }[] }
    const estimate = async (files: Record<string, string>): Promise<Out> => {
      const io = memoryIo(files);
      await runEstimate(['run/train.sh', '--json'], io);
      return JSON.parse(io.out) as Out;
    };

    it('reads nodes and GPUs per node from the hostfile beside the script, with the file as their origin', async () => {
      const hosts = 'worker-1 slots=8\nworker-2 slots=8\n# a spare, not used\n\nworker-3 slots=8   # rack 2\nworker-4 slots=8\n';
      const out = await estimate({ 'run/train.sh': script, 'run/hostfile': hosts });
      expect(out.design.cluster).toMatchObject({ nodes: 4, gpusPerNode: 8, worldSize: 32 });
      expect(out.design.plan.dp).toBe(32);
      expect(out.origins['cluster.nodes']).toMatchObject({ from: 'file', detail: 'hostfile hostfile: 4 hosts, 32 GPUs' });
      expect(out.problems.filter((p) => p.code === 'config/companion-not-read')).toEqual([]);
    });

    it('hosts with different slot counts give a world size, not nodes × GPUs', async () => {
      const out = await estimate({ 'run/train.sh': script, 'run/hostfile': 'a slots=8\nb slots=8\nc slots=16\n' });
      expect(out.design.cluster.worldSize).toBe(32);
      expect(out.design.plan.dp).toBe(32);
    });

    it('a hostfile it cannot read or parse is said at the flag, and the world size stays assumed', async () => {
      const missing = await estimate({ 'run/train.sh': script });
      const said = missing.problems.find((p) => p.code === 'config/companion-not-read');
      expect(said).toMatchObject({ severity: 'info', line: 49 }); // the deepspeed launcher line
      expect(said?.message).toContain('hostfile');
      expect(missing.origins['cluster.nodes']?.from).not.toBe('file');
      const bad = await estimate({ 'run/train.sh': script, 'run/hostfile': 'worker-1 slots=8\nworker-1 slots=8\n' });
      expect(bad.problems.find((p) => p.code === 'config/companion-not-read')).toMatchObject({ severity: 'warning', message: expect.stringContaining('listed twice') });
      const outside = await estimate({ 'run/train.sh': script.replace('--hostfile hostfile', '--hostfile /job/hostfile'), '/job/hostfile': 'a slots=8\n' });
      expect(outside.origins['cluster.nodes']?.from).not.toBe('file');
      expect(outside.problems.find((p) => p.code === 'config/companion-not-read')?.severity).toBe('info');
    });

    it('a script that states its GPU count does not need the hostfile', () => {
      expect(read(MOE_SCRIPT.replace('deepspeed --num_nodes', 'deepspeed --hostfile hostfile --num_nodes')).companions?.some((c) => c.kind === 'hostfile') ?? false).toBe(false);
      expect(read(script).companions?.find((c) => c.kind === 'hostfile')?.path).toBe('hostfile');
    });
  });
});
