import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import type { ModelArch } from '../../../src/model/design';
import type { StageContent } from '../../../src/model/cost/compute/flops';
import {
  type ActivationSettings, BYTES_PER_ELEMENT, DEFAULT_MEMORY_RESERVE, layerActivationBytes, type MemoryPlan,
  rankParameters, stageMemory, STATE_BYTES_DEEPSEEK_V3, STATE_BYTES_MEGATRON, STATE_BYTES_ZERO_PAPER,
  zeroBytesPerParameter,
} from '../../../src/model/cost/memory/memory';

function arch(id: string): ModelArch {
  const entry = findModel(id);
  if (!entry) throw new Error(`catalog lacks ${id}`);
  return entry.arch;
}
const gpt3 = arch('gpt3-175b');
const dsv3 = arch('deepseek-v3');
const NO_RESERVE = { fixedBytes: 0, fraction: 0 };

function chunk(firstLayer: number, layerCount: number, extra: Partial<StageContent> = {}): StageContent {
  return { firstLayer, layerCount, hasEmbedding: false, hasLmHead: false, mtpModules: 0, ...extra };
}

describe('bytes per element', () => {
  it('names the element widths', () => {
    expect(BYTES_PER_ELEMENT).toEqual({ fp32: 4, bf16: 2, fp16: 2, fp8: 1 });
  });
});

describe('ZeRO paper (Rajbhandari et al. 2020) Figure 1: Ψ = 7.5 B, N_d = 64, K = 12', () => {
  const psi = 7.5e9;
  const bytesFor = (zero: 0 | 1 | 2 | 3): number => {
    const per = zeroBytesPerParameter(STATE_BYTES_ZERO_PAPER, zero, 64);
    return psi * (per.weights + per.gradients + per.optimizer);
  };
  // 16Ψ = 120 GB.
  it('baseline 16Ψ = 120 GB', () => expect(bytesFor(0)).toBe(120e9));
  // 4Ψ + 12Ψ/64 = 30 + 1.40625 = 31.40625 GB (paper: 31.4 GB).
  it('P_os 4Ψ + 12Ψ/N = 31.4 GB', () => expect(bytesFor(1)).toBe(31.40625e9));
  // 2Ψ + 14Ψ/64 = 15 + 1.640625 = 16.640625 GB (paper: 16.6 GB).
  it('P_os+g 2Ψ + 14Ψ/N = 16.6 GB', () => expect(bytesFor(2)).toBe(16.640625e9));
  // 16Ψ/64 = 1.875 GB (paper: 1.9 GB).
  it('P_os+g+p 16Ψ/N = 1.9 GB', () => expect(bytesFor(3)).toBe(1.875e9));
});

describe('Megatron accounting (theoretical_memory_usage.py): 18 B/param, 6 + 12/d with the distributed optimizer', () => {
  const total = (zero: 0 | 1, d: number): number => {
    const per = zeroBytesPerParameter(STATE_BYTES_MEGATRON, zero, d);
    return per.weights + per.gradients + per.optimizer;
  };
  it('18 without, 6 + 12/8 = 7.5 with d = 8', () => {
    expect(total(0, 8)).toBe(18);
    expect(total(1, 8)).toBe(7.5);
    expect(total(1, 128)).toBe(6 + 12 / 128);
  });

  it('GPT-3 175B, TP8 PP16, first stage (6 layers + embedding), distributed optimizer over d = 8', () => {
    const plan: MemoryPlan = { tp: 8, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: true, seqLength: 2048,
      microBatchSize: 1, recompute: 'selective' };
    const memory = stageMemory({ arch: gpt3, plan, chunks: [chunk(0, 6, { hasEmbedding: true })],
      peakInFlightMicroBatches: 16, reserve: NO_RESERVE });
    // Per layer 12h² + 2h = 1,811,963,904; ×6 = 10,871,783,424; + V·h = 617,558,016 → 11,489,341,440; /8 TP
    // = 1,436,167,680 params per GPU. Weights 2 B: 2,872,335,360; grads 4 B: 5,744,670,720; optimizer 12/8 B:
    // 2,154,251,520 — together 7.5 B/param = 10,771,257,600.
    expect(memory.parametersBytes).toBe(2_872_335_360);
    expect(memory.gradientsBytes).toBe(5_744_670_720);
    expect(memory.optimizerBytes).toBe(2_154_251_520);
    // Activations: 16 in flight × 6 layers × 34·s·b·h/t (106,954,752 B) = 10,267,656,192, plus the embedding's
    // 16 × s·b·(8 + h)/t (token ids and dropout mask) = 16 × 2048 · 12296 / 8 = 50,364,416 → 10,318,020,608.
    expect(memory.activationsBytes).toBe(10_318_020_608);
    expect(memory.otherBytes).toBe(0);
  });

  it('GPT-3 weights per block per GPU at TP8 ≈ 453 MB (Calculon, COSTMODEL §2.6)', () => {
    const plan: MemoryPlan = { tp: 8, cp: 1, ep: 1, etp: 1, dp: 1, zero: 0, sequenceParallel: false, seqLength: 2048,
      microBatchSize: 1, recompute: 'none' };
    // (12h² + 2h)·2 B / 8 = 452,990,976 (Calculon counts 12h² only: 452,984,832).
    expect(stageMemory({ arch: gpt3, plan, chunks: [chunk(10, 1)], peakInFlightMicroBatches: 1 }).parametersBytes)
      .toBe(452_990_976);
  });
});

describe('Korthikanti et al. 2022 per-layer activations, GPT-3 175B (s = 2048, b = 1, h = 12288, a = 96)', () => {
  const shape = { microBatchSize: 1, seqLength: 2048 };
  const sbh = 2048 * 12288; // 25,165,824
  const settings = (tp: number, sequenceParallel: boolean, recompute: 'none' | 'selective' | 'full'): ActivationSettings =>
    ({ tp, cp: 1, etp: 1, sequenceParallel, recompute, flashAttention: false, dropout: true });
  const bytes = (s: ActivationSettings): number => layerActivationBytes(gpt3, 'dense', shape, s).total;

  // 5as/h = 5·96·2048/12288 = 80.
  it('no parallelism: sbh(34 + 5as/h) = 114·sbh = 2,868,903,936', () => {
    expect(bytes(settings(1, false, 'none'))).toBe(114 * sbh);
    expect(114 * sbh).toBe(2_868_903_936);
  });
  it('TP8: sbh(10 + 24/8 + 80/8) = 23·sbh = 578,813,952', () => {
    expect(bytes(settings(8, false, 'none'))).toBe(578_813_952);
  });
  it('TP8 + SP: sbh/8 · 114 = 358,612,992', () => {
    expect(bytes(settings(8, true, 'none'))).toBe(358_612_992);
  });
  it('TP8 + selective: sbh(10 + 24/8) = 13·sbh = 327,155,712', () => {
    expect(bytes(settings(8, false, 'selective'))).toBe(327_155_712);
  });
  it('TP8 + SP + selective: 34·sbh/8 = 106,954,752 (Megatron sbh(18 + 4·ffn/h)/t)', () => {
    expect(bytes(settings(8, true, 'selective'))).toBe(106_954_752);
    expect(bytes(settings(8, true, 'selective'))).toBe((sbh * (18 + (4 * 49152) / 12288)) / 8);
  });
  it('full recompute: 2sbh = 50,331,648; with SP ÷ 8 = 6,291,456', () => {
    expect(bytes(settings(8, false, 'full'))).toBe(50_331_648);
    expect(bytes(settings(8, true, 'full'))).toBe(6_291_456);
  });
  it('flash attention removes the 5as²b term, keeping 4 B of softmax statistics per head and row', () => {
    const flash = layerActivationBytes(gpt3, 'dense', shape, { ...settings(1, false, 'none'), flashAttention: true }).total;
    // 34·sbh + 4·a·s·b = 855,638,016 + 786,432 = 856,424,448.
    expect(flash).toBe(856_424_448);
  });
  it('CP divides every term: CP2 halves the TP8 + SP figure', () => {
    expect(layerActivationBytes(gpt3, 'dense', shape, { ...settings(8, true, 'none'), cp: 2 }).total).toBe(358_612_992 / 2);
  });
});

describe('DeepSeek-V3 MoE layer activations (s = 4096, b = 1, TP1, flash, no dropout)', () => {
  const shape = { microBatchSize: 1, seqLength: 4096 };
  const base: ActivationSettings = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, recompute: 'none', flashAttention: true, dropout: false };

  // Corrected: the earlier figures (571,008 and 462,464 B) also kept each expert's output (8 × h × 2 =
  // 114,688 B) for the combine; with the routing weight applied inside the activation (Megatron's weighted
  // SwiGLU, DeepSeek-V3 §3.3.3) the expert output is not needed (docs/MEMORY.md).
  it('BF16: 456,352 B per token', () => {
    // Attention: norm input and output 2 × 14,336; MLA latents c_q 3,072, c_kv ‖ k_rope 1,152, normed latents
    // 3,072 + 1,024; q, k 2 × 128·192·2 = 98,304; v 32,768; flash LSE 4·128 = 512; o 32,768 → 201,344.
    // MoE: norm input and output 2 × 14,336; router 4·256 = 1,024; 8 copies × (7,168·2 dispatched + 4 weight +
    //      2·2048·2 SwiGLU input + 2048·2 down input) = 8 × 26,628 = 213,024; shared 8,192 + 4,096 → 255,008.
    expect(layerActivationBytes(dsv3, 'moe', shape, base).total).toBe(456_352 * 4096);
  });

  it('FP8-cached GEMM inputs (1 B, no scales): 394,912 B per token', () => {
    // Attention: 14,336 + 7,168 (norm output in FP8) + 3,072 + 1,152 + 1,536 + 512 + 98,304 + 32,768 + 512
    //   + o for the projection 16,384 + flash's own 16-bit o 32,768 = 208,512.
    // MoE: 14,336 + 14,336 (router input, 16-bit) + 7,168 (shared fc1's FP8 copy) + 1,024
    //   + 8 × (7,168 + 4 + 8,192 + 2,048) = 139,296 + shared 8,192 + 2,048 → 186,400.
    expect(layerActivationBytes(dsv3, 'moe', shape, { ...base, gemmInputBytes: 1 }).total).toBe(394_912 * 4096);
  });

  it('does not depend on EP (an expert GPU receives k·s·b token copies with balanced routing)', () => {
    const plan = (ep: number): MemoryPlan => ({ tp: 1, cp: 1, ep, etp: 1, dp: 128, zero: 1, sequenceParallel: false,
      seqLength: 4096, microBatchSize: 1, recompute: 'none' });
    const at = (ep: number): number => stageMemory({ arch: dsv3, plan: plan(ep), chunks: [chunk(4, 4)], peakInFlightMicroBatches: 5 }).activationsBytes;
    expect(at(8)).toBe(at(64));
    expect(at(64)).toBe(5 * 4 * 456_352 * 4096);
  });
});

describe('DeepSeek-V3 parameters per GPU: PP16, EP64, DP128, ZeRO-1, FP32 master/grads + BF16 moments', () => {
  const plan: MemoryPlan = { tp: 1, cp: 1, ep: 64, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096,
    microBatchSize: 1, recompute: 'none', precision: 'fp8' };
  const stage = [chunk(4, 4)];

  it('splits a 4-MoE-layer stage into non-expert and routed parameters', () => {
    // Non-expert per MoE layer: attention 187,107,328 + norms 14,336 + shared 44,040,192 + router 1,835,008
    // = 232,996,864; ×4 = 931,987,456. Routed: 4 × 256 × 44,040,192 = 45,097,156,608.
    expect(rankParameters(dsv3, stage)).toEqual({ nonExpert: 931_987_456, routedExperts: 45_097_156_608 });
  });

  it('shards experts by EP and their optimizer over the expert-data-parallel group (2048/(64·16) = 2)', () => {
    const memory = stageMemory({ arch: dsv3, plan, chunks: stage, peakInFlightMicroBatches: 1,
      stateBytes: STATE_BYTES_DEEPSEEK_V3, reserve: NO_RESERVE });
    // Routed per GPU: 45,097,156,608 / 64 = 704,643,072 (4 experts × 4 layers × 44,040,192).
    // Weights 2 B × (931,987,456 + 704,643,072) = 3,273,261,056; grads 4 B: 6,546,522,112.
    // Optimizer (4 master + 4 moments): 8 × 931,987,456/128 + 8 × 704,643,072/2 = 58,249,216 + 2,818,572,288.
    expect(memory.parametersBytes).toBe(3_273_261_056);
    expect(memory.gradientsBytes).toBe(6_546_522_112);
    expect(memory.optimizerBytes).toBe(2_876_821_504);
  });

  it('the last stage carries the head and the MTP module (its routed experts EP-sharded too)', () => {
    const last = rankParameters(dsv3, [chunk(57, 4, { hasLmHead: true, mtpModules: 1 })]);
    // Head V·h = 926,679,040 + final norm 7168; MTP own: 3h + 2h² = 102,781,952 + a MoE layer's non-expert part.
    expect(last.routedExperts).toBe(5 * 11_274_289_152);
    expect(last.nonExpert).toBe(5 * 232_996_864 + 926_679_040 + 7168 + 3 * 7168 + 2 * 7168 * 7168);
  });
});

describe('logits held on the stage with the head', () => {
  const plan: MemoryPlan = { tp: 1, cp: 1, ep: 64, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096,
    microBatchSize: 1, recompute: 'full' };
  const activations = (extra: Partial<StageContent>) =>
    stageMemory({ arch: dsv3, plan, chunks: [chunk(58, 3, extra)], peakInFlightMicroBatches: 1, reserve: NO_RESERVE }).activationsBytes;

  it('the MTP module keeps its own logits, as the LM head does: 4·s·(h + V) each', () => {
    // Megatron's 4·s·b·h·(1 + V/h) with s = 4096, h = 7168, V = 129,280: 4 · 4096 · 136,448 = 2,235,564,032 B.
    const layers = activations({});
    // Full recompute keeps each layer's 16-bit input, 4096 · 7168 · 2 B; the MTP layer is one more.
    expect(layers).toBe(3 * 4096 * 7168 * 2);
    expect(activations({ hasLmHead: true })).toBe(layers + 2_235_564_032);
    expect(activations({ hasLmHead: true, mtpModules: 1 })).toBe(layers + 4096 * 7168 * 2 + 2 * 2_235_564_032);
    expect(activations({ hasLmHead: true, mtpModules: 2 })).toBe(layers + 2 * 4096 * 7168 * 2 + 3 * 2_235_564_032);
  });
});

describe('reserve and ZeRO-3', () => {
  const plan: MemoryPlan = { tp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 3, sequenceParallel: false, seqLength: 4096,
    microBatchSize: 1, recompute: 'full' };
  const llama = arch('llama3-8b');

  it('ZeRO-3 shards all three states and gathers two layers of weights', () => {
    const memory = stageMemory({ arch: llama, plan, chunks: [chunk(0, 32, { hasEmbedding: true, hasLmHead: true })],
      peakInFlightMicroBatches: 1, stateBytes: STATE_BYTES_ZERO_PAPER, reserve: NO_RESERVE });
    const params = rankParameters(llama, [chunk(0, 32, { hasEmbedding: true, hasLmHead: true })]).nonExpert;
    expect(memory.parametersBytes).toBe((params * 2) / 8);
    expect(memory.gradientsBytes).toBe((params * 2) / 8);
    expect(memory.optimizerBytes).toBe((params * 12) / 8);
    // One Llama 3 8B layer: 2·4096² + 2·4096·1024 + 3·4096·14336 + 2·4096 = 218,112,000; two of them in BF16.
    expect(memory.otherBytes).toBe(2 * 218_112_000 * 2);
  });

  it('the default reserve is 2 GiB plus 5 % of the rest', () => {
    const memory = stageMemory({ arch: llama, plan: { ...plan, zero: 1 }, chunks: [chunk(0, 32)], peakInFlightMicroBatches: 1 });
    const rest = memory.parametersBytes + memory.gradientsBytes + memory.optimizerBytes + memory.activationsBytes + memory.transientBytes;
    expect(DEFAULT_MEMORY_RESERVE).toEqual({ fixedBytes: 2 ** 31, fraction: 0.05 });
    expect(memory.otherBytes).toBeCloseTo(2 ** 31 + 0.05 * rest, 0);
    expect(memory.totalBytes).toBeCloseTo(rest + memory.otherBytes, 0);
  });
});

describe('invariants', () => {
  it('more TP, EP or DP never raises per-GPU memory; recompute never raises activations', () => {
    const layouts = [1, 2, 4, 8];
    let previous = Number.POSITIVE_INFINITY;
    for (const degree of layouts) {
      const plan: MemoryPlan = { tp: degree, cp: 1, ep: degree, etp: 1, dp: degree, zero: 1, sequenceParallel: true,
        seqLength: 4096, microBatchSize: 1, recompute: 'none' };
      const total = stageMemory({ arch: dsv3, plan, chunks: [chunk(0, 8, { hasEmbedding: true })], peakInFlightMicroBatches: 8 }).totalBytes;
      expect(total).toBeLessThan(previous);
      previous = total;
    }
    const shape = { microBatchSize: 2, seqLength: 8192 };
    for (const id of ['llama3-70b', 'deepseek-v3', 'mixtral-8x7b', 'gpt3-175b']) {
      const model = arch(id);
      const at = (recompute: 'none' | 'selective' | 'full'): number => layerActivationBytes(model, model.experts > 0 ? 'moe' : 'dense',
        shape, { tp: 4, cp: 1, etp: 1, sequenceParallel: false, recompute, flashAttention: false, dropout: false }).total;
      expect(at('selective')).toBeLessThan(at('none'));
      expect(at('full')).toBeLessThan(at('selective'));
    }
  });
});
