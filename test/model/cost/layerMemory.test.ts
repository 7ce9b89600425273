// Each framework's recompute semantics and loss buffers (layerMemory.ts, opCheckpoint.ts) against hand-computed
// Llama 3 8B figures (h = 4096, 32 heads of 128, 8 KV heads, SwiGLU 14336, V = 128,256), and their invariants.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import type { ActivationSettings } from '../../../src/model/cost/memory/activations';
import { keptLayerBytes, lossPhaseBytes, rematerialisedLayerBytes, TORCHTITAN_LOSS_BYTES_PER_LOGIT } from '../../../src/model/cost/memory/layerMemory';
import {
  type MemoryPlan, stageMemory, STATE_BYTES_DEEPSEEK_V3, STATE_BYTES_FSDP2, STATE_BYTES_MEGATRON, stateBytesOf,
} from '../../../src/model/cost/memory/memory';
import { keptMatmuls } from '../../../src/model/cost/memory/opCheckpoint';

const llama = findModel('llama3-8b')!.arch;
const dsv3 = findModel('deepseek-v3')!.arch;
const shape = { microBatchSize: 2, seqLength: 8192 };
const tokens = 16_384;
const base: ActivationSettings = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, recompute: 'selective', flashAttention: true, dropout: false };
const titan = (extra: Partial<ActivationSettings> = {}): ActivationSettings => ({ ...base, framework: 'torchtitan', ...extra });
const kept = (settings: ActivationSettings, arch = llama, kind: 'dense' | 'moe' = 'dense') => keptLayerBytes(arch, kind, shape, settings);

describe('torchtitan op-level selective checkpointing, Llama 3 8B layer', () => {
  it('keeps every other matmul in call order: q, v, gate, down; recomputes k, o, up', () => {
    const { kept: keep, recomputed } = keptMatmuls(llama, 'dense');
    expect(keep.map((m) => m.name)).toEqual(['attention.wq', 'attention.wv', 'mlp.w1', 'mlp.w2']);
    expect(recomputed.map((m) => m.name)).toEqual(['attention.wk', 'attention.wo', 'mlp.w3']);
  });

  it('TP1: input 4096 + q 4096 + v 1024 + gate 14336 + down 4096 + attention output 4096, 2 B each, + 32 FP32 lse = 63,616 B/token', () => {
    expect(kept(titan())).toBe(63_616 * tokens);
  });

  it('TP2 (always sequence-parallel): halves all but the down projection\'s partial sums and adds two reduce-scatter outputs: 44,096 B/token', () => {
    // input 4096 + q 4096 + v 1024 + gate 14336 + down 8192 (whole width) + output 4096 + lse 64 + 2 × 4096 reduce-scatters.
    expect(kept(titan({ tp: 2, sequenceParallel: true }))).toBe(44_096 * tokens);
  });

  it('Megatron\'s selective on the same layer keeps everything but the 128 B of softmax statistics: 139,264 B/token', () => {
    expect(kept(base)).toBe(139_264 * tokens);
    expect(kept({ ...base, recompute: 'none' })).toBe(139_392 * tokens);
  });
});

describe('torchtitan layer-level selective checkpointing', () => {
  it('every 2nd layer: the average of one whole layer (139,392 B) and one input (8,192 B) = 73,792 B/token', () => {
    expect(kept(titan({ recomputeLayerInterval: 2 }))).toBe(73_792 * tokens);
  });
  it('every layer is full recompute; Megatron ignores the interval', () => {
    expect(kept(titan({ recomputeLayerInterval: 1 }))).toBe(kept(titan({ recompute: 'full' })));
    expect(kept({ ...base, recomputeLayerInterval: 2 })).toBe(kept(base));
  });
  it('monotone: a longer interval keeps more, never more than no recompute, never less than full', () => {
    const none = kept(titan({ recompute: 'none' }));
    const full = kept(titan({ recompute: 'full' }));
    let previous = full;
    for (const interval of [1, 2, 3, 4, 8, 32]) {
      const bytes = kept(titan({ recomputeLayerInterval: interval }));
      expect(bytes).toBeGreaterThanOrEqual(previous);
      expect(bytes).toBeLessThan(none);
      previous = bytes;
    }
    expect(kept(titan())).toBeGreaterThan(full);
    expect(kept(titan())).toBeLessThan(none);
  });
});

describe('what a recomputed layer rebuilds during its backward', () => {
  it('full: 139,392 − 8,192; op-level: 139,392 − 63,616; Megatron core_attn: the 128 B of statistics; none: 0', () => {
    expect(rematerialisedLayerBytes(llama, 'dense', shape, titan({ recompute: 'full' }))).toBe(131_200 * tokens);
    expect(rematerialisedLayerBytes(llama, 'dense', shape, titan())).toBe(75_776 * tokens);
    expect(rematerialisedLayerBytes(llama, 'dense', shape, base)).toBe(128 * tokens);
    expect(rematerialisedLayerBytes(llama, 'dense', shape, { ...base, recompute: 'none' })).toBe(0);
  });
  it('under the layer-level policy the recomputed layer is a checkpointed one', () => {
    expect(rematerialisedLayerBytes(llama, 'dense', shape, titan({ recomputeLayerInterval: 3 }))).toBe(131_200 * tokens);
  });
});

describe('the loss', () => {
  it('Megatron: theoretical_memory_usage.py\'s 4·s·b·h·(1 + V/h)/t, unchanged', () => {
    expect(lossPhaseBytes(llama, shape, base)).toBe(4 * tokens * (4096 + 128_256));
    expect(lossPhaseBytes(llama, shape, { ...base, tp: 4 })).toBe(tokens * (4096 + 128_256));
  });
  it('torchtitan: 16-bit logits + FP32 upcast + log-softmax output + its gradient = 14 B per logit, plus the head input 4h', () => {
    expect(TORCHTITAN_LOSS_BYTES_PER_LOGIT).toBe(14);
    // 16,384 × (4 · 4096 + 14 · 128,256) = 16,384 × 1,811,968 = 29,687,283,712 B (27.6 GiB).
    expect(lossPhaseBytes(llama, shape, titan())).toBe(29_687_283_712);
  });
  it('monotone: more vocabulary or tokens hold more; TP (loss parallel) and CP divide it', () => {
    const at = (vocab: number, extra: Partial<ActivationSettings> = {}, batch = shape) => lossPhaseBytes({ ...llama, vocab }, batch, titan(extra));
    expect(at(256_000)).toBeGreaterThan(at(128_256));
    expect(at(128_256, {}, { microBatchSize: 4, seqLength: 8192 })).toBe(2 * at(128_256));
    expect(at(128_256, { tp: 2 })).toBe(at(128_256) / 2);
    expect(at(128_256, { cp: 4 })).toBe(at(128_256) / 4);
  });
});

describe('stage memory with the transient working set', () => {
  const chunk = { firstLayer: 0, layerCount: 32, hasEmbedding: true, hasLmHead: true, mtpModules: 0 };
  const plan: MemoryPlan = { tp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 3, sequenceParallel: false, seqLength: 32_768,
    microBatchSize: 1, recompute: 'full', framework: 'torchtitan' };
  const memory = (extra: Partial<MemoryPlan>) => stageMemory({ arch: llama, plan: { ...plan, ...extra }, chunks: [chunk],
    peakInFlightMicroBatches: 1, stateBytes: stateBytesOf({ ...plan, precision: 'bf16', ...extra }), reserve: { fixedBytes: 0, fraction: 0 } });

  it('the peak holds the larger of the loss buffers and a rebuilt layer, not both', () => {
    // Head stage: the 32k-token loss (≈ 55 GiB) dwarfs one rebuilt layer (131,200 B × 32,768 ≈ 4 GiB).
    expect(memory({}).transientBytes).toBe(0);
    // A stage without the head pays the rebuilt layer.
    const noHead = stageMemory({ arch: llama, plan, chunks: [{ ...chunk, hasLmHead: false }], peakInFlightMicroBatches: 1, reserve: { fixedBytes: 0, fraction: 0 } });
    expect(noHead.transientBytes).toBe(131_200 * 32_768);
  });

  it('monotone in the sequence length; recompute never raises the peak', () => {
    let previous = 0;
    for (const seqLength of [2048, 4096, 8192, 16_384, 32_768]) {
      const total = memory({ seqLength }).totalBytes;
      expect(total).toBeGreaterThan(previous);
      previous = total;
    }
    const none = memory({ recompute: 'none', seqLength: 8192 }).totalBytes;
    const selective = memory({ recompute: 'selective', seqLength: 8192 }).totalBytes;
    expect(selective).toBeLessThan(none);
    expect(memory({ seqLength: 8192 }).totalBytes).toBeLessThan(selective);
  });

  it('without a framework the estimate is Megatron\'s', () => {
    const { framework: _dropped, ...megatron } = plan;
    const implicit = stageMemory({ arch: llama, plan: megatron, chunks: [chunk], peakInFlightMicroBatches: 1 });
    const explicit = stageMemory({ arch: llama, plan: { ...megatron, framework: 'megatron' }, chunks: [chunk], peakInFlightMicroBatches: 1 });
    expect(implicit).toEqual(explicit);
  });
});

describe('training states by framework', () => {
  it('torchtitan\'s FSDP2 without PP holds FP32 parameters, gradients and moments, sharded: 16 B/param', () => {
    expect(stateBytesOf({ precision: 'fp8', framework: 'torchtitan', zero: 3, pp: 1 })).toBe(STATE_BYTES_FSDP2);
    expect(STATE_BYTES_FSDP2.weights + STATE_BYTES_FSDP2.gradients + STATE_BYTES_FSDP2.master + STATE_BYTES_FSDP2.moments).toBe(16);
    expect(stateBytesOf({ precision: 'bf16', framework: 'torchtitan', zero: 3, pp: 4 })).toBe(STATE_BYTES_MEGATRON);
  });
  it('Megatron: 18 B/param, DeepSeek-V3\'s BF16 moments under FP8', () => {
    expect(stateBytesOf({ precision: 'bf16' })).toBe(STATE_BYTES_MEGATRON);
    expect(stateBytesOf({ precision: 'fp8' })).toBe(STATE_BYTES_DEEPSEEK_V3);
  });
});

describe('MoE blocks under the op-level policy', () => {
  it('count the shared expert after the attention and keep all-to-all outputs only with EP', () => {
    // DeepSeek-V3 MLA: wq_a, wq_b, wkv_a, wkv_b, wo, then the shared expert's w1, w3, w2.
    expect(keptMatmuls(dsv3, 'moe').kept.map((m) => m.name)).toEqual(['attention.wq_a', 'attention.wkv_a', 'attention.wo', 'moe.shared.w3']);
    const withEp = kept(titan({ ep: 8 }), dsv3, 'moe');
    const withoutEp = kept(titan(), dsv3, 'moe');
    expect(withEp - withoutEp).toBe(2 * 8 * 7168 * 2 * tokens);
  });
});
