// ZB-H1 (ZB1P) as PyTorch's ScheduleInterleavedZeroBubble runs it with one stage per rank (Qi et al., "Zero Bubble
// Pipeline Parallelism", §2.1; SCHEDULES.md §3): 1F1B's shape with the backward split into I (input gradient) and
// W (weight gradient). Rank r warms up with p−1−r forwards, then runs F, I pairs and appends a W only once it is
// r micro-batches behind the I, so the W fills the slot 1F1B leaves idle. Leftover Ws run at the end. Every rank
// then holds p activations counting until W. No constraint on m beyond m ≥ 1.
import { loopedStageRank } from './builder';
import { OP_F, OP_I, OP_W, type ScheduleParams } from './ops';
import { loopWhile, repeat, type ScheduleProgramResult } from './program';

export function programZbH1({ ranks, microbatches }: ScheduleParams): ScheduleProgramResult {
  return {
    ok: true,
    program: {
      id: 'zb-h1', ranks, microbatches, chunks: 1, stages: ranks, pipes: 1, stageRank: loopedStageRank(ranks, 1),
      expectedOps: 3 * ranks * microbatches,
      rankPhases: (rank, sink) => {
        const warmup = Math.min(ranks - 1 - rank, microbatches);
        // PyTorch's num_1f1b_microbatches = rank: how far each W trails its I.
        const weightDelay = rank;
        let weights = 0;
        return [
          // Phase 1: warm-up forwards.
          repeat(warmup, (mb) => sink.op(OP_F, mb, 0, rank, 0)),
          // Phase 2: steady state, a forward, the oldest input-gradient backward, then a delayed W.
          repeat(microbatches - warmup, (i) => {
            sink.op(OP_F, warmup + i, 0, rank, 0);
            sink.op(OP_I, i, 0, rank, 0);
            if (i >= weightDelay) sink.op(OP_W, weights++, 0, rank, 0);
          }),
          // Phase 3: cool-down input-gradient backwards, still each followed by a delayed W.
          repeat(warmup, (k) => {
            const i = microbatches - warmup + k;
            sink.op(OP_I, i, 0, rank, 0);
            if (i >= weightDelay) sink.op(OP_W, weights++, 0, rank, 0);
          }),
          // Phase 4: the Ws still owed.
          loopWhile(() => weights < microbatches, () => sink.op(OP_W, weights++, 0, rank, 0)),
        ];
      },
    },
  };
}
