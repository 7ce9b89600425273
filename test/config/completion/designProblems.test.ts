// designProblems: completion's, the model's and the file format's problems merged so each fact is said once, on the
// key of the first of its fields the file wrote.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign, type CompletionContext } from '../../../src/config/completion/complete';
import { designProblems } from '../../../src/config/completion/designProblems';
import { readConfig } from '../../../src/config/index';
import { locate } from '../../../src/config/completion/validate';
import { estimate } from '../../../src/model/estimate';
import type { Problem } from '../../../src/model/problems';
import { loadShellGrammar } from '../../testInputs';

function analyse(text: string, fileName: string, context: CompletionContext = {}, withEstimate = true) {
  const read = readConfig(text, fileName)!;
  const completion = completeDesign(read, { text, readModelFile: readConfig, ...context });
  const result = withEstimate && completion.design ? estimate(completion.design) : undefined;
  return { read, completion, result, problems: designProblems({ read, completion, result }) };
}

const file = (path: string) => readFileSync(path, 'utf8');
const where = (problems: Problem[], code: string) => problems.filter((p) => p.code === code).map((p) => [p.range?.line, p.range?.column]);

beforeAll(loadShellGrammar);

describe('designProblems on the bundled example and fixtures', () => {
  it('examples/deepseek-v3.plens.yaml: 61 layers over 16 stages once, on `pp: 16` (line 12, column 7)', () => {
    const { problems } = analyse(file('examples/deepseek-v3.plens.yaml'), 'examples/deepseek-v3.plens.yaml');
    expect(problems.map((p) => p.code)).toEqual(['layout/layers-pp']);
    expect(problems[0]).toMatchObject({ severity: 'warning', range: { line: 12, column: 7, endLine: 12, endColumn: 9 } });
    expect(problems[0]!.message).toContain('61 layers do not split evenly over 16 pipeline stages');
  });

  it('Megatron-LM GPT-3 175B script: TP 8 × PP 16 on one node of 8 once, on the TP value (line 56, column 31)', () => {
    // `--tensor-model-parallel-size 8` after a tab: the 8 is column 31. dp is derived (1), so the first size written holds it.
    const text = file('test/fixtures/megatron-lm/train_gpt3_175b_distributed.sh');
    for (const withEstimate of [true, false]) {
      const { problems } = analyse(text, 'train_gpt3_175b_distributed.sh', {}, withEstimate);
      expect(where(problems, 'layout/world-size')).toEqual([[56, 31]]);
      expect(problems.find((p) => p.code === 'layout/world-size')!.message).toBe('tp·pp·cp·dp = 8·16·1·1 = 128, but the cluster has 8 GPUs (1 node × 8)');
    }
  });

  it('an unknown GPU once, completion\'s wording at the value, although the estimate refuses it too', () => {
    const { result, problems } = analyse('model: llama3-8b\ncluster: {gpu: Z9000, nodes: 1}\n', 'x.plens.yaml');
    expect(result!.problems.map((p) => p.code)).toContain('cluster/unknown-gpu');
    expect(where(problems, 'cluster/unknown-gpu')).toEqual([[2, 16]]);
    expect(problems.find((p) => p.code === 'cluster/unknown-gpu')!.message).toContain('is not a GPU plens knows');
  });

  it('DeepSpeed: the reader\'s batch identity and the model\'s layout/batch are one fact', () => {
    // 8 GPUs, tp 1 → dp 8; 100 is neither a multiple of 8 × 4 (the reader sees that) nor of 8 × 8 (the model).
    const text = '// plens: gpu=H100 nodes=1 model=llama3-8b\n{\n  "train_batch_size": 100,\n  "train_micro_batch_size_per_gpu": 8,\n  "gradient_accumulation_steps": 4\n}\n';
    const { read, result, problems } = analyse(text, 'ds_config.json');
    expect(read.problems.map((p) => p.code)).toEqual(['deepspeed/batch-identity']);
    expect(result!.problems.map((p) => p.code)).toContain('layout/batch');
    expect(problems.filter((p) => p.code === 'layout/batch')).toEqual([]);
    expect(where(problems, 'deepspeed/batch-identity')).toEqual([[3, 23]]);
  });

  it('the layout problems of the completion test, each at the key that set it', () => {
    const text = [
      'model: llama3-8b', 'cluster: {gpu: H100, nodes: 2}', 'parallel:', '  tp: 3', '  pp: 5', '  dp: 2',
      'training: {globalBatchSize: 7, microBatchSize: 2}', 'schedule: dualpipe', '',
    ].join('\n');
    const { problems } = analyse(text, 'x.plens.yaml');
    // 3·5·1·2 = 30 ≠ 16 on `dp: 2`; 32 heads % 3 on tp; 32 layers over 5 stages on pp; 7 % (2·2) on the batch;
    // DualPipe's even pp on the schedule. Each once.
    expect(problems.filter((p) => p.code !== 'value/defaulted').map((p) => [p.code, p.range?.line])).toEqual([
      ['layout/world-size', 6], ['layout/heads-tp', 4], ['layout/batch', 7], ['layout/layers-pp', 5], ['schedule/constraint', 8],
    ]);
  });
});

describe('one code per fact across readers', () => {
  it('NeMo YAML and a Megatron-LM script name layers per virtual stage that do not divide the same way', () => {
    // 32 layers / PP 4 = 8 per stage, not a multiple of 3 layers per virtual stage.
    const yaml = 'MODEL_ARGS:\n  --num-layers: 32\n  --pipeline-model-parallel-size: 4\n  --num-layers-per-virtual-pipeline-stage: 3\n';
    const shell = 'torchrun pretrain_gpt.py --num-layers 32 --pipeline-model-parallel-size 4 --num-layers-per-virtual-pipeline-stage 3\n';
    const fromYaml = readConfig(yaml, 'model_config.yaml')!.problems.filter((p) => p.code.startsWith('layout/'));
    const fromShell = readConfig(shell, 'run.sh')!.problems.filter((p) => p.code.startsWith('layout/'));
    expect(fromYaml.map((p) => [p.code, p.field, p.range?.line])).toEqual([['layout/vpp-divisibility', 'plan.vpp', 4]]);
    expect(fromShell.map((p) => [p.code, p.field])).toEqual([['layout/vpp-divisibility', 'plan.vpp']]);
  });
});

describe('locate', () => {
  it('skips a field a flag set (the file\'s text is not what was used) and falls back to the related fields', () => {
    const text = 'model: llama3-8b\ncluster: {gpu: H100, nodes: 1}\nparallel:\n  tp: 4\n  pp: 16\n';
    const { problems } = analyse(text, 'x.plens.yaml', { flags: { model: {}, plan: { tp: 8 }, cluster: {} } });
    // dp derived, tp from the flag: the mismatch 8·16 = 128 ≠ 8 lands on `pp: 16`.
    expect(where(problems, 'layout/world-size')).toEqual([[5, 7]]);
  });

  it('points at the file\'s text for a value it could not resolve, and leaves a problem with a range alone', () => {
    const text = 'model: llama3-8b\ncluster: {gpu: H100, nodes: 1}\nparallel:\n  tp: $TP\n';
    const { completion, read } = analyse(text, 'x.plens.yaml');
    const problem: Problem = { severity: 'error', code: 'layout/heads-tp', message: 'm', field: 'plan.tp' };
    expect(locate(problem, completion.origins, read.sourceMap).range).toMatchObject({ line: 4, column: 7 });
    const placed = { ...problem, range: { startOffset: 0, endOffset: 1, line: 1, column: 1, endLine: 1, endColumn: 2 } };
    expect(locate(placed, completion.origins, read.sourceMap)).toBe(placed);
    expect(locate({ ...problem, field: 'plan.cp' }, completion.origins, read.sourceMap).range).toBeUndefined();
  });
});
