// Per-token activation bytes of a DeepSeek-V3 layer, worked by hand from docs/MEMORY.md's table.
// DeepSeek-V3 (config_671B.json): h = 7168, a = 128, q_lora 1536, kv_lora 512, qk_nope 128, qk_rope 64, v 128,
// 256 routed experts (top-8) and 1 shared expert of width 2048, dense FFN 18432. TP1, CP1, flash, no dropout.
// FP8 = 1 B + one FP32 scale per 128 elements = 1.03125 B; E5M6 = 1.5 + 0.03125 = 1.53125 B.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import {
  type ActivationSettings, DEEPSEEK_V3_ACTIVATION_RECIPE, FP8_CACHED_BYTES, E5M6_CACHED_BYTES, layerActivationBytes,
  layerActivationTensors,
} from '../../../src/model/cost/memory/activations';
import type { ModelArch, RecomputeModule } from '../../../src/model/design';

const dsv3: ModelArch = findModel('deepseek-v3')!.arch;
const token = { microBatchSize: 1, seqLength: 1 };
const BF16: ActivationSettings = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, recompute: 'none', flashAttention: true, dropout: false };
const FP8: ActivationSettings = { ...BF16, gemmInputBytes: FP8_CACHED_BYTES };
const selective = (settings: ActivationSettings, modules: RecomputeModule[]): ActivationSettings => ({ ...settings, recompute: 'selective', recomputeModules: modules });

/** Bytes per token of the tensors whose names start with `prefix` (attention., moe., mlp.). */
function blockBytes(kind: 'dense' | 'moe', settings: ActivationSettings, prefix: string): number {
  return layerActivationTensors(dsv3, kind, token, settings)
    .filter((tensor) => tensor.name.startsWith(prefix))
    .reduce((sum, tensor) => sum + tensor.elements * tensor.bytesPerElement, 0);
}
const layer = (kind: 'dense' | 'moe', settings: ActivationSettings): number => layerActivationBytes(dsv3, kind, token, settings).total;

describe('widths', () => {
  it('FP8 with 1×128 tile scales and E5M6', () => {
    expect(FP8_CACHED_BYTES).toBe(1.03125);
    expect(E5M6_CACHED_BYTES).toBe(1.53125);
    // A dispatched token: 7168 × 1.03125 = 7,392 B (COSTMODEL.md §2.4).
    expect(7168 * FP8_CACHED_BYTES).toBe(7392);
  });
});

describe('MLA attention block, per token', () => {
  it('(a) no recompute, BF16: 201,344 B', () => {
    // norm input 14,336 + norm output 14,336 + c_q 3,072 + (c_kv ‖ k_rope) 576·2 = 1,152 + normed c_q 3,072
    // + normed c_kv 1,024 + q 128·192·2 = 49,152 + k 49,152 + v 128·128·2 = 32,768 + LSE 128·4 = 512 + o 32,768.
    expect(blockBytes('moe', BF16, 'attention.')).toBe(201_344);
  });
  it('(a) no recompute, FP8 Linear inputs: 209,312 B', () => {
    // The four Linear inputs shrink: norm output 7,392, normed c_q 1,584, normed c_kv 528, o for the projection
    // 16,896; flash keeps its own 16-bit o (32,768): 14,336 + 7,392 + 3,072 + 1,152 + 1,584 + 528 + 49,152
    // + 49,152 + 32,768 + 512 + 16,896 + 32,768 = 209,312.
    expect(blockBytes('moe', FP8, 'attention.')).toBe(209_312);
  });
  it('(b) Megatron selective (core_attn): BF16 200,832 B, FP8 176,032 B', () => {
    // Only the LSE goes in BF16 (o is the projection's input anyway): 201,344 − 512.
    expect(blockBytes('moe', selective(BF16, ['core_attn']), 'attention.')).toBe(200_832);
    // In FP8 flash's own 16-bit o goes too: 209,312 − 512 − 32,768.
    expect(blockBytes('moe', selective(FP8, ['core_attn']), 'attention.')).toBe(176_032);
    expect(layer('moe', { ...BF16, recompute: 'selective' })).toBe(layer('moe', selective(BF16, ['core_attn'])));
  });
  it('(c) DeepSeek-V3 recipe: 44,160 B', () => {
    // norm input 14,336 + c_q 3,072 + c_kv ‖ k_rope 1,152 + LSE 512 + o once in E5M6 16,384 × 1.53125 = 25,088.
    expect(blockBytes('moe', { ...BF16, ...DEEPSEEK_V3_ACTIVATION_RECIPE }, 'attention.')).toBe(44_160);
  });
  it('(c) as Megatron expresses it ([layernorm, mla_up_proj, moe_act], FP8): 72,832 B', () => {
    // 14,336 + 3,072 + 1,152 + normed latents as 16-bit checkpoint inputs 3,072 + 1,024 + LSE 512
    // + o for the projection 16,896 + flash's 16-bit o 32,768.
    expect(blockBytes('moe', selective(FP8, ['layernorm', 'mla_up_proj', 'moe_act']), 'attention.')).toBe(72_832);
  });
});

describe('MoE block (8 routed copies + 1 shared expert), per token', () => {
  it('(a) no recompute, BF16: 255,008 B', () => {
    // norm input and output 2 × 14,336 + router probabilities 256·4 = 1,024
    // + 8 × (dispatched 14,336 + weight 4 + SwiGLU input 2·2048·2 = 8,192 + down input 4,096) = 213,024
    // + shared SwiGLU input 8,192 + down input 4,096.
    expect(blockBytes('moe', BF16, 'moe.')).toBe(255_008);
  });
  it('(a) no recompute, FP8 Linear inputs: 188,992 B', () => {
    // 14,336 + 14,336 (router input stays 16-bit) + shared fc1's FP8 copy 7,392 + 1,024
    // + 8 × (7,392 + 4 + 8,192 + 2048 × 1.03125 = 2,112) = 141,600 + shared 8,192 + 2,112.
    expect(blockBytes('moe', FP8, 'moe.')).toBe(188_992);
  });
  it('(b) Megatron selective (core_attn) leaves the MoE block as it is', () => {
    expect(blockBytes('moe', selective(BF16, ['core_attn']), 'moe.')).toBe(255_008);
    expect(blockBytes('moe', selective(FP8, ['core_attn']), 'moe.')).toBe(188_992);
  });
  it('(c) DeepSeek-V3 recipe: 114,656 B', () => {
    // norm input 14,336 + router 1,024 + 8 × (FP8 dispatched 7,392 + weight 4 + FP8 SwiGLU input 4096 × 1.03125
    // = 4,224) = 92,960 + shared FP8 SwiGLU input 4,224 + down input 2,112.
    expect(blockBytes('moe', { ...BF16, ...DEEPSEEK_V3_ACTIVATION_RECIPE }, 'moe.')).toBe(114_656);
    const megatron = { ...selective(FP8, ['layernorm', 'mla_up_proj', 'moe_act']), activationInputBytes: FP8_CACHED_BYTES };
    expect(blockBytes('moe', megatron, 'moe.')).toBe(114_656);
  });
});

describe('whole layers', () => {
  it('sum both blocks; scale with s·b', () => {
    // (a) 201,344 + 255,008 = 456,352; (c) 44,160 + 114,656 = 158,816; Megatron's (c) 72,832 + 114,656 = 187,488.
    expect(layer('moe', BF16)).toBe(456_352);
    expect(layer('moe', { ...BF16, ...DEEPSEEK_V3_ACTIVATION_RECIPE })).toBe(158_816);
    const shape = { microBatchSize: 1, seqLength: 4096 };
    expect(layerActivationBytes(dsv3, 'moe', shape, { ...BF16, ...DEEPSEEK_V3_ACTIVATION_RECIPE }).total).toBe(158_816 * 4096);
  });
  it('full recompute keeps the layer input only: 14,336 B', () => {
    expect(layer('moe', { ...FP8, recompute: 'full' })).toBe(14_336);
  });
  it('a dense DeepSeek-V3 layer, BF16, no recompute: 340,608 B', () => {
    // attention 201,344 + norm input and output 2 × 14,336 + SwiGLU input 2·18432·2 = 73,728 + down input 36,864
    // = 201,344 + 28,672 + 110,592.
    expect(layer('dense', BF16)).toBe(340_608);
  });
});

describe('each recompute module lowers memory by exactly its tensors (FP8, MoE layer unless said)', () => {
  const none = layer('moe', FP8);
  const drop = (modules: RecomputeModule[], kind: 'dense' | 'moe' = 'moe'): number => layer(kind, FP8) - layer(kind, selective(FP8, modules));

  it('an empty module list is no recompute', () => expect(drop([])).toBe(0));
  it('core_attn: LSE 512 + flash 16-bit o 32,768 = 33,280', () => expect(drop(['core_attn'])).toBe(33_280));
  it('layernorm: FP8 norm output 7,392 + router input 14,336 + shared fc1 FP8 copy 7,392 = 29,120', () => {
    expect(drop(['layernorm'])).toBe(29_120);
  });
  it('mla_up_proj: q, k, v 131,072, less the normed latents kept 16-bit instead of FP8 (2048 × 0.96875 = 1,984)', () => {
    expect(drop(['mla_up_proj'])).toBe(131_072 - 1_984);
    // In BF16 exactly q, k and v.
    expect(layer('moe', BF16) - layer('moe', selective(BF16, ['mla_up_proj']))).toBe(131_072);
  });
  it('moe_act: the routed down-projection inputs 8 × 2,112 = 16,896', () => expect(drop(['moe_act'])).toBe(16_896));
  it('shared_experts: 8,192 + 2,112 + its FP8 input copy 7,392 = 17,696', () => expect(drop(['shared_experts'])).toBe(17_696));
  it('moe: router 1,024 + 8 × 17,700 + shared 10,304 + shared FP8 input 7,392 = 160,320', () => expect(drop(['moe'])).toBe(160_320));
  it('mlp: nothing in a MoE layer; in a dense one the MLP internals, its input kept 16-bit', () => {
    expect(drop(['mlp'])).toBe(0);
    // SwiGLU input 73,728 + FP8 down input 18432 × 1.03125 = 19,008, less the norm output 7,392 → 14,336.
    expect(drop(['mlp'], 'dense')).toBe(73_728 + 19_008 - (14_336 - 7_392));
  });
  it('modules that touch disjoint tensors add up', () => {
    expect(drop(['core_attn', 'moe_act', 'shared_experts'])).toBe(33_280 + 16_896 + 17_696);
    expect(none - layer('moe', selective(FP8, ['core_attn', 'moe_act']))).toBe(33_280 + 16_896);
  });
});

describe('sharding of the new tensors', () => {
  it('TP divides q/k/v/o and shared-expert internals; SP also the replicated ones; ETP the routed internals', () => {
    const tp2 = layerActivationBytes(dsv3, 'moe', token, { ...BF16, tp: 2 });
    // Replicated: norm in/out for both blocks 57,344 + latents 3,072 + 1,152 + 3,072 + 1,024 = 65,664.
    expect(tp2.replicated).toBe(65_664);
    // Attention: (q + k + v + o) / 2 = (49,152 + 49,152 + 32,768 + 32,768) / 2; core LSE 512 / 2.
    expect(tp2.attention).toBe(81_920);
    expect(tp2.attentionCore).toBe(256);
    // MLP: shared 12,288 / 2 + routed (1,024 + 8 × 14,340 + 8 × 12,288) not divided without SP.
    expect(tp2.mlp).toBe(6_144 + 1_024 + 8 * 14_340 + 8 * 12_288);
    const etp2 = layerActivationBytes(dsv3, 'moe', token, { ...BF16, etp: 2 });
    expect(etp2.mlp).toBe(12_288 + 1_024 + 8 * 14_340 + (8 * 12_288) / 2);
  });
});
