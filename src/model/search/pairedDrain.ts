// The drain of DualPipe and DualPipeV, as a bound on their makespan (bound.ts has the others). The busiest rank's
// work leaves out the bubble, and these schedules' busiest ranks start at once (DualPipe's ends hold the embedding
// and the head; DualPipeV's rank 0 holds the first and the last stage). Follow a pipe's last micro-batch instead.
// On the rank of each stage let X be the op that runs its forward there and Y the op that runs its backward. X of
// stage s starts no earlier than X of stage s − 1 ends (the estimate counts these schedules' sends as hidden), nor
// before its rank has run every op before X in its order; likewise Y of stage t after Y of stage t + 1 (the last
// stage's after its own X), and after the ops before it. Each rank then still runs every op after Y. So, stage by
// stage, X ends no earlier than max(previous X's end, the rank's work before X) + X's time, the same for Y on the
// way back, and the makespan is at least each Y's end plus its rank's work after it. That is the simulator's own
// rule for that one chain, with every other op's timing relaxed to its rank's busy time before it: a lower bound.
// The busy times come from the schedule's facts; the times of X, Y and the ops after X are exact.
//
// Which ops a rank runs from X to its end follows from the schedules' eight steps (dualpipe.ts, dualpipev.ts) after
// the steady state: steps 5 to 8 and the last iteration of step 4 have counts that read the rank and p only, so
// with m ≥ 2p + 2 (two or more steady-state iterations on every rank) they are the same for every m. They are read
// once per p off a small generated table (test/model/search/pairedDrain.test.ts checks them against the table at
// larger m); below that (m = 2p or 2p + 1, the least the schedules allow) off the run's own table, as small.
import type { StageTimes } from '../cost/compute/stageTime';
import { generateSchedule } from '../schedule/index';
import { OP_B, OP_F, OP_FB, OP_I } from '../schedule/ops';
import { opSeconds, rankBusySeconds, type OpCounts } from './bound';

/** The schedules this bound is for: the pair schedules, whose busiest ranks start at once. */
export type DrainScheduleId = 'dualpipe' | 'dualpipev';

/**
 * Per model stage of each pipe (at pipe · stages + stage): the ops its rank runs from X to its last op, kinds and
 * stages, and where Y is among them; and each stage's rank.
 */
export interface DrainTails {
  stages: number;
  pipes: number;
  stageRank: Int32Array;
  kinds: Uint8Array[];
  opStages: Int32Array[];
  backwardAt: Int32Array;
}

/** Whether drainTails at m = 2p + 2 hold for `microbatches` (DualPipe's both directions together): two steady iterations on every rank. */
export function tailsHold(ranks: number, microbatches: number): boolean {
  return microbatches >= 2 * ranks + 2;
}

/** The micro-batches of the table drainTails reads for a run of `microbatches`: 2p + 2 where the tails hold, else its own. */
export function tailsMicrobatches(ranks: number, microbatches: number): number {
  return tailsHold(ranks, microbatches) ? 2 * ranks + 2 : microbatches;
}

/** The ops from X to the end on each stage's rank, for p = `ranks`; undefined where the schedule does not apply. */
export function drainTails(id: DrainScheduleId, ranks: number, microbatches = 2 * ranks + 2): DrainTails | undefined {
  const generated = generateSchedule(id, { ranks, microbatches });
  if (!generated.ok) return undefined;
  const { schedule } = generated;
  const { stages, pipes, stageRank } = schedule;
  const lastMicrobatch = schedule.microbatches / pipes - 1;
  const kinds: Uint8Array[] = [];
  const opStages: Int32Array[] = [];
  const backwards: number[] = [];
  for (let pipe = 0; pipe < pipes; pipe++) {
    for (let stage = 0; stage < stages; stage++) {
      const rank = stageRank[pipe * stages + stage]!;
      let forwardAt = -1;
      let backwardAt = -1;
      for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
        const kind = schedule.kind[i]!;
        const own = schedule.pipe[i] === pipe && schedule.stage[i] === stage && schedule.mb[i] === lastMicrobatch;
        if ((kind === OP_F || kind === OP_FB) && own) forwardAt = i;
        if ((kind === OP_B || kind === OP_I) && own) backwardAt = i;
        if (kind === OP_FB && schedule.backPipe[i] === pipe && schedule.backStage[i] === stage && schedule.backMb[i] === lastMicrobatch) backwardAt = i;
      }
      const end = schedule.rankStart[rank + 1]!;
      kinds.push(schedule.kind.slice(forwardAt, end));
      opStages.push(schedule.stage.slice(forwardAt, end));
      backwards.push(backwardAt - forwardAt);
    }
  }
  return { stages, pipes, stageRank, kinds, opStages, backwardAt: Int32Array.from(backwards) };
}

/**
 * The drain bound above, and at least the busiest rank's work (bound.ts busiestRankBound): `counts` are the
 * schedule's ops by rank (schedule facts), `tails` drainTails of the same schedule and p, `costs` its stage times.
 */
export function drainBound(counts: OpCounts, tails: DrainTails, costs: StageTimes): number {
  const ranks = counts.rankStart.length - 1;
  const busy = new Float64Array(ranks);
  let most = 0;
  for (let rank = 0; rank < ranks; rank++) most = Math.max(most, (busy[rank] = rankBusySeconds(counts, costs, rank)));
  const { stages, pipes, stageRank } = tails;
  for (let pipe = 0; pipe < pipes; pipe++) {
    let end = 0;
    for (let stage = 0; stage < stages; stage++) {
      const at = pipe * stages + stage;
      const kinds = tails.kinds[at]!;
      const opStages = tails.opStages[at]!;
      let fromX = 0;
      for (let j = 0; j < kinds.length; j++) fromX += opSeconds(kinds[j]!, opStages[j]!, costs);
      end = Math.max(end, busy[stageRank[at]!]! - fromX) + opSeconds(kinds[0]!, opStages[0]!, costs);
    }
    for (let stage = stages - 1; stage >= 0; stage--) {
      const at = pipe * stages + stage;
      const kinds = tails.kinds[at]!;
      const opStages = tails.opStages[at]!;
      const y = tails.backwardAt[at]!;
      let fromY = 0;
      for (let j = y; j < kinds.length; j++) fromY += opSeconds(kinds[j]!, opStages[j]!, costs);
      const yEnd = Math.max(end, busy[stageRank[at]!]! - fromY) + opSeconds(kinds[y]!, opStages[y]!, costs);
      most = Math.max(most, yEnd + fromY - opSeconds(kinds[y]!, opStages[y]!, costs));
      end = yEnd;
    }
  }
  return most;
}
