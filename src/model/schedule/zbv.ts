// ZB-V as PyTorch's ScheduleZBVZeroBubble orders it (SCHEDULES.md §3; the ZeroBubble repository's V schedule).
// Each rank holds two half-size chunks in a V: chunk 0 is stage r, chunk 1 is stage 2p−1−r, so a micro-batch runs
// down the ranks and back up, and the loss lives on rank 0. Backwards are split into I and W. At F = B−W = W every
// rank is busy from its first op to its last once m ≥ 2p−1.
//
// PyTorch builds the order for max(2p−1, m) micro-batches and blanks the ones ≥ m; we skip them the same way.
// Dropping them keeps the order valid: an op only ever waits on ops of its own micro-batch.
import { ScheduleBuilder, vStageRank } from './builder';
import { OP_F, OP_I, OP_W, type OpKind, type ScheduleParams, type ScheduleResult } from './ops';

export function generateZbv({ ranks, microbatches }: ScheduleParams): ScheduleResult {
  const stages = 2 * ranks;
  const builder = new ScheduleBuilder('zbv', ranks, microbatches, 2, stages, 1, vStageRank(ranks), 6 * ranks * microbatches);
  const padded = Math.max(2 * ranks - 1, microbatches);
  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    const stageOf = [rank, stages - 1 - rank] as const;
    const push = (kind: OpKind, mb: number, chunk: 0 | 1) => {
      if (mb < microbatches) builder.push(kind, mb, chunk, stageOf[chunk]);
    };
    let f0 = 0, f1 = 0, b0 = 0, b1 = 0;
    // Phase 1: 2(p−r)−1 forwards of chunk 0 fill the way down the V.
    for (let i = 0; i < 2 * (ranks - rank) - 1; i++) push(OP_F, f0++, 0);
    // Phase 2: r pairs of forwards, chunk 1 then chunk 0, as chunk-1 inputs start coming back up.
    for (let i = 0; i < rank; i++) {
      push(OP_F, f1++, 1);
      push(OP_F, f0++, 0);
    }
    // Phase 3: p−r rounds of chunk 1 forward, input-gradient and weight-gradient backward.
    for (let i = 0; i < ranks - rank; i++) {
      push(OP_F, f1++, 1);
      push(OP_I, b1, 1);
      push(OP_W, b1++, 1);
    }
    // Phase 4: steady state, F I W on chunk 0 then on chunk 1, until both chunks' forwards are done.
    while (f1 < f0 || f0 < padded) {
      if (f0 < padded) push(OP_F, f0++, 0);
      push(OP_I, b0, 0);
      push(OP_W, b0++, 0);
      push(OP_F, f1++, 1);
      push(OP_I, b1, 1);
      push(OP_W, b1++, 1);
    }
    let w0 = b0, w1 = b1;
    // Phase 5: r pairs of input-gradient backwards, chunk 0 then chunk 1, with the Ws held back.
    for (let i = 0; i < rank; i++) {
      push(OP_I, b0++, 0);
      push(OP_I, b1++, 1);
    }
    // Phase 6: p−r rounds of chunk 0 input-gradient backward, each followed by the oldest chunk-0 W.
    for (let i = 0; i < ranks - rank; i++) {
      push(OP_I, b0++, 0);
      push(OP_W, w0++, 0);
    }
    // Phase 7: the remaining Ws, chunk 1 then chunk 0.
    while (w1 < b1) push(OP_W, w1++, 1);
    while (w0 < b0) push(OP_W, w0++, 0);
  }
  return { ok: true, schedule: builder.finish() };
}
