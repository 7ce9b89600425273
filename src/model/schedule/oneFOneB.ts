// 1F1B / PipeDream-Flush as Megatron runs it (forward_backward_pipelining_without_interleaving), which is op for
// op what PyTorch's Schedule1F1B executes: rank r warms up with p−r−1 forwards, then alternates one forward with
// one backward, then drains the remaining backwards. Rank r holds at most p−r activations.
import { loopedStageRank, ScheduleBuilder } from './builder';
import { OP_B, OP_F, type ScheduleParams, type ScheduleResult } from './ops';

export function generateOneFOneB({ ranks, microbatches }: ScheduleParams): ScheduleResult {
  const builder = new ScheduleBuilder('1f1b', ranks, microbatches, 1, ranks, 1, loopedStageRank(ranks, 1), 2 * ranks * microbatches);
  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    const warmup = Math.min(ranks - rank - 1, microbatches);
    // Phase 1: warm-up forwards fill the pipeline below this rank.
    for (let mb = 0; mb < warmup; mb++) builder.push(OP_F, mb, 0, rank);
    // Phase 2: steady state, one forward then the backward of the oldest micro-batch.
    for (let i = 0; i < microbatches - warmup; i++) {
      builder.push(OP_F, warmup + i, 0, rank);
      builder.push(OP_B, i, 0, rank);
    }
    // Phase 3: cool-down backwards.
    for (let mb = microbatches - warmup; mb < microbatches; mb++) builder.push(OP_B, mb, 0, rank);
  }
  return { ok: true, schedule: builder.finish() };
}
