// One schedule generated, simulated and described as CONTRACT.md's `plens schedule --json` object. The CLI and
// the panel both show this object, so they cannot disagree.
import type { ScheduleId } from '../design';
import { closedForm, type ClosedForm } from './closedForm';
import { scheduleProgram } from './index';
import { simulateProgram } from './opStream';
import { OP_FB, OP_NAMES, type Schedule, type OpName } from './ops';
import { buildTable } from './program';
import { simulate, uniformCosts, type Timeline, type TimelineSummary } from './simulate';

export interface ScheduleRequest {
  schedule: ScheduleId;
  pp: number;
  microbatches: number;
  chunks?: number;
  costs?: { F?: number; B?: number; W?: number; FB?: number; p2p?: number };
  /**
   * Per-op lists, and the op table and timeline they come from; false for very large cases (`--summary`, the
   * panel's figures): the schedule is then simulated as it is generated, with no op table built.
   */
  includeOps?: boolean;
  /** Keep the op table and its timeline (for a trace or a drawing) even without per-op lists in the report. */
  keepTimeline?: boolean;
}

export interface ReportOp {
  op: OpName;
  mb: number;
  chunk: number;
  stage: number;
  start: number;
  end: number;
  backward?: { mb: number; chunk: number; stage: number };
}

export interface ReportRank {
  rank: number;
  busy: number;
  idleVsMakespan: number;
  idleInOwnSpan: number;
  peakActivations: number;
  ops?: ReportOp[];
}

export interface ScheduleReport {
  schedule: ScheduleId;
  pp: number;
  microbatches: number;
  chunks: number;
  costs: { F: number; B: number; W: number; FB: number; p2p: number };
  makespan: number;
  ranks: ReportRank[];
  closedForm: ClosedForm;
}

export type ScheduleReportResult =
  | { ok: true; report: ScheduleReport; stages: number; ops?: { schedule: Schedule; timeline: Timeline } }
  | { ok: false; error: { code: string; message: string } };

export function runScheduleReport(request: ScheduleRequest): ScheduleReportResult {
  const F = request.costs?.F ?? 1;
  const B = request.costs?.B ?? 2;
  const W = request.costs?.W ?? 1;
  const FB = request.costs?.FB ?? F + B;
  const p2p = request.costs?.p2p ?? 0;
  const costProblem = checkCosts({ F, B, W, FB, p2p });
  if (costProblem) return { ok: false, error: { code: 'schedule/costs', message: costProblem } };

  const generated = scheduleProgram(request.schedule, { ranks: request.pp, microbatches: request.microbatches, chunks: request.chunks ?? 2 });
  if (!generated.ok) return { ok: false, error: generated.error };
  const program = generated.program;
  const costs = uniformCosts(program.stages, { F, B, W, FB, p2p });
  let timeline: TimelineSummary;
  let ops: { schedule: Schedule; timeline: Timeline } | undefined;
  if (request.includeOps === false && request.keepTimeline !== true) {
    const simulated = simulateProgram(program, costs);
    if (!simulated.ok) return { ok: false, error: simulated.error };
    timeline = simulated.timeline;
  } else {
    const schedule = buildTable(program);
    const simulated = simulate(schedule, costs);
    if (!simulated.ok) return { ok: false, error: simulated.error };
    timeline = simulated.timeline;
    ops = { schedule, timeline: simulated.timeline };
  }

  const ranks: ReportRank[] = [];
  for (let r = 0; r < program.ranks; r++) {
    const rank: ReportRank = {
      rank: r,
      busy: timeline.busy[r]!,
      idleVsMakespan: timeline.idleVsMakespan[r]!,
      idleInOwnSpan: timeline.idleInOwnSpan[r]!,
      peakActivations: timeline.peakActivations[r]!,
    };
    if (ops && request.includeOps !== false) rank.ops = rankOps(ops.schedule, ops.timeline, r);
    ranks.push(rank);
  }
  return {
    ok: true,
    stages: program.stages,
    ...(ops ? { ops } : {}),
    report: {
      schedule: request.schedule,
      pp: request.pp,
      microbatches: request.microbatches,
      chunks: program.chunks,
      costs: { F, B, W, FB, p2p },
      makespan: timeline.makespan,
      ranks,
      closedForm: closedForm(request.schedule, { ranks: request.pp, microbatches: request.microbatches, chunks: program.chunks }, { F, B, W, FB, p2p }),
    },
  };
}

/** One rank's ops in its execution order with their simulated times, as plain data (the CLI's JSON, the panel). */
export function rankOps(schedule: Schedule, timeline: Timeline, rank: number): ReportOp[] {
  const ops: ReportOp[] = [];
  for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
    const kind = schedule.kind[i]!;
    const op: ReportOp = {
      op: OP_NAMES[kind]!,
      mb: schedule.mb[i]!,
      chunk: schedule.chunk[i]!,
      stage: schedule.stage[i]!,
      start: timeline.start[i]!,
      end: timeline.end[i]!,
    };
    if (kind === OP_FB) op.backward = { mb: schedule.backMb[i]!, chunk: schedule.backChunk[i]!, stage: schedule.backStage[i]! };
    ops.push(op);
  }
  return ops;
}

function checkCosts(costs: Record<'F' | 'B' | 'W' | 'FB' | 'p2p', number>): string | undefined {
  for (const [name, value] of Object.entries(costs)) {
    if (!Number.isFinite(value) || value < 0) return `cost ${name} must be a finite number ≥ 0, got ${value}`;
  }
  if (costs.F <= 0 || costs.B <= 0) return 'costs F and B must be greater than 0';
  if (costs.W > costs.B) return `the weight-gradient part W (${costs.W}) cannot exceed the full backward B (${costs.B})`;
  if (costs.FB > costs.F + costs.B) return `an overlapped pair F&B (${costs.FB}) cannot take longer than F + B (${costs.F + costs.B})`;
  return undefined;
}
