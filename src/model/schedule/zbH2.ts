// ZB-H2 (ZB2P) of Qi et al., "Zero Bubble Pipeline Parallelism" (ICLR'24), §2.2, with the backward split into
// I (input gradient) and W (weight gradient).
//
// Taken from the paper: ZB-H2 trades memory for a zero bubble. Extra warm-up forwards fill the time before the
// first input gradient comes back, Ws are pushed towards the end to fill the drain, each rank holds up to 2p−1
// activations, and at T_F = T_B = T_W (our F = B−W = W) every rank is busy from its first op to its last: the
// shape is a parallelogram, so the global makespan still carries the (p−1)·F ramp (SCHEDULES.md §4 item 8).
//
// Ours (the paper gives a figure, not an algorithm; the ZeroBubble repository builds its ZB2P with a
// cost-dependent heuristic search, so its order is not this one):
//   - warm-up of 2(p−1−r)+1 forwards on rank r: at unit cost the first I reaches rank r at time 2p−1−r, and rank r
//     starts at time r;
//   - then 2r pairs [I, F] without W, which brings every rank to 2p−1 activations held until their W;
//   - then a steady state [I, W, F] that keeps that level;
//   - then a cool-down I, W, I, W, …, I, and a tail of the 2r+1 Ws still owed. The tail is what lets the last
//     input gradients run back to rank 0 at one hop per slot, so rank r ends at r + 3m.
// Checked by simulation (test/model/schedule/zbH2.test.ts): own-span idle is exactly 0 on every rank for every
// p ≤ 12, 2p−1 ≤ m ≤ 40 at F=1, B=2, W=1, and no rank ever holds more than 2p−1 activations.
//
// Small m (m < 2p−1), our rule: the phase counts are capped by m, so early ranks warm up with all m forwards and
// then alternate I and W. Zero bubble is then impossible for any order: rank 0 has only forwards to run until the
// first input gradient returns at 2p−1 forward-times, and it has fewer than 2p−1 of them. At unit cost rank 0
// idles exactly that bound, 2p−1−m (also checked in the test).
import { loopedStageRank } from './builder';
import { OP_F, OP_I, OP_W, type ScheduleParams } from './ops';
import { loopWhile, repeat, type ScheduleProgramResult } from './program';

export function programZbH2({ ranks, microbatches }: ScheduleParams): ScheduleProgramResult {
  return {
    ok: true,
    program: {
      id: 'zb-h2', ranks, microbatches, chunks: 1, stages: ranks, pipes: 1, stageRank: loopedStageRank(ranks, 1),
      expectedOps: 3 * ranks * microbatches,
      rankPhases: (rank, sink) => {
        const warmup = Math.min(2 * (ranks - 1 - rank) + 1, microbatches);
        const pairs = Math.min(2 * rank, microbatches - warmup);
        const steady = microbatches - warmup - pairs;
        let forwards = 0, inputs = 0, weights = 0;
        return [
          // Phase 1: warm-up forwards until the first input gradient can arrive.
          repeat(warmup, () => sink.op(OP_F, forwards++, 0, rank, 0)),
          // Phase 2: input-gradient backward then forward, Ws held back, up to 2p−1 activations in flight.
          repeat(pairs, () => {
            sink.op(OP_I, inputs++, 0, rank, 0);
            sink.op(OP_F, forwards++, 0, rank, 0);
          }),
          // Phase 3: steady state I, W, F: one activation freed for each one taken.
          repeat(steady, () => {
            sink.op(OP_I, inputs++, 0, rank, 0);
            sink.op(OP_W, weights++, 0, rank, 0);
            sink.op(OP_F, forwards++, 0, rank, 0);
          }),
          // Phase 4: cool-down, the remaining input gradients with a W between each two.
          loopWhile(() => inputs < microbatches, () => {
            sink.op(OP_I, inputs++, 0, rank, 0);
            if (inputs < microbatches) sink.op(OP_W, weights++, 0, rank, 0);
          }),
          // Phase 5: the tail of Ws still owed (2r+1 once m ≥ 2p−1).
          loopWhile(() => weights < microbatches, () => sink.op(OP_W, weights++, 0, rank, 0)),
        ];
      },
    },
  };
}
