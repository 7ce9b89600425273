import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/problems';
import { analyseText, EDITOR_CUTOFF_CHARS, editorCutoffChars, MAX_EDITOR_CHARS, mergeRepeats, type EditorFormat } from '../../src/extension/analysis/pipeline';
import { analyseData } from './helpers';
import { loadShellGrammar } from '../testInputs';

describe('analyseText', () => {
  it('leaves a YAML that is not a training config alone', () => {
    expect(analyseText({ text: 'name: build\non: [push]\njobs: {}\n', fileName: '.github/workflows/ci.yaml' })).toBeUndefined();
  });

  it('estimates deepseek-v3.plens.yaml and lands the model\'s per-stage memory problems on the pp key, merged', () => {
    const result = analyseData('deepseek-v3.plens.yaml');
    expect(result.read.format).toBe('plens-yaml');
    expect(result.estimate?.estimate).not.toBeNull();
    // `pp: 16` is line 9, columns 7–9 of the file (1-based).
    const onPp = result.problems.filter((p) => p.field === 'plan.pp');
    expect(onPp.length).toBeGreaterThan(0);
    for (const p of onPp) expect(p.range).toMatchObject({ line: 9, column: 7, endLine: 9, endColumn: 9 });
    const codes = result.problems.map((p) => `${p.severity} ${p.code} ${p.range?.startOffset ?? '-'}`);
    expect(new Set(codes).size).toBe(codes.length);
    // 61 layers over 16 stages: one warning, no second note of the same split.
    expect(result.problems.filter((p) => p.message.includes('61 layers')).map((p) => [p.code, p.range?.line])).toEqual([['layout/layers-pp', 9]]);
  });

  it('reports the DualPipe odd micro-batch rule once, on the schedule key, and gives no estimate', () => {
    const result = analyseData('uneven-pp.plens.yaml');
    const schedule = result.problems.filter((p) => p.code === 'schedule/constraint');
    expect(schedule).toHaveLength(1);
    // `schedule: dualpipe` is line 17; the value starts at column 11.
    expect(schedule[0]!.range).toMatchObject({ line: 17, column: 11 });
    expect(result.estimate?.estimate ?? null).toBeNull();
    expect(result.problems.filter((p) => p.code === 'layout/layers-pp')).toHaveLength(1);
  });

  it('reports a world-size mismatch once, on the first size the file wrote', () => {
    const result = analyseData('world-mismatch.plens.yaml');
    const world = result.problems.filter((p) => p.code === 'layout/world-size');
    expect(world).toHaveLength(1);
    // tp·pp·cp·dp = 8·16·1·1 = 128 against 1 node × 8 GPUs; it lands on `tp: 8` (line 8), the first size written.
    expect(world[0]!.message).toContain('= 128');
    expect(world[0]!.range).toMatchObject({ line: 8, column: 7 });
  });

  it('over the editor\'s op budget, still states the layout rules, once, without estimating', () => {
    // 16 ranks × 400 000 micro-batches × 2 chunks × 3 ops = 38.4 M ops, above the budget; 8·16 = 128 ≠ 8 GPUs.
    const text = 'model: llama3-8b\ncluster: {gpu: H100, nodes: 1}\nparallel:\n  tp: 8\n  pp: 16\ntraining: {globalBatchSize: 400000, microBatchSize: 1}\n';
    const result = analyseText({ text, fileName: 'big-batch.plens.yaml' })!;
    expect(result.estimate).toBeUndefined();
    expect(result.problems.filter((p) => p.code !== 'value/defaulted').map((p) => [p.code, p.range?.line])).toEqual([
      ['layout/world-size', 4], ['estimate/budget', 6],
    ]);
  });

  describe('on a Megatron-LM launch script', () => {
    beforeAll(loadShellGrammar);

    it('GPT-3 175B: TP 8 × PP 16 on one 8-GPU node is one diagnostic, on the TP value', () => {
      const text = readFileSync('test/fixtures/megatron-lm/train_gpt3_175b_distributed.sh', 'utf8');
      const result = analyseText({ text, fileName: 'train_gpt3_175b_distributed.sh' })!;
      const world = result.problems.filter((p) => p.code === 'layout/world-size');
      // `\t--tensor-model-parallel-size 8`: line 56, the 8 at column 31.
      expect(world.map((p) => [p.range?.line, p.range?.column])).toEqual([[56, 31]]);
      expect(result.problems.filter((p) => p.severity === 'error').map((p) => p.code)).toEqual(['layout/world-size']);
    });
  });

  it('says once why a recognisable config over the size limit is not read', () => {
    const big = `# plens: gpu=H100\n${'#'.repeat(MAX_EDITOR_CHARS)}\n`;
    const result = analyseText({ text: big, fileName: 'big.yaml' });
    expect(result?.problems.map((p) => p.code)).toEqual(['input/too-large']);
    expect(result?.estimate).toBeUndefined();
    expect(analyseText({ text: 'x'.repeat(MAX_EDITOR_CHARS + 1), fileName: 'data.json' })).toBeUndefined();
  });

  it('cuts each format off at its own size, with a message that names the format and the CLI', () => {
    const cases: [EditorFormat, string, string, string][] = [
      ['plens-yaml', 'big.plens.yaml', 'model: llama3-8b\n', 'Parallelism Lens YAML files up to 32 KiB'],
      ['yaml', 'big.yaml', 'model:\n  tensor_model_parallel_size: 2\n', 'YAML files up to 40 KiB'],
      ['shell', 'big.sh', 'torchrun pretrain_gpt.py --tensor-model-parallel-size 2\n', 'shell files up to 24 KiB'],
      ['toml', 'big.toml', '[parallelism]\ntensor_parallel_degree = 2\n', 'TOML files up to 24 KiB'],
      ['json', 'big.json', '{"train_micro_batch_size_per_gpu": 1, "pad": "', 'JSON files up to 64 KiB'],
      ['python', 'big.py', 'ParallelismConfig(tensor_parallel_degree=2)\n', 'Python files up to 24 KiB'],
    ];
    for (const [format, fileName, head, says] of cases) {
      const cutoff = EDITOR_CUTOFF_CHARS[format];
      expect(editorCutoffChars(fileName)).toBe(cutoff);
      const over = head + '#'.repeat(cutoff + 1 - head.length);
      const result = analyseText({ text: over, fileName });
      expect(result?.problems.map((p) => p.code), format).toEqual(['input/too-large']);
      expect(result?.problems[0]!.message, format).toContain(says);
      expect(result?.problems[0]!.message, format).toContain('Run `plens estimate` on it instead');
      // One character fewer is read: the cut-off is the size, not a rounding of it.
      const at = analyseText({ text: over.slice(0, cutoff), fileName });
      expect(at?.problems.map((p) => p.code) ?? [], format).not.toContain('input/too-large');
    }
    // A name that does not say its format gets the smallest cut-off, whatever it turns out to be.
    expect(editorCutoffChars('launch')).toBe(Math.min(...Object.values(EDITOR_CUTOFF_CHARS)));
    expect(MAX_EDITOR_CHARS).toBe(Math.max(...Object.values(EDITOR_CUTOFF_CHARS)));
  });

  it('refuses a file a directive names when it is over its own cut-off, at the directive', () => {
    const text = '# plens: model=./config.json\nparallel:\n  tp: 2\n';
    const huge = `{"hidden_size": 4096, "pad": "${'x'.repeat(EDITOR_CUTOFF_CHARS.json)}"}`;
    const result = analyseText({ text, fileName: 'run.plens.yaml', readFile: () => huge })!;
    const refused = result.problems.find((p) => p.message.includes('larger than the editor reads'));
    expect(refused?.message).toContain('64 KiB');
    expect(refused?.range?.line).toBe(1);
  });

  it('turns a reader that throws into one problem instead of an exception', () => {
    const result = analyseText({ text: 'a: 1', fileName: 'x.yaml' }, () => { throw new Error('boom'); });
    expect(result?.problems.map((p) => p.code)).toEqual(['extension/internal']);
  });
});

describe('mergeRepeats', () => {
  const range = { startOffset: 10, endOffset: 12, line: 2, column: 3, endLine: 2, endColumn: 5 };
  it('merges the same code on the same range and counts the others', () => {
    const problems: Problem[] = [
      { severity: 'error', code: 'memory/over-capacity', message: 'stage 0 needs 90 GiB', range },
      { severity: 'error', code: 'memory/over-capacity', message: 'stage 1 needs 85 GiB', range },
      { severity: 'error', code: 'memory/over-capacity', message: 'stage 2 needs 84 GiB', range },
      { severity: 'warning', code: 'bubble/high', message: 'bubble 30 %', range },
    ];
    expect(mergeRepeats(problems).map((p) => p.message)).toEqual(['stage 0 needs 90 GiB (and 2 more like it)', 'bubble 30 %']);
  });
  it('keeps the same code at different places apart', () => {
    const other = { ...range, startOffset: 20, endOffset: 22 };
    const problems: Problem[] = [
      { severity: 'warning', code: 'key/legacy', message: 'a', range },
      { severity: 'warning', code: 'key/legacy', message: 'b', range: other },
    ];
    expect(mergeRepeats(problems)).toHaveLength(2);
  });
});
