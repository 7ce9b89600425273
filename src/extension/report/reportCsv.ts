// The panel's Export as CSV: the estimate's tables exactly as `plens estimate --csv` writes them (src/estimateTables.ts),
// then the panel's own: problems, where each value came from, the schedule comparison and a side-by-side
// comparison, all in the long form `table,row,column,value` (CONTRACT.md "CSV"). Pure.
import type { Estimate } from '../../model/estimate';
import type { EstimateComparison, EstimateView, ScheduleComparisonMessage } from '../../protocol';
import { estimateTables, problemsTable, tablesCsv, type Table } from '../../estimateTables';

export interface ReportCsvInput {
  /** The estimate the panel shows (the what-if's when one is tried), or null without one. */
  estimate: Estimate | null;
  view: EstimateView;
  schedules?: ScheduleComparisonMessage;
  comparison?: EstimateComparison;
}

export function panelTables(input: ReportCsvInput): Table[] {
  const tables = input.estimate ? estimateTables(input.estimate) : [];
  tables.push(problemsTable(input.view.problems));
  tables.push({
    name: 'origins',
    header: ['field', 'label', 'value', 'from', 'from_text'],
    rows: input.view.assumptions.map((a) => [a.field, a.label, a.value, a.from, a.fromText]),
  });
  const schedules = input.schedules?.rows ?? [];
  if (schedules.length > 0) {
    tables.push({
      name: 'schedules',
      header: ['schedule', 'current', 'step_seconds', 'makespan_seconds', 'bubble_seconds', 'bubble_fraction', 'peak_activation_bytes', 'peak_in_flight', 'peak_bytes', 'hbm_bytes', 'reason'],
      rows: schedules.map((row) => {
        const f = row.figures;
        return f
          ? [row.schedule, row.current, f.stepSeconds, f.makespanSeconds, f.bubbleSeconds, f.bubbleFraction, f.peakActivationBytes, f.peakInFlight, f.peakBytes, f.capacityBytes, '']
          : [row.schedule, row.current, '', '', '', '', '', '', '', '', row.reason ?? ''];
      }),
    });
  }
  const comparison = input.comparison;
  if (comparison) {
    // The comparison's rows are for people (its two sides may be different files); its raw figures are each side's own.
    tables.push({
      name: 'comparison',
      header: ['item', 'label', 'a', 'b', 'delta', 'percent', 'verdict'],
      rows: [
        ['title', 'title', comparison.left.title, comparison.right.title, '', '', ''],
        ...[...comparison.figures, ...comparison.settings].map((r) => [r.id, r.label, r.left, r.right, r.deltaText, r.percentText, r.verdict]),
      ],
    });
  }
  return tables;
}

export function reportCsv(input: ReportCsvInput): string {
  return tablesCsv(panelTables(input));
}
