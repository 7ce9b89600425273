// `plens schedule`: generate and simulate one schedule in isolation (CONTRACT.md).
import { OP_B, OP_F, OP_FB, OP_I, OP_W, parseScheduleId, scheduleOpBound, SCHEDULE_IDS, SCHEDULE_LABELS, type Schedule, type Timeline } from '../../model/schedule/index';
import { runScheduleReport, type ScheduleReport } from '../../model/schedule/report';
import { chromeTrace } from '../../model/trace';
import { parseArgs } from '../args';
import { formatNumber, table } from '../format';
import { UsageError, type CliIo } from '../io';
import { PIPELINE_FLAGS, pipelineFlags } from '../scheduleFlags';

export const SCHEDULE_USAGE = `plens schedule --schedule ID --pp P --microbatches M [--chunks V] [--f T] [--b T] [--w T] [--fb T] [--p2p T]
               [--json] [--summary] [--trace OUT.json]
  ID: ${SCHEDULE_IDS.join(', ')}`;

/** Ops a --json or --trace may list: each is about 80 bytes of JSON, and a string past ~500 MB cannot exist. */
const MAX_LISTED_OPS = 1_000_000;
const BYTES_PER_LISTED_OP = 80;

export async function runSchedule(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['schedule', 'trace', ...PIPELINE_FLAGS], switches: ['json', 'summary'] });
  const scheduleText = args.values.get('schedule');
  if (scheduleText === undefined) throw new UsageError('--schedule is required (one of ' + SCHEDULE_IDS.join(', ') + ')');
  const schedule = parseScheduleId(scheduleText);
  if (!schedule) throw new UsageError(`unknown schedule "${scheduleText}": use one of ${SCHEDULE_IDS.join(', ')}`);
  const { pp, microbatches, chunks, costs } = pipelineFlags(args);
  const summary = args.switches.has('summary');

  const tracePath = args.values.get('trace');
  const listsOps = (args.switches.has('json') && !summary) || tracePath !== undefined;
  const opBound = scheduleOpBound(schedule, { ranks: pp, microbatches, chunks });
  if (listsOps && opBound > MAX_LISTED_OPS) {
    throw new UsageError(`--json and --trace list every op, and this schedule has up to ${opBound.toLocaleString('en-US')} ops, above the limit of ${MAX_LISTED_OPS.toLocaleString('en-US')} (about ${MAX_LISTED_OPS * BYTES_PER_LISTED_OP / 1e6} MB of JSON): use --summary, or fewer micro-batches`);
  }
  // A trace needs every op's times, so only it makes --summary build the op table.
  const result = runScheduleReport({ schedule, pp, microbatches, chunks, costs, includeOps: !summary, keepTimeline: tracePath !== undefined });
  if (!result.ok) throw new UsageError(result.error.message);
  // Only interleaving takes a chunk count; the other schedules have a fixed one, and a different --chunks is a mistake.
  if (args.values.has('chunks') && schedule !== 'interleaved-1f1b' && chunks !== result.report.chunks) {
    throw new UsageError(`--chunks ${chunks}: ${SCHEDULE_LABELS[schedule]} always runs ${result.report.chunks} chunk${result.report.chunks === 1 ? '' : 's'} per rank (only interleaved-1f1b takes --chunks)`);
  }

  if (tracePath !== undefined) {
    // Abstract units are shown as milliseconds so Perfetto's ruler reads naturally.
    if (result.ops) io.writeFile(tracePath, JSON.stringify(chromeTrace(result.ops.schedule, result.ops.timeline, 1000)));
  }
  if (args.switches.has('json')) {
    io.stdout(JSON.stringify(result.report, null, summary ? 2 : undefined) + '\n');
  } else {
    io.stdout(describe(result.report, summary ? undefined : result.ops));
    if (tracePath !== undefined) io.stdout(`trace written to ${tracePath} (open it in Perfetto or chrome://tracing)\n`);
  }
  return 0;
}

function describe(report: ScheduleReport, drawn?: { schedule: Schedule; timeline: Timeline }): string {
  const { costs, closedForm } = report;
  const maxIdle = Math.max(...report.ranks.map((rank) => rank.idleVsMakespan));
  const maxOwnIdle = Math.max(...report.ranks.map((rank) => rank.idleInOwnSpan));
  const simulatedForFormula = closedForm.metric === 'idleVsMakespan' ? maxIdle : maxOwnIdle;
  let text =
    `${SCHEDULE_LABELS[report.schedule]}  PP=${report.pp}  micro-batches=${report.microbatches}  chunks=${report.chunks}  ` +
    `costs F=${formatNumber(costs.F)} B=${formatNumber(costs.B)} W=${formatNumber(costs.W)} F&B=${formatNumber(costs.FB)} p2p=${formatNumber(costs.p2p)}\n` +
    `makespan ${formatNumber(report.makespan)}   bubble (max idle vs makespan) ${formatNumber(maxIdle)}   ` +
    `closed form ${closedForm.formula} = ${formatNumber(closedForm.bubble)} ` +
    `(${closedForm.holds ? 'holds' : 'not exact for these costs'}; simulated ${formatNumber(simulatedForFormula)} on ${closedForm.metric})\n\n`;
  text += table(
    ['rank', 'busy', 'idle', 'idle in own span', 'peak activations'],
    report.ranks.map((rank) => [String(rank.rank), formatNumber(rank.busy), formatNumber(rank.idleVsMakespan), formatNumber(rank.idleInOwnSpan), String(rank.peakActivations)]),
  );
  if (drawn) text += '\n' + textTimeline(drawn.schedule, drawn.timeline, 100);
  return text;
}

const GLYPH: Record<number, string> = { [OP_F]: 'F', [OP_B]: 'B', [OP_I]: 'b', [OP_W]: 'W', [OP_FB]: 'X' };

/** One row per rank; each character is an equal slice of the makespan showing the op running at its middle. */
export function textTimeline(schedule: Schedule, timeline: Timeline, width: number): string {
  const cells = Math.max(1, Math.min(width, Math.ceil(timeline.makespan)));
  const slice = timeline.makespan / cells;
  const label = (rank: number) => `rank ${rank}`.padEnd(`rank ${schedule.ranks - 1}`.length);
  let text = `timeline: 1 character = ${formatNumber(slice, 3)} units; F forward, B backward, b input-grad backward, W weight-grad, X overlapped F&B, . idle\n`;
  for (let rank = 0; rank < schedule.ranks; rank++) {
    let row = '';
    let i = schedule.rankStart[rank]!;
    const last = schedule.rankStart[rank + 1]!;
    for (let cell = 0; cell < cells; cell++) {
      const middle = (cell + 0.5) * slice;
      while (i < last && timeline.end[i]! <= middle) i++;
      row += i < last && timeline.start[i]! <= middle ? GLYPH[schedule.kind[i]!] : '.';
    }
    text += `${label(rank)} |${row}|\n`;
  }
  return text;
}
