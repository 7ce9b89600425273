import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Estimate } from '../../src/model/estimate';
import { buildEstimateView } from '../../src/extension/panel/estimateView';
import { presentEstimate } from '../../src/extension/panel/estimatePresenter';
import { analyseText, nearCapacity } from '../../src/extension/analysis/pipeline';
import { formatGiB, formatPeakMemory, formatPercent, formatSeconds } from '../../src/format';
import { binTimeline } from '../../webview/timeline/bins';
import { IDLE, replayTimeline } from '../../webview/timeline/replay';
import { analyseData } from './helpers';

const GIB = 2 ** 30;

/** The view must survive postMessage's structured clone as plain JSON: no typed arrays, no class instances. */
function roundTrips(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
}

describe('buildEstimateView on the DeepSeek-V3 design', () => {
  const analysed = analyseData('deepseek-v3.plens.yaml');
  const estimate = analysed.estimate!.estimate!;
  const view = presentEstimate('/work/space/deepseek-v3.plens.yaml', analysed, { memoryWarningFraction: 0.9 });

  it('is plain JSON', () => {
    roundTrips(view);
  });

  it('shows the step as a waterfall: bars end to end, the last ending at the step time', () => {
    const rows = view.waterfall!.rows;
    expect(rows.map((r) => r.id)).toEqual(['denseGemm', 'expertGemm', 'attention', 'memoryBound', 'fixed', 'tp', 'cp', 'ep', 'bubble', 'dp', 'optimizer', 'fabric']);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.startFraction).toBeCloseTo(rows[i - 1]!.startFraction + rows[i - 1]!.widthFraction, 12);
    const last = rows[rows.length - 1]!;
    expect(last.startFraction + last.widthFraction).toBeCloseTo(1, 12);
    expect(view.waterfall!.totalText).toBe(formatSeconds(estimate.stepTimeSeconds));
  });

  it('names the file by its base name and its format in words', () => {
    expect(view.fileName).toBe('deepseek-v3.plens.yaml');
    expect(view.formatName).toBe('Parallelism Lens design');
    // The layout as the file sets it: 256 nodes × 8 = 2048 GPUs, TP 1, PP 16, EP 64, DualPipe.
    expect(view.designSummary).toContain('deepseek-v3 on 2048 × H800 (256 nodes of 8)');
    expect(view.designSummary).toContain('TP 1 · PP 16 · EP 64 · CP 1 · DP 128');
    expect(view.designSummary).toContain('DualPipe, 120 micro-batches of 1 × 4096 tokens');
  });

  it('formats the headline as the hover and CodeLens do', () => {
    const text = (id: string) => view.figures.find((f) => f.id === id)?.text;
    expect(text('step-time')).toBe(formatSeconds(estimate.stepTimeSeconds));
    expect(text('mfu')).toBe(formatPercent(estimate.mfu));
    expect(text('peak-memory')).toBe(formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes));
    expect(text('bubble')).toBe(`${formatSeconds(estimate.bubble.seconds)} · ${formatPercent(estimate.bubble.fraction)} of the step`);
    // DualPipe's closed form (DESIGN.md §3 table) labels the figure beside the simulated bubble.
    expect(view.figures.find((f) => f.id === 'bubble-closed-form')?.label).toBe('Closed form (p/2-1)(F&B+B-3W)');
    expect(view.figures.map((f) => f.id)).toEqual(['step-time', 'tokens-per-second', 'mfu', 'tflops-per-gpu', 'gpu-hours', 'bubble', 'bubble-closed-form', 'peak-memory']);
  });

  it('stacks memory per rank so the parts add up to the rank total, one bar per pipeline rank', () => {
    const memory = view.memory!;
    expect(memory.ranks).toHaveLength(16);
    expect(memory.capacityBytes).toBe(80 * GIB);
    expect(memory.warningFraction).toBe(0.9);
    for (const rank of memory.ranks) {
      const parts = rank.parametersBytes + rank.gradientsBytes + rank.optimizerBytes + rank.activationsBytes + rank.transientBytes + rank.otherBytes;
      expect(parts).toBeCloseTo(rank.totalBytes, -3);
    }
    expect(Math.max(...memory.ranks.map((r) => r.totalBytes))).toBe(memory.peakBytes);
  });

  it('lists traffic for TP, CP, EP, PP, DP in that order, split by link', () => {
    const rows = view.traffic!.rows;
    expect(rows.map((r) => r.label)).toEqual(['TP', 'CP', 'EP', 'PP', 'DP']);
    // TP 1 and CP 1 move nothing; EP 64 over 8 nodes of 8 crosses InfiniBand.
    expect(rows[0]).toMatchObject({ nvlinkBytes: 0, ibBytes: 0, nvlinkText: '0 B', ibText: '0 B' });
    expect(rows[1]).toMatchObject({ nvlinkBytes: 0, ibBytes: 0 });
    expect(rows[2]!.ibBytes).toBeGreaterThan(0);
    expect(rows[2]!.ibBytes).toBe(estimate.traffic.perGpuPerStep.ep.ibBytes);
    expect(view.traffic!.ibBytesPerTokenText).toMatch(/ per token$/);
  });

  it('sends the designed step as a spec the page replays to the same simulated step', () => {
    const spec = view.timeline!;
    const simulated = analysed.estimate!.timeline!;
    expect(spec).toMatchObject({ schedule: 'dualpipe', ranks: 16, microbatches: 120, unit: 'seconds' });
    // A few hundred numbers, not an op list: it crosses postMessage as JSON unchanged.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(JSON.stringify(spec).length).toBeLessThan(20_000);
    const replayed = replayTimeline(spec);
    expect(replayed.ok).toBe(true);
    if (!replayed.ok) return;
    expect(replayed.data.makespan).toBe(spec.makespanSeconds);
    expect(replayed.data.makespan).toBe(simulated.timeline.makespan);
    expect(Array.from(replayed.data.end)).toEqual(Array.from(simulated.timeline.end));
    // DeepSeek-V3's EP all-to-all is exposed inside some ops: the lanes have something to draw.
    expect(replayed.data.comm!.some((seconds) => seconds > 0)).toBe(true);
    // Drawn on 1000 columns, the busiest rank's idle columns are the estimate's bubble (the E2E reads the pixels).
    const bins = binTimeline(replayed.data, { start: 0, end: replayed.data.makespan }, 1000);
    const idle = Array.from({ length: 16 }, (_, rank) => bins.category.subarray(rank * 1000, (rank + 1) * 1000).filter((c) => c === IDLE).length / 1000);
    expect(Math.abs(Math.min(...idle) - estimate.bubble.fraction)).toBeLessThan(0.01);
  });

  it('says where each value came from, with the line the file set it on', () => {
    const pp = view.assumptions.find((a) => a.field === 'plan.pp')!;
    // `  pp: 16` is line 9 of the test copy.
    expect(pp).toMatchObject({ value: '16', from: 'file', fromText: 'this file (line 9)' });
    expect(view.assumptions.find((a) => a.field === 'model.layers')).toMatchObject({ value: '61', from: 'catalog' });
    expect(view.assumptions.find((a) => a.field === 'plan.microbatches')).toMatchObject({ value: '120', from: 'derived' });
    // The parallel layout comes first, the catalog's architecture last.
    expect(view.assumptions[0]!.field.startsWith('plan.')).toBe(true);
    expect(view.assumptions.at(-1)!.field.startsWith('model.')).toBe(true);
  });

  it('carries the problems with their codes and lines', () => {
    expect(view.problems.length).toBe(analysed.problems.length);
    const layers = view.problems.find((p) => p.code === 'layout/layers-pp');
    expect(layers?.line).toBe(9);
  });
});

describe('what-if in the panel', () => {
  const analysed = analyseData('deepseek-v3.plens.yaml');

  it('re-estimates with PP 8 without changing the file design, and marks the changed value', () => {
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { pp: 8 } });
    roundTrips(view);
    // PP 8 on 2048 GPUs: dp = 2048 / 8 = 256, micro-batches = 15360 / 256 = 60.
    expect(view.designSummary).toContain('PP 8');
    expect(view.designSummary).toContain('DP 256');
    expect(view.designSummary).toContain('60 micro-batches');
    expect(view.controls).toEqual({ schedule: 'dualpipe', pp: 8, microBatchSize: 1 });
    expect(view.whatIf?.description).toBe('What-if: PP 8 (file: 16). The file is unchanged.');
    expect(view.assumptions.find((a) => a.field === 'plan.pp')).toMatchObject({ value: '8', from: 'what-if' });
    expect(view.memory!.ranks).toHaveLength(8);
    expect(analysed.completion!.design!.plan.pp).toBe(16);
  });

  it('a rule the changed layout breaks becomes the reason there are no figures', () => {
    // Micro-batch size 5: 15360 / (5 · 128) = 24 micro-batches, short of DualPipe's m ≥ 2p = 32 (DESIGN.md §3).
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { microBatchSize: 5 } });
    expect(view.figures).toEqual([]);
    expect(view.unavailable).toContain('m ≥ 2p = 32');
    // On the `schedule:` key, line 15 of the test copy.
    expect(view.problems.find((p) => p.code === 'schedule/constraint')?.line).toBe(15);
  });

  it('a PP that does not divide the world size is refused before estimating', () => {
    // 2048 GPUs / 7 is not whole.
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { pp: 7 } });
    expect(view.problems[0]).toMatchObject({ code: 'whatif/invalid', message: 'What-if not applied: tp·pp·cp = 7 does not divide 2048 GPUs' });
    expect(view.whatIf).toBeUndefined();
  });

  it('rejects values out of bounds as a problem, keeping the file estimate', () => {
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { pp: 0 } });
    expect(view.problems[0]).toMatchObject({ code: 'whatif/invalid', severity: 'error' });
    expect(view.figures.length).toBeGreaterThan(0);
    expect(view.whatIf).toBeUndefined();
  });

  it('states the what-if layout\'s own problems once, not the file\'s', () => {
    // PP 8: 61 layers over 8 stages (⌈61/8⌉ = 8 each would be 64; three short) instead of the file's 16.
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { pp: 8 } });
    const layers = view.problems.filter((p) => p.code === 'layout/layers-pp');
    expect(layers).toHaveLength(1);
    expect(layers[0]!.message).toContain('61 layers do not split evenly over 8 pipeline stages: 7/8/8/8/8/8/7/7');
    expect(layers[0]!.line).toBe(9);
  });

  it('the same values as the file are no what-if', () => {
    const view = presentEstimate('deepseek-v3.plens.yaml', analysed, { whatIf: { pp: 16, schedule: 'dualpipe', microBatchSize: 1 } });
    expect(view.whatIf).toBeUndefined();
  });
});

describe('file text stays data', () => {
  it('a GPU name that is HTML arrives verbatim in the assumptions and the problem, with no estimate', () => {
    const text = readFileSync('test/extension/data/hostile-gpu.plens.yaml', 'utf8');
    const analysed = analyseText({ text, fileName: 'hostile-gpu.plens.yaml' })!;
    const view = presentEstimate('hostile-gpu.plens.yaml', analysed);
    roundTrips(view);
    expect(view.assumptions.find((a) => a.field === 'cluster.gpu')?.value).toBe('<img src=x onerror=alert(1)>');
    expect(view.problems.some((p) => p.code === 'cluster/unknown-gpu' && p.message.includes('<img src=x onerror=alert(1)>'))).toBe(true);
    expect(view.figures).toEqual([]);
    expect(view.unavailable).toBe('"<img src=x onerror=alert(1)>" is not a GPU plens knows; run `plens catalog gpus` for the list');
    expect(view.memory).toBeUndefined();
  });

  it('a file without an estimate still lists its problems', () => {
    const view = buildEstimateView({ fileName: 'a/b.plens.yaml', format: 'plens-yaml', completion: undefined, result: undefined, problems: [{ severity: 'error', code: 'model/incomplete', message: 'the model lacks layers' }] });
    expect(view).toMatchObject({ fileName: 'b.plens.yaml', figures: [], unavailable: 'the model lacks layers', assumptions: [] });
    expect(view.designSummary).toBeUndefined();
  });
});

describe('memory warning fraction', () => {
  const estimateWith = (totalsGiB: number[]): Estimate => ({
    memory: { capacityBytes: 80 * GIB, peakBytes: Math.max(...totalsGiB) * GIB, stages: totalsGiB.map((t, stage) => ({ stage, totalBytes: t * GIB })) },
  }) as unknown as Estimate;

  it('warns on the fullest rank above the fraction that still fits', () => {
    // 0.9 × 80 GiB = 72 GiB: ranks of 75 and 78 GiB are above it, 85 GiB is over capacity (an error elsewhere).
    const problems = nearCapacity(estimateWith([60, 75, 78, 85]), 0.9);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'warning', code: 'memory/near-capacity', field: 'plan.pp' });
    expect(problems[0]!.message).toContain('pipeline rank 2 needs 78.0 of 80.0 GiB per GPU (98 % of HBM), above the 90 % warning threshold');
    expect(problems[0]!.message).toContain('and 1 more rank above it');
  });

  it('says nothing when every rank is under the fraction', () => {
    expect(nearCapacity(estimateWith([60, 71.9]), 0.9)).toEqual([]);
  });
});

describe('host memory in the panel', () => {
  const text = readFileSync('test/extension/data/deepseek-v3.plens.yaml', 'utf8');
  const offloading = analyseText({ text: `${text}offload:\n  optimizer: 1\n`, fileName: 'offload.plens.yaml' })!;

  it('shows the fullest host and each rank\'s host bytes when the design offloads its optimizer', () => {
    const estimate = offloading.estimate!.estimate!;
    const host = estimate.memory.host;
    expect(host.peakBytes).toBeGreaterThan(0);
    const view = presentEstimate('offload.plens.yaml', offloading);
    // H800 preset: 8 GPUs per host; the line is the CLI's, percent of the host's memory to one decimal.
    expect(view.memory!.hostText).toBe(`host memory ${formatGiB(host.peakBytes)} of ${formatGiB(host.capacityBytes)} per host of 8 GPUs (${formatPercent(host.peakBytes / host.capacityBytes, 1)}), over ${host.link}`);
    const ranks = view.memory!.ranks;
    expect(ranks).toHaveLength(estimate.memory.stages.length);
    ranks.forEach((rank, i) => expect(rank.hostText).toBe(formatGiB(estimate.memory.stages[i]!.host.totalBytes)));
    // Every GPU of a host sits on one pipeline rank (TP × CP = 1, DP 128 fills whole nodes), so the fullest host
    // holds 8 × the fullest rank's host bytes: 8 × 8.04 GiB of optimizer state and its gradient copy.
    const fullestRank = Math.max(...estimate.memory.stages.map((m) => m.host.totalBytes));
    expect(host.peakBytes).toBe(8 * fullestRank);
    expect(view.memory!.hostText).toBe('host memory 64.3 GiB of 2050 GiB per host of 8 GPUs (3.1%), over PCIe 5.0');
    expect(ranks[1]!.hostText).toBe('7.03 GiB');
    roundTrips(view);
  });

  it('says nothing about the host when nothing is offloaded', () => {
    const view = presentEstimate('deepseek-v3.plens.yaml', analyseData('deepseek-v3.plens.yaml'));
    expect(view.memory!.hostText).toBeUndefined();
    expect(view.memory!.ranks.every((rank) => rank.hostText === undefined)).toBe(true);
  });
});
