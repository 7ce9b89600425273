// GPipe (PyTorch ScheduleGPipe): every rank runs all forwards, then all full backwards in ascending micro-batch
// order. Simple, and it holds all m activations at once.
import { loopedStageRank } from './builder';
import { OP_B, OP_F, type ScheduleParams } from './ops';
import { repeat, type ScheduleProgramResult } from './program';

export function programGpipe({ ranks, microbatches }: ScheduleParams): ScheduleProgramResult {
  return {
    ok: true,
    program: {
      id: 'gpipe', ranks, microbatches, chunks: 1, stages: ranks, pipes: 1, stageRank: loopedStageRank(ranks, 1),
      expectedOps: 2 * ranks * microbatches,
      rankPhases: (rank, sink) => [
        // Phase 1: all forwards.
        repeat(microbatches, (mb) => sink.op(OP_F, mb, 0, rank, 0)),
        // Phase 2: all backwards, first micro-batch first.
        repeat(microbatches, (mb) => sink.op(OP_B, mb, 0, rank, 0)),
      ],
    },
  };
}
