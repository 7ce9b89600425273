// A world size left to the launcher (issue 10 item 2): when EP needs more GPUs than tp·pp·cp give, completion
// takes the smallest DP that makes Megatron's expert layout valid, says it assumed it and why, and estimates.
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { designProblems } from '../../../src/config/completion/designProblems';
import { readConfig } from '../../../src/config/index';
import { estimate } from '../../../src/model/estimate';

/** A functional-test YAML as Megatron's CI writes it: flags only, no world size (the CI launcher sets it). */
function functest(flags: Record<string, string | number>): string {
  const lines = Object.entries(flags).map(([flag, value]) => `  --${flag}: ${value}`);
  return `ENV_VARS:\n  CUDA_DEVICE_MAX_CONNECTIONS: 1\nMODEL_ARGS:\n${lines.join('\n')}\n`;
}

const MOE_MODEL = {
  'num-layers': 8, 'hidden-size': 1024, 'num-attention-heads': 16, 'seq-length': 4096, 'micro-batch-size': 1,
  'global-batch-size': 64, 'num-experts': 16, 'moe-router-topk': 2, 'vocab-size': 32000, swiglu: 'true', bf16: 'true',
};

function complete(flags: Record<string, string | number>, extra = '') {
  const text = functest({ ...MOE_MODEL, ...flags }) + extra;
  const read = readConfig(text, 'model_config.yaml')!;
  expect(read.format).toBe('megatron-functest-yaml');
  const completion = completeDesign(read, { text });
  const design = completion.design!;
  const result = estimate(design);
  return { completion, design, result, problems: designProblems({ read, completion, result }) };
}

describe('world size left to the launcher', () => {
  it('EP 8 over TP 2 × PP 2: DP 4 (EP must divide tp·cp·dp = 2·dp), assumed with its reason, and an estimate', () => {
    const { completion, design, result, problems } = complete({ 'tensor-model-parallel-size': 2, 'pipeline-model-parallel-size': 2, 'expert-model-parallel-size': 8 });
    expect(design.plan).toMatchObject({ tp: 2, pp: 2, ep: 8, dp: 4 });
    expect(design.cluster.worldSize).toBe(16);
    expect(completion.origins['plan.dp']).toMatchObject({ from: 'default' });
    expect(completion.origins['plan.dp']?.detail).toContain('smallest DP (4)');
    expect(completion.origins['cluster.worldSize']).toMatchObject({ from: 'default' });
    expect(problems.map((p) => p.code)).not.toContain('layout/ep-dp');
    expect(problems.find((p) => p.code === 'value/defaulted' && p.field === 'cluster.worldSize')?.message).toContain('assumed 16');
    expect(result.estimate).toBeDefined();
  });

  it('counts ETP and CP: EP 4 × ETP 2 over TP 2 × CP 2 needs DP 2', () => {
    const { design, problems } = complete({ 'tensor-model-parallel-size': 2, 'context-parallel-size': 2, 'expert-model-parallel-size': 4, 'expert-tensor-parallel-size': 2 });
    expect(design.plan).toMatchObject({ tp: 2, cp: 2, ep: 4, etp: 2, dp: 2 });
    expect(design.cluster.worldSize).toBe(8);
    expect(problems.map((p) => p.code)).not.toContain('layout/ep-dp');
  });

  it('EP that fits inside tp·cp keeps one replica', () => {
    const { completion, design } = complete({ 'tensor-model-parallel-size': 8, 'expert-model-parallel-size': 4 });
    expect(design.plan.dp).toBe(1);
    expect(design.cluster.worldSize).toBe(8);
    expect(completion.origins['plan.dp']).toMatchObject({ from: 'derived' });
  });

  it('a world size the file states is kept: on 8 GPUs, EP 8 fits TP 2 × DP 4 but not TP 2 × PP 4 (the layout error stays)', () => {
    const { design, problems } = complete({ 'tensor-model-parallel-size': 2, 'expert-model-parallel-size': 8 }, '# plens: nodes=1 gpusPerNode=8\n');
    expect(design.cluster.worldSize).toBe(8);
    expect(design.plan.dp).toBe(4);
    expect(problems.map((p) => p.code)).not.toContain('layout/ep-dp');
    const tight = complete({ 'tensor-model-parallel-size': 2, 'pipeline-model-parallel-size': 4, 'expert-model-parallel-size': 8 }, '# plens: nodes=1 gpusPerNode=8\n');
    expect(tight.design.plan.dp).toBe(1);
    expect(tight.problems.map((p) => p.code)).toContain('layout/ep-dp');
  });
});
