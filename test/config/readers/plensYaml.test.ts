import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPlensYaml } from '../../../src/config/plens/plensYaml';

const data = (name: string) => readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');

describe('readPlensYaml', () => {
  it('reads the DeepSeek-V3 example as the CONTRACT writes it', () => {
    const read = readPlensYaml(data('deepseek-v3.plens.yaml'), 'deepseek-v3.plens.yaml')!;
    expect(read.format).toBe('plens-yaml');
    expect(read.problems).toEqual([]);
    expect(read.design.modelId).toBe('deepseek-v3');
    expect(read.design.cluster).toEqual({ gpu: 'H800', nodes: 256, gpusPerNode: 8 });
    expect(read.design.plan).toEqual({
      tp: 1, pp: 16, ep: 64, etp: 1, cp: 1, zero: 1, sequenceParallel: false, schedule: 'dualpipe',
      seqLength: 4096, microBatchSize: 1, globalBatchSize: 15360, precision: 'fp8', recompute: 'selective', nodeLimit: 4,
    });
    const pp = read.sourceMap.get('plan.pp')!;
    expect([pp.key.line, pp.key.column, pp.value.line, pp.value.column, pp.value.endColumn]).toEqual([9, 3, 9, 7, 9]);
    expect(read.sourceMap.get('modelId')!.value.line).toBe(2);
    expect(read.sourceMap.get('plan.schedule')!.value).toMatchObject({ line: 15, column: 11, endColumn: 19 });
  });

  it('reads an inline model with MLA, a schedule block and a symbolic value', () => {
    const read = readPlensYaml(data('inline-mla.plens.yaml'), 'x.plens.yaml')!;
    expect(read.problems).toEqual([]);
    expect(read.design.model).toMatchObject({ name: 'tiny-mla', layers: 8, hidden: 1024, experts: 16, topK: 2, denseLayers: 1, attention: 'mla', tiedEmbeddings: false });
    expect(read.design.model.mla).toEqual({ qLoraRank: 384, kvLoraRank: 128, qkNopeHeadDim: 64, qkRopeHeadDim: 32, vHeadDim: 64 });
    expect(read.design.plan).toMatchObject({ schedule: 'interleaved-1f1b', vpp: 4, microbatches: 8, dp: { symbolic: '${oc.env:DP}' } });
    expect(read.design.cluster.hbmGB).toBe(80);
    expect(read.sourceMap.get('plan.vpp')!.key).toMatchObject({ line: 34, column: 36 });
  });

  it('reports unknown keys and bad values at their exact place', () => {
    const read = readPlensYaml(data('broken.plens.yaml'), 'broken.plens.yaml')!;
    const seen = read.problems.map((p) => [p.code, p.severity, p.range?.line, p.range?.column]);
    expect(seen).toEqual([
      ['key/unknown', 'warning', 4, 3],
      ['value/invalid', 'error', 6, 7],
      ['value/invalid', 'error', 7, 7],
      ['value/invalid', 'error', 8, 9],
      ['value/invalid', 'error', 9, 11],
      ['value/invalid', 'error', 11, 14],
      ['key/unknown', 'warning', 13, 1],
    ]);
    expect(read.problems[0]!.message).toContain('did you mean `nodes`');
    expect(read.design.plan.seqLength).toBe(4096);
    expect(read.design.plan.pp).toBeUndefined();
  });

  it('answers undefined for YAML that is not ours unless the name says it is', () => {
    expect(readPlensYaml('trainer:\n  devices: 8\nmodel:\n  num_layers: 4\n', 'conf.yaml')).toBeUndefined();
    expect(readPlensYaml('- a\n- b\n', 'list.yaml')).toBeUndefined();
    const named = readPlensYaml('- a\n', 'list.plens.yaml')!;
    expect(named.problems[0]!.code).toBe('value/invalid');
    const byContent = readPlensYaml('parallel:\n  tp: 8\nschedule: 1F1B\n', 'layout.yaml')!;
    expect(byContent.design.plan).toEqual({ tp: 8, schedule: '1f1b' });
  });

  it('reports YAML syntax errors and duplicate keys with positions', () => {
    const read = readPlensYaml('parallel:\n  tp: 2\n  tp: 4\n  pp: [1\n', 'a.plens.yaml')!;
    expect(read.problems.some((p) => p.code === 'syntax/yaml' && p.severity === 'error')).toBe(true);
    const dup = read.problems.find((p) => p.code === 'key/duplicate')!;
    expect(dup.range!.line).toBe(3);
    expect(read.design.plan.tp).toBe(4);
  });
});
