// GPipe (PyTorch ScheduleGPipe): every rank runs all forwards, then all full backwards in ascending micro-batch
// order. Simple, and it holds all m activations at once.
import { loopedStageRank, ScheduleBuilder } from './builder';
import { OP_B, OP_F, type ScheduleParams, type ScheduleResult } from './ops';

export function generateGpipe({ ranks, microbatches }: ScheduleParams): ScheduleResult {
  const builder = new ScheduleBuilder('gpipe', ranks, microbatches, 1, ranks, 1, loopedStageRank(ranks, 1), 2 * ranks * microbatches);
  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    // Phase 1: all forwards.
    for (let mb = 0; mb < microbatches; mb++) builder.push(OP_F, mb, 0, rank);
    // Phase 2: all backwards, first micro-batch first.
    for (let mb = 0; mb < microbatches; mb++) builder.push(OP_B, mb, 0, rank);
  }
  return { ok: true, schedule: builder.finish() };
}
