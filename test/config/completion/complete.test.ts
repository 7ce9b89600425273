import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { designProblems } from '../../../src/config/completion/designProblems';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';
import { readPlensYaml } from '../../../src/config/plens/plensYaml';

const data = (name: string) => readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');

function complete(text: string, name = 'x.plens.yaml', context = {}) {
  const read = readPlensYaml(text, name)!;
  return completeDesign(read, { text, ...context });
}

describe('completeDesign', () => {
  it('completes the DeepSeek-V3 example from the catalog and derives dp and micro-batches', () => {
    const done = complete(data('deepseek-v3.plens.yaml'));
    expect(done.design!.model).toMatchObject({ name: 'deepseek-v3', layers: 61, hidden: 7168, experts: 256, attention: 'mla', headDim: 128 });
    // 256 nodes × 8 = 2048 GPUs; dp = 2048 / (1·16·1) = 128; 15360 / (1 · 128) = 120 micro-batches.
    expect(done.design!.cluster).toEqual({ gpu: 'H800', gpusPerNode: 8, nodes: 256, worldSize: 2048 });
    expect(done.design!.plan).toMatchObject({ dp: 128, microbatches: 120, vpp: 1, schedule: 'dualpipe', nodeLimit: 4 });
    expect(done.origins['plan.pp']).toMatchObject({ from: 'file', range: { line: 9, column: 7 } });
    expect(done.origins['plan.dp']).toMatchObject({ from: 'derived' });
    expect(done.origins['cluster.worldSize']).toMatchObject({ from: 'derived' });
    expect(done.origins['model.layers']).toMatchObject({ from: 'catalog' });
    // Completion found nothing to say; the layout rules are the model's (61 layers over 16 stages: designProblems).
    expect(done.problems).toEqual([]);
    expect(done.unresolved).toEqual([]);
  });

  it('fills from directives, reports unresolved symbols at their range and says what it assumed', () => {
    const text = '# plens: gpu=H800 nodes=4\nmodel: llama3-8b\nparallel:\n  tp: $TP\n  pp: 2\n';
    const done = complete(text);
    expect(done.design!.cluster).toEqual({ gpu: 'H800', gpusPerNode: 8, nodes: 4, worldSize: 32 });
    expect(done.origins['cluster.gpu']).toMatchObject({ from: 'directive', range: { line: 1, column: 14, endColumn: 18 } });
    // tp unresolved → default 1; dp = 32 / (1·2·1) = 16.
    expect(done.design!.plan).toMatchObject({ tp: 1, pp: 2, dp: 16 });
    expect(done.unresolved).toEqual(['plan.tp']);
    const unresolved = done.problems.find((p) => p.code === 'value/unresolved')!;
    expect(unresolved.range).toMatchObject({ line: 4, column: 7 });
    expect(unresolved.message).toContain('$TP');
    expect(unresolved.message).toContain('assumed 1');
  });

  it('lets the file win over directives, workspace and settings, and flags win over the file', () => {
    const text = '# plens: pp=4\nmodel: llama3-70b\nparallel:\n  pp: 8\n';
    const done = complete(text, 'x.plens.yaml', {
      workspace: { model: {}, plan: { tp: 4, pp: 2 }, cluster: { gpu: 'A100' } },
      settings: { model: {}, plan: { tp: 2, cp: 2 }, cluster: { gpu: 'H100', nodes: 8 } },
    });
    expect(done.design!.plan).toMatchObject({ pp: 8, tp: 4, cp: 2 });
    expect(done.design!.cluster).toMatchObject({ gpu: 'A100-80GB', nodes: 8, worldSize: 64 });
    expect(done.origins['plan.tp']!.from).toBe('workspace');
    expect(done.origins['plan.cp']!.from).toBe('setting');
    const flagged = completeDesign(readPlensYaml(text, 'x.plens.yaml')!, { text, flags: { model: {}, plan: { pp: 16 }, cluster: {} } });
    expect(flagged.design!.plan.pp).toBe(16);
    expect(flagged.origins['plan.pp']!.from).toBe('flag');
  });

  it('leaves layout problems to designProblems, which puts each at the key that set it', () => {
    const text = [
      'model: llama3-8b', 'cluster: {gpu: H100, nodes: 2}', 'parallel:', '  tp: 3', '  pp: 5', '  dp: 2',
      'training: {globalBatchSize: 7, microBatchSize: 2}', 'schedule: dualpipe', '',
    ].join('\n');
    const done = complete(text);
    expect(done.problems.filter((p) => p.code.startsWith('layout/'))).toEqual([]);
    const codes = designProblems({ read: readPlensYaml(text, 'x.plens.yaml')!, completion: done }).map((p) => [p.code, p.range?.line]);
    // 3·5·1·2 = 30 ≠ 16; 32 heads % 3; 32 layers % 5; 7 % (2·2); DualPipe needs an even pp.
    expect(codes).toContainEqual(['layout/world-size', 6]);
    expect(codes).toContainEqual(['layout/heads-tp', 4]);
    expect(codes).toContainEqual(['layout/layers-pp', 5]);
    expect(codes).toContainEqual(['layout/batch', 7]);
    expect(codes).toContainEqual(['schedule/constraint', 8]);
  });

  it('without a model, returns no design and one clear error', () => {
    const done = complete('parallel:\n  tp: 2\n');
    expect(done.design).toBeUndefined();
    expect(done.problems.map((p) => p.code)).toEqual(['model/missing']);
  });

  it('reports a symbolic value once even when an incomplete model stops completion before looking it up', () => {
    // No hidden size or heads: completion never reaches ffnHidden, yet the reader left reporting it to completion.
    const text = 'MODEL_ARGS:\n  --num-layers: 4\n  --ffn-hidden-size: ${FFN}\n  --tensor-model-parallel-size: ${TP}\n';
    const done = completeDesign(readNemoYaml(text, 'model_config.yaml')!, { text });
    expect(done.design).toBeUndefined();
    const unresolved = done.problems.filter((p) => p.code === 'value/unresolved');
    expect(unresolved.map((p) => [p.field, p.range?.line])).toEqual([['plan.tp', 4], ['model.ffnHidden', 3]]);
    expect(unresolved[1]?.message).toContain('the estimate cannot use it');
  });

  it('an unknown model id is an error at its value', () => {
    const done = complete('model: gpt-9\nparallel: {tp: 2}\n');
    expect(done.problems[0]).toMatchObject({ code: 'model/unknown', range: { line: 1, column: 8 } });
  });
});
