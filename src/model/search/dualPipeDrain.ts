// DualPipe's drain, as a bound on its makespan (bound.ts has the others). The busiest rank's work leaves out the
// bubble. Follow one direction's last micro-batch instead. On rank r let X be the op that runs its forward and Y
// the op that runs its backward. X on the rank of stage s starts no earlier than X of stage s − 1 ends (the estimate
// counts DualPipe's sends as hidden), nor before the rank has run every op before X in its order; likewise Y on
// the rank of stage t after Y of stage t + 1 (after the last stage's own X at the end of the forwards), and after
// the ops before it. Each rank then still runs every op after Y. So, stage by stage, X ends no earlier than
// max(previous X's end, rank's work before X) + X's time, the same for Y on the way back, and the makespan is at
// least each Y's end plus the rank's work after it. That is the simulator's own rule for that one chain, with every
// other op's timing relaxed to the rank's busy time before it: a lower bound. The busy times come from the
// schedule's facts; the times of X, Y and the ops after X are exact.
//
// Which ops a rank runs from X to its end follows from DualPipe's steps (dualpipe.ts) after its steady state: steps
// 5 to 8 and the last iteration of step 4 have counts that read the rank and p only, so with at least p + 1
// micro-batches per direction (two or more steady-state iterations on every rank) they are the same for every m.
// They are read once per p off a small generated table (test/model/search/dualPipeDrain.test.ts checks them against
// the table at larger m).
import type { StageTimes } from '../cost/compute/stageTime';
import { generateSchedule } from '../schedule/index';
import { OP_B, OP_F, OP_FB, OP_I, OP_W } from '../schedule/ops';
import type { OpCounts } from './bound';

/**
 * Per rank and direction (at 2·rank + direction): the ops the rank runs from X to its last op, kinds and stages, and
 * where Y is among them.
 */
export interface DualPipeTails {
  kinds: Uint8Array[];
  stages: Int32Array[];
  backwardAt: Int32Array;
}

/** The least micro-batches per direction over p for which the ops between X and Y no longer depend on m. */
const STEADY_EXTRA = 1;

/** Whether dualPipeTails of `ranks` hold for `microbatches` (both directions together). */
export function tailsHold(ranks: number, microbatches: number): boolean {
  return microbatches / 2 >= ranks + STEADY_EXTRA;
}

/** The ops between X and Y on every rank, in each direction, for p = `ranks`; undefined where DualPipe does not apply. */
export function dualPipeTails(ranks: number, microbatches = 2 * (ranks + STEADY_EXTRA)): DualPipeTails | undefined {
  const generated = generateSchedule('dualpipe', { ranks, microbatches });
  if (!generated.ok) return undefined;
  const { schedule } = generated;
  const lastMicrobatch = schedule.microbatches / 2 - 1;
  const kinds: Uint8Array[] = [];
  const stages: Int32Array[] = [];
  const backwards: number[] = [];
  for (let rank = 0; rank < ranks; rank++) {
    for (let direction = 0; direction < 2; direction++) {
      let forwardAt = -1;
      let backwardAt = -1;
      for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
        const kind = schedule.kind[i]!;
        const own = schedule.pipe[i] === direction && schedule.mb[i] === lastMicrobatch;
        if ((kind === OP_F || kind === OP_FB) && own) forwardAt = i;
        if ((kind === OP_B || kind === OP_I) && own) backwardAt = i;
        if (kind === OP_FB && schedule.backPipe[i] === direction && schedule.backMb[i] === lastMicrobatch) backwardAt = i;
      }
      const end = schedule.rankStart[rank + 1]!;
      kinds.push(schedule.kind.slice(forwardAt, end));
      stages.push(schedule.stage.slice(forwardAt, end));
      backwards.push(backwardAt - forwardAt);
    }
  }
  return { kinds, stages, backwardAt: Int32Array.from(backwards) };
}

/** An op's time as the simulator gives it: an I op is B − W, an F&B pair its forward stage's F&B. */
function opSeconds(kind: number, stage: number, costs: StageTimes): number {
  if (kind === OP_F) return costs.F[stage]!;
  if (kind === OP_B) return costs.B[stage]!;
  if (kind === OP_I) return costs.B[stage]! - costs.W[stage]!;
  if (kind === OP_W) return costs.W[stage]!;
  return kind === OP_FB ? costs.FB[stage]! : 0;
}

/**
 * The drain bound above for a DualPipe of `ranks` ranks: `counts` are its ops by rank (schedule facts), `tails`
 * dualPipeTails(ranks), `costs` its stage times.
 */
export function dualPipeDrainBound(counts: OpCounts, tails: DualPipeTails, costs: StageTimes, ranks: number): number {
  const busy = new Float64Array(ranks);
  for (let rank = 0; rank < ranks; rank++) {
    for (let i = counts.rankStart[rank]!; i < counts.rankStart[rank + 1]!; i++) busy[rank]! += counts.count[i]! * opSeconds(counts.kind[i]!, counts.stage[i]!, costs);
  }
  let most = 0;
  for (let direction = 0; direction < 2; direction++) {
    // Stage s of this direction runs on rank s (direction 0) or p − 1 − s (direction 1).
    const rankOf = (stage: number) => (direction === 0 ? stage : ranks - 1 - stage);
    let end = 0;
    for (let stage = 0; stage < ranks; stage++) {
      const at = 2 * rankOf(stage) + direction;
      const kinds = tails.kinds[at]!;
      const stages = tails.stages[at]!;
      let fromX = 0;
      for (let j = 0; j < kinds.length; j++) fromX += opSeconds(kinds[j]!, stages[j]!, costs);
      end = Math.max(end, busy[rankOf(stage)]! - fromX) + opSeconds(kinds[0]!, stages[0]!, costs);
    }
    for (let stage = ranks - 1; stage >= 0; stage--) {
      const at = 2 * rankOf(stage) + direction;
      const kinds = tails.kinds[at]!;
      const stages = tails.stages[at]!;
      const y = tails.backwardAt[at]!;
      let fromY = 0;
      for (let j = y; j < kinds.length; j++) fromY += opSeconds(kinds[j]!, stages[j]!, costs);
      const yEnd = Math.max(end, busy[rankOf(stage)]! - fromY) + opSeconds(kinds[y]!, stages[y]!, costs);
      most = Math.max(most, yEnd + fromY - opSeconds(kinds[y]!, stages[y]!, costs));
      end = yEnd;
    }
  }
  return most;
}
