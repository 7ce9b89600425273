// Editor latency (issue 12), in this process on every fixture a reader recognises and every example:
// - per-edit analysis: analyseText (src/extension/analysis/pipeline.ts), what the editor runs on each debounced change —
//   read, complete, estimate, problems — with no settings, workspace layer or model files;
// - hover: the pure part of ConfigHover.hoverAt (src/extension/editor/hover.ts) on each field the file states —
//   compareNeighbours (the neighbour estimates) where the field has neighbours, then hoverMarkdown. Not timed: the
//   smallest-span lookup of the field under the cursor, VS Code's MarkdownString and its rendering.
// p50 and p95 over all samples of all files, and over the largest fixture's own samples.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../src/config/index';
import { MAX_NESTING } from '../src/config/draft/nesting';
import { hoverMarkdown } from '../src/extension/editor/hoverText';
import { analyseText, EDITOR_CUTOFF_CHARS, MAX_EDITOR_OPS, type EditorFormat } from '../src/extension/analysis/pipeline';
import { compareNeighbours, comparesNeighbours, scheduleOps } from '../src/extension/analysis/whatIf';
import { deepConfig, largeConfig } from './largeConfigs';
import type { BenchRow } from './measure';

const ANALYSIS_RUNS = 20;
const HOVER_RUNS = 3;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

interface FileSamples {
  analysisMs: number[];
  hoverMs: number[];
  /** Whether the file gave an estimate: without one a hover compares no neighbours, so it is cheap. */
  estimated: boolean;
}

function sampleFile(path: string, text: string): FileSamples {
  // Alternate two texts so the readers' last-parse cache does not answer (as a real edit changes the text).
  const texts = [text, `${text}\n`];
  const fileName = path.split('/').pop()!;
  analyseText({ text, fileName });
  const analysisMs: number[] = [];
  for (let i = 0; i < ANALYSIS_RUNS; i++) analysisMs.push(timed(() => analyseText({ text: texts[i % 2]!, fileName })));
  const analysed = analyseText({ text, fileName });
  const hoverMs: number[] = [];
  if (!analysed) return { analysisMs, hoverMs, estimated: false };
  const design = analysed.completion?.design;
  const estimate = analysed.estimate?.estimate ?? null;
  const reason = analysed.problems.find((p) => p.severity === 'error')?.message;
  for (let run = 0; run < HOVER_RUNS; run++) {
    for (const [field, ranges] of analysed.read.sourceMap) {
      hoverMs.push(timed(() => {
        const variants = design && estimate && comparesNeighbours(field) ? compareNeighbours(design, field, estimate) : [];
        hoverMarkdown({
          field,
          writtenText: ranges.value ? text.slice(ranges.value.startOffset, ranges.value.endOffset) : undefined,
          design,
          origin: analysed.completion?.origins[field],
          estimate,
          ...(estimate || !reason ? {} : { noEstimateReason: reason }),
          variants,
        });
      }));
    }
  }
  return { analysisMs, hoverMs, estimated: estimate !== null };
}

export function benchEditor(): BenchRow[] {
  const inputs = [...files('test/fixtures'), ...files('examples')]
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
    .filter((file) => readConfig(file.text, file.path) !== undefined);
  const sampled = inputs.map((file) => ({ ...file, ...sampleFile(file.path, file.text) }));
  const bySize = sampled.filter((file) => file.path.startsWith('test/fixtures')).sort((a, b) => b.text.length - a.text.length);
  // The largest fixture, and the largest that gives an estimate (whose hovers estimate their neighbours).
  const largest = [bySize[0]!, bySize.find((file) => file.estimated)!].filter((file, i, both) => file && both.indexOf(file) === i);
  const all = (key: 'analysisMs' | 'hoverMs') => sampled.flatMap((file) => file[key]);
  const rows: BenchRow[] = [
    { name: `editor: files timed (fixtures + examples)`, value: sampled.length, unit: 'files' },
    { name: '  per-edit analysis p50, all files', value: percentile(all('analysisMs'), 0.5), unit: 'ms' },
    { name: '  per-edit analysis p95, all files', value: percentile(all('analysisMs'), 0.95), unit: 'ms' },
    { name: '  hover (pure part) p50, every stated field of all files', value: percentile(all('hoverMs'), 0.5), unit: 'ms' },
    { name: '  hover (pure part) p95, every stated field of all files', value: percentile(all('hoverMs'), 0.95), unit: 'ms' },
  ];
  for (const file of largest) {
    const label = `${file.path.split('/').pop()} (${(file.text.length / 1024).toFixed(1)} KB, ${file.estimated ? 'estimated' : 'no estimate'})`;
    rows.push(
      { name: `  per-edit analysis p50, ${label}`, value: percentile(file.analysisMs, 0.5), unit: 'ms' },
      { name: `  per-edit analysis p95, ${label}`, value: percentile(file.analysisMs, 0.95), unit: 'ms' },
      { name: `  hover (pure part) p50, ${label}`, value: percentile(file.hoverMs, 0.5), unit: 'ms' },
      { name: `  hover (pure part) p95, ${label}`, value: percentile(file.hoverMs, 0.95), unit: 'ms' },
    );
  }
  return rows;
}

const CUTOFF_RUNS = 21;

/** Wall and CPU milliseconds of each run: on a shared machine the thread's own CPU time is the steadier figure. */
function analysisSamples(fileName: string, text: string, runs: number): { wallMs: number[]; cpuMs: number[] } {
  const texts = [text, `${text}\n`];
  // Warm: the first runs of a reader compile it, which an editor pays once, not on every edit.
  for (let i = 0; i < 8; i++) analyseText({ text: `${text} `, fileName });
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = process.cpuUsage();
    wallMs.push(timed(() => analyseText({ text: texts[i % 2]!, fileName })));
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  return { wallMs, cpuMs };
}

/**
 * The frame claim of the editor's cut-offs (DESIGN.md §7): the whole per-edit analysis of a file just under each
 * format's cut-off, of one nesting just under the readers' limit, and of the largest schedule the editor estimates.
 */
export function benchEditorCutoffs(): BenchRow[] {
  const rows: BenchRow[] = [{ name: `editor cut-off: load average (1 min) while measured`, value: loadavg()[0]!, unit: '' }];
  for (const format of Object.keys(EDITOR_CUTOFF_CHARS) as EditorFormat[]) {
    const cutoff = EDITOR_CUTOFF_CHARS[format];
    // Grown to just under the cut-off: every block of more content is under 512 characters.
    const { fileName, text } = largeConfig(format, cutoff - 512);
    const result = analyseText({ text, fileName });
    if (!result || text.length > cutoff || result.problems.some((p) => /^(input|reader)\//.test(p.code))) throw new Error(`${format} at its cut-off was not read: ${result?.problems.map((p) => p.code).join(', ')}`);
    const samples = analysisSamples(fileName, text, CUTOFF_RUNS);
    const label = `${format} at ${(text.length / 1024).toFixed(0)} KiB (cut-off ${cutoff / 1024} KiB)`;
    rows.push(
      { name: `  analysis CPU p50, ${label}`, value: percentile(samples.cpuMs, 0.5), unit: 'ms' },
      { name: `  analysis CPU p95, ${label}`, value: percentile(samples.cpuMs, 0.95), unit: 'ms' },
      { name: `  analysis wall p50, ${label}`, value: percentile(samples.wallMs, 0.5), unit: 'ms' },
      { name: `  analysis wall p95, ${label}`, value: percentile(samples.wallMs, 0.95), unit: 'ms' },
    );
    // Just under the readers' nesting limit, or as deep as the format's cut-off lets a file go (indented YAML
    // reaches its cut-off first): deeper files never reach the reader in the editor.
    let depth = MAX_NESTING - 1;
    let deep = deepConfig(format, depth);
    while (deep.text.length > cutoff && depth > 1) deep = deepConfig(format, --depth);
    const deepSamples = analysisSamples(deep.fileName, deep.text, CUTOFF_RUNS);
    rows.push({ name: `  analysis CPU p50, ${format} nested ${depth} deep (${(deep.text.length / 1024).toFixed(1)} KiB)`, value: percentile(deepSamples.cpuMs, 0.5), unit: 'ms' });
  }
  // The largest schedule the editor still estimates: 16 ranks × 2 chunks × 3 ops × 31 008 micro-batches.
  const text = 'model: llama3-8b\ncluster: {gpu: H100, nodes: 16}\nparallel:\n  tp: 8\n  pp: 16\nschedule: {name: interleaved-1f1b, chunks: 2}\ntraining: {globalBatchSize: 31008, microBatchSize: 1}\n';
  const design = analyseText({ text, fileName: 'budget.plens.yaml' })?.completion?.design;
  const ops = design ? scheduleOps(design.plan) : 0;
  if (!design || ops > MAX_EDITOR_OPS) throw new Error(`the budget case is not under the op budget (${ops} ops)`);
  const budget = analysisSamples('budget.plens.yaml', text, 5);
  rows.push({ name: `  analysis CPU p50, largest estimated schedule (${(ops / 1e6).toFixed(2)} M of ${MAX_EDITOR_OPS / 1e6} M ops)`, value: percentile(budget.cpuMs, 0.5), unit: 'ms' });
  return rows;
}
