// Generation fused with simulation: each rank's phases (program.ts) emit into a small queue of their own, refilled
// only when the simulator has run every op in it, so no op table is ever built. Memory is the simulator's two
// end-time array (16 bytes per pipe × stage × micro-batch) plus a few hundred bytes per rank, whatever the size;
// the results equal `simulate(generateSchedule(...))` exactly (test/model/schedule/fused.test.ts).
import { OP_FB, type OpKind } from './ops';
import { MAX_OPS_PER_STEP, PhaseCursor, type OpSink, type ScheduleProgram } from './program';
import { runOps, type OpSource, type StageCosts, type SummaryResult } from './simulate';

/** Ops queued per rank: enough that a refill runs several phase iterations, small enough to stay in cache. */
const QUEUE_OPS = 64;

class RankQueues implements OpSource, OpSink {
  readonly ranks: number;
  readonly microbatches: number;
  readonly stages: number;
  readonly pipes: number;
  readonly stageRank: Int32Array;
  readonly kind: Uint8Array;
  readonly mb: Int32Array;
  readonly stage: Int32Array;
  readonly pipe: Uint8Array;
  readonly backMb: Int32Array;
  readonly backStage: Int32Array;
  readonly backPipe: Uint8Array;
  readonly next: Int32Array;
  readonly limit: Int32Array;
  private readonly cursors: PhaseCursor[] = [];
  /** Where the rank being refilled writes its next op. */
  private tail = 0;
  private roomEnd = 0;
  private readonly hasRoom = () => this.tail < this.roomEnd;

  constructor(program: ScheduleProgram) {
    this.ranks = program.ranks;
    this.microbatches = program.microbatches;
    this.stages = program.stages;
    this.pipes = program.pipes;
    this.stageRank = program.stageRank;
    const slots = program.ranks * QUEUE_OPS;
    this.kind = new Uint8Array(slots);
    this.mb = new Int32Array(slots);
    this.stage = new Int32Array(slots);
    this.pipe = new Uint8Array(slots);
    this.backMb = new Int32Array(slots);
    this.backStage = new Int32Array(slots);
    this.backPipe = new Uint8Array(slots);
    this.next = new Int32Array(program.ranks);
    this.limit = new Int32Array(program.ranks);
    for (let rank = 0; rank < program.ranks; rank++) {
      this.cursors.push(new PhaseCursor(program.rankPhases(rank, this)));
      this.next[rank] = this.limit[rank] = rank * QUEUE_OPS;
    }
  }

  refill(rank: number): boolean {
    const base = rank * QUEUE_OPS;
    this.tail = base;
    // Stop before a step could overflow the queue: one step emits at most MAX_OPS_PER_STEP ops.
    this.roomEnd = base + QUEUE_OPS - MAX_OPS_PER_STEP;
    this.cursors[rank]!.advance(this.hasRoom);
    this.next[rank] = base;
    this.limit[rank] = this.tail;
    return this.tail > base;
  }

  op(kind: OpKind, mb: number, _chunk: number, stage: number, pipe: number): void {
    const i = this.tail++;
    this.kind[i] = kind;
    this.mb[i] = mb;
    this.stage[i] = stage;
    this.pipe[i] = pipe;
  }

  overlapped(
    mb: number, _chunk: number, stage: number, pipe: number,
    backMb: number, _backChunk: number, backStage: number, backPipe: number,
  ): void {
    const i = this.tail++;
    this.kind[i] = OP_FB;
    this.mb[i] = mb;
    this.stage[i] = stage;
    this.pipe[i] = pipe;
    this.backMb[i] = backMb;
    this.backStage[i] = backStage;
    this.backPipe[i] = backPipe;
  }
}

/** Times a schedule as its program emits it: the per-rank summary of `simulate`, without any op table. */
export function simulateProgram(program: ScheduleProgram, costs: StageCosts): SummaryResult {
  return runOps(new RankQueues(program), costs);
}
