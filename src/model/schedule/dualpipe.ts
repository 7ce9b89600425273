// DualPipe in the order of deepseek-ai/DualPipe's `DualPipe.step()` (SCHEDULES.md §3, DeepSeek-V3 report §3.2.1).
// Two pipelines run at once in opposite directions: direction 0 enters at rank 0 (stage = rank), direction 1 at
// rank p−1 (stage = p−1−rank), so rank r holds stage r of one model copy and stage p−1−r of the other. Each
// direction carries m/2 micro-batches, numbered 0..m/2−1 within it; chunk and pipe both equal the direction.
//
// `step()` speaks of local phases; on the second half of the ranks phase 0 is direction 1 (`phase ^=
// is_in_second_half`), which makes rank r the mirror of rank p−1−r. W runs first in, first out in the order the
// split (zero-bubble) backwards were issued, whatever their direction, as DualPipe's WeightGradStore does.
import { constraintError, ScheduleBuilder } from './builder';
import { OP_B, OP_F, OP_I, OP_W, type ScheduleError, type ScheduleParams, type ScheduleResult } from './ops';

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

export function generateDualPipe(params: ScheduleParams): ScheduleResult {
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
  const builder = new ScheduleBuilder('dualpipe', ranks, microbatches, 2, ranks, 2, stageRank, 3 * ranks * microbatches);
  // Per-rank state, reused: the stage of each direction and the W queue.
  const stageOf = new Int32Array(2);
  const queueMb = new Int32Array(microbatches);
  const queueDirection = new Uint8Array(microbatches);

  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    const halfRank = Math.min(rank, ranks - 1 - rank);
    const secondHalf = rank >= half ? 1 : 0;
    const middle = rank === half - 1 || rank === half;
    let forward0 = 0, forward1 = 0, backward0 = 0, backward1 = 0;
    const nextForward = (direction: number) => (direction === 0 ? forward0++ : forward1++);
    const nextBackward = (direction: number) => (direction === 0 ? backward0++ : backward1++);
    stageOf[0] = rank;
    stageOf[1] = ranks - 1 - rank;
    let queueHead = 0;
    let queueTail = 0;

    const forward = (phase: number) => {
      const d = phase ^ secondHalf;
      builder.push(OP_F, nextForward(d), d, stageOf[d]!, d);
    };
    const backward = (phase: number, zeroBubble: boolean) => {
      const d = phase ^ secondHalf;
      const mb = nextBackward(d);
      builder.push(zeroBubble ? OP_I : OP_B, mb, d, stageOf[d]!, d);
      if (zeroBubble) {
        queueMb[queueTail] = mb;
        queueDirection[queueTail++] = d;
      }
    };
    const weight = () => {
      const d = queueDirection[queueHead]!;
      builder.push(OP_W, queueMb[queueHead++]!, d, stageOf[d]!, d);
    };
    const forwardBackward = (forwardPhase: number, backwardPhase: number) => {
      const f = forwardPhase ^ secondHalf;
      const b = backwardPhase ^ secondHalf;
      builder.pushOverlapped(nextForward(f), f, stageOf[f]!, f, nextBackward(b), b, stageOf[b]!, b);
    };

    // Step 1: nF0, forwards of the local phase 0 fill the way to the middle.
    for (let i = 0; i < (half - halfRank - 1) * 2; i++) forward(0);
    // Step 2: nF0F1, forwards of both phases alternate.
    for (let i = 0; i < halfRank + 1; i++) {
      forward(0);
      forward(1);
    }
    // Step 3: nB1W1F1, split backward of phase 1 with its W right away, then a phase-1 forward.
    for (let i = 0; i < half - halfRank - 1; i++) {
      backward(1, true);
      weight();
      forward(1);
    }
    // Step 4: nF0B1F1B0, the steady state of overlapped pairs; the two middle ranks run their first pair apart.
    for (let i = 0; i < perDirection - ranks + halfRank + 1; i++) {
      if (i === 0 && middle) {
        forward(0);
        backward(1, false);
      } else {
        forwardBackward(0, 1);
      }
      forwardBackward(1, 0);
    }
    // Step 5: nB1F1B0, a lone phase-1 backward, then phase-1 forwards overlapped with phase-0 backwards.
    for (let i = 0; i < half - halfRank - 1; i++) {
      backward(1, false);
      forwardBackward(1, 0);
    }
    // Step 6: nB1B0, backwards of both phases; the second half of them are split, switching on by parity.
    const step6 = halfRank + 1;
    let zeroBubble = false;
    for (let i = 0; i < step6; i++) {
      if (i === step6 >> 1 && halfRank % 2 === 1) zeroBubble = true;
      backward(1, zeroBubble);
      if (i === step6 >> 1 && halfRank % 2 === 0) zeroBubble = true;
      backward(0, zeroBubble);
    }
    // Step 7: nWB0, a queued W then a split phase-0 backward.
    for (let i = 0; i < half - halfRank - 1; i++) {
      weight();
      backward(0, true);
    }
    // Step 8: nW, the Ws still queued.
    while (queueHead < queueTail) weight();
  }
  return { ok: true, schedule: builder.finish() };
}
