// ZB-H1 (ZB1P) as PyTorch's ScheduleInterleavedZeroBubble runs it with one stage per rank (Qi et al., "Zero Bubble
// Pipeline Parallelism", §2.1; SCHEDULES.md §3): 1F1B's shape with the backward split into I (input gradient) and
// W (weight gradient). Rank r warms up with p−1−r forwards, then runs F, I pairs and appends a W only once it is
// r micro-batches behind the I, so the W fills the slot 1F1B leaves idle. Leftover Ws run at the end. Every rank
// then holds p activations counting until W. No constraint on m beyond m ≥ 1.
import { loopedStageRank, ScheduleBuilder } from './builder';
import { OP_F, OP_I, OP_W, type ScheduleParams, type ScheduleResult } from './ops';

export function generateZbH1({ ranks, microbatches }: ScheduleParams): ScheduleResult {
  const builder = new ScheduleBuilder('zb-h1', ranks, microbatches, 1, ranks, 1, loopedStageRank(ranks, 1), 3 * ranks * microbatches);
  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    const warmup = Math.min(ranks - 1 - rank, microbatches);
    // PyTorch's num_1f1b_microbatches = rank: how far each W trails its I.
    const weightDelay = rank;
    let weights = 0;
    // Phase 1: warm-up forwards.
    for (let mb = 0; mb < warmup; mb++) builder.push(OP_F, mb, 0, rank);
    // Phase 2: steady state, a forward, the oldest input-gradient backward, then a delayed W.
    for (let i = 0; i < microbatches - warmup; i++) {
      builder.push(OP_F, warmup + i, 0, rank);
      builder.push(OP_I, i, 0, rank);
      if (i >= weightDelay) builder.push(OP_W, weights++, 0, rank);
    }
    // Phase 3: cool-down input-gradient backwards, still each followed by a delayed W.
    for (let i = microbatches - warmup; i < microbatches; i++) {
      builder.push(OP_I, i, 0, rank);
      if (i >= weightDelay) builder.push(OP_W, weights++, 0, rank);
    }
    // Phase 4: the Ws still owed.
    while (weights < microbatches) builder.push(OP_W, weights++, 0, rank);
  }
  return { ok: true, schedule: builder.finish() };
}
