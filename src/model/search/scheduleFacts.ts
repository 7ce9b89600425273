// What the search's bounds read of a schedule, collected as its program emits each rank's ops (schedule/program.ts),
// without building the op table: each rank's ops counted by kind and stage (bound.ts busiestRankBound), its peak
// count of chunks in flight (cost/memory/activationPeak.ts with every stage weighing 1), the stages it holds, and
// the least and the most share of each stage's forwards and backwards run inside F&B pairs (bound.ts PairedShares). The same
// figures as read off the generated table (test/model/search/scheduleFacts.test.ts); a search reads them for
// hundreds of schedules. Where a schedule's phases are fixed-count loops (GPipe, 1F1B, ZB-H1, ZB-H2, DualPipe,
// DualPipeV, and ZB-V once no padded micro-batch is skipped) the figures follow from the phase counts in closed form
// (closedFormFacts.ts) and no op is emitted; the others run their program.
import type { ScheduleId } from '../design';
import { OP_B, OP_F, OP_FB, OP_I, OP_W, type OpKind } from '../schedule/ops';
import { PhaseCursor, type OpSink } from '../schedule/program';
import { scheduleProgram, type ScheduleParams } from '../schedule/index';
import { NO_PAIRS, pairedSharesOf, type OpCounts, type PairedShares } from './bound';
import { rankStagesOf, type RankStages } from './memoryBound';
import { closedFormFacts } from './closedFormFacts';

export interface ScheduleFacts {
  stages: number;
  rankStages: RankStages;
  counts: OpCounts;
  /** Per rank, the most chunks it holds in flight at once. */
  peaks: Float64Array;
  shares: PairedShares;
}

const KINDS = 5;

class FactsSink implements OpSink {
  readonly perRank: Float64Array;
  readonly pairedForward: Float64Array;
  readonly pairedBackward: Float64Array;
  held = 0;
  peak = 0;
  pairs = 0;

  constructor(readonly stages: number) {
    this.perRank = new Float64Array(KINDS * stages);
    this.pairedForward = new Float64Array(stages);
    this.pairedBackward = new Float64Array(stages);
  }

  op(kind: OpKind, _mb: number, _chunk: number, stage: number): void {
    this.perRank[kind * this.stages + stage]!++;
    if (kind === OP_F) this.held++;
    if (this.held > this.peak) this.peak = this.held;
    if (kind === OP_B || kind === OP_W) this.held--;
  }

  overlapped(_mb: number, _chunk: number, stage: number, _pipe: number, _backMb: number, _backChunk: number, backStage: number): void {
    this.perRank[OP_FB * this.stages + stage]!++;
    this.pairedForward[stage]!++;
    this.pairedBackward[backStage]!++;
    this.pairs++;
    this.held++;
    if (this.held > this.peak) this.peak = this.held;
    this.held--;
  }
}

/** The facts of schedule `id` with `params`, or null when it does not apply (its constraints, the op budget). */
export function scheduleFacts(id: ScheduleId, params: ScheduleParams): ScheduleFacts | null {
  const result = scheduleProgram(id, params);
  if (!result.ok) return null;
  const { program } = result;
  const closed = closedFormFacts(program);
  if (closed) return closed;
  const { ranks, stages, pipes, stageRank } = program;
  const sink = new FactsSink(stages);
  const peaks = new Float64Array(ranks);
  const rankStart = new Int32Array(ranks + 1);
  const rows: { kind: number; stage: number; count: number }[] = [];
  for (let rank = 0; rank < ranks; rank++) {
    sink.perRank.fill(0);
    sink.held = 0;
    sink.peak = 0;
    new PhaseCursor(program.rankPhases(rank, sink)).advance(() => true);
    peaks[rank] = sink.peak;
    for (let kind = 0; kind < KINDS; kind++) {
      for (let stage = 0; stage < stages; stage++) {
        const count = sink.perRank[kind * stages + stage]!;
        if (count > 0) rows.push({ kind, stage, count });
      }
    }
    rankStart[rank + 1] = rows.length;
  }
  const counts: OpCounts = {
    rankStart,
    kind: Uint8Array.from(rows, (row) => row.kind),
    stage: Int32Array.from(rows, (row) => row.stage),
    count: Float64Array.from(rows, (row) => row.count),
  };
  const shares = sink.pairs > 0 && program.microbatches > 0 ? pairedSharesOf(sink.pairedForward, sink.pairedBackward, program.microbatches) : NO_PAIRS;
  return { stages, rankStages: rankStagesOf(ranks, stages, pipes, stageRank), counts, peaks, shares };
}
