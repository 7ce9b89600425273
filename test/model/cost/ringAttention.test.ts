// Context parallelism as ring attention (COSTMODEL.md "Time terms" item 10): the merge of each exchanged block's
// partial output (memoryBound.ts) and torchtitan's K/V traffic (traffic.ts), against hand-computed values and as
// properties of the CP degree (cp = 1 gives the result without the term).
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import { efficiencyFor, linksFor } from '../../../src/model/cost/compute/efficiency';
import { layerMemoryBoundBytes, RING_MERGE_BYTES } from '../../../src/model/cost/compute/memoryBound';
import { placePlan } from '../../../src/model/cost/comm/placement';
import { modelComm } from '../../../src/model/cost/comm/traffic';
import type { Design, ParallelPlan } from '../../../src/model/design';

const llama8b = findModel('llama3-8b')!.arch;
const settings = { tp: 1, cp: 1, etp: 1, sequenceParallel: false, precision: 'bf16' as const };

describe('ring merge bytes (memoryBound.ts)', () => {
  // 32768 tokens per sequence; Llama 3 8B attention output a·d_v = 32 · 128 = 4096 elements per token.
  const shape = { microBatchSize: 1, seqLength: 32768 };
  const bytesAt = (cp: number, framework?: ParallelPlan['framework']) =>
    layerMemoryBoundBytes(llama8b, 'dense', shape, { ...settings, cp, ...(framework ? { framework } : {}) }).denseBytes;
  const withoutMerge = (cp: number) => bytesAt(1) / cp;

  it('cp = 4, torchtitan: 3 merged steps × 32 B × 8192 local tokens × 4096 elements', () => {
    expect(bytesAt(4, 'torchtitan') - withoutMerge(4)).toBeCloseTo(3 * 32 * 8192 * 4096, 0);
  });

  it('cp = 4, Megatron / TE: one fused correction per step, 10 B per element', () => {
    expect(bytesAt(4) - withoutMerge(4)).toBeCloseTo(3 * 10 * 8192 * 4096, 0);
    expect(RING_MERGE_BYTES.megatron).toBeLessThan(RING_MERGE_BYTES.torchtitan);
  });

  it('is zero without CP and grows with the CP degree at a fixed local sequence', () => {
    expect(bytesAt(1, 'torchtitan')).toBe(bytesAt(1));
    const mergeAt = (cp: number) => {
      const local = { microBatchSize: 1, seqLength: 8192 * cp };
      const total = layerMemoryBoundBytes(llama8b, 'dense', local, { ...settings, cp, framework: 'torchtitan' }).denseBytes;
      return total - layerMemoryBoundBytes(llama8b, 'dense', local, { ...settings, cp: 1 }).denseBytes / cp;
    };
    expect(mergeAt(1)).toBe(0);
    expect(mergeAt(2)).toBeGreaterThan(0);
    expect(mergeAt(4)).toBeGreaterThan(mergeAt(2));
    expect(mergeAt(8)).toBeGreaterThan(mergeAt(4));
  });
});

describe('torchtitan\'s K/V exchange (traffic.ts)', () => {
  function design(cp: number, framework?: ParallelPlan['framework'], gpusPerNode = 8): Design {
    return {
      model: llama8b,
      plan: {
        tp: 1, pp: 1, vpp: 1, cp, ep: 1, etp: 1, dp: 8 / cp, zero: 3, sequenceParallel: false, seqLength: 8192 * cp, microBatchSize: 1,
        globalBatchSize: 8 / cp, microbatches: 1, schedule: '1f1b', recompute: 'full', precision: 'bf16', nodeLimit: null,
        ...(framework ? { framework } : {}),
      },
      cluster: { gpu: 'H100-SXM', gpusPerNode, nodes: 8 / gpusPerNode, worldSize: 8 },
    };
  }
  const cpComm = (d: Design) => {
    const gpu = findGpu(d.cluster.gpu)!;
    const links = linksFor(gpu, efficiencyFor(gpu, 'bf16'), d.cluster);
    return modelComm({ design: d, placement: placePlan(d.plan, d.cluster.gpusPerNode), links }).dense.cp;
  };

  it('cp = 4 in one node: K and V of all 32 query heads gathered (repeat_kv before SDPA), not the 8 KV heads', () => {
    // Whole sequence 32768 tokens × 2 (K, V) × 32 heads × 128 × 2 B = 536,870,912 B; a rank receives 3/4 of it.
    const gathered = 32768 * 2 * 32 * 128 * 2;
    expect(cpComm(design(4, 'torchtitan')).forward.nvlinkBytes).toBeCloseTo((3 / 4) * gathered, 0);
    expect(cpComm(design(4)).forward.nvlinkBytes).toBeCloseTo((3 / 4) * (gathered / 4), 0);
  });

  it('backward: the gather again plus c sends of the FP32 dK/dV share (2 × gathered in all)', () => {
    const gathered = 32768 * 2 * 32 * 128 * 2;
    expect(cpComm(design(4, 'torchtitan')).backward.nvlinkBytes).toBeCloseTo((3 / 4) * gathered + 2 * gathered, 0);
  });

  it('the gradient sends cross IB when the CP group spans nodes, and cost more there', () => {
    const spread = cpComm(design(4, 'torchtitan', 2));
    expect(spread.backward.ibBytes).toBeGreaterThan(0);
    expect(spread.backward.seconds).toBeGreaterThan(cpComm(design(4, 'torchtitan')).backward.seconds);
  });
});
