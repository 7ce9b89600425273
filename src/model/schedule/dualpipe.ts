// DualPipe in the order of deepseek-ai/DualPipe's `DualPipe.step()` (SCHEDULES.md §3, DeepSeek-V3 report §3.2.1).
// Two pipelines run at once in opposite directions: direction 0 enters at rank 0 (stage = rank), direction 1 at
// rank p−1 (stage = p−1−rank), so rank r holds stage r of one model copy and stage p−1−r of the other. Each
// direction carries m/2 micro-batches, numbered 0..m/2−1 within it; chunk and pipe both equal the direction.
//
// `step()` speaks of local phases; on the second half of the ranks phase 0 is direction 1 (`phase ^=
// is_in_second_half`), which makes rank r the mirror of rank p−1−r. W runs first in, first out in the order the
// split (zero-bubble) backwards were issued, whatever their direction, as DualPipe's WeightGradStore does.
import { constraintError } from './builder';
import { OP_B, OP_F, OP_I, OP_W, type ScheduleError, type ScheduleParams } from './ops';
import { loopWhile, repeat, type OpSink, type Phase, type ScheduleProgramResult } from './program';

/**
 * The asserts of `DualPipe.step()`: two equal halves of ranks, two equal halves of micro-batches, and enough
 * micro-batches that every rank reaches the overlapped steady state. No ops are built.
 */
export function checkDualPipe({ ranks, microbatches }: ScheduleParams): ScheduleError | undefined {
  if (ranks % 2 !== 0) {
    return constraintError('dualpipe', `DualPipe needs an even number of pipeline ranks (each rank r pairs with rank p−1−r), got ${ranks}`).error;
  }
  if (microbatches % 2 !== 0) {
    return constraintError('dualpipe', `DualPipe needs an even number of micro-batches (half go each direction), got ${microbatches}`).error;
  }
  if (microbatches < 2 * ranks) {
    return constraintError('dualpipe', `DualPipe needs at least twice as many micro-batches as pipeline ranks (m ≥ 2p = ${2 * ranks}), got ${microbatches}`).error;
  }
  return undefined;
}

export function programDualPipe(params: ScheduleParams): ScheduleProgramResult {
  const broken = checkDualPipe(params);
  if (broken) return { ok: false, error: broken };
  const { ranks, microbatches } = params;

  const half = ranks / 2;
  const perDirection = microbatches / 2;
  const stageRank = new Int32Array(2 * ranks);
  for (let s = 0; s < ranks; s++) {
    stageRank[s] = s;
    stageRank[ranks + s] = ranks - 1 - s;
  }
  const rankPhases = (rank: number, sink: OpSink): Phase[] => {
    const halfRank = Math.min(rank, ranks - 1 - rank);
    const secondHalf = rank >= half ? 1 : 0;
    const middle = rank === half - 1 || rank === half;
    const stageOf = [rank, ranks - 1 - rank] as const;
    let forward0 = 0, forward1 = 0, backward0 = 0, backward1 = 0;
    const nextForward = (direction: number) => (direction === 0 ? forward0++ : forward1++);
    const nextBackward = (direction: number) => (direction === 0 ? backward0++ : backward1++);
    // The W queue: steps 3, 6 and 7 split at most 2(p/2 − h − 1) + 2(h + 1) = p backwards on rank r (h = halfRank).
    const queueMb = new Int32Array(ranks);
    const queueDirection = new Uint8Array(ranks);
    let queueHead = 0;
    let queueTail = 0;

    const forward = (phase: number) => {
      const d = phase ^ secondHalf;
      sink.op(OP_F, nextForward(d), d, stageOf[d]!, d);
    };
    const backward = (phase: number, zeroBubble: boolean) => {
      const d = phase ^ secondHalf;
      const mb = nextBackward(d);
      sink.op(zeroBubble ? OP_I : OP_B, mb, d, stageOf[d]!, d);
      if (zeroBubble) {
        queueMb[queueTail] = mb;
        queueDirection[queueTail++] = d;
      }
    };
    const weight = () => {
      const d = queueDirection[queueHead]!;
      sink.op(OP_W, queueMb[queueHead++]!, d, stageOf[d]!, d);
    };
    const forwardBackward = (forwardPhase: number, backwardPhase: number) => {
      const f = forwardPhase ^ secondHalf;
      const b = backwardPhase ^ secondHalf;
      sink.overlapped(nextForward(f), f, stageOf[f]!, f, nextBackward(b), b, stageOf[b]!, b);
    };
    const step6 = halfRank + 1;
    let zeroBubble = false;

    return [
      // Step 1: nF0, forwards of the local phase 0 fill the way to the middle.
      repeat((half - halfRank - 1) * 2, () => forward(0)),
      // Step 2: nF0F1, forwards of both phases alternate.
      repeat(halfRank + 1, () => {
        forward(0);
        forward(1);
      }),
      // Step 3: nB1W1F1, split backward of phase 1 with its W right away, then a phase-1 forward.
      repeat(half - halfRank - 1, () => {
        backward(1, true);
        weight();
        forward(1);
      }),
      // Step 4: nF0B1F1B0, the steady state of overlapped pairs; the two middle ranks run their first pair apart.
      repeat(perDirection - ranks + halfRank + 1, (i) => {
        if (i === 0 && middle) {
          forward(0);
          backward(1, false);
        } else {
          forwardBackward(0, 1);
        }
        forwardBackward(1, 0);
      }),
      // Step 5: nB1F1B0, a lone phase-1 backward, then phase-1 forwards overlapped with phase-0 backwards.
      repeat(half - halfRank - 1, () => {
        backward(1, false);
        forwardBackward(1, 0);
      }),
      // Step 6: nB1B0, backwards of both phases; the second half of them are split, switching on by parity.
      repeat(step6, (i) => {
        if (i === step6 >> 1 && halfRank % 2 === 1) zeroBubble = true;
        backward(1, zeroBubble);
        if (i === step6 >> 1 && halfRank % 2 === 0) zeroBubble = true;
        backward(0, zeroBubble);
      }),
      // Step 7: nWB0, a queued W then a split phase-0 backward.
      repeat(half - halfRank - 1, () => {
        weight();
        backward(0, true);
      }),
      // Step 8: nW, the Ws still queued.
      loopWhile(() => queueHead < queueTail, weight),
    ];
  };
  return {
    ok: true,
    program: { id: 'dualpipe', ranks, microbatches, chunks: 2, stages: ranks, pipes: 2, stageRank, expectedOps: 3 * ranks * microbatches, rankPhases },
  };
}
