// The balanced-layout quick fix, applied to the text: the edit lands in the file's spelling, and the file it gives
// reads back with the layout it promised and without the warning it fixed.
import { describe, expect, it } from 'vitest';
import { balancedLayoutFix, type TextEdit } from '../../src/extension/editor/layoutFix';
import { analyseText } from '../../src/extension/analysis/pipeline';

const apply = (text: string, edit: TextEdit) => text.slice(0, edit.startOffset) + edit.text + text.slice(edit.endOffset);

function analyse(text: string, fileName: string) {
  const result = analyseText({ text, fileName });
  if (!result?.completion?.design) throw new Error('not analysed');
  return result;
}

const functest = (extra: string) => [
  '# plens: gpu=H100-SXM', 'MODEL_ARGS:', '  --num-layers: 14', '  --hidden-size: 1024', '  --num-attention-heads: 16',
  '  --ffn-hidden-size: 4096', '  --vocab-size: 32000', '  --seq-length: 1024', '  --micro-batch-size: 1', '  --global-batch-size: 64',
  '  --pipeline-model-parallel-size: 4', extra, '  --bf16: true', '',
].join('\n');

describe('balancedLayoutFix', () => {
  it('adds the layout key under the pipeline size of a functional-test YAML, which then splits as promised', () => {
    const text = functest('');
    const result = analyse(text, 'model_config.yaml');
    expect(result.completion!.problems.concat(result.estimate?.problems ?? []).map((p) => p.code)).toContain('layout/layers-pp');
    const fix = balancedLayoutFix(result.read.format, result.completion!.design!, result.read.sourceMap, text)!;
    expect(fix.edit.text).toMatch(/^  --pipeline-model-parallel-layout: "E[^"]*L"\n$/);
    const fixed = analyse(apply(text, fix.edit), 'model_config.yaml');
    const layout = fix.title.split(': ').pop()!;
    expect(fixed.completion!.design!.plan.layout).toBe(layout);
    expect(fixed.estimate!.problems.filter((p) => p.code.startsWith('layout/'))).toEqual([]);
    expect(fixed.estimate!.estimate!.stages.reduce((sum, s) => sum + s.layers, 0)).toBe(14);
  });

  it('replaces a layout the file states, keeping the key', () => {
    const text = functest('  --pipeline-model-parallel-layout: "Et*5|t|t|t*6L"');
    const result = analyse(text, 'model_config.yaml');
    const fix = balancedLayoutFix(result.read.format, result.completion!.design!, result.read.sourceMap, text)!;
    const fixed = apply(text, fix.edit);
    expect(fixed).toContain('--pipeline-model-parallel-layout: "E');
    expect(fixed).not.toContain('Et*5|t|t|t*6L');
  });

  it('leaves a file alone that states its split with first/last stage layers', () => {
    const text = functest('  --decoder-first-pipeline-num-layers: 2');
    const result = analyse(text, 'model_config.yaml');
    expect(balancedLayoutFix(result.read.format, result.completion!.design!, result.read.sourceMap, text)).toBeUndefined();
  });
});
