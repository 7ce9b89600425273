// Done-when checks of estimate() on the DeepSeek-V3 example and bad layouts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign, readConfig } from '../../../src/config/index';
import type { Design } from '../../../src/model/design';
import { estimate } from '../../../src/model/estimate';
import { findModel } from '../../../src/model/catalog/models';

function exampleDesign(): Design {
  const text = readFileSync('examples/deepseek-v3.plens.yaml', 'utf8');
  const read = readConfig(text, 'examples/deepseek-v3.plens.yaml');
  if (!read) throw new Error('example not recognised');
  const { design } = completeDesign(read, { text });
  if (!design) throw new Error('example incomplete');
  return design;
}

describe('estimate() on the DeepSeek-V3 example', () => {
  const design = exampleDesign();
  const result = estimate(design);
  const e = result.estimate!;

  it('reads the layout the report describes', () => {
    expect(design.plan).toMatchObject({ tp: 1, pp: 16, ep: 64, dp: 128, zero: 1, schedule: 'dualpipe', microbatches: 120, nodeLimit: 4, precision: 'fp8' });
    expect(design.cluster).toMatchObject({ gpu: 'H800', worldSize: 2048 });
  });

  it('gives GPU-hours per trillion tokens consistent with the step time', () => {
    const tokensPerStep = 15360 * 4096;
    expect(e.gpuHoursPerTrillionTokens).toBeCloseTo((2048 * e.stepTimeSeconds * (1e12 / tokensPerStep)) / 3600, 6);
    // The report's 180K H800 GPU-hours per trillion tokens includes every run overhead; an analytic estimate should
    // land within a factor of 1.5 of it.
    expect(e.gpuHoursPerTrillionTokens).toBeGreaterThan(180e3 / 1.5);
    expect(e.gpuHoursPerTrillionTokens).toBeLessThan(180e3 * 1.5);
  });

  it('has an MoE-layer compute-to-communication ratio near DeepSeek’s 1:1 (0.5–2)', () => {
    expect(e.traffic.computeToCommRatio).not.toBeNull();
    expect(e.traffic.computeToCommRatio!).toBeGreaterThanOrEqual(0.5);
    expect(e.traffic.computeToCommRatio!).toBeLessThanOrEqual(2);
  });

  it('sends more over IB per token without the node limit', () => {
    const unlimited = estimate({ ...design, plan: { ...design.plan, nodeLimit: null } }).estimate!;
    expect(unlimited.traffic.ibBytesPerToken).toBeGreaterThan(e.traffic.ibBytesPerToken);
    expect(unlimited.traffic.perGpuPerStep.ep.ibBytes).toBeGreaterThan(e.traffic.perGpuPerStep.ep.ibBytes);
    // TP is 1: nothing to send. PP crosses nodes: IB only.
    expect(e.traffic.perGpuPerStep.tp).toEqual({ nvlinkBytes: 0, ibBytes: 0 });
    expect(e.traffic.perGpuPerStep.pp.nvlinkBytes).toBe(0);
    expect(e.traffic.perGpuPerStep.pp.ibBytes).toBeGreaterThan(0);
  });

  it('holds exactly twice the parameters of 1F1B under DualPipe', () => {
    const oneF = estimate({ ...design, plan: { ...design.plan, schedule: '1f1b' } }).estimate!;
    const sum = (stages: { parametersBytes: number }[]) => stages.reduce((total, s) => total + s.parametersBytes, 0);
    expect(sum(e.memory.stages) / sum(oneF.memory.stages)).toBeCloseTo(2, 12);
    // A middle rank of 1F1B holds stage 7 only; under DualPipe it also holds stage 8, which has as many layers.
    expect(e.memory.stages[7]!.parametersBytes / oneF.memory.stages[7]!.parametersBytes).toBeCloseTo(2, 12);
  });

  it('reports 16 stages of 61 layers and a bubble beside its closed form', () => {
    expect(e.stages).toHaveLength(16);
    expect(e.stages.reduce((n, s) => n + s.layers, 0)).toBe(61);
    expect(e.bubble.fraction).toBeGreaterThan(0);
    expect(e.bubble.fraction).toBeLessThan(0.2);
    expect(e.bubble.closedFormSeconds).toBeGreaterThan(0);
    expect(result.timeline?.schedule.ranks).toBe(16);
  });

  it('is faster per token with DualPipe than with 1F1B, which exposes the all-to-all', () => {
    const oneF = estimate({ ...design, plan: { ...design.plan, schedule: '1f1b' } }).estimate!;
    expect(e.stepTimeSeconds).toBeLessThan(oneF.stepTimeSeconds);
    expect(e.traffic.exposedCommSeconds).toBeLessThan(oneF.traffic.exposedCommSeconds);
  });
});

describe('estimate() on bad input returns problems, never throws', () => {
  const design = exampleDesign();

  it('names an unknown GPU', () => {
    const result = estimate({ ...design, cluster: { ...design.cluster, gpu: 'Z9000' } });
    expect(result.estimate).toBeNull();
    expect(result.problems.map((p) => p.code)).toContain('cluster/unknown-gpu');
  });

  it('rejects a layout whose product is not the world size', () => {
    const result = estimate({ ...design, plan: { ...design.plan, dp: 100 } });
    expect(result.estimate).toBeNull();
    expect(result.problems.find((p) => p.code === 'layout/world-size')?.severity).toBe('error');
  });

  it('rejects DualPipe on an odd number of ranks with the rule', () => {
    const plan = { ...design.plan, pp: 15, dp: 2048 / 15 };
    const result = estimate({ ...design, plan });
    expect(result.estimate).toBeNull();
    expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
  });

  it('rejects zero and NaN sizes', () => {
    expect(estimate({ ...design, plan: { ...design.plan, tp: 0 } }).problems[0]?.code).toBe('value/invalid');
    expect(estimate({ ...design, plan: { ...design.plan, microBatchSize: Number.NaN } }).estimate).toBeNull();
  });

  it('flags memory over capacity, naming the stage', () => {
    const gpt3 = findModel('gpt3-175b')!.arch;
    const result = estimate({
      model: gpt3,
      plan: { ...design.plan, tp: 8, pp: 1, ep: 1, dp: 1, zero: 0, schedule: '1f1b', globalBatchSize: 8, microbatches: 8, precision: 'bf16', nodeLimit: null, seqLength: 2048 },
      cluster: { gpu: 'A100-80GB', gpusPerNode: 8, nodes: 1, worldSize: 8 },
    });
    const problem = result.problems.find((p) => p.code === 'memory/over-capacity');
    expect(problem?.severity).toBe('error');
    expect(problem?.message).toMatch(/stage 0/);
  });
});
