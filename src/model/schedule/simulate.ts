// The one simulator for every schedule (DESIGN.md §3). Ranks run their op lists in order; an op starts when its
// rank is free and its inputs are ready:
//   F      after the previous stage's F of that micro-batch (plus p2p when that stage is on another rank);
//   B / I  after the next stage's backward of that micro-batch (plus p2p), or after its own F at the last stage;
//   W      after its own I (earlier on the same rank);
//   FB     after both halves' inputs.
// Costs may differ per stage, so the simulation, not a closed form, is the source of truth.
//
// The ops come from an OpSource: the op table (`simulate`, which also records every op's start and end) or a
// schedule program emitting into small per-rank queues as the simulator needs them (opStream.ts, no table). An
// input is found by arithmetic: the end time of each (pipe, stage, micro-batch)'s forward and backward sits at
// (pipe·stages + stage)·m + mb of one array, and whether it crosses ranks follows from the stage placement.
import { GENERATED_TABLES } from './builder';
import { OP_B, OP_F, OP_FB, OP_I, OP_W, type Schedule } from './ops';

/** Per-stage op times, indexed by the stage within its pipe, in any one time unit (seconds in the cost model). */
export interface StageCosts {
  forward: Float64Array;
  /** The full backward: input- plus weight-gradient. */
  backward: Float64Array;
  /** The weight-gradient part of the backward. */
  weight: Float64Array;
  /**
   * F&B of an overlapped pair whose forward runs on this stage; when absent a pair costs its forward plus its
   * backward (no overlap gain).
   */
  overlapped?: Float64Array;
  /** Time of one point-to-point send between stages on different ranks. */
  p2p: number;
}

export interface UniformCosts {
  F: number;
  B: number;
  W: number;
  FB?: number;
  p2p?: number;
}

export function uniformCosts(stages: number, costs: UniformCosts): StageCosts {
  const fill = (value: number) => new Float64Array(stages).fill(value);
  return {
    forward: fill(costs.F),
    backward: fill(costs.B),
    weight: fill(costs.W),
    overlapped: fill(costs.FB ?? costs.F + costs.B),
    p2p: costs.p2p ?? 0,
  };
}

/** What a simulation gives per rank and overall, with or without the ops' own times. */
export interface TimelineSummary {
  makespan: number;
  /** Per rank. */
  busy: Float64Array;
  idleVsMakespan: Float64Array;
  idleInOwnSpan: Float64Array;
  firstStart: Float64Array;
  lastEnd: Float64Array;
  /** Most (micro-batch, chunk) activations held at once: allocated at F start, freed when a full B or W ends. */
  peakActivations: Int32Array;
}

export interface Timeline extends TimelineSummary {
  /** Every op's start and end, indexed like the op table. */
  start: Float64Array;
  end: Float64Array;
}

export interface SimulationError {
  code: 'schedule/invalid';
  message: string;
}

export type SimulationResult = { ok: true; timeline: Timeline } | { ok: false; error: SimulationError };
export type SummaryResult = { ok: true; timeline: TimelineSummary } | { ok: false; error: SimulationError };

/**
 * Ops for the simulator, rank by rank. Rank r's ops still to run are the indices [next[r], limit[r]) of the field
 * arrays; when they run out, `refill(r)` makes more available (and returns true) or says the rank has ended.
 */
export interface OpSource {
  ranks: number;
  microbatches: number;
  stages: number;
  pipes: number;
  stageRank: Int32Array;
  kind: Uint8Array;
  mb: Int32Array;
  stage: Int32Array;
  pipe: Uint8Array;
  /** Read for overlapped pairs (OP_FB) only: every other op is its own backward half. */
  backMb: Int32Array;
  backStage: Int32Array;
  backPipe: Uint8Array;
  next: Int32Array;
  limit: Int32Array;
  refill(rank: number): boolean;
}

/** An op table as a source: each rank's whole list is available from the start. */
class TableSource implements OpSource {
  readonly ranks: number;
  readonly microbatches: number;
  readonly stages: number;
  readonly pipes: number;
  readonly stageRank: Int32Array;
  readonly kind: Uint8Array;
  readonly mb: Int32Array;
  readonly stage: Int32Array;
  readonly pipe: Uint8Array;
  readonly backMb: Int32Array;
  readonly backStage: Int32Array;
  readonly backPipe: Uint8Array;
  readonly next: Int32Array;
  readonly limit: Int32Array;

  constructor(schedule: Schedule) {
    this.ranks = schedule.ranks;
    this.microbatches = schedule.microbatches;
    this.stages = schedule.stages;
    this.pipes = schedule.pipes;
    this.stageRank = schedule.stageRank;
    this.kind = schedule.kind;
    this.mb = schedule.mb;
    this.stage = schedule.stage;
    this.pipe = schedule.pipe;
    this.backMb = schedule.backMb;
    this.backStage = schedule.backStage;
    this.backPipe = schedule.backPipe;
    this.next = schedule.rankStart.slice(0, schedule.ranks);
    this.limit = schedule.rankStart.slice(1, schedule.ranks + 1);
  }

  refill(): boolean {
    return false;
  }
}

/** Times an op table; every op's start and end are kept. */
export function simulate(schedule: Schedule, costs: StageCosts): SimulationResult {
  const n = schedule.opCount;
  const checked = !GENERATED_TABLES.has(schedule);
  if (checked) {
    const misplaced = firstMisplacedOp(schedule);
    if (misplaced !== undefined) return invalid(misplaced);
  }
  const source = new TableSource(schedule);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const result = runOps(source, costs, start, end, checked);
  return result.ok ? { ok: true, timeline: { ...result.timeline, start, end } } : result;
}

const UNSET = -1;

/**
 * The simulation itself; `start` and `end`, when given, receive each op's times at its index. `checkRepeats` looks
 * for an op that repeats one already run (for tables not straight from a generator).
 */
export function runOps(source: OpSource, costs: StageCosts, start?: Float64Array, end?: Float64Array, checkRepeats = false): SummaryResult {
  const { ranks, stages, pipes, stageRank, kind, mb, stage, pipe, backMb, backStage, backPipe, next, limit } = source;
  const m = source.microbatches;
  const keys = pipes * stages * m;
  // End time of each (pipe, stage, micro-batch)'s forward at [0, keys) and backward at [keys, 2·keys), UNSET until
  // it has run.
  const ends = new Float64Array(2 * keys).fill(UNSET);

  // Per (pipe, stage): the p2p an input from the stage before (after) it pays when that stage is on another rank.
  const { forward, backward, weight, overlapped, p2p } = costs;
  const inputGrad = new Float64Array(stages);
  for (let s = 0; s < stages; s++) inputGrad[s] = backward[s]! - weight[s]!;
  const forwardHop = new Float64Array(pipes * stages);
  const backwardHop = new Float64Array(pipes * stages);
  for (let p = 0; p < pipes; p++) {
    for (let s = 0; s < stages; s++) {
      const here = stageRank[p * stages + s];
      if (s > 0 && stageRank[p * stages + s - 1] !== here) forwardHop[p * stages + s] = p2p;
      if (s < stages - 1 && stageRank[p * stages + s + 1] !== here) backwardHop[p * stages + s] = p2p;
    }
  }

  const rankFree = new Float64Array(ranks);
  const busy = new Float64Array(ranks);
  const firstStart = new Float64Array(ranks);
  const lastEnd = new Float64Array(ranks);
  const opsRun = new Int32Array(ranks);
  const held = new Int32Array(ranks);
  const peakActivations = new Int32Array(ranks);
  // The end a blocked rank waits for (an index into `ends`), so a visit that cannot move costs one read; −1 = none.
  const waitingFor = new Int32Array(ranks).fill(-1);
  const ended = new Uint8Array(ranks);
  let ranksLeft = ranks;
  // How many forward and backward ends were written, to tell a repeated op (it overwrites an end) afterwards.
  let endsWritten = 0;

  // Runs rank r as far as its inputs allow; true when it ran at least one op. Kept small and apart from the
  // sweep so the JIT optimises it early: `plens schedule --summary` runs it once, cold.
  const visit = (r: number): boolean => {
    let i = next[r]!;
    let last = limit[r]!;
    let free = rankFree[r]!;
    let total = busy[r]!;
    let holding = held[r]!;
    let peak = peakActivations[r]!;
    const before = opsRun[r]!;
    let count = before;
    let blockedOn = -1;
    let written = 0;
    for (;;) {
      if (i === last) {
        next[r] = i;
        if (!source.refill(r)) {
          ended[r] = 1;
          ranksLeft--;
          break;
        }
        i = next[r]!;
        last = limit[r]!;
      }
      const k = kind[i]!;
      const s = stage[i]!;
      const ps = pipe[i]! * stages + s;
      const b = mb[i]!;
      let ready = free;
      let duration: number;
      // Where this op's forward and backward ends go: the op itself for F and B/I, both halves for F&B.
      let forwardKey = -1;
      let backwardKey = -1;
      if (k === OP_F || k === OP_FB) {
        if (s > 0) {
          const input = ends[(ps - 1) * m + b]!;
          if (input === UNSET) {
            blockedOn = (ps - 1) * m + b;
            break;
          }
          const arrival = input + forwardHop[ps]!;
          if (arrival > ready) ready = arrival;
        }
        forwardKey = ps * m + b;
      }
      if (k === OP_W) {
        // Its own input-gradient backward ran earlier on this rank, so the rank being free covers the wait.
        if (ends[keys + ps * m + b] === UNSET) {
          blockedOn = keys + ps * m + b;
          break;
        }
      } else if (k !== OP_F) {
        // The backward half: the op itself, or for an overlapped pair the back* fields.
        let backS = s, backPs = ps, backB = b;
        if (k === OP_FB) {
          backS = backStage[i]!;
          backPs = backPipe[i]! * stages + backS;
          backB = backMb[i]!;
        }
        const lastStage = backS === stages - 1;
        const inputKey = lastStage ? backPs * m + backB : keys + (backPs + 1) * m + backB;
        const input = ends[inputKey]!;
        if (input === UNSET) {
          blockedOn = inputKey;
          break;
        }
        const arrival = lastStage ? input : input + backwardHop[backPs]!;
        if (arrival > ready) ready = arrival;
        backwardKey = keys + backPs * m + backB;
      }
      switch (k) {
        case OP_F: duration = forward[s]!; break;
        case OP_B: duration = backward[s]!; break;
        case OP_I: duration = inputGrad[s]!; break;
        case OP_W: duration = weight[s]!; break;
        default: duration = overlapped ? overlapped[s]! : forward[s]! + backward[backStage[i]!]!;
      }
      // An op's own allocation and the activation it consumes both count while it runs.
      if (forwardKey >= 0) {
        holding++;
        if (holding > peak) peak = holding;
      }
      if (k === OP_B || k === OP_W || k === OP_FB) holding--;
      const finish = ready + duration;
      if (forwardKey >= 0) {
        ends[forwardKey] = finish;
        written++;
      }
      if (backwardKey >= 0) {
        ends[backwardKey] = finish;
        written++;
      }
      if (start !== undefined) {
        start[i] = ready;
        end![i] = finish;
      }
      if (count === 0) firstStart[r] = ready;
      count++;
      total += duration;
      free = finish;
      i++;
    }
    waitingFor[r] = blockedOn;
    next[r] = i;
    rankFree[r] = free;
    busy[r] = total;
    held[r] = holding;
    peakActivations[r] = peak;
    opsRun[r] = count;
    lastEnd[r] = count > 0 ? free : 0;
    endsWritten += written;
    return count > before;
  };

  // Sweep the ranks, alternating direction so forward and backward waves both travel far in one sweep, until
  // every rank has ended or none can move.
  for (let sweep = 0; ranksLeft > 0; sweep++) {
    let progressed = false;
    for (let step = 0; step < ranks; step++) {
      const r = (sweep & 1) === 0 ? step : ranks - 1 - step;
      if (ended[r] === 1) continue;
      const awaited = waitingFor[r]!;
      if (awaited >= 0 && ends[awaited] === UNSET) continue;
      if (visit(r)) progressed = true;
    }
    if (!progressed && ranksLeft > 0) {
      const stuck = ended.indexOf(0);
      return invalid(`the op order deadlocks: rank ${stuck} waits on an op that never runs`);
    }
  }

  if (checkRepeats) {
    let endsSet = 0;
    for (let key = 0; key < ends.length; key++) if (ends[key] !== UNSET) endsSet++;
    if (endsSet !== endsWritten) return invalid(`${endsWritten - endsSet} forward or backward ops repeat one that already ran`);
  }

  let makespan = 0;
  for (let r = 0; r < ranks; r++) if (lastEnd[r]! > makespan) makespan = lastEnd[r]!;
  const idleVsMakespan = new Float64Array(ranks);
  const idleInOwnSpan = new Float64Array(ranks);
  for (let r = 0; r < ranks; r++) {
    idleVsMakespan[r] = makespan - busy[r]!;
    idleInOwnSpan[r] = lastEnd[r]! - firstStart[r]! - busy[r]!;
  }
  return { ok: true, timeline: { makespan, busy, idleVsMakespan, idleInOwnSpan, firstStart, lastEnd, peakActivations } };
}

/**
 * A table's ops must name stages that live on their rank and micro-batches below m: the simulator indexes by
 * them. One sequential pass, before timing, so the timing loop stays free of checks; skipped for tables straight
 * from a generator and for programs (their placement and one-forward-one-backward rule are checked independently
 * of the simulator by test/model/schedule/invariants.test.ts). An op whose input never runs is a deadlock on every
 * path.
 */
function firstMisplacedOp(schedule: Schedule): string | undefined {
  const { ranks, rankStart, kind, stage, pipe, mb, backStage, backPipe, backMb, stageRank, stages, pipes, microbatches } = schedule;
  const check = (r: number, s: number, p: number, m: number): string | undefined => {
    if (s >= stages || p >= pipes || m >= microbatches) return `an op on rank ${r} names stage ${s}, pipe ${p}, micro-batch ${m}: out of range`;
    if (stageRank[p * stages + s] !== r) return `rank ${r} runs an op of stage ${s}, which lives on rank ${stageRank[p * stages + s]}`;
    return undefined;
  };
  for (let r = 0; r < ranks; r++) {
    for (let i = rankStart[r]!; i < rankStart[r + 1]!; i++) {
      const s = stage[i]!, p = pipe[i]!, m = mb[i]!;
      if (s >= stages || p >= pipes || m >= microbatches || stageRank[p * stages + s] !== r) return check(r, s, p, m);
      if (kind[i] === OP_FB) {
        const problem = check(r, backStage[i]!, backPipe[i]!, backMb[i]!);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function invalid(message: string): { ok: false; error: SimulationError } {
  return { ok: false, error: { code: 'schedule/invalid', message } };
}
