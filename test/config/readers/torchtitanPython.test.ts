import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { initPythonGrammar, readTorchtitanPython } from '../../../src/config/torchtitan/torchtitanPython';
import type { ReadResult } from '../../../src/config/types';

const read = (name: string): ReadResult => {
  const result = readTorchtitanPython(readFileSync(`test/fixtures/python/${name}`, 'utf8'), name);
  if (!result) throw new Error(`${name} was not recognised`);
  return result;
};
const keyLine = (result: ReadResult, field: Parameters<ReadResult['sourceMap']['get']>[0]) => result.sourceMap.get(field)?.key.line;

describe('before the grammar is loaded', () => {
  it('asks for it instead of throwing', () => {
    expect(readTorchtitanPython('from torchtitan.trainer import Trainer\n', 'config_registry.py')?.problems[0]?.code).toBe('reader/not-initialised');
  });
});

describe('readTorchtitanPython', () => {
  beforeAll(async () => {
    await initPythonGrammar({
      runtime: readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
      python: readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    });
  });

  it('reads a torchtitan config_registry.py: the first config, its flavour, ZB-V, micro-batches, float8', () => {
    const result = read('torchtitan_config_registry.py');
    expect(result.format).toBe('torchtitan-python');
    expect(result.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/llama3/70B');
    // local 16 / micro-batch 2 = 8 micro-batches; ZBVZeroBubble holds two stages per rank.
    expect(result.design.plan).toMatchObject({ tp: 8, pp: 4, cp: 2, seqLength: 8192, schedule: 'zbv', vpp: 2, microBatchSize: 2, microbatches: 8, precision: 'fp8', recompute: 'selective', zero: 3 });
    expect(keyLine(result, 'plan.tp')).toBe(25);
    expect(keyLine(result, 'plan.schedule')).toBe(27);
    expect(result.problems.find((p) => p.code === 'python/several-configs')?.message).toContain('llama3_8b_small');
  });

  it('reads a NeMo 2 recipe: parameter defaults, names passed on, later attribute overrides, the fp8 plugin', () => {
    const result = read('nemo2_recipe.py');
    expect(result.format).toBe('nemo-python');
    expect(result.problems).toEqual([]);
    expect(result.design.plan).toMatchObject({ tp: 2, pp: 4, vpp: 8, cp: 1, ep: 8, sequenceParallel: true, seqLength: 4096, globalBatchSize: 512, microBatchSize: 1, precision: 'fp8', recompute: 'full' });
    expect(result.design.cluster).toMatchObject({ nodes: 16, gpusPerNode: 8 });
    expect(keyLine(result, 'plan.vpp')).toBe(48); // the override, not the None default
    expect(keyLine(result, 'plan.globalBatchSize')).toBe(46);
  });

  it('keeps values it cannot read as symbolic, for completion to report once each', () => {
    const text = 'from torchtitan.config import ParallelismConfig\ndef cfg():\n    return Trainer.Config(parallelism=ParallelismConfig(tensor_parallel_degree=get_tp()), training=TrainingConfig(seq_len=SEQ))\n';
    const result = readTorchtitanPython(text, 'config_registry.py')!;
    expect(result.design.plan.tp).toEqual({ symbolic: 'get_tp()' });
    expect(result.problems.filter((p) => p.code === 'value/unresolved')).toEqual([]);
    const unresolved = completeDesign(result, { text }).problems.filter((p) => p.code === 'value/unresolved');
    expect(unresolved.map((p) => [p.field, p.range?.line]).sort()).toEqual([['plan.seqLength', 3], ['plan.tp', 3]]);
  });

  it('answers undefined for unrelated Python and never throws on damaged files', () => {
    expect(readTorchtitanPython('print("hello")\n', 'hello.py')).toBeUndefined();
    const text = readFileSync('test/fixtures/python/torchtitan_config_registry.py', 'utf8');
    let seed = 11;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 200; i++) {
      const at = random(text.length);
      const mutated = text.slice(0, at) + ['(', ')', '"', '=', '\n    ', '[', '-'][random(7)] + text.slice(at + random(30));
      expect(() => readTorchtitanPython(mutated, 'config_registry.py')).not.toThrow();
    }
  });
});
