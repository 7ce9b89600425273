// The one simulator for every schedule (DESIGN.md §3). Ranks run their op lists in order; an op starts when its
// rank is free and its inputs are ready:
//   F      after the previous stage's F of that micro-batch (plus p2p when that stage is on another rank);
//   B / I  after the next stage's backward of that micro-batch (plus p2p), or after its own F at the last stage;
//   W      after its own I;
//   FB     after both halves' inputs.
// Costs may differ per stage, so the simulation, not a closed form, is the source of truth.
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

export interface Timeline {
  start: Float64Array;
  end: Float64Array;
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

export interface SimulationError {
  code: 'schedule/invalid';
  message: string;
}

export type SimulationResult = { ok: true; timeline: Timeline } | { ok: false; error: SimulationError };

const NONE = -1;

export function simulate(schedule: Schedule, costs: StageCosts): SimulationResult {
  const { opCount: n, kind, stage, pipe, mb, backStage, backPipe, backMb, stages, ranks, rankStart } = schedule;
  const mbStride = schedule.microbatches;
  const keyOf = (p: number, s: number, m: number) => (p * stages + s) * mbStride + m;
  const keys = schedule.pipes * stages * mbStride;

  // Who produces each (pipe, stage, micro-batch)'s forward and backward; a FB op is both.
  const forwardOp = new Int32Array(keys).fill(NONE);
  const backwardOp = new Int32Array(keys).fill(NONE);
  const opRank = new Int32Array(n);
  for (let r = 0; r < ranks; r++) {
    for (let i = rankStart[r]!; i < rankStart[r + 1]!; i++) {
      opRank[i] = r;
      const k = kind[i]!;
      if (mb[i]! >= mbStride || backMb[i]! >= mbStride) return invalid(`op ${i} names micro-batch ${mb[i]} ≥ ${mbStride}`);
      if (k === OP_F || k === OP_FB) {
        const key = keyOf(pipe[i]!, stage[i]!, mb[i]!);
        if (forwardOp[key] !== NONE) return invalid(`forward of stage ${stage[i]} micro-batch ${mb[i]} appears twice`);
        forwardOp[key] = i;
      }
      if (k === OP_B || k === OP_I || k === OP_FB) {
        const key = keyOf(backPipe[i]!, backStage[i]!, backMb[i]!);
        if (backwardOp[key] !== NONE) return invalid(`backward of stage ${backStage[i]} micro-batch ${backMb[i]} appears twice`);
        backwardOp[key] = i;
      }
    }
  }

  // Each op's inputs (up to two) and its duration, computed once so the timing loop only reads arrays.
  const forwardInput = new Int32Array(n).fill(NONE);
  const backwardInput = new Int32Array(n).fill(NONE);
  const duration = new Float64Array(n);
  const { forward, backward, weight, overlapped, p2p } = costs;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    if (k === OP_F || k === OP_FB) {
      const s = stage[i]!;
      if (s > 0) {
        const from = forwardOp[keyOf(pipe[i]!, s - 1, mb[i]!)]!;
        if (from === NONE) return invalid(`forward of stage ${s} micro-batch ${mb[i]} has no forward before it`);
        forwardInput[i] = from;
      }
    }
    if (k === OP_B || k === OP_I || k === OP_FB) {
      const s = backStage[i]!;
      const p = backPipe[i]!;
      const m = backMb[i]!;
      const from = s === stages - 1 ? forwardOp[keyOf(p, s, m)]! : backwardOp[keyOf(p, s + 1, m)]!;
      if (from === NONE) return invalid(`backward of stage ${s} micro-batch ${m} has no input`);
      backwardInput[i] = from;
    } else if (k === OP_W) {
      const from = backwardOp[keyOf(pipe[i]!, stage[i]!, mb[i]!)]!;
      if (from === NONE || kind[from] !== OP_I) return invalid(`W of stage ${stage[i]} micro-batch ${mb[i]} has no input-gradient backward`);
      backwardInput[i] = from;
    }
    const s = stage[i]!;
    switch (k) {
      case OP_F: duration[i] = forward[s]!; break;
      case OP_B: duration[i] = backward[s]!; break;
      case OP_I: duration[i] = backward[s]! - weight[s]!; break;
      case OP_W: duration[i] = weight[s]!; break;
      default: duration[i] = overlapped ? overlapped[s]! : forward[s]! + backward[backStage[i]!]!;
    }
  }

  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const finished = new Uint8Array(n);
  const next = new Int32Array(ranks);
  const rankFree = new Float64Array(ranks);
  for (let r = 0; r < ranks; r++) next[r] = rankStart[r]!;

  // Sweep the ranks, running each as far as its inputs allow, until every op has run or none can.
  let done = 0;
  while (done < n) {
    let progressed = false;
    for (let r = 0; r < ranks; r++) {
      const last = rankStart[r + 1]!;
      let i = next[r]!;
      let free = rankFree[r]!;
      while (i < last) {
        let ready = free;
        const fromForward = forwardInput[i]!;
        if (fromForward !== NONE) {
          if (finished[fromForward] === 0) break;
          const arrival = end[fromForward]! + (opRank[fromForward] === r ? 0 : p2p);
          if (arrival > ready) ready = arrival;
        }
        const fromBackward = backwardInput[i]!;
        if (fromBackward !== NONE) {
          if (finished[fromBackward] === 0) break;
          const arrival = end[fromBackward]! + (opRank[fromBackward] === r ? 0 : p2p);
          if (arrival > ready) ready = arrival;
        }
        start[i] = ready;
        free = ready + duration[i]!;
        end[i] = free;
        finished[i] = 1;
        i++;
        done++;
        progressed = true;
      }
      next[r] = i;
      rankFree[r] = free;
    }
    if (!progressed) {
      const stuck = Array.from(next).findIndex((i, r) => i < rankStart[r + 1]!);
      return invalid(`the op order deadlocks: rank ${stuck} waits on an op that never runs`);
    }
  }

  return { ok: true, timeline: summarise(schedule, start, end, duration) };
}

function summarise(schedule: Schedule, start: Float64Array, end: Float64Array, duration: Float64Array): Timeline {
  const { ranks, rankStart, kind } = schedule;
  const busy = new Float64Array(ranks);
  const firstStart = new Float64Array(ranks);
  const lastEnd = new Float64Array(ranks);
  const peakActivations = new Int32Array(ranks);
  let makespan = 0;
  for (let r = 0; r < ranks; r++) {
    const from = rankStart[r]!;
    const to = rankStart[r + 1]!;
    let held = 0;
    let peak = 0;
    let total = 0;
    for (let i = from; i < to; i++) {
      total += duration[i]!;
      const k = kind[i]!;
      // An op's own allocation and the activation it consumes both count while it runs.
      if (k === OP_F || k === OP_FB) held++;
      if (held > peak) peak = held;
      if (k === OP_B || k === OP_W || k === OP_FB) held--;
    }
    busy[r] = total;
    peakActivations[r] = peak;
    firstStart[r] = to > from ? start[from]! : 0;
    lastEnd[r] = to > from ? end[to - 1]! : 0;
    if (lastEnd[r]! > makespan) makespan = lastEnd[r]!;
  }
  const idleVsMakespan = new Float64Array(ranks);
  const idleInOwnSpan = new Float64Array(ranks);
  for (let r = 0; r < ranks; r++) {
    idleVsMakespan[r] = makespan - busy[r]!;
    idleInOwnSpan[r] = lastEnd[r]! - firstStart[r]! - busy[r]!;
  }
  return { start, end, makespan, busy, idleVsMakespan, idleInOwnSpan, firstStart, lastEnd, peakActivations };
}

function invalid(message: string): SimulationResult {
  return { ok: false, error: { code: 'schedule/invalid', message } };
}
