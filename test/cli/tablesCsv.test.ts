// The long-form CSV of an estimate's tables (src/estimateTables.ts), as plens estimate --csv and the panel's Export
// write it, and plens compare --csv.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo, UsageError } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { estimateTables, problemsTable, tablesCsv } from '../../src/estimateTables';
import { analyseText } from '../../src/extension/analysis/pipeline';

const MIXTRAL = 'examples/mixtral-8x7b.plens.yaml';

/** Parses our own CSV (no quoted line breaks in these tables) into cells keyed by table, row and column. */
function cells(text: string): Map<string, string> {
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('table,row,column,value');
  return new Map(lines.slice(1).map((line) => {
    const [table, row, column, ...value] = line.split(',');
    return [`${table}/${row}/${column}`, value.join(',')];
  }));
}

describe('estimateTables and tablesCsv', () => {
  const analysed = analyseText({ text: readFileSync(MIXTRAL, 'utf8'), fileName: MIXTRAL })!;
  const estimate = analysed.estimate!.estimate!;

  it('writes one line per cell, raw SI values, every stage, rank and dimension', () => {
    const read = cells(tablesCsv(estimateTables(estimate)));
    expect(Number(read.get('figures/step_seconds/value'))).toBe(estimate.stepTimeSeconds);
    expect(Number(read.get('figures/peak_bytes/value'))).toBe(estimate.memory.peakBytes);
    expect(Number(read.get(`memory/${estimate.memory.stages.length - 1}/total_bytes`))).toBe(estimate.memory.stages.at(-1)!.totalBytes);
    expect(Number(read.get('traffic/ep/ib_bytes_per_gpu_per_step'))).toBe(estimate.traffic.perGpuPerStep.ep.ibBytes);
    expect(read.get('stages/0/embedding')).toBe('true');
  });

  it('gives a breakdown whose seconds sum to the step and whose fractions sum to one', () => {
    const breakdown = estimateTables(estimate).find((table) => table.name === 'breakdown')!;
    const seconds = breakdown.rows.reduce((sum, row) => sum + Number(row[1]), 0);
    const fractions = breakdown.rows.reduce((sum, row) => sum + Number(row[2]), 0);
    expect(seconds).toBeCloseTo(estimate.breakdown.totalSeconds, 9);
    expect(fractions).toBeCloseTo(1, 9);
  });

  it('numbers problems and quotes their messages', () => {
    const text = tablesCsv([problemsTable([{ severity: 'warning', code: 'x/y', message: 'a, "b"', line: 3 }])]);
    expect(text).toBe('table,row,column,value\r\nproblems,1,severity,warning\r\nproblems,1,code,x/y\r\nproblems,1,line,3\r\nproblems,1,message,"a, ""b"""\r\n');
  });
});

describe('plens estimate --csv', () => {
  const io = () => memoryIo({ [MIXTRAL]: readFileSync(MIXTRAL, 'utf8') });

  it('prints the tables of the estimate and its problems', async () => {
    const out = io();
    expect(await runEstimate([MIXTRAL, '--csv'], out)).toBe(0);
    const json = io();
    await runEstimate([MIXTRAL, '--json'], json);
    const estimate = JSON.parse(json.out).estimate;
    const read = cells(out.out);
    expect(Number(read.get('figures/step_seconds/value'))).toBe(estimate.stepTimeSeconds);
    expect(read.get('problems/1/code')).toBe(JSON.parse(json.out).problems[0].code);
  });

  it('refuses two outputs or two files', async () => {
    await expect(runEstimate([MIXTRAL, '--csv', '--json'], io())).rejects.toThrow(UsageError);
    await expect(runEstimate([MIXTRAL, MIXTRAL, '--csv'], io())).rejects.toThrow(/one FILE/);
  });
});

describe('plens compare --csv', () => {
  it('gives one row per schedule with the JSON\'s figures, and the reason for one that cannot run', async () => {
    const out = memoryIo();
    expect(await main(['compare', '--pp', '8', '--microbatches', '20', '--schedules', '1f1b,dualpipe,zbv', '--csv'], out)).toBe(0);
    const lines = out.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe('schedule,pp,microbatches,makespan,bubble,bubble_fraction,closed_form_bubble,closed_form_holds,peak_activations,parameter_copies,error');
    // (p−1)(F+B) = 21 and (p/2−1)(F&B+B−3W) = 6 at F=1, B=2, W=1, F&B=3.
    expect(lines[1]).toMatch(/^1f1b,8,20,81,21,/);
    expect(lines[2]).toMatch(/^dualpipe,8,20,66,6,.*,2,$/);
    const odd = memoryIo();
    await main(['compare', '--pp', '7', '--microbatches', '20', '--schedules', 'dualpipe', '--csv'], odd);
    expect(odd.out.trimEnd().split('\r\n')[1]).toMatch(/^dualpipe,7,20,,,,,,,2,.*even/);
  });
});
