// `plens compare`: several schedules side by side for one PP and micro-batch count, with the same per-chunk costs.
import { parseScheduleId, SCHEDULE_IDS, SCHEDULE_LABELS } from '../../model/schedule/index';
import { runScheduleReport, type ScheduleReport } from '../../model/schedule/report';
import type { ScheduleId } from '../../model/design';
import { parseArgs } from '../args';
import { csv } from '../csv';
import { formatNumber, table, tablePercent } from '../format';
import { UsageError, type CliIo } from '../io';
import { PIPELINE_FLAGS, pipelineFlags } from '../scheduleFlags';

export const COMPARE_USAGE = `plens compare --pp P --microbatches M [--schedules ID,ID,...] [--chunks V] [--f T] [--b T] [--w T] [--fb T] [--p2p T] [--json | --csv]`;

// Parameters held per device, relative to 1F1B on the same devices (DESIGN.md §3).
const PARAMETER_COPIES: Record<ScheduleId, number> = {
  gpipe: 1, '1f1b': 1, 'interleaved-1f1b': 1, 'zb-h1': 1, 'zb-h2': 1, zbv: 1, dualpipe: 2, dualpipev: 1,
};

export async function runCompare(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['schedules', ...PIPELINE_FLAGS], switches: ['json', 'csv'] });
  if (args.switches.has('json') && args.switches.has('csv')) throw new UsageError('--json and --csv are two outputs; pick one');
  const { pp, microbatches, chunks, costs } = pipelineFlags(args);
  const { F, B, W, FB, p2p } = costs;
  const names = (args.values.get('schedules') ?? '1f1b,zb-h1,dualpipe').split(',').map((name) => name.trim()).filter(Boolean);
  const ids = names.map((name) => {
    const id = parseScheduleId(name);
    if (!id) throw new UsageError(`unknown schedule "${name}": use one of ${SCHEDULE_IDS.join(', ')}`);
    return id;
  });

  const rows: { id: ScheduleId; report?: ScheduleReport; error?: string }[] = ids.map((id) => {
    const result = runScheduleReport({ schedule: id, pp, microbatches, chunks, costs: { F, B, W, FB, p2p }, includeOps: false });
    return result.ok ? { id, report: result.report } : { id, error: result.error.message };
  });

  if (args.switches.has('json')) {
    io.stdout(JSON.stringify({ pp, microbatches, costs: { F, B, W, FB, p2p }, schedules: rows.map((row) => row.report ?? { schedule: row.id, error: row.error }) }, null, 2) + '\n');
    return 0;
  }
  if (args.switches.has('csv')) {
    // Times in the unit of the cost flags; a schedule that cannot run the shape has empty figures and its reason.
    io.stdout(csv(
      ['schedule', 'pp', 'microbatches', 'makespan', 'bubble', 'bubble_fraction', 'closed_form_bubble', 'closed_form_holds', 'peak_activations', 'parameter_copies', 'error'],
      rows.map(({ id, report, error }) => {
        if (!report) return [id, pp, microbatches, '', '', '', '', '', '', PARAMETER_COPIES[id], error ?? ''];
        const bubble = Math.max(...report.ranks.map((rank) => rank.idleVsMakespan));
        const peak = Math.max(...report.ranks.map((rank) => rank.peakActivations));
        return [id, pp, microbatches, report.makespan, bubble, report.makespan > 0 ? bubble / report.makespan : 0, report.closedForm.bubble, report.closedForm.holds, peak, PARAMETER_COPIES[id], ''];
      }),
    ));
    return 0;
  }
  io.stdout(`PP=${pp}  micro-batches=${microbatches}  costs per chunk F=${formatNumber(F)} B=${formatNumber(B)} W=${formatNumber(W)} F&B=${formatNumber(FB)} p2p=${formatNumber(p2p)}\n\n`);
  io.stdout(table(
    ['schedule', 'makespan', 'bubble', 'bubble %', 'closed form', 'peak activations', 'params/device'],
    rows.map(({ id, report, error }) => {
      if (!report) return [SCHEDULE_LABELS[id], `not possible: ${error}`];
      const bubble = Math.max(...report.ranks.map((rank) => rank.idleVsMakespan));
      const peak = Math.max(...report.ranks.map((rank) => rank.peakActivations));
      const formula = `${report.closedForm.formula} = ${formatNumber(report.closedForm.bubble)}${report.closedForm.holds ? '' : ' (not exact)'}`;
      return [SCHEDULE_LABELS[id], formatNumber(report.makespan), formatNumber(bubble), tablePercent(bubble / report.makespan), formula, String(peak), `${PARAMETER_COPIES[id]}×`];
    }),
  ));
  io.stdout('\nbubble = the largest per-rank idle time against the makespan; peak activations in (micro-batch, chunk) units.\n');
  return 0;
}
