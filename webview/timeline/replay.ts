// A TimelineSpec (schedule, sizes, per-stage costs) replayed through the model's own generator and simulator, and
// each op's colour category and exposed communication worked out once, so that drawing only reads typed arrays.
// Pure: no DOM, tested in test/webview/timeline.
import type { TimelineSpec } from '../../src/protocol';
import { generateSchedule } from '../../src/model/schedule/index';
import { OP_B, OP_F, OP_FB, OP_I, OP_W, type Schedule } from '../../src/model/schedule/ops';
import { simulate } from '../../src/model/schedule/simulate';

/**
 * What a pixel column is painted with: the op kind (B and I share one, both unblock the previous stage), times two
 * for chunk 0 and a later chunk (DualPipe's second direction, an interleaved or V second chunk), drawn lighter.
 */
export const CATEGORY_F = 0;
export const CATEGORY_B = 2;
export const CATEGORY_W = 4;
export const CATEGORY_FB = 6;
export const CATEGORY_COUNT = 8;
/** A column where ranks wait more than they work. */
export const IDLE = 255;

const KIND_CATEGORY: Record<number, number> = { [OP_F]: CATEGORY_F, [OP_B]: CATEGORY_B, [OP_I]: CATEGORY_B, [OP_W]: CATEGORY_W, [OP_FB]: CATEGORY_FB };

export interface TimelineData {
  schedule: Schedule;
  ranks: number;
  /** Ops of rank r are [rankStart[r], rankStart[r+1]), in execution order: starts and ends never decrease. */
  rankStart: Int32Array;
  start: Float64Array;
  end: Float64Array;
  makespan: number;
  /** Per op, CATEGORY_* (+1 for a later chunk). */
  category: Uint8Array;
  /** Per op, time of exposed communication inside it; absent when the spec has none. */
  comm?: Float64Array;
  unit: TimelineSpec['unit'];
}

export type ReplayResult = { ok: true; data: TimelineData } | { ok: false; message: string };

export function replayTimeline(spec: TimelineSpec): ReplayResult {
  const generated = generateSchedule(spec.schedule, { ranks: spec.ranks, microbatches: spec.microbatches, ...(spec.chunks !== undefined ? { chunks: spec.chunks } : {}) });
  if (!generated.ok) return { ok: false, message: generated.error.message };
  const schedule = generated.schedule;
  const costs = spec.costs;
  const simulated = simulate(schedule, {
    forward: Float64Array.from(costs.forward),
    backward: Float64Array.from(costs.backward),
    weight: Float64Array.from(costs.weight),
    ...(costs.overlapped ? { overlapped: Float64Array.from(costs.overlapped) } : {}),
    p2p: costs.p2p,
  });
  if (!simulated.ok) return { ok: false, message: simulated.error.message };
  const { timeline } = simulated;
  const category = new Uint8Array(schedule.opCount);
  for (let i = 0; i < schedule.opCount; i++) category[i] = KIND_CATEGORY[schedule.kind[i]!]! + (schedule.chunk[i]! > 0 ? 1 : 0);
  const data: TimelineData = {
    schedule,
    ranks: schedule.ranks,
    rankStart: schedule.rankStart,
    start: timeline.start,
    end: timeline.end,
    makespan: timeline.makespan,
    category,
    unit: spec.unit,
  };
  if (spec.comm) data.comm = opComm(schedule, spec.comm);
  return { ok: true, data };
}

function opComm(schedule: Schedule, comm: NonNullable<TimelineSpec['comm']>): Float64Array {
  const out = new Float64Array(schedule.opCount);
  for (let i = 0; i < schedule.opCount; i++) {
    const kind = schedule.kind[i]!;
    const stage = schedule.stage[i]!;
    const list = kind === OP_F ? comm.forward : kind === OP_FB ? comm.overlapped : kind === OP_W ? undefined : comm.backward;
    out[i] = list?.[stage] ?? 0;
  }
  return out;
}

/** Every distinct buffer under the step's typed arrays (rankStart is the schedule's own, listed once). */
export function transferables(result: ReplayResult): ArrayBuffer[] {
  if (!result.ok) return [];
  const { data } = result;
  const arrays: ArrayBufferView[] = [data.rankStart, data.start, data.end, data.category, ...(data.comm ? [data.comm] : [])];
  for (const value of Object.values(data.schedule)) if (ArrayBuffer.isView(value)) arrays.push(value);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
