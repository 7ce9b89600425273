// Files that do not say everything (issue 10 items 1 and 8): a DeepSpeed JSON names no model, an HF config.json
// no cluster, a torchtitan TOML may lack its flavour. What was read still shows, the way to complete it is said in
// that format's terms, and a cluster plens assumed does not make `plens check` fail.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo } from '../../src/cli/io';

const fixture = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const hfLlama70b = fixture('hf/llama3_1_70b_instruct_config.json');
const dsZero2 = fixture('deepspeed/ds_config_func_bs8_zero2_offload.json');
const dsZero3 = fixture('deepspeed/hf_transformers_ds_config_zero3_bf16.json');
// A torchtitan job file whose [model] names no flavour: the parallelism is all it says.
const tomlWithoutFlavour = '[model]\nname = "llama3"\n\n[training]\nlocal_batch_size = 2\nseq_len = 8192\n\n[parallelism]\ntensor_parallel_degree = 4\npipeline_parallel_degree = 2\n';

interface EstimateOut {
  design: { model: Record<string, unknown>; plan: Record<string, unknown>; cluster: Record<string, unknown> } | null;
  origins: Record<string, { from: string; line?: number }>;
  problems: { severity: string; code: string; message: string }[];
  estimate: unknown;
}

async function estimateJson(files: Record<string, string>, argv: string[]): Promise<EstimateOut> {
  const io = memoryIo(files);
  await runEstimate([...argv, '--json'], io);
  return JSON.parse(io.out) as EstimateOut;
}

describe('plens check on a cluster nobody named', () => {
  it('an HF config.json alone passes: over capacity is a warning naming the assumed GPU and world size', async () => {
    const io = memoryIo({ 'config.json': hfLlama70b });
    expect(await runCheck(['config.json'], io)).toBe(0);
    const overCapacity = io.out.split('\n').filter((line) => line.includes('memory/over-capacity'));
    expect(overCapacity.length).toBeGreaterThan(0);
    for (const line of overCapacity) {
      expect(line).toMatch(/^config\.json:\d+:\d+: warning memory\/over-capacity: /);
      expect(line).toContain('on an assumed cluster (GPU H100-SXM, world size 1)');
      expect(line).toContain('`--gpu <id>` `--nodes <N>` on the command line');
      expect(line).toContain('a JSON file cannot carry a `# plens:` comment');
    }
    expect(io.out).toContain('0 errors');
  });

  it('stays an error once the GPU and the node count are named', async () => {
    const io = memoryIo({ 'config.json': hfLlama70b });
    // 70B on 8 GPUs without sharding the optimizer: over 1 TiB per GPU, whatever the DP.
    expect(await runCheck(['config.json', '--gpu', 'H100', '--nodes', '1'], io)).toBe(1);
    expect(io.out).toMatch(/^config\.json:\d+:\d+: error memory\/over-capacity: /m);
    expect(io.out).not.toContain('assumed cluster');
  });

  it('names only what was assumed: a named GPU leaves the world size', async () => {
    const io = memoryIo({ 'config.json': hfLlama70b });
    expect(await runCheck(['config.json', '--gpu', 'H200'], io)).toBe(0);
    expect(io.out).toContain('on an assumed cluster (world size 1)');
  });
});

describe('plens estimate --json on a file that does not name its model', () => {
  it('a DeepSpeed JSON: design holds the plan and cluster read, each with its origin; estimate null', async () => {
    const out = await estimateJson({ 'ds.json': dsZero2 }, ['ds.json']);
    expect(out.estimate).toBeNull();
    expect(out.design).not.toBeNull();
    expect(out.design!.model).toEqual({});
    expect(out.design!.plan).toMatchObject({ zero: 2, precision: 'fp16', globalBatchSize: 8, tp: 1, pp: 1 });
    expect(out.design!.cluster).toMatchObject({ gpu: 'H100-SXM', worldSize: 1 });
    expect(out.origins['plan.zero']).toMatchObject({ from: 'file', line: 6 });
    expect(out.origins['plan.globalBatchSize']).toMatchObject({ from: 'file', line: 2 });
    expect(out.origins['cluster.gpu']).toMatchObject({ from: 'default' });
    const missing = out.problems.find((problem) => problem.code === 'model/missing');
    expect(missing?.severity).toBe('error');
    expect(missing?.message).toContain('`--model <id|config.json>` on the command line');
    expect(missing?.message).toContain('`model` in a plens.yaml beside the file');
    expect(missing?.message).toContain('a JSON file cannot carry a `# plens:` comment');
    expect(missing?.message).not.toContain('add `# plens:');
  });

  it('a ZeRO-3 DeepSpeed JSON with "auto" values: what is symbolic is null and said, the rest shown', async () => {
    // "bf16": {"enabled": "auto"} and the batch keys "auto": left to the HF Trainer, so null, each a problem.
    const out = await estimateJson({ 'ds.json': dsZero3 }, ['ds.json']);
    expect(out.design?.plan).toMatchObject({ zero: 3, precision: null, microBatchSize: null });
    expect(out.problems.some((problem) => problem.code === 'value/unresolved')).toBe(true);
  });

  it('a plens.yaml beside the JSON completes it, as the message says', async () => {
    const beside = 'model: llama3-8b\ncluster:\n  gpu: H800\n  nodes: 1\n';
    const out = await estimateJson({ 'run/ds.json': dsZero2, 'run/plens.yaml': beside }, ['run/ds.json']);
    expect(out.estimate).not.toBeNull();
    expect(out.design?.model).toMatchObject({ name: 'llama3-8b', layers: 32 });
    expect(out.design?.cluster).toMatchObject({ gpu: 'H800', worldSize: 8 });
    expect(out.origins['cluster.gpu']).toMatchObject({ from: 'workspace' });
    expect(out.origins['plan.zero']).toMatchObject({ from: 'file' });
  });

  it('an unusable plens.yaml beside it is said on stderr, not silently skipped', async () => {
    const io = memoryIo({ 'ds.json': dsZero2, 'plens.yaml': 'cluster:\n  gpu: 3\n' });
    await runEstimate(['ds.json', '--json'], io);
    expect(io.err).toMatch(/^plens\.yaml: not used: /);
  });

  it('--model and --gpu on the command line complete it too', async () => {
    const out = await estimateJson({ 'ds.json': dsZero2 }, ['ds.json', '--model', 'llama3-8b', '--gpu', 'H100', '--nodes', '1']);
    expect(out.estimate).not.toBeNull();
    expect(out.origins['modelId']).toMatchObject({ from: 'flag' });
  });

  it('an HF config.json is the model: design and estimate, the cluster assumed and said how to name', async () => {
    const out = await estimateJson({ 'config.json': hfLlama70b }, ['config.json']);
    expect(out.design?.model).toMatchObject({ layers: 80, hidden: 8192, heads: 64, kvHeads: 8 });
    expect(out.origins['cluster.gpu']?.from).toBe('default');
    const gpu = out.problems.find((problem) => problem.code === 'value/defaulted' && problem.message.startsWith('cluster.gpu'));
    expect(gpu?.message).toContain('`--gpu <id>` on the command line');
    expect(gpu?.message).not.toContain('add `# plens:');
  });

  it('a torchtitan TOML without a flavour: the plan read, the model as far as stated, the advice a comment', async () => {
    const out = await estimateJson({ 'job.toml': tomlWithoutFlavour }, ['job.toml']);
    expect(out.estimate).toBeNull();
    expect(out.design?.plan).toMatchObject({ tp: 4, pp: 2, globalBatchSize: 2, seqLength: 8192, framework: 'torchtitan' });
    expect(out.origins['plan.tp']).toMatchObject({ from: 'file', line: 9 });
    const missing = out.problems.find((problem) => problem.code === 'model/missing');
    expect(missing?.message).toContain('add `# plens: model=<catalog id or ./config.json>` to the file');
    expect(missing?.message).not.toContain('cannot carry');
  });
});
