// The bounds' facts of a schedule read off its generator's phase counts, with no op emitted: what scheduleFacts.ts
// would collect by running the program, for the schedules whose phases are fixed-count loops. The held count
// follows FactsSink's rule (activationPeak.ts with every stage weighing 1): a forward adds a chunk, a full backward
// or a W frees one, an I frees none, and an F&B pair holds its forward's chunk until its backward half frees one.
// test/model/search/scheduleFacts.test.ts compares every figure with the generated table.
import { OP_B, OP_F, OP_FB, OP_I, OP_W, type OpKind } from '../schedule/ops';
import type { ScheduleProgram } from '../schedule/program';
import { NO_PAIRS, pairedSharesOf, type OpCounts, type PairedShares } from './bound';
import { rankStagesOf } from './memoryBound';
import type { ScheduleFacts } from './scheduleFacts';

const KINDS = 5;

/** The facts of `program` in closed form, or undefined where only running it gives them. */
export function closedFormFacts(program: ScheduleProgram): ScheduleFacts | undefined {
  const { id, ranks, microbatches } = program;
  if (id === 'gpipe' || id === '1f1b' || id === 'zb-h1' || id === 'zb-h2') return oneStagePerRankFacts(program, id);
  if (id === 'zbv' && microbatches >= 2 * ranks - 1) return zbvFacts(program);
  if (id === 'dualpipev' || id === 'dualpipe') return dualPipeFacts(program);
  return undefined;
}

/**
 * A schedule whose rank r runs m forwards and m backwards of its one stage r (w: the warm-up forwards):
 * - GPipe: every forward first, so m in flight;
 * - 1F1B: w = min(p − r − 1, m), then a forward before each backward: min(p − r, m);
 * - ZB-H1: the same warm-up, then F, I and a W that trails its I by r: min(p, m) on every rank;
 * - ZB-H2: w = min(2(p − r − 1) + 1, m) and up to 2r (I, F) pairs before the first W: min(2p − 1, m).
 */
function oneStagePerRankFacts(program: ScheduleProgram, id: 'gpipe' | '1f1b' | 'zb-h1' | 'zb-h2'): ScheduleFacts {
  const { ranks, microbatches: m } = program;
  const split = id === 'zb-h1' || id === 'zb-h2';
  const kinds: readonly OpKind[] = split ? [OP_F, OP_I, OP_W] : [OP_F, OP_B];
  const peakOf = (rank: number) =>
    id === 'gpipe' ? m : id === '1f1b' ? Math.min(ranks - rank, m) : id === 'zb-h1' ? Math.min(ranks, m) : Math.min(2 * ranks - 1, m);
  const rows = ranks * kinds.length;
  const rankStart = new Int32Array(ranks + 1);
  const kind = new Uint8Array(rows);
  const stage = new Int32Array(rows);
  const count = new Float64Array(rows).fill(m);
  const peaks = new Float64Array(ranks);
  for (let rank = 0; rank < ranks; rank++) {
    for (let k = 0; k < kinds.length; k++) {
      kind[rank * kinds.length + k] = kinds[k]!;
      stage[rank * kinds.length + k] = rank;
    }
    rankStart[rank + 1] = (rank + 1) * kinds.length;
    peaks[rank] = peakOf(rank);
  }
  const rankStages = rankStagesOf(ranks, program.stages, program.pipes, program.stageRank);
  return { stages: program.stages, rankStages, counts: { rankStart, kind, stage, count }, peaks, shares: NO_PAIRS };
}

/**
 * ZB-V with m ≥ 2p − 1, where no padded micro-batch is skipped: each rank runs m F, I and W on each of its two
 * stages. Phases 1 and 2 leave 2(p − r) − 1 + 2r = 2p − 1 forwards in flight, and phase 3's first forward (before
 * its W) makes 2p; from then on every forward follows a W, and the count only falls.
 */
function zbvFacts(program: ScheduleProgram): ScheduleFacts {
  const { ranks, microbatches: m } = program;
  const facts = new TwoStageFacts(program);
  const perStage = new Float64Array(KINDS);
  perStage[OP_F] = perStage[OP_I] = perStage[OP_W] = m;
  for (let rank = 0; rank < ranks; rank++) facts.rank(rank, rank, perStage, 2 * ranks - 1 - rank, perStage, 2 * ranks);
  return facts.finish(NO_PAIRS);
}

/**
 * DualPipe and DualPipeV run the same eight steps (dualpipe.ts, dualpipev.ts), in the generators' terms: on
 * DualPipe `half` = p/2 ranks to the middle, `halfRank` = the rank's distance from the nearer end, `perDirection` =
 * m/2 micro-batches and local phase φ in direction φ xor (rank in the second half); on DualPipeV `half` = p,
 * `halfRank` = r, `perDirection` = m and phase = chunk. The `middle` rank runs step 4's first pair apart: DualPipe's
 * two middle ranks, DualPipeV's last. With H = half, h = halfRank, n = perDirection:
 * - Pairs: step 4 pairs a phase-0 forward with a phase-1 backward (n − 2H + h + 1, one fewer on a middle rank) and a
 *   phase-1 forward with a phase-0 backward, and step 5 does the latter H − h − 1 times more: n − H in all.
 * - Split backwards (I, each with its W): H − h − 1 of phase 1 in step 3 and of phase 0 in step 7, and in step 6
 *   (h + 1 rounds, splitting from round k = ⌊(h + 1)/2⌋) h + 1 − k of phase 0, and of phase 1 one fewer on an even h.
 * - Steps 1 and 2 leave 2(H − h − 1) + 2(h + 1) = 2H forwards in flight; step 3 frees one before each forward, and
 *   step 4's first pair (m ≥ 2p leaves every rank one) holds one more while it runs: 2H + 1 at the peak.
 */
function dualPipeFacts(program: ScheduleProgram): ScheduleFacts {
  const { id, ranks, microbatches } = program;
  const dual = id === 'dualpipe';
  const half = dual ? ranks / 2 : ranks;
  const perDirection = dual ? microbatches / 2 : microbatches;
  const facts = new TwoStageFacts(program);
  const pairedForward = new Float64Array(program.stages);
  const pairedBackward = new Float64Array(program.stages);
  const phase0 = new Float64Array(KINDS);
  const phase1 = new Float64Array(KINDS);
  for (let rank = 0; rank < ranks; rank++) {
    const halfRank = dual ? Math.min(rank, ranks - 1 - rank) : rank;
    const middle = halfRank === half - 1 ? 1 : 0;
    const secondHalf = dual && rank >= half ? 1 : 0;
    // The stage each local phase runs on this rank.
    const own = [rank, dual ? ranks - 1 - rank : 2 * ranks - 1 - rank] as const;
    const stageOf = (phase: number) => own[phase ^ secondHalf]!;
    const pairsFromPhase0 = perDirection - 2 * half + halfRank + 1 - middle;
    const pairsFromPhase1 = perDirection - half;
    const splitFrom = (halfRank + 1) >> 1;
    const split0 = halfRank + 1 - splitFrom + (half - halfRank - 1);
    const split1 = (half - halfRank - 1) + halfRank + 1 - splitFrom - (halfRank % 2 === 0 ? 1 : 0);
    phase0[OP_F] = perDirection - pairsFromPhase0;
    phase0[OP_B] = half - split0;
    phase0[OP_I] = phase0[OP_W] = split0;
    phase0[OP_FB] = pairsFromPhase0;
    phase1[OP_F] = half;
    phase1[OP_B] = perDirection - pairsFromPhase0 - split1;
    phase1[OP_I] = phase1[OP_W] = split1;
    phase1[OP_FB] = pairsFromPhase1;
    facts.rank(rank, stageOf(0), phase0, stageOf(1), phase1, 2 * half + 1);
    pairedForward[stageOf(0)]! += pairsFromPhase0;
    pairedForward[stageOf(1)]! += pairsFromPhase1;
    pairedBackward[stageOf(1)]! += pairsFromPhase0;
    pairedBackward[stageOf(0)]! += pairsFromPhase1;
  }
  return facts.finish(pairedSharesOf(pairedForward, pairedBackward, microbatches));
}

/** Facts of a schedule whose every rank holds two stages, gathered rank by rank in the table's row order. */
class TwoStageFacts {
  private readonly kind: Uint8Array;
  private readonly stage: Int32Array;
  private readonly count: Float64Array;
  private rows = 0;
  private readonly rankStart: Int32Array;
  private readonly peaks: Float64Array;

  constructor(private readonly program: ScheduleProgram) {
    const most = program.ranks * 2 * KINDS;
    this.kind = new Uint8Array(most);
    this.stage = new Int32Array(most);
    this.count = new Float64Array(most);
    this.rankStart = new Int32Array(program.ranks + 1);
    this.peaks = new Float64Array(program.ranks);
  }

  /** Rank `rank`'s op counts on its two stages (each indexed by OP_* kind), and its peak in flight. */
  rank(rank: number, stageA: number, countsA: ArrayLike<number>, stageB: number, countsB: ArrayLike<number>, peak: number): void {
    const aFirst = stageA < stageB;
    for (let kind = 0; kind < KINDS; kind++) {
      if (aFirst) {
        this.row(kind, stageA, countsA[kind]!);
        this.row(kind, stageB, countsB[kind]!);
      } else {
        this.row(kind, stageB, countsB[kind]!);
        this.row(kind, stageA, countsA[kind]!);
      }
    }
    this.rankStart[rank + 1] = this.rows;
    this.peaks[rank] = peak;
  }

  private row(kind: number, stage: number, count: number): void {
    if (count <= 0) return;
    this.kind[this.rows] = kind;
    this.stage[this.rows] = stage;
    this.count[this.rows++] = count;
  }

  finish(shares: PairedShares): ScheduleFacts {
    const { ranks, stages, pipes, stageRank } = this.program;
    const counts: OpCounts = { rankStart: this.rankStart, kind: this.kind.slice(0, this.rows), stage: this.stage.slice(0, this.rows), count: this.count.slice(0, this.rows) };
    return { stages, rankStages: rankStagesOf(ranks, stages, pipes, stageRank), counts, peaks: this.peaks, shares };
  }
}
