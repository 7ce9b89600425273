// An estimate's tables as raw rows (SI units named in the columns: seconds, bytes, fractions), for CSV: the
// panel's Export and `plens estimate --csv` write the same tables, so a spreadsheet reads both the same way
// (CONTRACT.md "CSV"). Pure; no `vscode`, no Node.
import type { Estimate } from './model/estimate';
import { waterfallRows } from './model/stepBreakdown';
import { csv } from './csv';

export type CsvValue = string | number | boolean;

/** One table: its name, column names (the first names the row key) and rows. */
export interface Table {
  name: string;
  header: string[];
  rows: CsvValue[][];
}

const DIMENSIONS = ['tp', 'cp', 'ep', 'pp', 'dp'] as const;

/** figures, stages, memory, traffic and breakdown, in that order. */
export function estimateTables(e: Estimate): Table[] {
  const figures: Table = {
    name: 'figures',
    header: ['figure', 'value'],
    rows: [
      ['step_seconds', e.stepTimeSeconds],
      ['tokens_per_second', e.tokensPerSecond],
      ['tflops_per_gpu', e.tflopsPerGpu],
      ['mfu', e.mfu],
      ['gpu_hours_per_trillion_tokens', e.gpuHoursPerTrillionTokens],
      ['bubble_seconds', e.bubble.seconds],
      ['bubble_fraction', e.bubble.fraction],
      ['bubble_closed_form_seconds', e.bubble.closedFormSeconds],
      ['peak_bytes', e.memory.peakBytes],
      ['hbm_bytes', e.memory.capacityBytes],
      ['ib_bytes_per_token', e.traffic.ibBytesPerToken],
      ['exposed_comm_seconds', e.traffic.exposedCommSeconds],
      ['compute_to_comm_ratio', e.traffic.computeToCommRatio ?? ''],
    ],
  };
  const stages: Table = {
    name: 'stages',
    header: ['stage', 'layers', 'first_layer', 'embedding', 'loss', 'mtp_layers', 'forward_seconds', 'backward_seconds', 'weight_seconds', 'overlapped_pair_seconds'],
    rows: e.stages.map((s) => [s.stage, s.layers, s.firstLayer, s.embedding, s.loss, s.mtpLayers, s.F, s.B, s.W, s.FB]),
  };
  const memory: Table = {
    name: 'memory',
    header: ['rank', 'parameters_bytes', 'gradients_bytes', 'optimizer_bytes', 'activations_bytes', 'recompute_bytes', 'other_bytes', 'total_bytes', 'host_bytes'],
    rows: e.memory.stages.map((m) => [m.stage, m.parametersBytes, m.gradientsBytes, m.optimizerBytes, m.activationsBytes, m.transientBytes, m.otherBytes, m.totalBytes, m.host.totalBytes]),
  };
  const traffic: Table = {
    name: 'traffic',
    header: ['dimension', 'nvlink_bytes_per_gpu_per_step', 'ib_bytes_per_gpu_per_step'],
    rows: DIMENSIONS.map((d) => [d, e.traffic.perGpuPerStep[d].nvlinkBytes, e.traffic.perGpuPerStep[d].ibBytes]),
  };
  const breakdown: Table = {
    name: 'breakdown',
    header: ['part', 'seconds', 'fraction_of_step'],
    rows: waterfallRows(e.breakdown).map(({ id, seconds }) => [id, seconds, e.breakdown.totalSeconds > 0 ? seconds / e.breakdown.totalSeconds : 0]),
  };
  return [figures, stages, memory, traffic, breakdown];
}

/** Problems as a table (the panel's list, plens' problems), numbered in their order. */
export function problemsTable(problems: readonly { severity: string; code: string; message: string; line?: number }[]): Table {
  return { name: 'problems', header: ['index', 'severity', 'code', 'line', 'message'], rows: problems.map((p, index) => [index + 1, p.severity, p.code, p.line ?? '', p.message]) };
}

/**
 * Several tables in one CSV, long form: one line per cell, `table,row,column,value`, so tables of different widths
 * share a file and a pivot table rebuilds any of them.
 */
export function tablesCsv(tables: readonly Table[]): string {
  const rows: CsvValue[][] = [];
  for (const table of tables) {
    for (const row of table.rows) {
      const key = row[0] ?? '';
      for (let column = 1; column < table.header.length; column++) rows.push([table.name, key, table.header[column] ?? '', row[column] ?? '']);
    }
  }
  return csv(['table', 'row', 'column', 'value'], rows);
}
