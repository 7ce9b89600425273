// 1F1B / PipeDream-Flush as Megatron runs it (forward_backward_pipelining_without_interleaving), which is op for
// op what PyTorch's Schedule1F1B executes: rank r warms up with p−r−1 forwards, then alternates one forward with
// one backward, then drains the remaining backwards. Rank r holds at most p−r activations.
import { loopedStageRank } from './builder';
import { OP_B, OP_F, type ScheduleParams } from './ops';
import { repeat, type ScheduleProgramResult } from './program';

export function programOneFOneB({ ranks, microbatches }: ScheduleParams): ScheduleProgramResult {
  return {
    ok: true,
    program: {
      id: '1f1b', ranks, microbatches, chunks: 1, stages: ranks, pipes: 1, stageRank: loopedStageRank(ranks, 1),
      expectedOps: 2 * ranks * microbatches,
      rankPhases: (rank, sink) => {
        const warmup = Math.min(ranks - rank - 1, microbatches);
        return [
          // Phase 1: warm-up forwards fill the pipeline below this rank.
          repeat(warmup, (mb) => sink.op(OP_F, mb, 0, rank, 0)),
          // Phase 2: steady state, one forward then the backward of the oldest micro-batch.
          repeat(microbatches - warmup, (i) => {
            sink.op(OP_F, warmup + i, 0, rank, 0);
            sink.op(OP_B, i, 0, rank, 0);
          }),
          // Phase 3: cool-down backwards.
          repeat(warmup, (i) => sink.op(OP_B, microbatches - warmup + i, 0, rank, 0)),
        ];
      },
    },
  };
}
