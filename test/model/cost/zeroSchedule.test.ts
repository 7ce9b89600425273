// ZeRO/FSDP over one step (docs/MEMORY.md "ZeRO and FSDP over a step"): how many collectives, how many bytes per
// GPU, what stays unsharded, what overlap leaves exposed — worked by hand for a small design on 4 nodes of 8 GPUs.
import { describe, expect, it } from 'vitest';
import type { Links } from '../../../src/model/cost/comm/collectives';
import { exposedDataParallelSeconds } from '../../../src/model/cost/comm/dpOverlap';
import { type MemoryPlan, stageMemory, STATE_BYTES_MEGATRON, stateBytesOf, zeroBytesPerParameter } from '../../../src/model/cost/memory/memory';
import { placePlan } from '../../../src/model/cost/comm/placement';
import { dataParallelComm } from '../../../src/model/cost/comm/traffic';
import { zeroStepPlan } from '../../../src/model/cost/comm/zeroSchedule';
import type { Design, ModelArch, ZeroStage } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';
import { findModel } from '../../../src/model/catalog/models';

const LINKS: Links = { nvlinkBytesPerSecond: 400e9, ibBytesPerSecond: 50e9, nvlinkLatencySeconds: 0, ibLatencySeconds: 0 };
const NO_RESERVE = { fixedBytes: 0, fraction: 0 };

// 8 GeLU layers of h = 1024: attention 4h² = 4,194,304, MLP 2·h·4h = 8,388,608, two norms 2h = 2,048 →
// 12,584,960 parameters per layer, 100,679,680 for the 8.
const TOY: ModelArch = {
  name: 'toy', layers: 8, hidden: 1024, heads: 8, kvHeads: 8, headDim: 128, ffnHidden: 4096, vocab: 32768,
  experts: 0, topK: 0, expertFfnHidden: 0, sharedExperts: 0, denseLayers: 0, mtpLayers: 0,
  tiedEmbeddings: false, activation: 'gelu', attention: 'mha',
};
const LAYER = 12_584_960;

/** 32 GPUs on 4 nodes of 8; pp = 1 → DP 32 over 4 nodes (8 per node); pp = 4 → DP 8 inside one node. */
function toyDesign(pp: number, zero: ZeroStage): Design {
  const dp = 32 / pp;
  return {
    model: TOY,
    plan: {
      tp: 1, pp, vpp: 1, cp: 1, ep: 1, etp: 1, dp, zero, sequenceParallel: false, seqLength: 2048, microBatchSize: 1,
      globalBatchSize: 8 * dp, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 4, worldSize: 32 },
  };
}

function dpComm(pp: number, zero: ZeroStage, params: number) {
  const design = toyDesign(pp, zero);
  return dataParallelComm({ design, placement: placePlan(design.plan, 8), links: LINKS }, { dense: params, expert: 0 });
}

describe('collectives per step by ZeRO stage (8 micro-batches)', () => {
  it('counts gathers and reductions as the frameworks issue them', () => {
    expect(zeroStepPlan(0, 1, 8)).toMatchObject({ weightGathers: 0, gradientReductions: 1 });
    expect(zeroStepPlan(1, 4, 8)).toMatchObject({ weightGathers: 1, gradientReductions: 1 });
    // Sharded gradients: one reduce-scatter per micro-batch's backward, with or without PP.
    expect(zeroStepPlan(2, 1, 8)).toMatchObject({ weightGathers: 1, gradientReductions: 8, gradientsResident: false });
    expect(zeroStepPlan(2, 4, 8)).toMatchObject({ weightGathers: 1, gradientReductions: 8 });
    // FSDP without PP: forward and backward gathers and one reduce-scatter per micro-batch.
    expect(zeroStepPlan(3, 1, 8)).toEqual({ weightGathers: 16, gradientReductions: 8, weightsResident: false, gradientsResident: false, perUnitGathers: true, gathersInForward: true });
    // FSDP with PP (torchtitan): gathered once, held, gradients accumulated whole and reduced once.
    expect(zeroStepPlan(3, 4, 8)).toEqual({ weightGathers: 1, gradientReductions: 1, weightsResident: true, gradientsResident: true, perUnitGathers: false, gathersInForward: true });
  });
});

describe('ZeRO-3 bytes per GPU per step, 100 M parameters per GPU at pp = 1, 25 M at pp = 4', () => {
  it('pp = 1: 16 gathers of 200 MB (BF16) and 8 reduce-scatters of 400 MB (FP32) over DP 32 on 4 nodes', () => {
    const dp = dpComm(1, 3, 100e6);
    // Per GPU of a hierarchical collective of S bytes, 8 per node on 4 nodes: NVLink 7/8·S, IB 3/4·S/8 = 3/32·S.
    // S summed over the step: 16 · 200 MB + 8 · 400 MB = 6,400 MB → NVLink 5,600 MB, IB 600 MB.
    expect(dp.total.nvlinkBytes).toBeCloseTo(5600e6, 0);
    expect(dp.total.ibBytes).toBeCloseTo(600e6, 0);
    // One gather: NVLink 175 MB at 400 GB/s + IB 18.75 MB at 50 GB/s = 0.4375 + 0.375 ms.
    expect(dp.gatherOnce.seconds).toBeCloseTo(0.8125e-3, 12);
    expect(dp.reduceOnce.seconds).toBeCloseTo(1.625e-3, 12);
  });

  it('pp = 4: one gather of 50 MB and one reduce-scatter of 100 MB over DP 8 inside a node', () => {
    const dp = dpComm(4, 3, 25e6);
    // 7/8 · (50 + 100) MB = 131.25 MB, all NVLink: ZeRO-1's traffic.
    expect(dp.total.nvlinkBytes).toBeCloseTo(131.25e6, 0);
    expect(dp.total.ibBytes).toBe(0);
    expect(dp.total).toEqual(dpComm(4, 1, 25e6).total);
  });
});

describe('what overlap leaves exposed', () => {
  it('pp = 1: per micro-batch, the first unit\'s gather, the last unit\'s reduce-scatter and what compute cannot cover', () => {
    // 8 units; per micro-batch forward 1 ms, backward 2 ms; G = 0.8125 ms, R = 1.625 ms (above).
    // Forward: G/8 + 7/8·max(0, G − 1 ms) = 0.1015625 ms. Backward: R/8 + 7/8·max(0, G + R − 2 ms) =
    // 0.203125 + 7/8 · 0.4375 = 0.5859375 ms. × 8 micro-batches = 5.5 ms.
    const exposed = exposedDataParallelSeconds(dpComm(1, 3, 100e6), { forwardSeconds: 1e-3, backwardSeconds: 2e-3, units: 8 });
    expect(exposed).toBeCloseTo(5.5e-3, 12);
  });

  it('pp = 4: the gather against the first forward, the reduce-scatter against the last backward', () => {
    // G = 43.75 MB / 400 GB/s = 0.109375 ms, R = 0.21875 ms; windows 0.05 ms and 0.2 ms:
    // (0.109375 − 0.05) + (0.21875 − 0.2) = 0.078125 ms.
    const windows = { forwardSeconds: 0.05e-3, backwardSeconds: 0.2e-3, units: 2 };
    expect(exposedDataParallelSeconds(dpComm(4, 3, 25e6), windows)).toBeCloseTo(0.078125e-3, 12);
    // ZeRO-1 charges the same bytes against the backward window only: 0.328125 − 0.2 = 0.128125 ms.
    expect(exposedDataParallelSeconds(dpComm(4, 1, 25e6), windows)).toBeCloseTo(0.128125e-3, 12);
    // ZeRO-2: one gather and 8 reduce-scatters against 8 backward windows: 0.109375 + 8 · 0.21875 − 8 · 0.2 ms.
    expect(exposedDataParallelSeconds(dpComm(4, 2, 25e6), windows)).toBeCloseTo(0.259375e-3, 12);
  });
});

describe('ZeRO-3 memory terms (Megatron state bytes: 2 + 4 + 12)', () => {
  const chunk = (layers: number) => ({ firstLayer: 0, layerCount: layers, hasEmbedding: false, hasLmHead: false, mtpModules: 0 });
  const plan = (pp: number, zero: ZeroStage): MemoryPlan => ({
    tp: 1, cp: 1, ep: 1, etp: 1, dp: 32 / pp, pp, zero, sequenceParallel: false, seqLength: 2048, microBatchSize: 1, recompute: 'none',
  });
  const memory = (pp: number, zero: ZeroStage) =>
    stageMemory({ arch: TOY, plan: plan(pp, zero), chunks: [chunk(8 / pp)], peakInFlightMicroBatches: 1, stateBytes: STATE_BYTES_MEGATRON, reserve: NO_RESERVE });

  it('pp = 1: all three states over DP 32, plus two 16-bit layers gathered', () => {
    const m = memory(1, 3);
    const params = 8 * LAYER;
    expect(m.parametersBytes).toBe((2 * params) / 32);
    expect(m.gradientsBytes).toBe((4 * params) / 32);
    expect(m.optimizerBytes).toBe((12 * params) / 32);
    // The layer being computed and the one prefetched: 2 · 12,584,960 · 2 B = 50,339,840 B.
    expect(m.otherBytes).toBe(50_339_840);
  });

  it('pp = 4: the stage\'s 16-bit weights and FP32 gradients whole, optimizer over DP 8, nothing gathered on the side', () => {
    const m = memory(4, 3);
    const params = 2 * LAYER;
    expect(m.parametersBytes).toBe(2 * params);
    expect(m.gradientsBytes).toBe(4 * params);
    expect(m.optimizerBytes).toBe((12 * params) / 8);
    expect(m.otherBytes).toBe(0);
    expect(m).toEqual(memory(4, 1));
    // ZeRO-2 with PP keeps weights whole and gradients sharded: 4·P/8.
    expect(memory(4, 2).gradientsBytes).toBe((4 * params) / 8);
    expect(zeroBytesPerParameter(STATE_BYTES_MEGATRON, 3, 8, 4)).toEqual({ weights: 2, gradients: 4, optimizer: 1.5 });
  });
});

describe('estimate: ZeRO-3 with PP costs what ZeRO-1 costs', () => {
  it('Llama 3 8B, PP 4 over 32 GPUs: same peak memory and DP bytes; without PP far more DP bytes', () => {
    const base: Design = {
      model: findModel('llama3-8b')!.arch,
      plan: { ...toyDesign(4, 1).plan, seqLength: 4096, globalBatchSize: 64, microbatches: 8, recompute: 'selective' },
      cluster: toyDesign(4, 1).cluster,
    };
    const at = (pp: number, zero: ZeroStage) => {
      const plan = { ...base.plan, pp, dp: 32 / pp, zero, microbatches: 64 / (32 / pp) };
      const result = estimate({ ...base, plan }).estimate;
      if (!result) throw new Error('no estimate');
      return result;
    };
    const zero1 = at(4, 1);
    const zero3 = at(4, 3);
    expect(zero3.memory.peakBytes).toBe(zero1.memory.peakBytes);
    expect(zero3.traffic.perGpuPerStep.dp).toEqual(zero1.traffic.perGpuPerStep.dp);
    // pp = 1, 2 micro-batches: 4 gathers (2 B) and 2 reduce-scatters (4 B) of the whole model vs 2 B + 4 B once.
    const fsdp = at(1, 3).traffic.perGpuPerStep.dp;
    const once = at(1, 1).traffic.perGpuPerStep.dp;
    expect(fsdp.nvlinkBytes / once.nvlinkBytes).toBeCloseTo((4 * 2 + 2 * 4) / (2 + 4), 9);
  });
});

describe('gradients reduced in BF16 (gradReduceInFp32: false, NeMo performance recipes)', () => {
  const withGradDtype = (gradReduceInFp32: boolean | undefined) => {
    const design = toyDesign(1, 1);
    if (gradReduceInFp32 !== undefined) design.plan.gradReduceInFp32 = gradReduceInFp32;
    return dataParallelComm({ design, placement: placePlan(design.plan, 8), links: LINKS }, { dense: 100e6, expert: 0 });
  };

  it('ZeRO-1, DP 32 on 4 nodes: one reduce-scatter of 200 MB instead of 400 MB; the weight gather is unchanged', () => {
    const bf16 = withGradDtype(false);
    // S = 100 M gradients × 2 B = 200 MB: NVLink 7/8·S = 175 MB at 400 GB/s, IB 3/32·S = 18.75 MB at 50 GB/s.
    expect(bf16.reduceOnce.nvlinkBytes).toBeCloseTo(175e6, 0);
    expect(bf16.reduceOnce.ibBytes).toBeCloseTo(18.75e6, 0);
    expect(bf16.reduceOnce.seconds).toBeCloseTo(175e6 / 400e9 + 18.75e6 / 50e9, 12);
    expect(bf16.gatherOnce.seconds).toBeCloseTo(withGradDtype(undefined).gatherOnce.seconds, 15);
  });

  it('absent means FP32 (today\'s result), and BF16 never moves more than FP32', () => {
    expect(withGradDtype(undefined).total.seconds).toBeCloseTo(withGradDtype(true).total.seconds, 15);
    expect(withGradDtype(false).reduceOnce.seconds).toBeCloseTo(withGradDtype(true).reduceOnce.seconds / 2, 12);
  });

  it('the gradient state is 2 bytes per parameter instead of 4', () => {
    expect(stateBytesOf({ precision: 'bf16', gradReduceInFp32: false })).toEqual({ ...STATE_BYTES_MEGATRON, gradients: 2 });
    expect(stateBytesOf({ precision: 'bf16' })).toEqual(STATE_BYTES_MEGATRON);
    expect(stateBytesOf({ precision: 'fp8', gradReduceInFp32: false }).gradients).toBe(2);
  });
});
