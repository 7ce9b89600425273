// Writing a chosen layout back into the user's file: only the values that change, in the file's own spelling,
// every other byte kept; re-reading the edited text gives the chosen layout.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOffsetEdits, layoutDifferences, layoutEdits, lineDiff, planLayoutApply } from '../../../src/config/layoutEdits';
import { analyseText, type PipelineResult } from '../../../src/extension/analysis/pipeline';
import type { ParallelPlan } from '../../../src/model/design';
import { loadShellGrammar } from '../../testInputs';

function analyse(text: string, fileName: string): PipelineResult & { plan: ParallelPlan } {
  const result = analyseText({ text, fileName });
  const plan = result?.completion?.design?.plan;
  if (!result || !plan) throw new Error(`${fileName} gave no design`);
  return { ...result, plan };
}

function edit(text: string, fileName: string, change: Partial<ParallelPlan>) {
  const before = analyse(text, fileName);
  const target = { ...before.plan, ...change };
  const plan = layoutEdits({ text, format: before.read.format, sourceMap: before.read.sourceMap, origins: before.completion!.origins, current: before.plan, target });
  const after = applyOffsetEdits(text, plan.edits);
  return { plan, after, target, reread: analyse(after, fileName).plan };
}

const PLENS = readFileSync('examples/deepseek-v3.plens.yaml', 'utf8');
const MEGATRON = readFileSync('test/config/data/llama3-8b-megatron.sh', 'utf8');

beforeAll(loadShellGrammar);

describe('layoutEdits in a plens.yaml', () => {
  it('PP 16 → 8 with DP 256 changes the two values in place and keeps every other byte', () => {
    const { plan, after, reread } = edit(PLENS, 'deepseek-v3.plens.yaml', { pp: 8, dp: 256 });
    expect(plan.written).toEqual([{ field: 'pp', from: '16', to: '8' }, { field: 'dp', from: '128', to: '256' }]);
    expect(plan.notWritten).toEqual([]);
    expect(after).toBe(PLENS.replace(/^(\s*pp: )16/m, '$18').replace(/^(\s*dp: )128/m, '$1256'));
    expect(reread.pp).toBe(8);
    expect(reread.dp).toBe(256);
  });

  it('writes a schedule, a micro-batch size and a recompute mode in place', () => {
    const { after, reread, target } = edit(PLENS, 'deepseek-v3.plens.yaml', { schedule: '1f1b', microBatchSize: 2, microbatches: 60, recompute: 'full' });
    expect(layoutDifferences(reread, target)).toEqual([]);
    expect(after).toContain('schedule: 1f1b');
    // The comment after the micro-batch size is kept.
    expect(after).toMatch(/microBatchSize: 2 {9}# not stated in the report/);
  });

  it('adds one line next to the parallel sizes for a key the file does not set', () => {
    const text = PLENS.replace(/^\s*cp: 1\n/m, '').replace(/^\s*dp: 128\n/m, '');
    const { plan, after, reread } = edit(text, 'deepseek-v3.plens.yaml', { cp: 2, dp: 64 });
    expect(plan.written.map((c) => c.field)).toEqual(['cp']);
    expect(plan.notWritten).toEqual([expect.objectContaining({ field: 'dp', reason: expect.stringMatching(/derived/) })]);
    expect(after.split('\n').length).toBe(text.split('\n').length + 1);
    expect(after).toMatch(/\n {2}tp: 1\n {2}cp: 2\n/);
    expect(reread).toMatchObject({ cp: 2, dp: 64 });
  });

  it('leaves a value a directive sets to the user, saying so', () => {
    const text = `# plens: pp=16\n${PLENS.replace(/^\s*pp: 16\n/m, '')}`;
    const { plan, after } = edit(text, 'deepseek-v3.plens.yaml', { pp: 8 });
    expect(plan.edits).toEqual([]);
    expect(plan.notWritten[0]).toMatchObject({ field: 'pp', reason: expect.stringMatching(/directive/) });
    expect(after).toBe(text);
  });
});

describe('layoutEdits in a Megatron-LM script', () => {
  it('changes the flag values in place and keeps every other byte', () => {
    const { plan, after, reread } = edit(MEGATRON, 'train.sh', { tp: 1, pp: 4 });
    expect(plan.written.map((c) => c.field)).toEqual(['tp', 'pp']);
    expect(after).toBe(MEGATRON.replace('--tensor-model-parallel-size 2', '--tensor-model-parallel-size 1').replace('--pipeline-model-parallel-size 2', '--pipeline-model-parallel-size 4'));
    expect(reread).toMatchObject({ tp: 1, pp: 4 });
  });

  it('adds the virtual-pipeline flag as one continued line after a sibling flag', () => {
    const { plan, after, reread } = edit(MEGATRON, 'train.sh', { vpp: 2, schedule: 'interleaved-1f1b' });
    expect(plan.written.map((c) => c.field)).toContain('vpp');
    expect(after).toContain('    --pipeline-model-parallel-size 2 \\\n    --num-virtual-stages-per-pipeline-rank 2 \\\n');
    expect(reread.vpp).toBe(2);
    expect(reread.schedule).toBe('interleaved-1f1b');
  });

  it('does not touch a size that comes through a variable', () => {
    const text = MEGATRON.replace('--pipeline-model-parallel-size 2', '--pipeline-model-parallel-size $PP').replace('torchrun', 'PP=2\ntorchrun');
    const { plan, after } = edit(text, 'train.sh', { pp: 4 });
    expect(plan.edits).toEqual([]);
    expect(plan.notWritten[0]).toMatchObject({ field: 'pp' });
    expect(after).toBe(text);
  });

  it('says DualPipe cannot be written as a Megatron-LM flag', () => {
    const { plan } = edit(MEGATRON, 'train.sh', { schedule: 'dualpipe' });
    expect(plan.notWritten).toEqual([expect.objectContaining({ field: 'schedule', reason: expect.stringMatching(/no schedule key/) })]);
  });
});

describe('lineDiff', () => {
  it('shows the changed line with a line of context either side', () => {
    expect(lineDiff('a.yaml', 'a: 1\nb: 2\nc: 3\nd: 4\n', 'a: 1\nb: 5\nc: 3\nd: 4\n')).toBe('--- a.yaml\n+++ a.yaml\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 5\n c: 3\n');
    expect(lineDiff('a.yaml', 'same\n', 'same\n')).toBe('');
  });
});

describe('lineDiff between changes', () => {
  it('keeps an unchanged line between two changes as context', () => {
    const diff = lineDiff('t.sh', 'x\na 1\nb 2\nc 3\ny\n', 'x\na 9\nb 2\nc 9\nn\ny\n');
    expect(diff).toBe('--- t.sh\n+++ t.sh\n@@ -1,5 +1,6 @@\n x\n-a 1\n+a 9\n b 2\n-c 3\n+c 9\n+n\n y\n');
  });
});

describe('ZeRO-1 in a Megatron-LM script', () => {
  it('is the distributed-optimizer switch, added as one line', () => {
    const { after, reread } = edit(MEGATRON, 'train.sh', { zero: 1 });
    expect(after).toContain('    --pipeline-model-parallel-size 2 \\\n    --use-distributed-optimizer \\\n');
    expect(reread.zero).toBe(1);
  });
});

describe('planLayoutApply', () => {
  it('reports a plan field the edit does not write, so the file\'s figures are not claimed to be the row\'s', () => {
    const before = analyse(PLENS, 'deepseek-v3.plens.yaml');
    const target = { ...before.plan, pp: 8, dp: 256, microbatches: 60, etp: 2 };
    const input = { text: PLENS, format: before.read.format, sourceMap: before.read.sourceMap, origins: before.completion!.origins, current: before.plan, target };
    const apply = planLayoutApply(input, (text) => analyse(text, 'deepseek-v3.plens.yaml').plan);
    expect(apply.written.map((c) => c.field)).toEqual(['pp', 'dp']);
    expect(apply.remaining).toEqual([expect.objectContaining({ field: 'etp', from: '1', to: '2', reason: expect.stringMatching(/by hand/) })]);
  });

  it('turns sequence parallelism on in place in a plens.yaml', () => {
    const { after, reread } = edit(PLENS, 'deepseek-v3.plens.yaml', { sequenceParallel: true });
    expect(after).toContain('sequenceParallel: true');
    expect(reread.sequenceParallel).toBe(true);
  });
});
