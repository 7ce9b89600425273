import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readTorchtitanToml } from '../../../src/config/torchtitan/torchtitanToml';
import type { ReadResult } from '../../../src/config/types';

const read = (name: string): ReadResult => {
  const result = readTorchtitanToml(readFileSync(`test/fixtures/torchtitan/${name}`, 'utf8'), name);
  if (!result) throw new Error(`${name} was not recognised`);
  return result;
};
const errors = (result: ReadResult) => result.problems.filter((problem) => problem.severity === 'error');
const keyLine = (result: ReadResult, field: Parameters<ReadResult['sourceMap']['get']>[0]) => result.sourceMap.get(field)?.key.line;

describe('readTorchtitanToml', () => {
  it('reads Llama 3 405B ([parallelism] era): TP 8, FSDP over the rest, float8 converter, full AC', () => {
    const result = read('llama3_405b.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/llama3/405B');
    expect(result.design.plan).toMatchObject({ tp: 8, pp: 1, cp: 1, seqLength: 8192, microBatchSize: 2, zero: 3, precision: 'fp8', recompute: 'full' });
    expect(result.design.plan.dp).toBeUndefined(); // data_parallel_shard_degree = -1: derived later
    expect(result.problems.find((problem) => problem.code === 'value/derived')?.range?.line).toBe(40);
    expect(keyLine(result, 'plan.tp')).toBe(41);
    expect(keyLine(result, 'plan.precision')).toBe(21);
  });

  it('reads the pre-2025-03 405B file: parallelism under [training]/[experimental], batch_size, legacy warnings', () => {
    const result = read('legacy_pre_2025-03_llama3_405b.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/llama3/405B');
    expect(result.design.plan).toMatchObject({ tp: 8, pp: 1, cp: 1, seqLength: 8192, microBatchSize: 2, precision: 'fp8', recompute: 'full' });
    const legacy = result.problems.filter((problem) => problem.code === 'key/legacy');
    expect(legacy.map((problem) => problem.range?.line).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([34, 38, 39, 40, 45, 46, 47]);
    expect(legacy.find((problem) => problem.range?.line === 40)?.message).toContain('parallelism.tensor_parallel_degree');
    expect(keyLine(result, 'plan.tp')).toBe(40);
  });

  it('reads DeepSeek-V3 671B: the Interleaved1F1B schedule with its default two stages per rank', () => {
    const result = read('deepseek_v3_671b.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/deepseek_v3/671B');
    expect(result.design.plan).toMatchObject({ tp: 1, pp: 1, ep: 1, etp: 1, seqLength: 4096, microBatchSize: 4, schedule: 'interleaved-1f1b', vpp: 2, recompute: 'selective' });
    expect(result.design.plan.precision).toBeUndefined(); // the float8 converter line is commented out
    expect(keyLine(result, 'plan.schedule')).toBe(51);
  });

  it('reads DeepSeek-V3 16B: EP 8', () => {
    const result = read('deepseek_v3_16b.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/deepseek_v3/16B');
    expect(result.design.plan).toMatchObject({ ep: 8, etp: 1, tp: 1, seqLength: 4096, microBatchSize: 4 });
    expect(keyLine(result, 'plan.ep')).toBe(52);
  });

  it('reads Llama 4 17Bx128E: PP 4 with the default 1F1B, ETP 8, micro-batches from the local batch', () => {
    const result = read('llama4_17bx128e.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.plan).toMatchObject({ tp: 8, pp: 4, etp: 8, ep: 1, cp: 1, seqLength: 8192, schedule: '1f1b', vpp: 1, microBatchSize: 1, microbatches: 1, recompute: 'full' });
    expect(keyLine(result, 'plan.pp')).toBe(44);
  });

  it('reads the debug model', () => {
    const result = read('llama3_debug_model.toml');
    expect(errors(result)).toEqual([]);
    expect(result.design.modelId).toBe('torchtitan/llama3/debugmodel');
    expect(result.design.plan).toMatchObject({ seqLength: 2048, microBatchSize: 8, schedule: 'interleaved-1f1b' });
  });

  it('maps every PyTorch schedule name and derives micro-batches and virtual stages', () => {
    const toml = (schedule: string, extra = '') => `[model]\nname = "llama3"\nflavor = "8B"\n[training]\nlocal_batch_size = 8\nseq_len = 4096\n[parallelism]\npipeline_parallel_degree = 4\npipeline_parallel_schedule = "${schedule}"\npipeline_parallel_microbatch_size = 2\n${extra}`;
    const ids = ['GPipe', '1F1B', 'Interleaved1F1B', 'InterleavedZeroBubble', 'ZBVZeroBubble', 'DualPipeV'].map((name) => readTorchtitanToml(toml(name), 'a.toml')?.design.plan.schedule);
    expect(ids).toEqual(['gpipe', '1f1b', 'interleaved-1f1b', 'zb-h1', 'zbv', 'dualpipev']);
    const plan = readTorchtitanToml(toml('Interleaved1F1B'), 'a.toml')?.design.plan;
    expect(plan).toMatchObject({ microBatchSize: 2, microbatches: 4, vpp: 2 });
    // Llama 3 8B has 32 layers: ceil((32 + 1 + 1) / 2) = 17 stages, which do not divide over 4 ranks.
    expect(readTorchtitanToml(toml('Interleaved1F1B', 'pipeline_parallel_layers_per_stage = 2\n'), 'a.toml')?.problems.map((p) => p.code)).toContain('layout/pipeline-stages');
    const unknown = readTorchtitanToml(toml('LoopedBFS'), 'a.toml');
    expect(unknown?.problems.map((p) => p.code)).toContain('schedule/unsupported');
    const odd = readTorchtitanToml(toml('1F1B').replace('local_batch_size = 8', 'local_batch_size = 7'), 'a.toml');
    expect(odd?.problems.find((p) => p.code === 'batch/microbatch-divisibility')?.range?.line).toBe(5);
  });

  it('reports an unknown flavour and keeps its text', () => {
    const result = readTorchtitanToml('[model]\nname = "llama3"\nflavor = "3000B"\n[training]\nseq_len = 8\n', 'x.toml');
    expect(result?.design.modelId).toBe('3000B');
    expect(result?.problems.find((p) => p.code === 'model/unknown-flavour')?.severity).toBe('warning');
  });

  it('answers undefined for other TOML and a problem for broken torchtitan TOML', () => {
    expect(readTorchtitanToml('[package]\nname = "x"\n', 'Cargo.toml')).toBeUndefined();
    const broken = readTorchtitanToml('[training]\nseq_len = = 4\n[model]\nflavor = "8B"\n', 'bad.toml');
    expect(broken?.problems[0]?.code).toBe('syntax/toml');
    expect(broken?.problems[0]?.range?.line).toBe(2);
  });

  it('never throws on damaged files', () => {
    const text = readFileSync('test/fixtures/torchtitan/llama4_17bx128e.toml', 'utf8');
    let seed = 3;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 300; i++) {
      const at = random(text.length);
      const mutated = text.slice(0, at) + ['"', '[', ']', '=', '\n', '-1', '{', '"""'][random(8)] + text.slice(at + random(20));
      expect(() => readTorchtitanToml(mutated, 'm.toml')).not.toThrow();
    }
  });
});

describe('torchtitan activation checkpointing', () => {
  const job = (checkpoint: string): ReadResult => {
    const text = `[model]\nname = "llama3"\nflavor = "8B"\n\n[activation_checkpoint]\n${checkpoint}\n`;
    const result = readTorchtitanToml(text, 'job.toml');
    if (!result) throw new Error('not recognised');
    return result;
  };

  it('"op" is the op-level policy: no layer interval', () => {
    const result = job('mode = "selective"\nselective_ac_option = "op"');
    expect(result.design.plan.recompute).toBe('selective');
    expect(result.design.plan.recomputeLayerInterval).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it('a whole number N checkpoints every N-th layer; 0 every layer, as torchtitan reads it', () => {
    expect(job('mode = "selective"\nselective_ac_option = "3"').design.plan.recomputeLayerInterval).toBe(3);
    expect(job('mode = "selective"\nselective_ac_option = "0"').design.plan.recomputeLayerInterval).toBe(1);
    expect(keyLine(job('mode = "selective"\nselective_ac_option = "3"'), 'plan.recomputeLayerInterval')).toBe(7);
  });

  it('without an option, the TOML era\'s default "2", said once', () => {
    const result = job('mode = "selective"');
    expect(result.design.plan.recomputeLayerInterval).toBe(2);
    expect(result.problems.map((problem) => problem.code)).toEqual(['value/defaulted']);
  });

  it('anything else is a clear warning, and full ignores the option', () => {
    const result = job('mode = "selective"\nselective_ac_option = "every"');
    expect(result.problems[0]).toMatchObject({ severity: 'warning', code: 'value/invalid', field: 'plan.recomputeLayerInterval' });
    expect(result.design.plan.recomputeLayerInterval).toBeUndefined();
    expect(job('mode = "full"\nselective_ac_option = "2"').design.plan.recomputeLayerInterval).toBeUndefined();
  });
});

describe('torchtitan jobs complete as torchtitan runs them', () => {
  const done = (checkpoint: string) => {
    const text = `[model]\nname = "llama3"\nflavor = "8B"\n${checkpoint}`;
    return completeDesign(readTorchtitanToml(text, 'job.toml')!, { text });
  };

  it('the framework follows the format', () => {
    const completed = done('[activation_checkpoint]\nmode = "full"\n');
    expect(completed.design!.plan).toMatchObject({ framework: 'torchtitan', recompute: 'full' });
    expect(completed.origins['plan.framework']).toMatchObject({ from: 'derived' });
  });

  it('no [activation_checkpoint]: torchtitan ≤ v0.2.2 checkpoints every second layer', () => {
    const completed = done('');
    expect(completed.design!.plan).toMatchObject({ framework: 'torchtitan', recompute: 'selective', recomputeLayerInterval: 2 });
    expect(completed.origins['plan.recomputeLayerInterval']).toMatchObject({ from: 'default' });
  });
});
