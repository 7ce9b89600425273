import { describe, expect, it } from 'vitest';
import { hoverMarkdown } from '../../src/extension/editor/hoverText';
import { compareNeighbours } from '../../src/extension/analysis/whatIf';
import { readFileSync } from 'node:fs';
import type { FieldPath } from '../../src/model/design';
import type { Estimate } from '../../src/model/estimate';
import { analyseText } from '../../src/extension/analysis/pipeline';
import { formatGiB, formatSeconds } from '../../src/format';
import { analyseData } from './helpers';

describe('hoverMarkdown', () => {
  const result = analyseData('deepseek-v3.plens.yaml');
  const design = result.completion!.design!;
  const estimate = result.estimate!.estimate!;

  it('on PP: value, origin, stages, layers per stage, bubble, memory and PP 8 / 16 / 32 side by side', () => {
    const md = hoverMarkdown({
      field: 'plan.pp', writtenText: '16', design, origin: result.completion!.origins['plan.pp'], estimate,
      variants: compareNeighbours(design, 'plan.pp', estimate),
    });
    expect(md).toContain('**pipeline-parallel size (PP)**');
    expect(md).toContain('Value **16**, from this file \\(line 9\\).');
    // 61 layers over 16 stages: 3 or 4 per stage.
    expect(md).toContain('- 16 pipeline ranks, 16 model stages; 3–4 layers per stage (61 layers)');
    // ⌈61/16⌉ = 4 with 3 short: the last, the first, then the one before the last give one up each.
    expect(md).toContain('- stages hold `Et*3|(t*4|)*13t*3|t*3mL`');
    expect(md).toMatch(/- most balanced for PP 16 × 1: `E/);
    expect(md).toMatch(/- bubble \d+% of the step/);
    expect(md).toContain('| PP | bubble | peak memory | step | MFU |');
    expect(md).toMatch(/\| 8 \| \d+% \|/);
    expect(md).toMatch(/\| \*\*16\*\* \(now\) \|/);
    expect(md).toMatch(/\| 32 \| \d+% \|/);
  });

  it('shows file text as text: a value like <img onerror> cannot become HTML', () => {
    const md = hoverMarkdown({
      field: 'cluster.gpu', writtenText: '<img src=x onerror=alert(1)>', design, origin: { from: 'file' }, estimate, variants: [],
    });
    expect(md).not.toContain('<img');
    expect(md).toContain('Written as &lt;img src=x onerror=alert\\(1\\)\\>; used as **H800**');
  });

  it('on a calibration key: its value and origin, the value in force, and the parts of the step it moves', () => {
    const calibrated = { ...design, calibration: { gemmFraction: 0.6 } };
    const md = hoverMarkdown({
      field: 'calibration.gemmFraction', writtenText: '0.6', design: calibrated, origin: { from: 'workspace' }, estimate: { ...estimate, calibration: { ...estimate.calibration, gemmFraction: { value: 0.6, from: 'design' } } }, variants: [],
    });
    expect(md).toContain('**calibration: dense GEMM fraction of peak**');
    expect(md).toContain('Value **0\\.6**, from the workspace plens\\.yaml');
    expect(md).toContain('- in force: **0.6** (this setting)');
    expect(md).toMatch(/dense GEMMs [\d.]+ \w+, expert GEMMs/);
  });

  it('on the precision: the GEMM plateaus in force and where each came from', () => {
    const md = hoverMarkdown({ field: 'plan.precision', writtenText: 'fp8', design, origin: { from: 'file' }, estimate, variants: [] });
    expect(md).toContain('calibration: GEMM 0.72 (catalog)');
  });

  it('explains a missing estimate in words', () => {
    const md = hoverMarkdown({ field: 'plan.tp', writtenText: '$TP', design: undefined, origin: undefined, estimate: null, noEstimateReason: 'the model lacks layers', variants: [] });
    expect(md).toContain('Written as $TP; not resolved, from not set.');
    expect(md).toContain('No estimate: the model lacks layers.');
  });
});

describe('hoverMarkdown when the design offloads', () => {
  const text = readFileSync('test/extension/data/deepseek-v3.plens.yaml', 'utf8');
  const offloading = analyseText({ text: `${text}offload:\n  optimizer: 1\n`, fileName: 'offload.plens.yaml' })!;
  const design = offloading.completion!.design!;
  const estimate = offloading.estimate!.estimate!;
  const hover = (field: FieldPath, estimateShown: Estimate) => hoverMarkdown({ field, writtenText: undefined, design, origin: { from: 'file' }, estimate: estimateShown, variants: [] });

  it('on the offload key: the peak rank\'s host bytes by kind, the fullest host and the exposed copies', () => {
    const md = hover('plan.optimizerOffloadFraction', estimate);
    expect(md).toContain('**share of the optimizer stepped in host memory**');
    const peak = estimate.memory.stages.reduce((a, b) => (b.totalBytes > a.totalBytes ? b : a));
    expect(md).toContain(`- in host memory per GPU on that rank ${formatGiB(peak.host.totalBytes)} (gradients ${formatGiB(peak.host.gradientsBytes)}, optimizer ${formatGiB(peak.host.optimizerBytes)})`);
    expect(md).toContain('- host memory 64.3 GiB of 2050 GiB per host of 8 GPUs (3.1%), over PCIe 5.0');
    expect(md).toContain(`- exposed host copies per step ${formatSeconds(estimate.breakdown.hostTransferSeconds)}`);
  });

  it('adds the host line wherever the hover speaks of memory, and never without offloading', () => {
    expect(hover('plan.zero', estimate)).toContain('- host memory 64.3 GiB of 2050 GiB');
    const plain = analyseData('deepseek-v3.plens.yaml');
    const md = hoverMarkdown({ field: 'plan.zero', writtenText: undefined, design: plain.completion!.design!, origin: { from: 'file' }, estimate: plain.estimate!.estimate!, variants: [] });
    expect(md).toMatch(/- peak memory /);
    expect(md).not.toContain('host memory');
  });
});
