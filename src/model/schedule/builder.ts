// Fills a Schedule's typed arrays rank by rank: the table sink of a schedule program (program.ts). `rank(r)` starts
// each rank in order, then that rank's ops arrive in execution order; `finish()` trims the arrays.
import type { ScheduleId } from '../design';
import { OP_FB, type OpKind, type Schedule } from './ops';
import type { OpSink } from './program';

/**
 * Tables our generators built, unchanged since: their placement and one-forward-one-backward rule are the
 * generators' (checked by test/model/schedule/invariants.test.ts), so the simulator skips its checks on them. A copy
 * made to change a table is a new object and is checked.
 */
export const GENERATED_TABLES = new WeakSet<Schedule>();

export class ScheduleBuilder implements OpSink {
  private capacity: number;
  private count = 0;
  private currentRank = -1;
  private readonly rankStart: Int32Array;
  private kind: Uint8Array;
  private mb: Int32Array;
  private chunk: Uint8Array;
  private stage: Int32Array;
  private pipe: Uint8Array;
  private backMb: Int32Array;
  private backChunk: Uint8Array;
  private backStage: Int32Array;
  private backPipe: Uint8Array;

  constructor(
    private readonly id: ScheduleId,
    private readonly ranks: number,
    private readonly microbatches: number,
    private readonly chunks: number,
    private readonly stages: number,
    private readonly pipes: number,
    private readonly stageRank: Int32Array,
    expectedOps: number,
  ) {
    this.capacity = Math.max(16, expectedOps);
    this.rankStart = new Int32Array(ranks + 1);
    this.kind = new Uint8Array(this.capacity);
    this.mb = new Int32Array(this.capacity);
    this.chunk = new Uint8Array(this.capacity);
    this.stage = new Int32Array(this.capacity);
    this.pipe = new Uint8Array(this.capacity);
    this.backMb = new Int32Array(this.capacity);
    this.backChunk = new Uint8Array(this.capacity);
    this.backStage = new Int32Array(this.capacity);
    this.backPipe = new Uint8Array(this.capacity);
  }

  /** Starts rank r's op list; ranks must be started in order 0, 1, … */
  rank(r: number): void {
    for (let next = this.currentRank + 1; next <= r; next++) this.rankStart[next] = this.count;
    this.currentRank = r;
  }

  op(kind: OpKind, mb: number, chunk: number, stage: number, pipe: number): void {
    this.pushPair(kind, mb, chunk, stage, pipe, mb, chunk, stage, pipe);
  }

  overlapped(
    mb: number, chunk: number, stage: number, pipe: number,
    backMb: number, backChunk: number, backStage: number, backPipe: number,
  ): void {
    this.pushPair(OP_FB, mb, chunk, stage, pipe, backMb, backChunk, backStage, backPipe);
  }

  private pushPair(
    kind: OpKind, mb: number, chunk: number, stage: number, pipe: number,
    backMb: number, backChunk: number, backStage: number, backPipe: number,
  ): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.mb[i] = mb;
    this.chunk[i] = chunk;
    this.stage[i] = stage;
    this.pipe[i] = pipe;
    this.backMb[i] = backMb;
    this.backChunk[i] = backChunk;
    this.backStage[i] = backStage;
    this.backPipe[i] = backPipe;
  }

  private grow(): void {
    this.capacity *= 2;
    const widen = <T extends Uint8Array | Int32Array>(old: T): T => {
      const next = new (old.constructor as new (n: number) => T)(this.capacity);
      next.set(old);
      return next;
    };
    this.kind = widen(this.kind);
    this.mb = widen(this.mb);
    this.chunk = widen(this.chunk);
    this.stage = widen(this.stage);
    this.pipe = widen(this.pipe);
    this.backMb = widen(this.backMb);
    this.backChunk = widen(this.backChunk);
    this.backStage = widen(this.backStage);
    this.backPipe = widen(this.backPipe);
  }

  finish(): Schedule {
    for (let next = this.currentRank + 1; next <= this.ranks; next++) this.rankStart[next] = this.count;
    const n = this.count;
    const schedule: Schedule = {
      id: this.id,
      ranks: this.ranks,
      microbatches: this.microbatches,
      chunks: this.chunks,
      stages: this.stages,
      pipes: this.pipes,
      stageRank: this.stageRank,
      opCount: n,
      rankStart: this.rankStart,
      kind: this.kind.subarray(0, n),
      mb: this.mb.subarray(0, n),
      chunk: this.chunk.subarray(0, n),
      stage: this.stage.subarray(0, n),
      pipe: this.pipe.subarray(0, n),
      backMb: this.backMb.subarray(0, n),
      backChunk: this.backChunk.subarray(0, n),
      backStage: this.backStage.subarray(0, n),
      backPipe: this.backPipe.subarray(0, n),
    };
    GENERATED_TABLES.add(schedule);
    return schedule;
  }
}

/** Looped placement: stage s of the single pipe on rank s mod ranks (1F1B, GPipe, interleaved, ZB-H1/H2). */
export function loopedStageRank(ranks: number, chunks: number): Int32Array {
  const map = new Int32Array(ranks * chunks);
  for (let s = 0; s < map.length; s++) map[s] = s % ranks;
  return map;
}

/** V placement: rank r holds stages r and 2·ranks−1−r (ZB-V, DualPipeV). */
export function vStageRank(ranks: number): Int32Array {
  const map = new Int32Array(2 * ranks);
  for (let r = 0; r < ranks; r++) {
    map[r] = r;
    map[2 * ranks - 1 - r] = r;
  }
  return map;
}

export function constraintError(schedule: ScheduleId, message: string) {
  return { ok: false as const, error: { code: 'schedule/constraint' as const, schedule, message } };
}
