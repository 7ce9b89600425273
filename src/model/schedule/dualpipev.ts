// DualPipeV in the order of deepseek-ai/DualPipe's `DualPipeV.step()` (SCHEDULES.md §3, §4 item 5): DualPipe "cut
// in half". d devices hold 2d stages in a V, chunk 0 = stage r and chunk 1 = stage 2d−1−r, so one pipeline runs
// down the ranks and back up; every micro-batch enters and meets its loss on rank 0. The eight steps are
// DualPipe's with the half-rank index replaced by the rank, p/2 by d, m/2 − p by m − 2d, the middle ranks by the
// last rank, and no phase swap (phase = chunk). m may be odd; W runs first in, first out in split order.
import { constraintError, vStageRank } from './builder';
import { OP_B, OP_F, OP_I, OP_W, type ScheduleError, type ScheduleParams } from './ops';
import { loopWhile, repeat, type OpSink, type Phase, type ScheduleProgramResult } from './program';

/** The assert of `DualPipeV.step()`: every rank must reach the overlapped steady state. No ops are built. */
export function checkDualPipeV({ ranks, microbatches }: ScheduleParams): ScheduleError | undefined {
  if (microbatches < 2 * ranks) {
    return constraintError('dualpipev', `DualPipeV needs at least twice as many micro-batches as devices (m ≥ 2d = ${2 * ranks}), got ${microbatches}`).error;
  }
  return undefined;
}

export function programDualPipeV(params: ScheduleParams): ScheduleProgramResult {
  const broken = checkDualPipeV(params);
  if (broken) return { ok: false, error: broken };
  const { ranks, microbatches } = params;
  const stages = 2 * ranks;

  const rankPhases = (rank: number, sink: OpSink): Phase[] => {
    const last = rank === ranks - 1;
    const stageOf = [rank, stages - 1 - rank] as const;
    let forward0 = 0, forward1 = 0, backward0 = 0, backward1 = 0;
    const nextForward = (chunk: number) => (chunk === 0 ? forward0++ : forward1++);
    const nextBackward = (chunk: number) => (chunk === 0 ? backward0++ : backward1++);
    // The W queue: steps 3, 6 and 7 split at most 2(d − r − 1) + 2(r + 1) = 2d backwards on rank r.
    const queueMb = new Int32Array(2 * ranks);
    const queueChunk = new Uint8Array(2 * ranks);
    let queueHead = 0;
    let queueTail = 0;

    const forward = (chunk: number) => sink.op(OP_F, nextForward(chunk), chunk, stageOf[chunk]!, 0);
    const backward = (chunk: number, zeroBubble: boolean) => {
      const mb = nextBackward(chunk);
      sink.op(zeroBubble ? OP_I : OP_B, mb, chunk, stageOf[chunk]!, 0);
      if (zeroBubble) {
        queueMb[queueTail] = mb;
        queueChunk[queueTail++] = chunk;
      }
    };
    const weight = () => {
      const chunk = queueChunk[queueHead]!;
      sink.op(OP_W, queueMb[queueHead++]!, chunk, stageOf[chunk]!, 0);
    };
    const forwardBackward = (forwardChunk: number, backwardChunk: number) => {
      sink.overlapped(
        nextForward(forwardChunk), forwardChunk, stageOf[forwardChunk]!, 0,
        nextBackward(backwardChunk), backwardChunk, stageOf[backwardChunk]!, 0,
      );
    };
    const step6 = rank + 1;
    let zeroBubble = false;

    return [
      // Step 1: nF0, chunk-0 forwards fill the way down the V.
      repeat((ranks - rank - 1) * 2, () => forward(0)),
      // Step 2: nF0F1, forwards of both chunks alternate.
      repeat(rank + 1, () => {
        forward(0);
        forward(1);
      }),
      // Step 3: nB1W1F1, split chunk-1 backward with its W right away, then a chunk-1 forward.
      repeat(ranks - rank - 1, () => {
        backward(1, true);
        weight();
        forward(1);
      }),
      // Step 4: nF0B1F1B0, the steady state of overlapped pairs; the last rank runs its first pair apart.
      repeat(microbatches - 2 * ranks + rank + 1, (i) => {
        if (i === 0 && last) {
          forward(0);
          backward(1, false);
        } else {
          forwardBackward(0, 1);
        }
        forwardBackward(1, 0);
      }),
      // Step 5: nB1F1B0, a lone chunk-1 backward, then chunk-1 forwards overlapped with chunk-0 backwards.
      repeat(ranks - rank - 1, () => {
        backward(1, false);
        forwardBackward(1, 0);
      }),
      // Step 6: nB1B0, backwards of both chunks; the second half of them are split, switching on by parity.
      repeat(step6, (i) => {
        if (i === step6 >> 1 && rank % 2 === 1) zeroBubble = true;
        backward(1, zeroBubble);
        if (i === step6 >> 1 && rank % 2 === 0) zeroBubble = true;
        backward(0, zeroBubble);
      }),
      // Step 7: nWB0, a queued W then a split chunk-0 backward.
      repeat(ranks - rank - 1, () => {
        weight();
        backward(0, true);
      }),
      // Step 8: nW, the Ws still queued.
      loopWhile(() => queueHead < queueTail, weight),
    ];
  };
  return {
    ok: true,
    program: { id: 'dualpipev', ranks, microbatches, chunks: 2, stages, pipes: 1, stageRank: vStageRank(ranks), expectedOps: 6 * ranks * microbatches, rankPhases },
  };
}
