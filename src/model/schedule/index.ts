// The schedule catalogue: ids and the aliases users type, one generator per schedule, and the checks every
// generator shares (sizes that are whole, positive and small enough to simulate). `checkScheduleConstraints` states
// the schedules' rules in the generators' words without building a single op, for layout checks on every edit.
import type { ParallelPlan, ScheduleId } from '../design';
import { constraintError } from './builder';
import { checkDualPipe, programDualPipe } from './dualpipe';
import { checkDualPipeV, programDualPipeV } from './dualpipev';
import { programGpipe } from './gpipe';
import { checkInterleaved1F1B, programInterleaved1F1B } from './interleaved1f1b';
import { programOneFOneB } from './oneFOneB';
import type { ScheduleError, ScheduleParams, ScheduleResult } from './ops';
import { buildTable, type ScheduleProgramResult } from './program';
import { programZbH1 } from './zbH1';
import { programZbH2 } from './zbH2';
import { programZbv } from './zbv';

export * from './ops';
export { closedForm, type ClosedForm } from './closedForm';
export {
  simulate, uniformCosts, type StageCosts, type Timeline, type TimelineSummary, type UniformCosts, type SimulationResult, type SummaryResult,
} from './simulate';
export { simulateProgram } from './opStream';
export type { ScheduleProgram, ScheduleProgramResult } from './program';

export const SCHEDULE_IDS: readonly ScheduleId[] = [
  'gpipe', '1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'zbv', 'dualpipe', 'dualpipev',
];

export const SCHEDULE_LABELS: Record<ScheduleId, string> = {
  gpipe: 'GPipe',
  '1f1b': '1F1B',
  'interleaved-1f1b': 'Interleaved 1F1B',
  'zb-h1': 'ZB-H1',
  'zb-h2': 'ZB-H2',
  zbv: 'ZB-V',
  dualpipe: 'DualPipe',
  dualpipev: 'DualPipeV',
};

// The names the frameworks and papers use (DESIGN.md §3 "also accepted as"), compared without case,
// spaces, dashes or underscores.
const ALIASES: Record<string, ScheduleId> = {
  gpipe: 'gpipe',
  '1f1b': '1f1b',
  pipedreamflush: '1f1b',
  interleaved1f1b: 'interleaved-1f1b',
  vpp: 'interleaved-1f1b',
  zbh1: 'zb-h1',
  zb1p: 'zb-h1',
  interleavedzerobubble: 'zb-h1',
  zbh2: 'zb-h2',
  zb2p: 'zb-h2',
  zbv: 'zbv',
  zbvzerobubble: 'zbv',
  dualpipe: 'dualpipe',
  dualpipev: 'dualpipev',
};

export function parseScheduleId(text: string): ScheduleId | undefined {
  return ALIASES[text.toLowerCase().replace(/[\s_-]/g, '')];
}

const PROGRAMS: Record<ScheduleId, (params: ScheduleParams) => ScheduleProgramResult> = {
  gpipe: programGpipe,
  '1f1b': programOneFOneB,
  'interleaved-1f1b': programInterleaved1F1B,
  'zb-h1': programZbH1,
  'zb-h2': programZbH2,
  zbv: programZbv,
  dualpipe: programDualPipe,
  dualpipev: programDualPipeV,
};

/** Enough for PP = 64 with 65,536 micro-batches and 2 chunks, and bounded so no input can exhaust memory. */
export const MAX_SCHEDULE_OPS = 64 * 65_536 * 6;

/** GPipe, 1F1B, ZB-H1/H2 and ZB-V run any whole, positive sizes. */
const noConstraint = (): undefined => undefined;

const CONSTRAINTS: Record<ScheduleId, (params: ScheduleParams) => ScheduleError | undefined> = {
  gpipe: noConstraint,
  '1f1b': noConstraint,
  'interleaved-1f1b': checkInterleaved1F1B,
  'zb-h1': noConstraint,
  'zb-h2': noConstraint,
  zbv: noConstraint,
  dualpipe: checkDualPipe,
  dualpipev: checkDualPipeV,
};

/** Whole, positive sizes (and a chunk count interleaving can hold), shared by every schedule. */
function checkSizes(id: ScheduleId, { ranks, microbatches }: ScheduleParams, chunks: number): ScheduleError | undefined {
  if (!Number.isInteger(ranks) || ranks < 1) return constraintError(id, `the pipeline needs a whole number of ranks ≥ 1, got ${ranks}`).error;
  if (!Number.isInteger(microbatches) || microbatches < 1) {
    return constraintError(id, `the step needs a whole number of micro-batches ≥ 1, got ${microbatches}`).error;
  }
  if (id === 'interleaved-1f1b' && (!Number.isInteger(chunks) || chunks < 1 || chunks > 255)) {
    return constraintError(id, `interleaving needs a whole number of chunks per rank from 1 to 255, got ${chunks}`).error;
  }
  return undefined;
}

/**
 * The schedule's own rules on these sizes, in the generator's words, or undefined; builds no ops. The simulator's
 * op budget is not a rule of the schedule: only `generateSchedule` states it.
 */
export function checkScheduleConstraints(id: ScheduleId, params: ScheduleParams): ScheduleError | undefined {
  const chunks = params.chunks ?? 2;
  return checkSizes(id, params, chunks) ?? CONSTRAINTS[id]({ ...params, chunks });
}

/**
 * An upper bound on the ops a schedule generates: each micro-batch runs through every chunk of every rank forward
 * and backward, at most three ops each (F, and B or I and W); the non-interleaved schedules have two chunks.
 */
export function scheduleOpBound(id: ScheduleId, { ranks, microbatches, chunks }: ScheduleParams): number {
  const chunksPerRank = id === 'interleaved-1f1b' ? Math.max(1, chunks ?? 2) : 2;
  return ranks * microbatches * chunksPerRank * 3;
}

/** The schedule a plan runs: one pipeline rank has no pipeline to schedule, so it runs plain F, B per micro-batch. */
export function planSchedule(plan: Pick<ParallelPlan, 'pp' | 'microbatches' | 'vpp' | 'schedule'>): { id: ScheduleId; params: ScheduleParams } {
  return { id: plan.pp <= 1 ? '1f1b' : plan.schedule, params: { ranks: plan.pp, microbatches: plan.microbatches, chunks: plan.vpp } };
}

/**
 * A schedule's program (program.ts) after the shared size checks and the op budget: build its table with
 * `generateSchedule`, or time it as it is generated with `simulateProgram` (opStream.ts).
 */
export function scheduleProgram(id: ScheduleId, params: ScheduleParams): ScheduleProgramResult {
  const { ranks, microbatches } = params;
  const chunks = params.chunks ?? 2;
  const badSize = checkSizes(id, params, chunks);
  if (badSize) return { ok: false, error: badSize };
  if (scheduleOpBound(id, params) > MAX_SCHEDULE_OPS) {
    return constraintError(id, `${ranks} ranks × ${microbatches} micro-batches is more than the simulator's budget of ${MAX_SCHEDULE_OPS.toLocaleString('en-US')} ops`);
  }
  // The generator checks its own rules (checkScheduleConstraints' second half) before it builds anything.
  return PROGRAMS[id]({ ...params, chunks });
}

export function generateSchedule(id: ScheduleId, params: ScheduleParams): ScheduleResult {
  const program = scheduleProgram(id, params);
  return program.ok ? { ok: true, schedule: buildTable(program.program) } : program;
}
