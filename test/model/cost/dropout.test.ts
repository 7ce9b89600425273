// Dropout masks in activation memory (docs/MEMORY.md "Dropout masks"): hidden dropout keeps a 1-byte mask after
// attention and after the MLP; attention dropout keeps an s² mask and dropped copy only without flash attention.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import { type ActivationSettings, layerActivationBytes } from '../../../src/model/cost/memory/activations';
import { dropoutSettingsOf } from '../../../src/model/cost/memory/memory';
import type { ModelArch } from '../../../src/model/design';

const gpt3: ModelArch = findModel('gpt3-175b')!.arch;
const token = { microBatchSize: 1, seqLength: 2048 };
const base: ActivationSettings = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, recompute: 'none', flashAttention: true, dropout: false };
/** Bytes of one layer for one 2048-token sequence. */
const layer = (settings: ActivationSettings): number => layerActivationBytes(gpt3, 'dense', token, settings).total;

describe('which masks a model keeps', () => {
  it('a stated rate decides: above 0 keeps masks, 0 none; each dropout on its own', () => {
    expect(dropoutSettingsOf({ ...gpt3, hiddenDropout: 0, attentionDropout: 0 })).toEqual({ dropout: false, attentionDropout: false });
    expect(dropoutSettingsOf({ ...gpt3, hiddenDropout: 0.1, attentionDropout: 0 })).toEqual({ dropout: true, attentionDropout: false });
    expect(dropoutSettingsOf({ ...gpt3, hiddenDropout: 0, attentionDropout: 0.1 })).toEqual({ dropout: false, attentionDropout: true });
  });

  it('no stated rate: GeLU (GPT-era) models keep them, SwiGLU models not; attention follows hidden', () => {
    expect(dropoutSettingsOf(gpt3)).toEqual({ dropout: true, attentionDropout: true });
    expect(dropoutSettingsOf(findModel('llama3-8b')!.arch)).toEqual({ dropout: false, attentionDropout: false });
    expect(dropoutSettingsOf({ ...gpt3, hiddenDropout: 0 })).toEqual({ dropout: false, attentionDropout: false });
  });
});

describe('what the masks cost, per layer and sequence (h = 12288, a = 96, s = 2048)', () => {
  it('hidden dropout: two 1-byte masks of s·h, 2 × 2048 × 12288 = 50,331,648 B', () => {
    expect(layer({ ...base, dropout: true, attentionDropout: false }) - layer(base)).toBe(2 * 2048 * 12288);
  });

  it('attention dropout with flash attention: nothing (the mask is regenerated from the saved RNG state)', () => {
    expect(layer({ ...base, attentionDropout: true })).toBe(layer(base));
  });

  it('attention dropout without flash attention: mask 1 B + dropped copy 2 B per score, 3·a·s² = 1,207,959,552 B', () => {
    const unfused = { ...base, flashAttention: false };
    expect(layer({ ...unfused, attentionDropout: true }) - layer(unfused)).toBe(3 * 96 * 2048 * 2048);
  });
});
