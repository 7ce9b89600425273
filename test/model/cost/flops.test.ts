import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import type { ModelArch } from '../../../src/model/design';
import {
  attentionCoreFlopsPerSequence, layerForwardFlops, layerPassFlops, lmHeadPassFlops, modelFlopsPerToken,
  mtpModulePassFlops, sixNFlopsPerToken, stagePassFlops, stepFlops, sumLayerFlops,
} from '../../../src/model/cost/compute/flops';

function arch(id: string): ModelArch {
  const entry = findModel(id);
  if (!entry) throw new Error(`catalog lacks ${id}`);
  return entry.arch;
}

function expectRelative(actual: number, expected: number, fraction: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThan(fraction);
}

const gpt3 = arch('gpt3-175b');
const dsv3 = arch('deepseek-v3');

describe('GPT-3 175B against Narayanan et al. 2021 Eq. 3 (COSTMODEL §2.3)', () => {
  const h = 12288; const L = 96; const V = 50257; const s = 2048;

  it('one layer forward = 24·b·s·h² + 4·b·s²·h with full attention, + 2·b·s²·h causal', () => {
    const shape = { microBatchSize: 1, seqLength: s };
    // 24·2048·12288² = 7,421,703,487,488; 4·2048²·12288 = 206,158,430,208 → 7,627,861,917,696.
    expect(sumLayerFlops(layerForwardFlops(gpt3, 0, shape, 'full'))).toBe(7_627_861_917_696);
    // Causal halves the score term: 7,421,703,487,488 + 103,079,215,104 = 7,524,782,702,592.
    expect(sumLayerFlops(layerForwardFlops(gpt3, 0, shape, 'causal'))).toBe(7_524_782_702_592);
  });

  it('a step with full recompute equals 96·B·s·L·h²·(1 + s/(6h) + V/(16·L·h))', () => {
    for (const [b, m] of [[1, 1], [1, 64], [2, 16]] as const) {
      const B = b * m;
      const megatron = 96 * B * s * L * h * h * (1 + s / (6 * h) + V / (16 * L * h));
      expectRelative(stepFlops(gpt3, { microBatchSize: b, seqLength: s, microbatches: m }, 'full', 'full'), megatron, 1e-12);
    }
  });

  it('a step without recompute equals 72·B·s·L·h²·(1 + s/(6h) + V/(12·L·h))', () => {
    const B = 8;
    const noRecompute = 72 * B * s * L * h * h * (1 + s / (6 * h) + V / (12 * L * h));
    expectRelative(stepFlops(gpt3, { microBatchSize: 8, seqLength: s, microbatches: 1 }, 'none', 'full'), noRecompute, 1e-12);
  });

  it('model FLOPs per token, full attention, equal PaLM 6N + 12·L·h·s (N = matmul params incl. head)', () => {
    // N = 96·12h² + V·h (the tied head is a matmul) = 173,946,175,488 + 617,558,016 = 174,563,733,504.
    const N = 96 * 12 * h * h + V * h;
    expect(modelFlopsPerToken(gpt3, s, { causality: 'full' })).toBe(6 * N + 12 * L * h * s);
    // Causal counts half of the attention term.
    expect(modelFlopsPerToken(gpt3, s)).toBe(6 * N + 6 * L * h * s);
  });
});

describe('backward, weight gradient and recompute conventions', () => {
  const shape = { microBatchSize: 1, seqLength: 4096 };
  const layer = layerForwardFlops(dsv3, 10, shape);
  const forward = sumLayerFlops(layer);

  it('backward = 2 × forward; W = forward minus the weightless attention core', () => {
    const pass = layerPassFlops(dsv3, 10, shape, 'none');
    expect(pass.forward).toBe(forward);
    expect(pass.backward).toBe(2 * forward);
    expect(pass.weightGradient).toBe(forward - layer.attentionCore);
    expect(pass.recompute).toBe(0);
  });

  it('selective recompute adds the attention core, full recompute the whole forward', () => {
    expect(layerPassFlops(dsv3, 10, shape, 'selective').backward).toBe(2 * forward + layer.attentionCore);
    expect(layerPassFlops(dsv3, 10, shape, 'full').backward).toBe(3 * forward);
    expect(layerPassFlops(dsv3, 10, shape, 'full').weightGradient).toBe(forward - layer.attentionCore);
  });
});

describe('DeepSeek-V3 per-token work (hand arithmetic)', () => {
  const shape = { microBatchSize: 1, seqLength: 4096 };

  it('MoE layer by op class', () => {
    const layer = layerForwardFlops(dsv3, 3, shape);
    const tokens = 4096;
    // MLA matrices 187,105,280 MACs → 374,210,560 FLOPs per token.
    expect(layer.attentionProjections / tokens).toBe(374_210_560);
    // Top-8 of 44,040,192-MAC experts: 8 · 2 · 44,040,192 = 704,643,072.
    expect(layer.moeRouted / tokens).toBe(704_643_072);
    expect(layer.moeShared / tokens).toBe(88_080_384);
    // Router 2 · 7168 · 256 = 3,670,016.
    expect(layer.router / tokens).toBe(3_670_016);
    // Causal core: 2 · 128 · 4096 · (192 + 128) / 2 = 167,772,160 per token.
    expect(layer.attentionCore / tokens).toBe(167_772_160);
    expect(layer.denseMlp).toBe(0);
  });

  it('dense layer: SwiGLU 3 matrices of 7168 × 18432', () => {
    // 2 · 3 · 7168 · 18432 = 792,723,456 per token.
    expect(layerForwardFlops(dsv3, 0, shape).denseMlp / 4096).toBe(792_723_456);
    expect(layerForwardFlops(dsv3, 0, shape).moeRouted).toBe(0);
  });

  it('GeLU MLP has 2 matrices', () => {
    // GPT-3: 2 · 2 · 12288 · 49152 = 2,415,919,104 per token.
    expect(layerForwardFlops(gpt3, 0, { microBatchSize: 1, seqLength: 1 }).denseMlp).toBe(2_415_919_104);
  });

  it('LM head 2·b·s·h·V and an MTP module = projection + MoE layer + head', () => {
    // 2 · 7168 · 129280 = 1,853,358,080 per token.
    expect(lmHeadPassFlops(dsv3, shape).forward / 4096).toBe(1_853_358_080);
    const mtp = mtpModulePassFlops(dsv3, shape, 'none');
    const expected = 2 * 2 * 7168 * 7168 * 4096 + sumLayerFlops(layerForwardFlops(dsv3, 3, shape)) + 1_853_358_080 * 4096;
    expect(mtp.forward).toBe(expected);
  });

  it('MFU numerator reproduces the §3 accounting: 387 TFLOP/s causal, 434 full at 1,543 tokens/s/GPU', () => {
    const tokensPerSecond = 1e12 / (180e3 * 3600); // 1,543.2 (180K GPU-hours per trillion tokens)
    // 6N with N = 36.63 B active (excl. input embedding): 339 TFLOP/s.
    expectRelative(sixNFlopsPerToken(dsv3) * tokensPerSecond, 339e12, 0.005);
    // + 61 layers × 3 × 167.77 M causal core = +30.7 GFLOP/token → 387 TFLOP/s.
    expectRelative(modelFlopsPerToken(dsv3, 4096, { includeMtp: false }) * tokensPerSecond, 387e12, 0.005);
    expectRelative(modelFlopsPerToken(dsv3, 4096, { includeMtp: false, causality: 'full' }) * tokensPerSecond, 434e12, 0.005);
    // Counting the MTP module adds its forward+backward (≈ 3 · 2.68 GFLOP matmul + core).
    expect(modelFlopsPerToken(dsv3, 4096)).toBeGreaterThan(modelFlopsPerToken(dsv3, 4096, { includeMtp: false }));
  });
});

describe('attention variants and stages', () => {
  it('GQA core uses head_dim for Q·K and A·V; MLA uses 192 and 128', () => {
    const llama = arch('llama3-70b');
    // 2 · 64 · 8192² · (128 + 128) = 2,199,023,255,552 full.
    expect(attentionCoreFlopsPerSequence(llama, 8192, 'full')).toBe(2_199_023_255_552);
    // 2 · 128 · 4096² · 320 = 1,374,389,534,720 full.
    expect(attentionCoreFlopsPerSequence(dsv3, 4096, 'full')).toBe(1_374_389_534_720);
  });

  it('GQA K/V projections are kvHeads wide: Llama 3 70B projections = 2·(2h² + 2·h·1024)', () => {
    const projections = layerForwardFlops(arch('llama3-70b'), 0, { microBatchSize: 1, seqLength: 1 }).attentionProjections;
    expect(projections).toBe(2 * (2 * 8192 * 8192 + 2 * 8192 * 1024));
  });

  it('stages sum to the whole model', () => {
    const shape = { microBatchSize: 1, seqLength: 4096 };
    const first = stagePassFlops(dsv3, { firstLayer: 0, layerCount: 31, hasEmbedding: true, hasLmHead: false, mtpModules: 0 }, shape, 'selective');
    const last = stagePassFlops(dsv3, { firstLayer: 31, layerCount: 30, hasEmbedding: false, hasLmHead: true, mtpModules: 1 }, shape, 'selective');
    const step = stepFlops(dsv3, { ...shape, microbatches: 1 }, 'selective');
    expectRelative(first.forward + first.backward + last.forward + last.backward, step, 1e-12);
  });
});
