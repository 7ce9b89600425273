// plens estimate / trace / catalog / search run in-process on the bundled examples.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCatalog } from '../../src/cli/commands/catalog';
import { describeEstimate, runEstimate } from '../../src/cli/commands/estimate';
import { runSearch } from '../../src/cli/commands/search';
import { runTrace } from '../../src/cli/commands/trace';
import { memoryIo, UsageError } from '../../src/cli/io';
import { analyseText } from '../../src/extension/analysis/pipeline';
import { formatBytes, formatGiB, formatPercent, formatQuantity, formatSeconds } from '../../src/format';
import type { Estimate } from '../../src/model/estimate';

const DSV3 = 'examples/deepseek-v3.plens.yaml';
const MIXTRAL = 'examples/mixtral-8x7b.plens.yaml';

function io() {
  return memoryIo({ [DSV3]: readFileSync(DSV3, 'utf8'), [MIXTRAL]: readFileSync(MIXTRAL, 'utf8') });
}

describe('plens estimate', () => {
  it('prints one JSON document with the contract fields', async () => {
    const out = io();
    const code = await runEstimate([DSV3, '--json'], out);
    const json = JSON.parse(out.out);
    expect(json.file).toBe(DSV3);
    expect(json.format).toBe('plens-yaml');
    expect(json.design.plan).toMatchObject({ tp: 1, pp: 16, ep: 64, dp: 128, schedule: 'dualpipe', nodeLimit: 4 });
    expect(json.design.cluster).toMatchObject({ gpu: 'H800', worldSize: 2048 });
    expect(json.origins['plan.pp']).toMatchObject({ from: 'file', line: 12, column: 7 });
    for (const key of ['stepTimeSeconds', 'tokensPerSecond', 'tflopsPerGpu', 'mfu', 'gpuHoursPerTrillionTokens']) {
      expect(typeof json.estimate[key]).toBe('number');
    }
    for (const d of ['tp', 'ep', 'pp', 'dp', 'cp']) expect(json.estimate.traffic.perGpuPerStep[d]).toHaveProperty('ibBytes');
    expect(json.estimate.stages).toHaveLength(16);
    expect(json.estimate.memory.stages[0]).toHaveProperty('activationsBytes');
    // Exit 0 when every file was estimated (problems are listed, `plens check` judges them).
    expect(code).toBe(0);
  });

  it('lets flags override the file', async () => {
    const out = io();
    await runEstimate([DSV3, '--json', '--schedule', '1F1B'], out);
    expect(JSON.parse(out.out).design.plan.schedule).toBe('1f1b');
  });

  it('prints an array for several files and aligned tables for people', async () => {
    const out = io();
    await runEstimate([DSV3, MIXTRAL, '--json'], out);
    expect(JSON.parse(out.out)).toHaveLength(2);
    const text = io();
    await runEstimate([MIXTRAL], text);
    expect(text.out).toMatch(/step time\s+\d/);
    expect(text.out).toMatch(/GPU-hours per 1T tokens/);
  });

  it('prints each figure as the editor does, percentages with one decimal more than the status bar', async () => {
    const json = io();
    await runEstimate([MIXTRAL, '--json'], json);
    const e = (JSON.parse(json.out) as { estimate: Estimate }).estimate;
    const text = io();
    await runEstimate([MIXTRAL], text);
    const row = (figure: string) => new RegExp(`^${figure}\\s+(.+)$`, 'm').exec(text.out)?.[1];
    expect(row('step time')).toBe(formatSeconds(e.stepTimeSeconds));
    expect(row('tokens/s')).toBe(formatQuantity(e.tokensPerSecond));
    expect(row('IB per token')).toBe(formatBytes(e.traffic.ibBytesPerToken));
    expect(row('peak memory')).toBe(`${formatGiB(e.memory.peakBytes)} of ${formatGiB(e.memory.capacityBytes)} (${formatPercent(e.memory.peakBytes / e.memory.capacityBytes, 1)})`);
    const mfu = row('MFU')!;
    expect(mfu).toMatch(/^\d+(\.\d)?%$/);
    expect(Math.abs(Number.parseFloat(mfu) - e.mfu * 100)).toBeLessThanOrEqual(0.05);
    // The editor's example: 1500 s is "25 min" in the status bar, and so in the terminal.
    const long = describeEstimate({ ...e, stepTimeSeconds: 1500, mfu: 0.41234 });
    expect(long).toMatch(/^step time\s+25 min$/m);
    expect(long).toMatch(/^MFU\s+41\.2%$/m);
  });

  it('turns a missing file and an unknown schedule into usage errors', async () => {
    await expect(runEstimate(['nope.plens.yaml'], io())).rejects.toBeInstanceOf(UsageError);
    await expect(runEstimate([DSV3, '--schedule', 'warp'], io())).rejects.toThrow(/unknown schedule/);
    await expect(runEstimate([], io())).rejects.toBeInstanceOf(UsageError);
  });

  it('reports an unknown GPU as a problem, not a crash', async () => {
    const out = io();
    const code = await runEstimate([DSV3, '--gpu', 'Z9000', '--json'], out);
    const json = JSON.parse(out.out);
    expect(json.estimate).toBeNull();
    expect(json.problems.some((p: { severity: string }) => p.severity === 'error')).toBe(true);
    expect(code).toBe(1);
  });
});

describe('plens trace', () => {
  it('writes Chrome trace events, one process per pipeline rank', async () => {
    const out = io();
    expect(await runTrace([MIXTRAL, '--out', 'trace.json'], out)).toBe(0);
    const trace = JSON.parse(out.files['trace.json']!);
    const ops = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    expect(new Set(ops.map((e: { pid: number }) => e.pid))).toEqual(new Set([0, 1, 2, 3]));
    expect(ops.some((e: { name: string }) => e.name === 'F mb3 c0')).toBe(true);
    // Micro-seconds: a forward of a 4096-token micro-batch takes milliseconds, not micro-seconds.
    expect(ops[0].dur).toBeGreaterThan(1000);
  });

  it('needs --out', async () => {
    await expect(runTrace([MIXTRAL], io())).rejects.toThrow(/--out/);
  });
});

describe('plens catalog', () => {
  it('lists GPUs and models with sources', async () => {
    const out = io();
    await runCatalog(['--json'], out);
    const json = JSON.parse(out.out);
    expect(json.gpus.find((g: { id: string }) => g.id === 'H800').source).toMatch(/DeepSeek/);
    expect(json.models.some((m: { id: string }) => m.id === 'deepseek-v3')).toBe(true);
    const text = io();
    await runCatalog(['gpus'], text);
    expect(text.out).toMatch(/H800/);
    expect(text.out).not.toMatch(/deepseek-v3:/);
  });
});

describe('plens search', () => {
  it('returns feasible layouts ranked by step time, every layout of the space covered', async () => {
    const out = io();
    await runSearch([MIXTRAL, '--json', '--top', '3'], out);
    const json = JSON.parse(out.out);
    expect(json.status).toBe('complete');
    expect(json.evaluated).toBeGreaterThan(0);
    expect(json.evaluated + json.pruned).toBe(json.space);
    expect(json.results.length).toBeLessThanOrEqual(3);
    const times = json.results.map((r: { estimate: { stepTimeSeconds: number } }) => r.estimate.stepTimeSeconds);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const r of json.results) expect(r.plan.tp * r.plan.cp * r.plan.pp * r.plan.dp).toBe(64);
  });
});

describe('plens search --apply', () => {
  it('prints the diff that writes a result row into the file and changes nothing without --write', async () => {
    const out = io();
    const before = out.files[MIXTRAL];
    await runSearch([MIXTRAL, '--top', '3', '--budget', '3', '--apply', '1'], out);
    expect(out.out).toMatch(/Layout #1 in examples\/mixtral-8x7b\.plens\.yaml:\n(--- |\(no change)/);
    expect(out.out).toMatch(/dry run: add --write|nothing written/);
    expect(out.files[MIXTRAL]).toBe(before);
  });

  it('writes the row with --write: reading the file again gives that layout', async () => {
    const out = io();
    await runSearch([MIXTRAL, '--json', '--top', '3', '--budget', '3', '--apply', '1', '--write'], out);
    const json = JSON.parse(out.out);
    const chosen = json.results[0].plan;
    const again = io();
    again.files[MIXTRAL] = out.files[MIXTRAL]!;
    await runEstimate([MIXTRAL, '--json'], again);
    const plan = JSON.parse(again.out).design.plan;
    const left = new Set(json.apply.remaining.map((r: { field: string }) => r.field));
    for (const field of ['tp', 'pp', 'vpp', 'cp', 'ep', 'dp', 'zero', 'schedule', 'microBatchSize', 'recompute']) {
      if (!left.has(field)) expect(plan[field], field).toEqual(chosen[field]);
    }
    expect(json.apply.wrote).toBe(json.apply.written.length > 0);
  });

  it('refuses --write without --apply and a row past the results', async () => {
    await expect(runSearch([MIXTRAL, '--write'], io())).rejects.toThrow(UsageError);
    await expect(runSearch([MIXTRAL, '--top', '1', '--budget', '1', '--apply', '10000000'], io())).rejects.toThrow(/--apply 10000000/);
  });
});

describe('plens and the editor report the same problems', () => {
  it('warns that the DeepSeek-V3 example peaks near the HBM, as the editor does at its default threshold', async () => {
    const out = io();
    await runEstimate([DSV3, '--json'], out);
    const json = JSON.parse(out.out);
    const cli = json.problems.map((p: { code: string }) => p.code).sort();
    const editor = analyseText({ text: readFileSync(DSV3, 'utf8'), fileName: DSV3, memoryWarningFraction: 0.9, bubbleWarningFraction: 0.1 })!;
    expect(cli).toContain('memory/near-capacity');
    expect(cli).toEqual(editor.problems.map((p) => p.code).sort());
  });
});

describe('plens search --csv', () => {
  it('writes one CSV row per result with raw SI values, quoting what needs it', async () => {
    const out = io();
    await runSearch([MIXTRAL, '--csv', '--top', '3', '--budget', '3'], out);
    const lines = out.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe('rank,tp,cp,pp,vpp,ep,dp,zero,schedule,micro_batch_size,recompute,step_seconds,mfu,bubble_fraction,peak_bytes,hbm_bytes,ib_bytes_per_token,pipeline_layout');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(4);
    const first = lines[1]!.split(',');
    expect(first[0]).toBe('1');
    expect(Number(first.at(-6))).toBeGreaterThan(0);
    expect(first.at(-1)).toMatch(/^E.*L$/);
    await expect(runSearch([MIXTRAL, '--csv', '--json'], io())).rejects.toThrow(UsageError);
  });
});
