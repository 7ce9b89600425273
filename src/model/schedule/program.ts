// How a generator describes a schedule once for both of its uses. Each rank's op list is a short list of phases
// (the paper's numbered loops); a phase emits one iteration's ops into a sink. Run every rank's phases to the end
// into a ScheduleBuilder and you have the op table (the panel, traces, per-rank op lists). Or let the simulator pull
// one iteration at a time into a small per-rank queue as it needs ops (opStream.ts): the same order, timed as it is
// generated, with no table at all (`plens schedule --summary`, the search).
import type { ScheduleId } from '../design';
import { ScheduleBuilder } from './builder';
import type { OpKind, Schedule, ScheduleError } from './ops';

/** Where a generator's ops go, in each rank's execution order. */
export interface OpSink {
  op(kind: OpKind, mb: number, chunk: number, stage: number, pipe: number): void;
  /** An overlapped forward (mb, chunk, stage, pipe) with the full backward named by the back* arguments. */
  overlapped(
    mb: number, chunk: number, stage: number, pipe: number,
    backMb: number, backChunk: number, backStage: number, backPipe: number,
  ): void;
}

/**
 * One loop of a rank's op list. `step` emits the ops of one iteration (at most MAX_OPS_PER_STEP); the phase runs
 * `times()` iterations, counted when the phase starts (so it may read counters earlier phases left), or, for a
 * phase given `more`, while `more()` holds before each iteration.
 */
export interface Phase {
  times?: () => number;
  more?: () => boolean;
  step: (iteration: number) => void;
}

/** The most ops one phase iteration may emit; the streaming queue keeps room for this many. */
export const MAX_OPS_PER_STEP = 8;

/** A phase of `times` iterations; a function is evaluated when the phase starts. */
export function repeat(times: number | (() => number), step: (iteration: number) => void): Phase {
  return { times: typeof times === 'number' ? () => times : times, step };
}

/** A phase that runs while `more()` holds. */
export function loopWhile(more: () => boolean, step: (iteration: number) => void): Phase {
  return { more, step };
}

/** A schedule ready to be emitted: its shape, and each rank's phases writing into a given sink. */
export interface ScheduleProgram {
  id: ScheduleId;
  ranks: number;
  microbatches: number;
  chunks: number;
  stages: number;
  pipes: number;
  stageRank: Int32Array;
  /** An upper bound on the ops, to size the table. */
  expectedOps: number;
  /** Rank `rank`'s op list. Called once per rank and sink; any per-rank state lives in the returned closures. */
  rankPhases(rank: number, sink: OpSink): Phase[];
}

export type ScheduleProgramResult = { ok: true; program: ScheduleProgram } | { ok: false; error: ScheduleError };

/** Runs one phase list from its current position until `budget` ops are emitted or it ends; false once ended. */
export class PhaseCursor {
  private phase = -1;
  private iteration = 0;
  private limit = 0;

  constructor(private readonly phases: Phase[]) {
    this.enter(0);
  }

  private enter(index: number): void {
    this.phase = index;
    this.iteration = 0;
    const phase = this.phases[index];
    this.limit = phase?.times ? phase.times() : Infinity;
  }

  /** Runs iterations while `room()` says the sink has space; returns false when every phase has ended. */
  advance(room: () => boolean): boolean {
    while (this.phase < this.phases.length) {
      const phase = this.phases[this.phase]!;
      if (this.iteration < this.limit && (phase.more === undefined || phase.more())) {
        phase.step(this.iteration++);
        if (!room()) return true;
      } else {
        this.enter(this.phase + 1);
      }
    }
    return false;
  }
}

/** The op table of a program: every rank's phases run to the end into a builder. */
export function buildTable(program: ScheduleProgram): Schedule {
  const builder = new ScheduleBuilder(
    program.id, program.ranks, program.microbatches, program.chunks, program.stages, program.pipes, program.stageRank, program.expectedOps,
  );
  for (let rank = 0; rank < program.ranks; rank++) {
    builder.rank(rank);
    const cursor = new PhaseCursor(program.rankPhases(rank, builder));
    cursor.advance(() => true);
  }
  return builder.finish();
}
