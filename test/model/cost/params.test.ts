import { describe, expect, it } from 'vitest';
import { findFlavour, findModel } from '../../../src/model/catalog/models';
import type { ModelArch } from '../../../src/model/design';
import { isMoeLayer, moeLayerCount, moeLayersIn, parameterCounts } from '../../../src/model/cost/memory/params';

function arch(id: string): ModelArch {
  const entry = findModel(id);
  if (!entry) throw new Error(`catalog lacks ${id}`);
  return entry.arch;
}

/** |actual − expected| / expected below `fraction`. */
function expectWithin(actual: number, expected: number, fraction: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThan(fraction);
}

describe('DeepSeek-V3 parameter counts (COSTMODEL.md §2.2)', () => {
  const counts = parameterCounts(arch('deepseek-v3'));

  it('splits one MoE layer as the hand count does', () => {
    // One SwiGLU expert: 3 · 7168 · 2048 = 44,040,192.
    expect(counts.expert).toBe(44_040_192);
    // Routed per layer: 256 · 44,040,192 = 11,274,289,152.
    expect(counts.routedExpertsPerLayer).toBe(11_274_289_152);
    // Router: 7168 · 256 = 1,835,008.
    expect(counts.routerPerLayer).toBe(1_835_008);
    // MLA matrices: 7168·1536 + 1536·128·192 + 7168·(512+64) + 512·128·256 + 128·128·7168 = 187,105,280,
    // plus the q and kv norm vectors 1536 + 512.
    expect(counts.perLayer.attention).toBe(187_105_280 + 1536 + 512);
    expect(counts.moeLayerCount).toBe(58);
    expect(counts.denseLayerCount).toBe(3);
  });

  it('totals 671.03 B and 37.55 B active (paper: 671B / 37B), MTP adds ~11.6 B', () => {
    // Hand: 3·(187.1M + 396.4M) + 58·(187.1M + 11,320.2M) + 2·926.7M (emb + head) = 671,025,397,760 (+ norms).
    expectWithin(counts.total, 671.03e9, 0.0005);
    // Hand: 61·187.1M + 3·396.4M + 58·(9·44.04M + 1.835M) + 2·926.7M = 37,551,276,032 (+ norms).
    expectWithin(counts.active, 37.55e9, 0.0005);
    // Excluding the input embedding: 37.55 − 0.93 = 36.62 B (COSTMODEL §3 uses 36.63 B for 6N).
    expectWithin(counts.active - counts.embedding, 36.63e9, 0.001);
    // MTP: 2·7168² projection (102.8M) + one MoE layer (11,507M) ≈ 11.61 B; README_WEIGHTS says "11.5B unique".
    expectWithin(counts.totalWithMtp - counts.total, 11.61e9, 0.002);
  });
});

describe('dense model parameter counts', () => {
  it('GPT-3 175B ≈ 174.6 B (Megatron P = 12Lh²(1 + 13/(12h) + (V+s)/(12Lh)) = 174.60 B incl. biases)', () => {
    // Without biases and position embeddings: 96·(12h² + 2h) + V·h + h = 174,566,105,088 for h = 12288, V = 50257.
    expect(parameterCounts(arch('gpt3-175b')).total).toBe(174_566_105_088);
    const h = 12288; const L = 96; const V = 50257; const s = 2048;
    const megatron = 12 * L * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * L * h));
    expectWithin(parameterCounts(arch('gpt3-175b')).total, megatron, 0.0005);
  });

  it('Llama 3 405B ≈ 405.8 B', () => {
    // Per layer: 2·16384² + 2·16384·1024 (GQA K,V) + 3·16384·53248 = 3,187,671,040; ×126 = 401,646,551,040;
    // + 2·128256·16384 (emb + head) = 405,849,243,648, plus norms (253·16384).
    expect(parameterCounts(arch('llama3-405b')).total).toBe(405_849_243_648 + 253 * 16384);
  });

  it('Llama 3 8B and 70B match their names', () => {
    expectWithin(parameterCounts(arch('llama3-8b')).total, 8.03e9, 0.001);
    expectWithin(parameterCounts(arch('llama3-70b')).total, 70.55e9, 0.001);
  });
});

describe('published MoE totals and active counts', () => {
  const cases: [string, number, number, number][] = [
    // id, published total, published active, tolerance
    ['mixtral-8x7b', 46.7e9, 12.9e9, 0.01], // Mixtral paper: 47B total, 13B active; HF card 46.7B
    ['mixtral-8x22b', 141e9, 39e9, 0.01], // Mistral announcement: 141B / 39B
    ['deepseek-v2', 236e9, 21e9, 0.02], // arXiv 2405.04434: 236B / 21B
    ['qwen3-30b-a3b', 30.5e9, 3.3e9, 0.02], // Qwen3 model card: 30.5B / 3.3B
    ['qwen3-235b-a22b', 235e9, 22e9, 0.01], // Qwen3 model card: 235B / 22B
    ['llama4-maverick', 400e9, 17e9, 0.02], // Meta Llama 4 card: 400B / 17B (text weights)
  ];
  for (const [id, total, active, tolerance] of cases) {
    it(`${id}: ${total / 1e9} B total, ${active / 1e9} B active`, () => {
      const counts = parameterCounts(arch(id));
      expectWithin(counts.total, total, tolerance);
      expectWithin(counts.active, active, tolerance);
    });
  }
});

describe('MoE layer placement', () => {
  it('DeepSeek-V3: layers 0–2 dense, 3–60 MoE', () => {
    const ds = arch('deepseek-v3');
    expect([0, 1, 2, 3, 60].map((i) => isMoeLayer(ds, i))).toEqual([false, false, false, true, true]);
    expect(isMoeLayer(ds, 61)).toBe(false);
  });

  it('Llama 4 17bx128e: every second layer MoE (torchtitan (layer_id + 1) % 2 == 0)', () => {
    const maverick = findFlavour('llama4', '17bx128e')?.arch;
    if (!maverick) throw new Error('flavour missing');
    expect([0, 1, 2, 3].map((i) => isMoeLayer(maverick, i))).toEqual([false, true, false, true]);
    expect(moeLayerCount(maverick)).toBe(24);
  });

  it('a dense model has no MoE layers', () => {
    expect(moeLayerCount(arch('llama3-70b'))).toBe(0);
    expect(parameterCounts(arch('llama3-70b')).active).toBe(parameterCounts(arch('llama3-70b')).total);
  });
});

describe('moeLayersIn', () => {
  it('counts the MoE layers of any range as isMoeLayer does layer by layer, for every dense prefix and interval', () => {
    const base = arch('deepseek-v3');
    let checked = 0;
    for (const denseLayers of [0, 1, 3, 7]) {
      for (const moeLayerInterval of [undefined, 1, 2, 3, 2.5]) {
        for (const experts of [0, 8]) {
          const model: ModelArch = { ...base, layers: 13, denseLayers, experts, ...(moeLayerInterval === undefined ? {} : { moeLayerInterval }) };
          for (let first = -1; first <= 14; first++) {
            for (let count = 0; count <= 15; count++) {
              let expected = 0;
              for (let i = first; i < first + count; i++) if (isMoeLayer(model, i)) expected++;
              expect(moeLayersIn(model, first, count)).toBe(expected);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});
