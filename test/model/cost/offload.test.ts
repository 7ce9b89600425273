// Offloading (cost/memory/offload.ts, docs/MEMORY.md "Offloading"): what leaves HBM lands in host memory, byte for byte;
// the link and the host CPU are charged as COSTMODEL.md "Offloading" states.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { activationSettingsOf, layerKindActivationBytes, STATE_BYTES_MEGATRON } from '../../../src/model/cost/memory/memory';
import {
  CPU_ADAM_PARAMETERS_PER_SECOND_PER_HOST, exposedTransferSeconds, fullestHostBytes, hostSideOf, optimizerOffloadStep,
} from '../../../src/model/cost/memory/offload';
import { parameterCounts } from '../../../src/model/cost/memory/params';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';

const llama8b = findModel('llama3-8b')!.arch;
const GIB = 2 ** 30;

/** Llama 3 8B on one 8 × H100 node, data parallel only, one 4096-token sequence per micro-batch. */
function design(plan: Partial<ParallelPlan> = {}, cluster: Partial<Design['cluster']> = {}): Design {
  return {
    model: llama8b,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 1, worldSize: 8, ...cluster },
  };
}

function run(d: Design) {
  const result = estimate(d);
  expect(result.estimate, JSON.stringify(result.problems)).not.toBeNull();
  return { estimate: result.estimate!, problems: result.problems };
}

describe('optimizer offload', () => {
  it('moves the offloaded share of master weights and moments to the host with an FP32 gradient copy', () => {
    const base = run(design({ zero: 1 })).estimate.memory.stages[0]!;
    const half = run(design({ zero: 1, optimizerOffloadFraction: 0.5 })).estimate.memory.stages[0]!;
    // ZeRO-1 over 8: each GPU steps 1/8 of the parameters; 12 B of master + moments each, half of them on the host.
    const stepped = parameterCounts(llama8b).total / 8;
    expect(base.optimizerBytes).toBeCloseTo(stepped * 12, -3);
    expect(half.optimizerBytes).toBeCloseTo(stepped * 6, -3);
    expect(half.host.optimizerBytes).toBeCloseTo(stepped * 6, -3);
    expect(half.host.gradientsBytes).toBeCloseTo((stepped / 2) * STATE_BYTES_MEGATRON.gradients, -3);
    // Megatron's gradient buffer is whole under ZeRO-1 and stays in HBM.
    expect(half.gradientsBytes).toBe(base.gradientsBytes);
    expect(base.host.totalBytes).toBe(0);
  });

  it('charges gradients down, Adam on the host CPUs and weights up, in series', () => {
    const host = hostSideOf(findGpu('H100-SXM')!, {});
    const step = optimizerOffloadStep(1e9, 4, 2, host);
    // 4 GB and 2 GB over 50 GB/s; 8 GPUs × 10⁹ parameters at 4.5·10⁹ per second on the host's CPUs.
    expect(step.deviceToHostSeconds).toBeCloseTo(0.08, 12);
    expect(step.hostToDeviceSeconds).toBeCloseTo(0.04, 12);
    expect(step.hostAdamSeconds).toBeCloseTo(8e9 / CPU_ADAM_PARAMETERS_PER_SECOND_PER_HOST, 12);
    expect(step.seconds).toBeCloseTo(0.12 + 8 / 4.5, 12);
  });

  it('pipelines the copies and host Adam under --overlap-cpu-optimizer-d2h-h2d: the slowest of the three', () => {
    const host = hostSideOf(findGpu('H100-SXM')!, {});
    const step = optimizerOffloadStep(1e9, 4, 2, host, true);
    expect(step.seconds).toBeCloseTo(8 / 4.5, 12);
    const inSeries = run(design({ zero: 1, optimizerOffloadFraction: 1 })).estimate.breakdown.optimizerSeconds;
    const overlapped = run(design({ zero: 1, optimizerOffloadFraction: 1, optimizerOffloadOverlap: true })).estimate.breakdown.optimizerSeconds;
    // ZeRO-1 over 8 steps P/8 per GPU: the copies (4 + 2 B per parameter over 50 GB/s) leave the step; Adam stays.
    const stepped = parameterCounts(llama8b).total / 8;
    expect(inSeries - overlapped).toBeCloseTo((stepped * 6) / 50e9, 6);
  });

  it('adds that step to the optimizer term of the step time', () => {
    const base = run(design({ zero: 1 })).estimate;
    const full = run(design({ zero: 1, optimizerOffloadFraction: 1 })).estimate;
    const stepped = parameterCounts(llama8b).total / 8;
    const host = optimizerOffloadStep(stepped, 4, 2, hostSideOf(findGpu('H100-SXM')!, {})).seconds;
    const m = full.memory.stages[0]!;
    const hbm = (2 * (m.parametersBytes + m.gradientsBytes + m.optimizerBytes)) / (3350e9 * full.calibration.hbmFraction.value);
    expect(full.breakdown.optimizerSeconds).toBeCloseTo(hbm + host, 9);
    expect(full.stepTimeSeconds).toBeGreaterThan(base.stepTimeSeconds);
  });

  it('makes a layout fit that does not fit without it, and shows the host memory it needs', () => {
    // Plain data parallelism (ZeRO-0): 18 B per parameter on every GPU, 135 GiB of states for 8 B parameters.
    const plan = { zero: 0 as const, recompute: 'full' as const };
    const without = estimate(design(plan));
    expect(without.problems.map((p) => p.code)).toContain('memory/over-capacity');
    const { estimate: withOffload, problems } = run(design({ ...plan, optimizerOffloadFraction: 1 }));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(withOffload.memory.peakBytes).toBeLessThan(withOffload.memory.capacityBytes);
    const perGpu = parameterCounts(llama8b).total * (12 + 4);
    expect(withOffload.memory.stages[0]!.host.totalBytes).toBeCloseTo(perGpu, -3);
    // All 8 GPUs of the DGX H100 host offload: 8 × 16 B × 8.03 B parameters of its 2 TiB.
    expect(withOffload.memory.host.peakBytes).toBeCloseTo(8 * perGpu, -3);
    expect(withOffload.memory.host.capacityBytes).toBe(2 * 2 ** 40);
    expect(withOffload.memory.host.gpusPerHost).toBe(8);
  });

  it('says when the host runs out', () => {
    const { problems } = estimate(design({ zero: 0, recompute: 'full', optimizerOffloadFraction: 1 }, { hostMemoryGB: 512 }));
    const over = problems.filter((p) => p.code === 'memory/host-over-capacity');
    expect(over).toHaveLength(1);
    expect(over[0]!.message).toMatch(/of 512\.0 GiB/);
  });
});

describe('activation offload', () => {
  it('keeps the offloaded layers\' activations in host memory instead of HBM', () => {
    const d = design({ activationOffloadLayers: 10 });
    const base = run(design()).estimate.memory.stages[0]!;
    const offloaded = run(d).estimate.memory.stages[0]!;
    const perLayer = layerKindActivationBytes(llama8b, d.plan, activationSettingsOf(llama8b, d.plan)).dense;
    // 1F1B on one stage holds one micro-batch at a time: 10 layers' activations move.
    expect(base.activationsBytes - offloaded.activationsBytes).toBeCloseTo(10 * perLayer, -2);
    expect(offloaded.host.activationsBytes).toBeCloseTo(10 * perLayer, -2);
    expect(offloaded.totalBytes).toBeLessThan(base.totalBytes);
  });

  it('exposes only what the following layers\' compute cannot hide', () => {
    // 10 GB over 50 GB/s = 0.2 s against 4 layers of 0.1 s: three layers (0.075 s) hide it, 0.125 s shows.
    expect(exposedTransferSeconds(10e9, 50e9, 0.1, 4)).toBeCloseTo(0.125, 12);
    expect(exposedTransferSeconds(1e9, 50e9, 0.1, 4)).toBe(0);
    expect(exposedTransferSeconds(1e9, 50e9, 0.1, 0)).toBe(0);
  });

  it('slows the step by the exposed copies on a slow host link', () => {
    const fast = run(design({ activationOffloadLayers: 2 })).estimate;
    const slow = run(design({ activationOffloadLayers: 2 }, { hostLinkGBps: 1 })).estimate;
    expect(fast.breakdown.hostTransferSeconds).toBe(0);
    expect(slow.breakdown.hostTransferSeconds).toBeGreaterThan(0);
    expect(slow.stepTimeSeconds - fast.stepTimeSeconds).toBeCloseTo(slow.breakdown.hostTransferSeconds, 9);
  });
});

describe('parameter offload', () => {
  it('moves ZeRO-3 shards to the host and copies them up for every gather', () => {
    const base = run(design({ zero: 3 })).estimate;
    const off = run(design({ zero: 3, parameterOffload: true })).estimate;
    const m = off.memory.stages[0]!;
    expect(m.parametersBytes).toBe(0);
    expect(m.host.parametersBytes).toBe(base.memory.stages[0]!.parametersBytes);
    // 2 gathers per micro-batch × 8 micro-batches, each copying the shard over 50 GB/s.
    expect(off.breakdown.hostTransferSeconds).toBeCloseTo((16 * m.host.parametersBytes) / 50e9, 9);
  });

  it('leaves resident weights where they are', () => {
    const m = run(design({ zero: 1, parameterOffload: true })).estimate.memory.stages[0]!;
    expect(m.host.parametersBytes).toBe(0);
  });
});

describe('the fullest host', () => {
  it('holds one pipeline rank when a rank spans the host, several whole ranks otherwise', () => {
    expect(fullestHostBytes([1, 3, 2], 16, { gpus: 8 })).toBe(24);
    // Two GPUs per pipeline rank, four ranks per 8-GPU host: ranks 0–3 and 4–5.
    expect(fullestHostBytes([1, 1, 1, 1, 5, 5], 2, { gpus: 8 })).toBe(20);
  });

  it('takes the GB200 compute tray as the host: 4 GPUs, 960 GiB, NVLink-C2C', () => {
    const host = hostSideOf(findGpu('GB200')!, {});
    expect(host).toMatchObject({ gpus: 4, memoryBytes: 960 * GIB, link: 'NVLink-C2C' });
    expect(hostSideOf(findGpu('GB200')!, { hostMemoryGB: 1000, hostLinkGBps: 100 })).toMatchObject({ memoryBytes: 1000 * GIB, linkBytesPerSecond: 100e9 });
  });
});
