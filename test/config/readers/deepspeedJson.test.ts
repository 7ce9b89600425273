import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readDeepspeedJson } from '../../../src/config/json/deepspeedJson';
import { designProblems } from '../../../src/config/completion/designProblems';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/deepspeed/${path}`, import.meta.url), 'utf8');
const read = (path: string) => readDeepspeedJson(fixture(path), path)!;

describe('readDeepspeedJson', () => {
  it('HF Trainer config: "auto" batch sizes and precision stay symbolic; ZeRO-3 from line 26', () => {
    const result = read('hf_transformers_ds_config_zero3_bf16.json');
    // It offloads optimizer and parameters to the CPU (ZeRO-Offload), which the estimate models.
    expect(result.problems).toEqual([]);
    expect(result.design.plan).toEqual({
      globalBatchSize: { symbolic: 'auto' }, microBatchSize: { symbolic: 'auto' }, microbatches: { symbolic: 'auto' },
      zero: 3, precision: { symbolic: 'auto' }, optimizerOffloadFraction: 1, parameterOffload: true,
    });
    expect(result.sourceMap.get('plan.optimizerOffloadFraction')!.key.line).toBe(27);
    expect(result.sourceMap.get('plan.parameterOffload')!.key.line).toBe(31);
    expect(result.sourceMap.get('plan.zero')!.value).toMatchObject({ line: 26, column: 18 });
    expect(result.sourceMap.get('plan.globalBatchSize')!.key.line).toBe(49);
  });

  it('Megatron GPT-2 test config: batch 8, accumulation 1, ZeRO-2, fp16', () => {
    const result = read('ds_config_func_bs8_zero2_offload.json');
    // The CPU offload is modelled (line 10); activation_checkpointing's partition_activations and contiguous
    // buffer (lines 21, 22) are read and reported.
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/not-modelled', 21], ['value/not-modelled', 22]]);
    expect(result.problems[0]!.message).toMatch(/partition_activations: read; the estimate does not model checkpointed activations partitioned/);
    expect(result.design.plan).toEqual({ globalBatchSize: 8, microbatches: 1, zero: 2, precision: 'fp16', optimizerOffloadFraction: 1 });
    expect(result.sourceMap.get('plan.optimizerOffloadFraction')!.key.line).toBe(10);
    expect(result.sourceMap.get('plan.zero')!.key.line).toBe(6);
  });

  it('pipeline example: 256 = 8 per GPU × accumulation × dp, leading space and all', () => {
    const result = read('dsexamples_pipeline_parallelism_ds_config.json');
    expect(result.design.plan).toEqual({ globalBatchSize: 256, microBatchSize: 8 });
    expect(result.sourceMap.get('plan.globalBatchSize')!.value).toMatchObject({ line: 2, column: 24 });
  });

  it('the Megatron-DeepSpeed TEMPLATE: one clear error per placeholder, at its line, values kept symbolic', () => {
    const result = read('mds_moe_ds_config_gpt_TEMPLATE.json');
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.range!.line)).toEqual([2, 3, 4, 7, 11, 14, 23, 26, 28, 29, 32]);
    expect(errors.every((p) => p.code === 'syntax/json')).toBe(true);
    expect(errors[0]!.message).toContain('CONFIG_BATCH_SIZE');
    expect(errors[0]!.range).toMatchObject({ line: 2, column: 24, endColumn: 41 });
    expect(result.design.plan).toMatchObject({ globalBatchSize: { symbolic: 'CONFIG_BATCH_SIZE' }, microBatchSize: { symbolic: 'CONFIG_MBSIZE' }, zero: { symbolic: 'ZERO_STAGE' } });
  });

  it('checks the batch identity: 100 is not a multiple of 8 × 4', () => {
    const text = '{\n  "train_batch_size": 100,\n  "train_micro_batch_size_per_gpu": 8,\n  "gradient_accumulation_steps": 4\n}\n';
    const result = readDeepspeedJson(text, 'ds.json')!;
    expect(result.problems).toMatchObject([{ code: 'deepspeed/batch-identity', severity: 'error', range: { line: 2 } }]);
  });

  it('checks train_batch = micro × grad_acc × dp once completion knows dp, once, in DeepSpeed\'s terms', () => {
    // 2 nodes × 8 GPUs, tp 1 → dp 16; 8 × 4 × 16 = 512 ≠ 256.
    const text = '// plens: gpu=H100 nodes=2 model=llama3-8b\n{\n  "train_batch_size": 256,\n  "train_micro_batch_size_per_gpu": 8,\n  "gradient_accumulation_steps": 4, // comments and trailing commas are fine\n}\n';
    const result = readDeepspeedJson(text, 'ds.json')!;
    expect(result.problems).toEqual([]);
    const done = completeDesign(result, { text });
    const problems = designProblems({ read: result, completion: done });
    expect(problems.filter((p) => p.code === 'deepspeed/batch-identity' || p.code === 'layout/batch').map((p) => [p.code, p.range?.line]))
      .toEqual([['deepspeed/batch-identity', 3]]);
    expect(problems.find((p) => p.code === 'deepspeed/batch-identity')!.message).toContain('× data-parallel size 16 = 512');
    const fixed = completeDesign(result, { text: text.replace('nodes=2', 'nodes=1') });
    expect(designProblems({ read: result, completion: fixed }).filter((p) => p.severity === 'error')).toEqual([]);
    expect(fixed.design!.plan).toMatchObject({ dp: 8, microbatches: 4, microBatchSize: 8, globalBatchSize: 256 });
  });

  it('warns about pipeline keys DeepSpeed never reads', () => {
    const result = readDeepspeedJson('{"train_batch_size": 8, "pipeline": {"enabled": true, "stages": 4, "num_stages": 4}}', 'ds.json')!;
    expect(result.problems.map((p) => p.code)).toEqual(['key/unknown', 'key/unknown']);
    expect(result.design.plan.pp).toBe(4);
  });

  it('reads ZeRO++ hpZ (zero_hpz_partition_size) at its line; 0 is DeepSpeed\'s "none" as 1 is', () => {
    const text = '{"train_batch_size": 64,\n "zero_optimization": {"stage": 3,\n  "zero_hpz_partition_size": 8}}';
    const result = readDeepspeedJson(text, 'ds.json')!;
    expect(result.problems).toEqual([]);
    expect(result.design.plan.hpzPartitionSize).toBe(8);
    expect(result.sourceMap.get('plan.hpzPartitionSize')!.key.line).toBe(3);
    expect(readDeepspeedJson(text.replace(': 8', ': 0'), 'ds.json')!.design.plan.hpzPartitionSize).toBe(1);
    expect(readDeepspeedJson(text.replace(': 8', ': -2'), 'ds.json')!.problems.map((p) => p.code)).toEqual(['value/invalid']);
  });

  it('answers undefined for JSON that is not a DeepSpeed config', () => {
    expect(readDeepspeedJson('{"name": "my-package", "version": "1.0.0"}', 'package.json')).toBeUndefined();
    expect(readDeepspeedJson('[1, 2', 'x.json')).toBeUndefined();
  });
});
