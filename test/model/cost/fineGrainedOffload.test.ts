// Fine-grained activation offloading (cost/memory/offload.ts, docs/MEMORY.md "Offloading"): what the named modules save
// for the backward leaves HBM for host memory in every layer but the stage's last, tensors under 2^20 elements
// excepted, and the copies are charged on the host link.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import { activationSettingsOf, layerKindActivationBytes } from '../../../src/model/cost/memory/memory';
import { MIN_OFFLOADED_TENSOR_ELEMENTS, offloadedActivationBytes } from '../../../src/model/cost/memory/offload';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const MIB = 2 ** 20;

/** Llama 3 8B on one 8 × H100 node, data parallel only, one 4096-token sequence per micro-batch. */
function design(plan: Partial<ParallelPlan> = {}): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8 },
  };
}

const run = (plan: Partial<ParallelPlan>) => {
  const result = estimate(design(plan));
  expect(result.estimate, JSON.stringify(result.problems)).not.toBeNull();
  return result.estimate!;
};

describe('fine-grained activation offload', () => {
  it('core_attn moves Q, K and V of 31 of the 32 layers to the host: 48 MiB a layer', () => {
    // 4096 tokens × (32 + 8 + 8) heads × 128 × 2 B = 48 MiB per layer; the stage's last layer keeps its own.
    const plain = run({}).memory.stages[0]!;
    const offloaded = run({ activationOffloadModules: ['core_attn'] }).memory.stages[0]!;
    expect(offloaded.host.activationsBytes).toBe(31 * 48 * MIB);
    expect(plain.activationsBytes - offloaded.activationsBytes).toBe(31 * 48 * MIB);
    expect(plain.host.activationsBytes).toBe(0);
  });

  it('charges the copies on the host link and shows them as host transfer time', () => {
    const plain = run({}).breakdown;
    const offloaded = run({ activationOffloadModules: ['core_attn', 'attn_proj', 'mlp_norm'] }).breakdown;
    expect(plain.hostTransferSeconds).toBe(0);
    // Per layer 48 + 32 + 32 MiB over PCIe 5.0 (50 GB/s) is ≈ 2.3 ms against ≈ 4 ms of a layer's forward: hidden
    // behind all but the first layer, so only the step's memory moves here; a slow link exposes it.
    expect(offloaded.hostTransferSeconds).toBe(0);
    const slow = estimate({ ...design({ activationOffloadModules: ['core_attn', 'attn_proj', 'mlp_norm'] }), cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8, hostLinkGBps: 1 } }).estimate!;
    expect(slow.breakdown.hostTransferSeconds).toBeGreaterThan(0);
  });

  it('keeps tensors under 2^20 elements on the GPU: with TP 8, K and V (524,288 elements each) stay', () => {
    const plan = design({ tp: 8, dp: 1, globalBatchSize: 8, activationOffloadModules: ['core_attn'] }).plan;
    const perLayer = layerKindActivationBytes(llama8b, plan, activationSettingsOf(llama8b, plan));
    expect((4096 * 1024) / 8).toBeLessThan(MIN_OFFLOADED_TENSOR_ELEMENTS);
    // Only Q: 4096 × 4096 / 8 elements × 2 B.
    expect(perLayer.offloaded!.dense).toBe(4 * MIB);
    expect(offloadedActivationBytes(llama8b, plan, { layers: 4, firstLayer: 0 }, perLayer)).toBe(3 * 4 * MIB);
  });

  it('counts each tensor once and takes precedence over layer offload', () => {
    const plan = design({ activationOffloadModules: ['attn_norm', 'attn_norm', 'qkv_linear'], activationOffloadLayers: 2 }).plan;
    const perLayer = layerKindActivationBytes(llama8b, plan, activationSettingsOf(llama8b, plan));
    // The attention norm's input and output: 2 × 4096 × 4096 × 2 B.
    expect(perLayer.offloaded!.dense).toBe(64 * MIB);
    expect(offloadedActivationBytes(llama8b, plan, { layers: 32, firstLayer: 0 }, perLayer)).toBe(31 * 64 * MIB);
  });

  it('offloads routed-expert tensors only in MoE layers', () => {
    const moe = findModel('mixtral-8x7b') ?? findModel('deepseek-v3');
    expect(moe).toBeDefined();
    const arch = moe!.arch;
    const plan = { ...design().plan, activationOffloadModules: ['expert_fc1' as const] };
    const perLayer = layerKindActivationBytes(arch, plan, activationSettingsOf(arch, plan));
    // The experts' input: top-k copies of every token's hidden vector.
    expect(perLayer.offloaded!.moe).toBe(4096 * arch.topK * arch.hidden * 2);
    expect(perLayer.offloaded!.dense).toBe(0);
  });
});
