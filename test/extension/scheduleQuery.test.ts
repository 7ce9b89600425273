import { describe, expect, it } from 'vitest';
import { checkMicrobatches, checkPipelineRanks, parseWholeNumber, sanitizeQuery } from '../../src/extension/schedule/scheduleQuery';

describe('parseWholeNumber', () => {
  it('accepts a whole number in range, with surrounding spaces', () => {
    expect(parseWholeNumber(' 8 ', 'PP', 1, 64)).toEqual({ ok: true, value: 8 });
  });

  it('states the rule for fractions, signs, words and out-of-range values', () => {
    for (const text of ['8.5', '-2', 'eight', '', '1e3']) {
      const result = parseWholeNumber(text, 'PP', 1, 64);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toBe('PP must be a whole number from 1 to 64');
    }
    expect(parseWholeNumber('65', 'PP', 1, 64)).toEqual({ ok: false, message: 'PP must be a whole number from 1 to 64, got 65' });
    expect(parseWholeNumber('0', 'PP', 1, 64).ok).toBe(false);
  });
});

describe('checkPipelineRanks', () => {
  it('rejects an odd pipeline for DualPipe with the rule (DESIGN.md §3: p even)', () => {
    const result = checkPipelineRanks('dualpipe', '7');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/even number of pipeline ranks/);
  });

  it('accepts an even pipeline for DualPipe and any size for 1F1B', () => {
    expect(checkPipelineRanks('dualpipe', '8')).toEqual({ ok: true, value: 8 });
    expect(checkPipelineRanks('1f1b', '7')).toEqual({ ok: true, value: 7 });
  });

  it('states the rule at any size, since it builds no schedule to check it', () => {
    const odd = checkPipelineRanks('dualpipe', '4095');
    expect(odd.ok).toBe(false);
    if (!odd.ok) expect(odd.message).toMatch(/even number of pipeline ranks/);
    const fewMicrobatches = checkMicrobatches('dualpipe', 4096, '4096');
    expect(fewMicrobatches.ok).toBe(false);
  });
});

describe('checkMicrobatches', () => {
  it('states DualPipe micro-batch rules: m even, m ≥ 2p', () => {
    const odd = checkMicrobatches('dualpipe', 8, '17');
    expect(odd.ok).toBe(false);
    if (!odd.ok) expect(odd.message).toMatch(/even number of micro-batches/);
    const few = checkMicrobatches('dualpipe', 8, '14');
    expect(few.ok).toBe(false);
    if (!few.ok) expect(few.message).toMatch(/m ≥ 2p = 16/);
    expect(checkMicrobatches('dualpipe', 8, '20')).toEqual({ ok: true, value: 20 });
  });
});

describe('sanitizeQuery', () => {
  it('keeps known fields, canonicalises the schedule alias and drops the rest', () => {
    const result = sanitizeQuery({ schedule: 'DualPipe', pp: 8, microbatches: 20, extra: '<img src=x>', costs: { F: 1.5, X: 3 } });
    expect(result).toEqual({ ok: true, value: { schedule: 'dualpipe', pp: 8, microbatches: 20, costs: { F: 1.5 } } });
  });

  it('rejects unknown schedules, non-integer sizes and negative costs', () => {
    expect(sanitizeQuery({ schedule: 'pipedream-2bw', pp: 8, microbatches: 20 }).ok).toBe(false);
    expect(sanitizeQuery({ schedule: '1f1b', pp: '8', microbatches: 20 }).ok).toBe(false);
    expect(sanitizeQuery({ schedule: '1f1b', pp: 8, microbatches: 2.5 }).ok).toBe(false);
    expect(sanitizeQuery({ schedule: '1f1b', pp: 8, microbatches: 20, costs: { W: -1 } }).ok).toBe(false);
    expect(sanitizeQuery(null).ok).toBe(false);
  });
});
