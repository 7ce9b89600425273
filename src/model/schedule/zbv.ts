// ZB-V as PyTorch's ScheduleZBVZeroBubble orders it (SCHEDULES.md §3; the ZeroBubble repository's V schedule).
// Each rank holds two half-size chunks in a V: chunk 0 is stage r, chunk 1 is stage 2p−1−r, so a micro-batch runs
// down the ranks and back up, and the loss lives on rank 0. Backwards are split into I and W. At F = B−W = W every
// rank is busy from its first op to its last once m ≥ 2p−1.
//
// PyTorch builds the order for max(2p−1, m) micro-batches and blanks the ones ≥ m; we skip them the same way.
// Dropping them keeps the order valid: an op only ever waits on ops of its own micro-batch.
import { vStageRank } from './builder';
import { OP_F, OP_I, OP_W, type OpKind, type ScheduleParams } from './ops';
import { loopWhile, repeat, type ScheduleProgramResult } from './program';

export function programZbv({ ranks, microbatches }: ScheduleParams): ScheduleProgramResult {
  const stages = 2 * ranks;
  const padded = Math.max(2 * ranks - 1, microbatches);
  return {
    ok: true,
    program: {
      id: 'zbv', ranks, microbatches, chunks: 2, stages, pipes: 1, stageRank: vStageRank(ranks),
      expectedOps: 6 * ranks * microbatches,
      rankPhases: (rank, sink) => {
        const stageOf = [rank, stages - 1 - rank] as const;
        const push = (kind: OpKind, mb: number, chunk: 0 | 1) => {
          if (mb < microbatches) sink.op(kind, mb, chunk, stageOf[chunk], 0);
        };
        let f0 = 0, f1 = 0, b0 = 0, b1 = 0, w0 = 0, w1 = 0;
        return [
          // Phase 1: 2(p−r)−1 forwards of chunk 0 fill the way down the V.
          repeat(2 * (ranks - rank) - 1, () => push(OP_F, f0++, 0)),
          // Phase 2: r pairs of forwards, chunk 1 then chunk 0, as chunk-1 inputs start coming back up.
          repeat(rank, () => {
            push(OP_F, f1++, 1);
            push(OP_F, f0++, 0);
          }),
          // Phase 3: p−r rounds of chunk 1 forward, input-gradient and weight-gradient backward.
          repeat(ranks - rank, () => {
            push(OP_F, f1++, 1);
            push(OP_I, b1, 1);
            push(OP_W, b1++, 1);
          }),
          // Phase 4: steady state, F I W on chunk 0 then on chunk 1, until both chunks' forwards are done.
          loopWhile(() => f1 < f0 || f0 < padded, () => {
            if (f0 < padded) push(OP_F, f0++, 0);
            push(OP_I, b0, 0);
            push(OP_W, b0++, 0);
            push(OP_F, f1++, 1);
            push(OP_I, b1, 1);
            push(OP_W, b1++, 1);
          }),
          // Phase 5: r pairs of input-gradient backwards, chunk 0 then chunk 1, with the Ws held back.
          repeat(() => {
            w0 = b0;
            w1 = b1;
            return rank;
          }, () => {
            push(OP_I, b0++, 0);
            push(OP_I, b1++, 1);
          }),
          // Phase 6: p−r rounds of chunk 0 input-gradient backward, each followed by the oldest chunk-0 W.
          repeat(ranks - rank, () => {
            push(OP_I, b0++, 0);
            push(OP_W, w0++, 0);
          }),
          // Phase 7: the remaining Ws, chunk 1 then chunk 0.
          loopWhile(() => w1 < b1, () => push(OP_W, w1++, 1)),
          loopWhile(() => w0 < b0, () => push(OP_W, w0++, 0)),
        ];
      },
    },
  };
}
