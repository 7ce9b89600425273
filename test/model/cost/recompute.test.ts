// Recompute modules add their forward work to the backward (B), never to W, each priced by hand:
// DeepSeek-V3 on H800 in FP8, TP 1, PP 16 (stage 0: three dense layers; stage 1: four MoE layers), one 4096-token
// micro-batch. Constants: FP8 peak 1978.9 TFLOP/s, BF16 989.4; Hopper FP8 efficiencies matmul 0.55, expert
// matmul 0.45, attention 0.55 (at the BF16 peak); HBM 3350 GB/s × 0.7; GEMM size factor t / (t + 30 µs).
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { efficiencyFor, linksFor } from '../../../src/model/cost/compute/efficiency';
import { resolveCalibration } from '../../../src/model/cost/calibration';
import { layerKindForwardFlops, layerPassFlops, mlaUpProjectionFlops, modelFlopsPerToken, recomputedLayerFlops } from '../../../src/model/cost/compute/flops';
import { recomputedHbmBytes, recomputedLayerWork } from '../../../src/model/cost/compute/recompute';
import { placePlan } from '../../../src/model/cost/comm/placement';
import { splitLayers } from '../../../src/model/cost/stages';
import { stageCosts } from '../../../src/model/cost/compute/stageTime';
import { modelComm } from '../../../src/model/cost/comm/traffic';
import type { Design, ParallelPlan, RecomputeModule } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const dsv3 = findModel('deepseek-v3')!.arch;
const gpu = findGpu('H800')!;

function design(plan: Partial<ParallelPlan> = {}): Design {
  return {
    model: dsv3,
    plan: {
      tp: 1, pp: 16, vpp: 1, cp: 1, ep: 64, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096,
      microBatchSize: 1, globalBatchSize: 15360, microbatches: 120, schedule: 'dualpipe', recompute: 'selective',
      recomputeModules: [], activationFp8InputStore: true, precision: 'fp8', nodeLimit: 4, ...plan,
    },
    cluster: { gpu: 'H800', gpusPerNode: 8, nodes: 256, worldSize: 2048 },
  };
}

function costs(modules: RecomputeModule[]) {
  const d = design({ recomputeModules: modules });
  const efficiency = efficiencyFor(gpu, 'fp8');
  const comm = modelComm({ design: d, placement: placePlan(d.plan, 8), links: linksFor(gpu, efficiency, d.cluster) });
  // The calibration is pinned so this test prices recompute alone, whatever the catalog's plateaus become.
  const calibration = { ...resolveCalibration(d, gpu).values, gemmFraction: 0.55, expertGemmFraction: 0.45, attentionFraction: 0.55, hbmFraction: 0.7, expertImbalance: 1 };
  const out = stageCosts({ design: d, gpu, efficiency, comm, split: splitLayers(d, 16), peakFlopsPerSecond: gpu.peakFlopsPerSecond.fp8, calibration });
  return { out, comm };
}

// Rates. Dense GEMM h × h over 4096 tokens: 2·4096·7168² = 420,906,795,008 FLOPs = 212.70 µs at peak → factor
// 212.70 / 242.70 = 0.876389. The rank's grouped expert GEMM over 4096·8 = 32,768 routed copies:
// 2·32768·7168·2048 = 962,072,674,304 FLOPs = 486.16 µs → factor 486.16 / 516.16 = 0.941878.
const denseRate = 1978.9e12 * 0.55 * 0.8763892583416693;
const expertRate = 1978.9e12 * 0.45 * (962_072_674_304 / 1978.9e12 / (962_072_674_304 / 1978.9e12 + 30e-6));
const attentionRate = 989.4e12 * 0.55;
const hbmRate = 3350e9 * 0.7;

const base = costs([]);
function addedBackward(modules: RecomputeModule[], stage: number): number {
  const { out } = costs(modules);
  // Only B grows: the forward and the weight-gradient part stay as they were.
  expect(out.F[stage]).toBe(base.out.F[stage]);
  expect(out.W[stage]).toBe(base.out.W[stage]);
  return out.B[stage]! - base.out.B[stage]!;
}

describe('each recompute module adds its forward to B (stage 1: 4 MoE layers; stage 0: 3 dense layers)', () => {
  it('mla_up_proj: q up 1536 → 128·192 and kv up 512 → 128·(128 + 128), as GEMMs', () => {
    // 2·4096·(37,748,736 + 16,777,216) = 446,676,598,784 FLOPs per layer.
    expect(mlaUpProjectionFlops(dsv3, { microBatchSize: 1, seqLength: 4096 })).toBe(446_676_598_784);
    expect(addedBackward(['mla_up_proj'], 1)).toBeCloseTo((4 * 446_676_598_784) / denseRate, 12); // 1.873 ms
  });

  it('layernorm: two RMSNorms read and write 2 B per element, memory-bound', () => {
    // 2 norms · 4096 tokens · 7168 · (2 + 2) B = 234,881,024 B per layer; 4 layers = 939,524,096 B.
    expect(addedBackward(['layernorm'], 1)).toBeCloseTo((4 * 234_881_024) / hbmRate, 12); // 0.401 ms
    expect(addedBackward(['layernorm'], 0)).toBeCloseTo((3 * 234_881_024) / hbmRate, 12);
  });

  it('moe_act: each routed copy reads gate and up in FP8 and writes its 16-bit output, memory-bound', () => {
    // 4096·8 copies · (2·2048·1.03125 + 2048·2) B = 32,768 · 8,320 = 272,629,760 B per MoE layer.
    expect(addedBackward(['moe_act'], 1)).toBeCloseTo((4 * 272_629_760) / hbmRate, 12); // 0.465 ms
    expect(addedBackward(['moe_act'], 0)).toBe(0);
  });

  it('core_attn: the causal attention core, in BF16', () => {
    // 128 heads · 4096² · (192 + 128) = 687,194,767,360 FLOPs per layer (2 per MAC, half the s² scores).
    expect(addedBackward(['core_attn'], 1)).toBeCloseTo((4 * 687_194_767_360) / attentionRate, 12); // 5.051 ms
  });

  it('mlp: a dense layer\'s SwiGLU MLP (3 GEMMs); nothing on MoE layers', () => {
    // 2·4096·3·7168·18432 = 3,246,995,275,776 FLOPs per dense layer.
    expect(addedBackward(['mlp'], 0)).toBeCloseTo((3 * 3_246_995_275_776) / denseRate, 12); // 10.21 ms
    expect(addedBackward(['mlp'], 1)).toBe(0);
  });

  it('shared_experts: the shared expert\'s 3 GEMMs of width 2048', () => {
    // 2·4096·3·7168·2048 = 360,777,252,864 FLOPs per MoE layer.
    expect(addedBackward(['shared_experts'], 1)).toBeCloseTo((4 * 360_777_252_864) / denseRate, 12); // 1.513 ms
  });

  it('moe: router, shared and routed experts, and the forward all-to-all again', () => {
    // Router 2·4096·7168·256 = 15,032,385,536; shared 360,777,252,864 (dense rate); routed
    // 2·4096·8·3·7168·2048 = 2,886,218,022,912 (expert rate).
    const compute = 4 * ((15_032_385_536 + 360_777_252_864) / denseRate + 2_886_218_022_912 / expertRate); // 17.74 ms
    const { comm } = costs(['moe']);
    expect(addedBackward(['moe'], 1)).toBeCloseTo(compute + 4 * comm.moe.ep.forward.seconds, 12);
  });

  it('modules add up, and the DeepSeek-V3 recipe costs 2.74 ms more per middle stage', () => {
    const recipe = addedBackward(['layernorm', 'mla_up_proj', 'moe_act'], 1);
    expect(recipe).toBeCloseTo(addedBackward(['layernorm'], 1) + addedBackward(['mla_up_proj'], 1) + addedBackward(['moe_act'], 1), 12);
    expect(recipe * 1e3).toBeCloseTo(1.873137 + 0.400650 + 0.465040, 5);
  });
});

describe('hardware FLOPs and model FLOPs', () => {
  const shape = { microBatchSize: 1, seqLength: 4096 };

  it('a layer\'s pass counts the modules\' matmul FLOPs as recompute, 0 for the memory-bound ones', () => {
    expect(layerPassFlops(dsv3, 10, shape, 'selective', 'causal', ['mla_up_proj']).recompute).toBe(446_676_598_784);
    expect(layerPassFlops(dsv3, 10, shape, 'selective', 'causal', ['layernorm', 'moe_act']).recompute).toBe(0);
    // No list: Megatron's default, the attention core.
    expect(layerPassFlops(dsv3, 10, shape, 'selective').recompute).toBe(687_194_767_360);
  });

  it('MFU and TFLOP/s per GPU count model FLOPs only: recompute slows the step, not the numerator', () => {
    const none = estimate(design()).estimate!;
    const recipe = estimate(design({ recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'] })).estimate!;
    expect(recipe.stepTimeSeconds).toBeGreaterThan(none.stepTimeSeconds);
    const modelFlopsPerStep = modelFlopsPerToken(dsv3, 4096) * 15360 * 4096;
    for (const e of [none, recipe]) {
      expect(e.tflopsPerGpu * 1e12 * 2048 * e.stepTimeSeconds).toBeCloseTo(modelFlopsPerStep, -6);
      expect(e.mfu).toBeCloseTo((e.tflopsPerGpu * 1e12) / 1978.9e12, 12);
    }
  });
});

describe('recomputedLayerWork: what each framework redoes in the backward (Llama 3 8B, s = 8192, b = 2)', () => {
  const llama8b = findModel('llama3-8b')!.arch;
  const shape8k = { microBatchSize: 2, seqLength: 8192 };
  const plan = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, recompute: 'selective' as const, activationInputBytes: 2 };

  it('torchtitan op-level: k, o and up again, 2·16,384·(4096·1024 + 4096²) and 2·16,384·4096·14,336; norms and SwiGLU from HBM', () => {
    const work = recomputedLayerWork(llama8b, 'dense', shape8k, { ...plan, framework: 'torchtitan' });
    expect(work.flops).toEqual({ attentionProjections: 687_194_767_360, attentionCore: 0, denseMlp: 1_924_145_348_608, moeRouted: 0, moeShared: 0, router: 0 });
    // Norms 2 × 16,384 × 4096 × (2 + 2) B; SwiGLU reads gate and up and writes the product: 16,384 × 3 × 14,336 × 2 B.
    expect(work.hbmBytes).toBe(536_870_912 + 1_409_286_144);
  });

  it('torchtitan layer-level: the whole forward every N-th layer, monotone in N', () => {
    const forward = layerKindForwardFlops(llama8b, 'dense', shape8k);
    const sum = (work: ReturnType<typeof recomputedLayerWork>) => Object.values(work.flops).reduce((a, b) => a + b, 0);
    const every = (n: number) => recomputedLayerWork(llama8b, 'dense', shape8k, { ...plan, framework: 'torchtitan', recomputeLayerInterval: n });
    expect(every(1).flops).toEqual(forward);
    expect(every(2).flops.denseMlp).toBe(forward.denseMlp / 2);
    expect(sum(every(1))).toBeGreaterThan(sum(every(2)));
    expect(sum(every(2))).toBeGreaterThan(sum(every(4)));
  });

  it('Megatron (and torchtitan without selective) is recomputedLayerFlops and recomputedHbmBytes unchanged', () => {
    const forward = layerKindForwardFlops(llama8b, 'dense', shape8k);
    const megatron = recomputedLayerWork(llama8b, 'dense', shape8k, { ...plan, recomputeModules: ['core_attn', 'layernorm'] });
    expect(megatron.flops).toEqual(recomputedLayerFlops(llama8b, forward, shape8k, 'selective', ['core_attn', 'layernorm']));
    expect(megatron.hbmBytes).toBe(recomputedHbmBytes(llama8b, 'dense', shape8k, { ...plan, recomputeModules: ['core_attn', 'layernorm'] }));
    expect(recomputedLayerWork(llama8b, 'dense', shape8k, { ...plan, recompute: 'none', framework: 'torchtitan' }).hbmBytes).toBe(0);
  });
});
