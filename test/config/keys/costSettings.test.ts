// The time model's settings read from configs, with each framework's default where the file is silent
// (COSTMODEL.md §7 items 4–5): Megatron's overlap flags and FP8 recipe, and an unknown recipe as a problem.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readConfig } from '../../../src/config/index';
import { estimate } from '../../../src/model/estimate';
import { loadShellGrammar } from '../../testInputs';

const script = (flags: string) => `#!/bin/bash
torchrun --nproc_per_node 8 --nnodes 2 pretrain_gpt.py --tensor-model-parallel-size 2 --pipeline-model-parallel-size 2 --num-layers 8 --hidden-size 2048 \\
  --num-attention-heads 16 --seq-length 2048 --micro-batch-size 1 --global-batch-size 32 --bf16 ${flags}
`;

function complete(text: string, name = 'run.sh') {
  const read = readConfig(text, name)!;
  return { read, ...completeDesign(read, { text }) };
}

describe('overlap and FP8 recipe from Megatron flags', () => {
  beforeAll(loadShellGrammar);

  it('without the flags: Megatron\'s defaults (no overlap), said to be defaults', () => {
    const { design, origins } = complete(script(''));
    expect(design!.plan.overlapGradReduce).toBe(false);
    expect(design!.plan.tpCommOverlap).toBe(false);
    expect(origins['plan.overlapGradReduce']).toMatchObject({ from: 'default' });
  });

  it('--overlap-grad-reduce and --tp-comm-overlap are read and move the estimate', () => {
    const plain = complete(script(''));
    const overlapped = complete(script('--overlap-grad-reduce --overlap-param-gather --tp-comm-overlap'));
    expect(overlapped.design!.plan).toMatchObject({ overlapGradReduce: true, overlapParamGather: true, tpCommOverlap: true });
    expect(overlapped.origins['plan.overlapGradReduce']).toMatchObject({ from: 'file' });
    const a = estimate(plain.design!).estimate!;
    const b = estimate(overlapped.design!).estimate!;
    expect(b.breakdown.exposedComm.dp).toBeLessThan(a.breakdown.exposedComm.dp);
    expect(b.breakdown.exposedComm.tp).toBeLessThan(a.breakdown.exposedComm.tp);
  });

  it('--fp8-recipe is read; a recipe plens cannot price is an error at its value, not BF16', () => {
    const { design } = complete(script('--fp8-format hybrid --fp8-recipe blockwise'));
    expect(design!.plan).toMatchObject({ precision: 'fp8', fp8Recipe: 'blockwise' });
    const custom = complete(script('--fp8-format hybrid --fp8-recipe custom'));
    const problem = custom.read.problems.find((p) => p.code === 'precision/unknown-recipe');
    expect(problem?.message).toMatch(/cannot price the FP8 recipe "?custom/);
    expect(problem?.range).toBeDefined();
  });

  it('NVFP4 (--fp4-format) is the fp8 precision\'s nvfp4 recipe, refused on Hopper', () => {
    const { design } = complete(script('--fp4-format e2m1'));
    expect(design!.plan).toMatchObject({ precision: 'fp8', fp8Recipe: 'nvfp4' });
    const result = estimate(design!);
    expect(result.estimate).toBeNull();
    expect(result.problems.find((p) => p.code === 'precision/unsupported')?.message).toMatch(/microscaling/);
  });
});

describe('framework defaults in NeMo / Megatron-Bridge YAML', () => {
  it('overlaps DP by default when the file says nothing', () => {
    const text = readFileSync('test/fixtures/nemo/launcher_gpt3_175b.yaml', 'utf8');
    const { design, origins } = complete(text, 'launcher_gpt3_175b.yaml');
    expect(design!.plan.overlapGradReduce).toBe(true);
    expect(['default', 'file']).toContain(origins['plan.overlapGradReduce']?.from);
  });
});

describe('torchtitan: torch.compile and the Float8 recipe', () => {
  const toml = (extra: string) => `[model]\nname = "llama3"\nflavor = "8B"\nconverters = ["float8"]\n[training]\nlocal_batch_size = 1\nseq_len = 8192\n${extra}`;

  it('reads compile.enable and defaults the Float8 recipe to torchao\'s tensorwise', () => {
    const { design, origins } = complete(toml('[compile]\nenable = true\n'), 'job.toml');
    expect(design!.plan).toMatchObject({ precision: 'fp8', fp8Recipe: 'tensorwise', compile: true });
    expect(origins['plan.fp8Recipe']).toMatchObject({ from: 'default' });
    expect(origins['plan.compile']).toMatchObject({ from: 'file' });
  });

  it('says so when a recipe is not priced on its own (rowwise)', () => {
    const { read } = complete(toml('[float8]\nrecipe_name = "rowwise"\n'), 'job.toml');
    expect(read.problems.find((p) => p.code === 'precision/unknown-recipe')?.message).toMatch(/rowwise/);
  });
});

describe('native format: gradient reduce dtype', () => {
  const file = (extra: string) => readFileSync('examples/mixtral-8x7b.plens.yaml', 'utf8') + extra;

  it('reads training.gradReduceInFp32 and halves the DP gradient traffic', () => {
    const plain = complete(file(''), 'mixtral.plens.yaml');
    const bf16 = complete(file('  gradReduceInFp32: false\n'), 'mixtral.plens.yaml');
    expect(plain.design!.plan.gradReduceInFp32).toBeUndefined();
    expect(bf16.design!.plan.gradReduceInFp32).toBe(false);
    expect(bf16.origins['plan.gradReduceInFp32']).toMatchObject({ from: 'file' });
    const a = estimate(plain.design!).estimate!;
    const b = estimate(bf16.design!).estimate!;
    expect(b.traffic.perGpuPerStep.dp.nvlinkBytes).toBeLessThan(a.traffic.perGpuPerStep.dp.nvlinkBytes);
    expect(b.memory.peakBytes).toBeLessThan(a.memory.peakBytes);
  });
});
