// checkLayout: every rule about a complete design, one code per fact, each naming the field a fix would change.
// Cases are worked by hand on Llama 3 8B (32 layers, 32 heads, 8 KV heads) on 8 nodes of 8 H100.
import { describe, expect, it } from 'vitest';
import { findModel } from '../../src/model/catalog/models';
import type { Design, ModelArch, ParallelPlan } from '../../src/model/design';
import { estimate } from '../../src/model/estimate';
import { checkLayout } from '../../src/model/layoutChecks';

const llama = findModel('llama3-8b')!.arch;

// tp·pp·cp·dp = 8·4·1·2 = 64 GPUs; global batch 16 = micro-batch 1 × dp 2 × 8 micro-batches; 32 layers / 4 stages.
function design(plan: Partial<ParallelPlan> = {}, model: Partial<ModelArch> = {}, cluster: Partial<Design['cluster']> = {}): Design {
  return {
    model: { ...llama, ...model },
    plan: {
      tp: 8, pp: 4, vpp: 1, cp: 1, ep: 1, etp: 1, dp: 2, zero: 1, sequenceParallel: true, seqLength: 8192,
      microBatchSize: 1, globalBatchSize: 16, microbatches: 8, schedule: '1f1b', recompute: 'none', precision: 'bf16', nodeLimit: null,
      ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: 8, worldSize: 64, ...cluster },
  };
}

const codes = (d: Design) => checkLayout(d).map((p) => `${p.severity} ${p.code}`);

describe('checkLayout', () => {
  it('finds nothing wrong with a consistent layout', () => {
    expect(checkLayout(design())).toEqual([]);
  });

  it('stops at sizes that are not whole numbers ≥ 1, one problem per field', () => {
    const problems = checkLayout(design({ tp: 0, microBatchSize: Number.NaN }));
    expect(problems.map((p) => [p.code, p.field])).toEqual([['value/invalid', 'plan.tp'], ['value/invalid', 'plan.microBatchSize']]);
  });

  it('states the world-size mismatch once, on dp, with the other sizes related', () => {
    // 8·4·1·3 = 96 ≠ 64; 16 is also not a multiple of 1 × 3.
    const problems = checkLayout(design({ dp: 3 }));
    expect(problems.map((p) => p.code)).toEqual(['layout/world-size', 'layout/batch']);
    expect(problems[0]).toMatchObject({
      severity: 'error', field: 'plan.dp', related: ['plan.tp', 'plan.pp', 'plan.cp', 'cluster.nodes', 'cluster.worldSize'],
      message: 'tp·pp·cp·dp = 8·4·1·3 = 96, but the cluster has 64 GPUs (8 nodes × 8)',
    });
  });

  it('needs the nodes to hold the world', () => {
    expect(checkLayout(design({}, {}, { nodes: 4 }))).toMatchObject([{ code: 'cluster/too-small', field: 'cluster.nodes', message: '4 nodes × 8 GPUs hold fewer than the world size of 64' }]);
  });

  it('splits heads and GQA query groups over TP; a group may be replicated when TP is a multiple of the groups', () => {
    // 32 heads on TP 16 and 8 groups replicated twice are fine; TP 16 spans 2 nodes of 8, a warning.
    expect(codes(design({ tp: 16, pp: 2, dp: 2 }))).toEqual(['warning layout/tp-crosses-nodes']);
    expect(checkLayout(design({ tp: 16, pp: 2, dp: 2 }))[0]).toMatchObject({ field: 'plan.tp', message: 'TP 16 spans 2 nodes of 8 GPUs: its all-reduces cross InfiniBand instead of NVLink' });
    // 48 heads split over TP 4, but 6 query groups neither split over 4 nor does 4 divide into 6 copies.
    expect(checkLayout(design({ tp: 4, pp: 8 }, { heads: 48, kvHeads: 6 }))).toMatchObject([
      { code: 'layout/heads-tp', field: 'plan.tp', related: ['model.kvHeads'], message: '6 KV heads (query groups) do not split evenly over TP 4' },
    ]);
    expect(checkLayout(design({ tp: 3, pp: 4, dp: 2 }, {}, { worldSize: 24, nodes: 3 }))).toMatchObject([
      { code: 'layout/heads-tp', field: 'plan.tp', related: ['model.heads'], message: '32 attention heads do not split evenly over TP 3' },
    ]);
  });

  it('gives experts over EP and the EP group within a stage one code each; EP on a dense model is an error', () => {
    const moe = { experts: 8, topK: 2, expertFfnHidden: 14336 };
    expect(checkLayout(design({ ep: 16, tp: 8, dp: 2 }, moe))).toMatchObject([
      { code: 'layout/experts-ep', field: 'plan.ep', related: ['model.experts'], message: '8 experts do not split evenly over EP 16' },
    ]);
    // One stage holds tp·cp·dp = 8·1·2 = 16 GPUs; EP 8 × ETP 4 = 32 does not divide them.
    expect(checkLayout(design({ ep: 8, etp: 4 }, moe))).toMatchObject([
      { code: 'layout/ep-dp', field: 'plan.ep', message: 'EP·ETP = 8·4 = 32 must divide tp·cp·dp = 16, the GPUs of one pipeline stage' },
    ]);
    expect(checkLayout(design({ ep: 2 }))).toMatchObject([{ severity: 'error', code: 'layout/ep-dense', field: 'plan.ep' }]);
  });

  it('splits the sequence over CP', () => {
    // tp 8 · pp 2 · cp 3 · dp 1 = 48 GPUs; 8192 is not a multiple of 3.
    expect(checkLayout(design({ pp: 2, cp: 3, dp: 1, globalBatchSize: 8 }, {}, { worldSize: 48, nodes: 6 }))).toMatchObject([
      { code: 'layout/seq-cp', field: 'plan.cp', related: ['plan.seqLength'] },
    ]);
  });

  it('checks the batch identity on the value a fix would change', () => {
    // 16 is a multiple of 1 × dp 2, but 5 micro-batches give 10 sequences.
    expect(checkLayout(design({ microbatches: 5 }))).toMatchObject([
      { code: 'layout/batch', field: 'plan.microbatches', message: '5 micro-batches × 1 × dp 2 = 10, not the global batch 16' },
    ]);
    expect(checkLayout(design({ globalBatchSize: 15 }))[0]).toMatchObject({ code: 'layout/batch', field: 'plan.globalBatchSize', message: 'global batch 15 is not a multiple of micro-batch 1 × dp 2 = 2' });
  });

  it('gives layers over stages one code: an error when stages would be empty, a warning with the split when uneven', () => {
    // 64 stages for 32 layers; tp 1 · pp 64 · dp 1 = 64.
    expect(checkLayout(design({ tp: 1, pp: 64, dp: 1, microbatches: 16 }))).toMatchObject([
      { severity: 'error', code: 'layout/layers-pp', field: 'plan.pp', message: '64 pipeline stages for 32 layers: some stages would be empty' },
    ]);
    // 32 over 5: 7 each would be 35; the 3 short are taken from the last, the first, then the one before last.
    const uneven = checkLayout(design({ pp: 5, dp: 1, microbatches: 16 }, {}, { worldSize: 40, nodes: 5 }));
    expect(uneven).toHaveLength(1);
    expect(uneven[0]).toMatchObject({ severity: 'warning', code: 'layout/layers-pp', field: 'plan.pp', related: ['plan.vpp', 'model.layers'] });
    expect(uneven[0]!.message).toContain('32 layers do not split evenly over 5 pipeline stages: 6/7/7/6/6 layers per stage');
    // Interleaving counts v·p stages and V placements 2p: 8 stages of 4 layers either way.
    expect(checkLayout(design({ schedule: 'interleaved-1f1b', vpp: 2 }))).toEqual([]);
    expect(checkLayout(design({ schedule: 'zbv' }))).toEqual([]);
  });

  it('states a schedule constraint with its generator\'s rule, on the schedule', () => {
    // DualPipe needs an even number of micro-batches: 14 / (1 · 2) = 7.
    const problems = checkLayout(design({ schedule: 'dualpipe', globalBatchSize: 14, microbatches: 7 }));
    expect(problems.map((p) => [p.code, p.field])).toEqual([['schedule/constraint', 'plan.schedule']]);
    expect(checkLayout(design({ schedule: 'interleaved-1f1b', vpp: 1 }))).toMatchObject([{ severity: 'warning', code: 'schedule/interleaved-vpp', field: 'plan.vpp' }]);
  });

  it('checks a schedule at any size: the rules need no ops', () => {
    // 4 ranks × 30 001 micro-batches (720,024 ops, once too many to generate here): the odd count is DualPipe's error.
    const m = 30_001;
    expect(checkLayout(design({ schedule: 'dualpipe', globalBatchSize: 2 * m, microbatches: m }))).toMatchObject([
      { code: 'schedule/constraint', field: 'plan.schedule', message: 'DualPipe needs an even number of micro-batches (half go each direction), got 30001' },
    ]);
    expect(checkLayout(design({ schedule: 'dualpipe', globalBatchSize: 2 * 30_000, microbatches: 30_000 }))).toEqual([]);
  });
});

describe('estimate() reports each layout fact once', () => {
  it('a TP that crosses nodes: one warning, from checkLayout, and still an estimate', () => {
    const result = estimate(design({ tp: 16, pp: 2, dp: 2 }));
    expect(result.estimate).not.toBeNull();
    expect(result.problems.filter((p) => p.code.startsWith('layout/')).map((p) => p.code)).toEqual(['layout/tp-crosses-nodes']);
  });

  it('uneven layers: one warning, and the estimate uses the split it names', () => {
    const result = estimate(design({ pp: 5, dp: 1, microbatches: 16 }, {}, { worldSize: 40, nodes: 5 }));
    expect(result.problems.filter((p) => p.code.startsWith('layout/')).map((p) => p.code)).toEqual(['layout/layers-pp']);
    expect(result.estimate!.stages.map((s) => s.layers)).toEqual([6, 7, 7, 6, 6]);
  });

  it('a broken schedule: checkLayout\'s error, not the estimate\'s again', () => {
    const result = estimate(design({ schedule: 'dualpipe', globalBatchSize: 14, microbatches: 7 }));
    expect(result.estimate).toBeNull();
    expect(result.problems.map((p) => p.code)).toEqual(['schedule/constraint']);
  });
});
