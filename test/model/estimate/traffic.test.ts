// Hand-worked communication figures (COSTMODEL.md §2.4, §2.6) against the traffic model.
import { describe, expect, it } from 'vitest';
import { chooseRatio, tokenAllToAll } from '../../../src/model/cost/comm/alltoall';
import { allReduce, allGather, type Links } from '../../../src/model/cost/comm/collectives';
import { placeGroup, placePlan } from '../../../src/model/cost/comm/placement';
import { dataParallelComm, modelComm } from '../../../src/model/cost/comm/traffic';
import { findModel } from '../../../src/model/catalog/models';
import type { Design } from '../../../src/model/design';

const LINKS: Links = { nvlinkBytesPerSecond: 400e9, ibBytesPerSecond: 50e9, nvlinkLatencySeconds: 0, ibLatencySeconds: 0 };

function llama405bDesign(): Design {
  return {
    model: findModel('llama3-405b')!.arch,
    plan: {
      tp: 8, pp: 16, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 128, zero: 2, sequenceParallel: true, seqLength: 8192, microBatchSize: 1,
      globalBatchSize: 2048, microbatches: 16, schedule: '1f1b', recompute: 'selective', precision: 'bf16', nodeLimit: null,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 2048, worldSize: 16384 },
  };
}

describe('placement (Megatron order tp-cp-dp-pp)', () => {
  it('puts DeepSeek-V3 EP64 on 8 nodes and its PP ranks on 16 different nodes', () => {
    const placement = placePlan({ ...llama405bDesign().plan, tp: 1, pp: 16, dp: 128, ep: 64 }, 8);
    expect(placement.ep).toMatchObject({ size: 64, nodes: 8, perNode: 8 });
    expect(placement.dp).toMatchObject({ size: 128, nodes: 16, perNode: 8 });
    expect(placement.pp).toMatchObject({ size: 16, stride: 128, nodes: 16, perNode: 1 });
    // 2048 / (16 · 64) = 2 copies of every expert, 64 ranks apart: on two nodes.
    expect(placement.expertDp).toMatchObject({ size: 2, nodes: 2, perNode: 1 });
  });

  it('keeps TP 8 inside a node and spreads DP 128 at stride 8 over 128 nodes', () => {
    const placement = placePlan(llama405bDesign().plan, 8);
    expect(placement.tp).toMatchObject({ nodes: 1, perNode: 8 });
    expect(placement.dp).toMatchObject({ nodes: 128, perNode: 1 });
  });

  it('places a group as counting its members node by node would, for any size, stride and node size', () => {
    for (const gpusPerNode of [1, 2, 4, 6, 8, 72]) {
      for (let size = 1; size <= 40; size++) {
        for (let stride = 1; stride <= 20; stride++) {
          const perNodeCount = new Map<number, number>();
          for (let i = 0; i < size; i++) {
            const node = Math.floor((i * stride) / gpusPerNode);
            perNodeCount.set(node, (perNodeCount.get(node) ?? 0) + 1);
          }
          expect(placeGroup(size, stride, gpusPerNode)).toEqual({ size, stride, nodes: perNodeCount.size, perNode: Math.max(...perNodeCount.values()) });
        }
      }
    }
  });
});

describe('collectives', () => {
  it('splits a 2-node all-reduce of 16 GPUs into 2·7/8·S NVLink and 2·(1/2)·S/8 IB per GPU', () => {
    const cost = allReduce(placeGroup(16, 1, 8), 800e6, LINKS);
    expect(cost.nvlinkBytes).toBeCloseTo(1400e6, 0);
    expect(cost.ibBytes).toBeCloseTo(100e6, 0);
    expect(cost.seconds).toBeCloseTo(1400e6 / 400e9 + 100e6 / 50e9, 9);
  });

  it('runs a group with one GPU per node as a flat IB ring', () => {
    const cost = allGather(placeGroup(4, 8, 8), 400e6, LINKS);
    expect(cost.nvlinkBytes).toBe(0);
    expect(cost.ibBytes).toBeCloseTo(300e6, 0);
  });
});

describe('TP with sequence parallelism, Llama 3 405B (COSTMODEL.md §2.6)', () => {
  it('moves 1.88 GB per GPU per layer per micro-batch over NVLink', () => {
    const design = llama405bDesign();
    const comm = modelComm({ design, placement: placePlan(design.plan, 8), links: LINKS });
    // One operand b·s·h·2 = 8192·16384·2 = 268.4 MB; each of 8 ops moves 7/8 of it: 234.9 MB → 1.879 GB.
    const perLayer = comm.dense.tp.forward.nvlinkBytes + comm.dense.tp.backward.nvlinkBytes;
    expect(perLayer / 1e9).toBeCloseTo(1.879, 3);
    expect(comm.dense.tp.forward.ibBytes).toBe(0);
    // PP sends 1/t of the activation (Megatron scatter-gather): 268.4 MB / 8 = 33.55 MB, across nodes.
    expect(comm.ppSend.ibBytes / 1e6).toBeCloseTo(33.554, 2);
  });

  it('reduce-scatters FP32 gradients and all-gathers BF16 weights once per step over DP 128 with FSDP and PP, all on IB', () => {
    const design = llama405bDesign();
    const fsdp = { ...design, plan: { ...design.plan, zero: 3 as const } };
    const dp = dataParallelComm({ design: fsdp, placement: placePlan(fsdp.plan, 8), links: LINKS }, { dense: 3.17e9, expert: 0 });
    // COSTMODEL.md §2.6: (n−1)/n · (2 + 4) bytes · 3.17e9 parameters, one GPU per node: 6.29 GB + 12.58 GB.
    expect(dp.total.ibBytes / 1e9).toBeCloseTo((127 / 128) * 6 * 3.17, 6);
    expect(dp.total.nvlinkBytes).toBe(0);
  });

  it('reduce-scatters after each of the 16 micro-batches when gradients are sharded (ZeRO-2, Llama 3 §3.3.2)', () => {
    const design = llama405bDesign();
    const dp = dataParallelComm({ design, placement: placePlan(design.plan, 8), links: LINKS }, { dense: 3.17e9, expert: 0 });
    // One BF16 gather (2 B) and 16 FP32 reduce-scatters (16 · 4 B) per parameter, × (n−1)/n.
    expect(dp.total.ibBytes / 1e9).toBeCloseTo((127 / 128) * (2 + 16 * 4) * 3.17, 6);
  });
});

describe('EP all-to-all with node-limited routing (DeepSeek-V3 §3.2.2)', () => {
  const ep64 = placeGroup(64, 1, 8);
  const routing = { experts: 256, topK: 8, hidden: 7168, precision: 'fp8' as const };

  it('dispatches 7,392 B (FP8 + scales) and combines 14,336 B (BF16) per copy', () => {
    const t = tokenAllToAll({ ...routing, nodeLimit: 4 }, ep64);
    expect(t.dispatchBytesPerCopy).toBe(7392);
    expect(t.combineBytesPerCopy).toBe(14336);
  });

  it('crosses IB at most 4 times per token with M = 4, more often without the limit', () => {
    const limited = tokenAllToAll({ ...routing, nodeLimit: 4 }, ep64);
    const unlimited = tokenAllToAll({ ...routing, nodeLimit: null }, ep64);
    // 4·(1 − C(96,8)/C(128,8)) = 3.629 nodes, 7/8 of them remote; 8·(1 − C(224,8)/C(256,8)) = 5.295 without.
    expect(limited.destinationNodes).toBeCloseTo(3.629, 3);
    expect(limited.remoteNodes).toBeCloseTo(3.175, 3);
    expect(unlimited.destinationNodes).toBeCloseTo(5.295, 3);
    const dispatchIbLimited = limited.remoteNodes * limited.dispatchBytesPerCopy;
    const dispatchIbUnlimited = unlimited.remoteNodes * unlimited.dispatchBytesPerCopy;
    expect(dispatchIbLimited).toBeLessThanOrEqual(4 * 7392);
    expect(dispatchIbUnlimited).toBeGreaterThan(4 * 7392);
    expect(unlimited.ibBytesPerToken).toBeGreaterThan(limited.ibBytesPerToken);
  });

  it('computes C(a,k)/C(b,k) as the chance that k picks avoid b − a items', () => {
    // C(3,2)/C(5,2) = 3/10.
    expect(chooseRatio(3, 5, 2)).toBeCloseTo(0.3, 12);
    expect(chooseRatio(1, 5, 2)).toBe(0);
  });

  it('keeps an EP group inside one node off IB', () => {
    const t = tokenAllToAll({ ...routing, nodeLimit: null }, placeGroup(8, 1, 8));
    expect(t.ibBytesPerToken).toBe(0);
    expect(t.nvlinkBytesPerToken).toBeGreaterThan(0);
  });
});
