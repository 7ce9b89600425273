import { describe, expect, it } from 'vitest';
import { globalBatchFor, isWorldFixed, legacyRename, microbatchChoices, nearestValid, pipelineChoices, plainNumberSpan, tensorChoices } from '../../src/extension/editor/fixCandidates';
import { analyseData } from './helpers';

describe('nearestValid', () => {
  it('returns the nearest passing values, the smaller first on a tie', () => {
    expect(nearestValid(16, (n) => 60 % n === 0, 4, 64)).toEqual([15, 12, 20]);
    // 61 is prime: nothing in [4, 60] divides it.
    expect(nearestValid(16, (n) => 61 % n === 0, 4, 60)).toEqual([]);
  });
});

describe('choices for uneven-pp.plens.yaml (30 layers, 32 GPUs, TP 4, PP 4, DualPipe, 15 micro-batches)', () => {
  const result = analyseData('uneven-pp.plens.yaml');
  const design = result.completion!.design!;

  it('treats the world as fixed because the file names 4 nodes', () => {
    expect(isWorldFixed(result.completion!.origins)).toBe(true);
  });
  it('offers PP 2 only: divisors of 30 ∩ p with 4p | 32 = {1, 2}, and DualPipe needs p even', () => {
    expect(pipelineChoices(design, true)).toEqual([2]);
  });
  it('without a fixed world, offers the even divisors of 30 within a factor of four: 2, 6, 10', () => {
    expect(pipelineChoices(design, false)).toEqual([2, 6, 10]);
  });
  it('offers even micro-batch counts ≥ 2p = 8 nearest 15, and the global batch that gives them (dp 2)', () => {
    expect(microbatchChoices(design)).toEqual([14, 16, 12]);
    expect(globalBatchFor(design, 14)).toBe(28);
  });
  it('offers TP values that split 32 heads and 8 KV heads and divide 32 GPUs with PP 4', () => {
    // tp ∈ [1, 8]: 32 % tp = 0 and 8 % tp = 0 and 32 % (4·tp) = 0 → 1, 2, 4, 8; by distance from 4: 2 (2), 1 (3), 8 (4).
    expect(tensorChoices(design)).toEqual([2, 1, 8]);
  });
});

describe('legacyRename', () => {
  it('renames a Megatron flag, leaving its value alone', () => {
    expect(legacyRename('--model-parallel-size 8')).toEqual({ start: 0, end: 21, replacement: '--tensor-model-parallel-size' });
  });
  it('renames a quoted YAML key inside its quotes', () => {
    expect(legacyRename('"model_parallel_size"')).toEqual({ start: 1, end: 20, replacement: 'tensor_model_parallel_size' });
  });
  it('offers nothing where the replacement changes meaning or place', () => {
    expect(legacyRename('--checkpoint-activations')).toBeUndefined();
    expect(legacyRename('batch_size')).toBeUndefined();
  });
});

describe('plainNumberSpan', () => {
  it('finds a plain or quoted number equal to the design value', () => {
    expect(plainNumberSpan('16', 16)).toEqual({ start: 0, end: 2 });
    expect(plainNumberSpan('"16"', 16)).toEqual({ start: 1, end: 3 });
    expect(plainNumberSpan(" '8' ", 8)).toEqual({ start: 2, end: 3 });
  });
  it('refuses variables, expressions and values that differ from the design', () => {
    expect(plainNumberSpan('$PP', 16)).toBeUndefined();
    expect(plainNumberSpan('${PP:-16}', 16)).toBeUndefined();
    expect(plainNumberSpan('16', 8)).toBeUndefined();
    expect(plainNumberSpan('"16\'', 16)).toBeUndefined();
  });
});
