// Per rank and per pixel column, what the ops falling in that column add up to: the category that fills most of
// it (or IDLE when ranks wait more than half of it) and the share of it spent in exposed communication. One pass
// over the ops in the window plus one over the columns, so a step of millions of ops draws in milliseconds.
// Pure: no DOM, tested in test/webview/timeline.
import { CATEGORY_COUNT, IDLE, type TimelineData } from './replay';

export interface TimeWindow {
  start: number;
  end: number;
}

export interface Bins {
  ranks: number;
  columns: number;
  /** ranks × columns, row-major: CATEGORY_* or IDLE. */
  category: Uint8Array;
  /** ranks × columns: the fraction of the column's time spent in exposed communication (0 without comm data). */
  comm: Float32Array;
}

/** The first op of `rank` that ends after `time` (ends never decrease within a rank), or the rank's end. */
export function firstEndingAfter(data: TimelineData, rank: number, time: number): number {
  let low = data.rankStart[rank]!;
  let high = data.rankStart[rank + 1]!;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (data.end[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function binTimeline(data: TimelineData, window: TimeWindow, columns: number): Bins {
  const { ranks } = data;
  const bins: Bins = { ranks, columns, category: new Uint8Array(ranks * columns).fill(IDLE), comm: new Float32Array(ranks * columns) };
  const span = window.end - window.start;
  if (!(span > 0) || columns <= 0) return bins;
  const scale = columns / span;
  // Column coverage (in column widths) per category, and of communication, for one rank at a time.
  const cover = new Float64Array(columns * CATEGORY_COUNT);
  const commCover = new Float64Array(columns);
  const { start, end, category, comm } = data;
  for (let rank = 0; rank < ranks; rank++) {
    cover.fill(0);
    commCover.fill(0);
    const last = data.rankStart[rank + 1]!;
    for (let i = firstEndingAfter(data, rank, window.start); i < last && start[i]! < window.end; i++) {
      const duration = end[i]! - start[i]!;
      if (!(duration > 0)) continue;
      const x0 = (Math.max(start[i]!, window.start) - window.start) * scale;
      const x1 = (Math.min(end[i]!, window.end) - window.start) * scale;
      const c0 = Math.min(columns - 1, Math.floor(x0));
      const c1 = Math.max(c0, Math.min(columns - 1, Math.ceil(x1) - 1));
      const slot = category[i]!;
      const commShare = comm ? comm[i]! / duration : 0;
      if (c0 === c1) {
        cover[c0 * CATEGORY_COUNT + slot]! += x1 - x0;
        commCover[c0]! += (x1 - x0) * commShare;
        continue;
      }
      cover[c0 * CATEGORY_COUNT + slot]! += c0 + 1 - x0;
      commCover[c0]! += (c0 + 1 - x0) * commShare;
      for (let c = c0 + 1; c < c1; c++) {
        cover[c * CATEGORY_COUNT + slot]! += 1;
        commCover[c]! += commShare;
      }
      cover[c1 * CATEGORY_COUNT + slot]! += x1 - c1;
      commCover[c1]! += (x1 - c1) * commShare;
    }
    const row = rank * columns;
    for (let c = 0; c < columns; c++) {
      let busy = 0;
      let best = 0;
      let bestCover = -1;
      for (let k = 0; k < CATEGORY_COUNT; k++) {
        const value = cover[c * CATEGORY_COUNT + k]!;
        busy += value;
        if (value > bestCover) {
          bestCover = value;
          best = k;
        }
      }
      // A column is painted when work fills at least half of it, so painted pixels track busy time both ways.
      if (busy >= 0.5) bins.category[row + c] = best;
      bins.comm[row + c] = Math.min(1, commCover[c]!);
    }
  }
  return bins;
}

/**
 * The op of `rank` running at `time`, else the nearest one within `tolerance` (half a pixel column when zoomed
 * out, where most ops are narrower than a pixel); undefined over idle time.
 */
export function opNear(data: TimelineData, rank: number, time: number, tolerance = 0): number | undefined {
  if (rank < 0 || rank >= data.ranks) return undefined;
  const first = data.rankStart[rank]!;
  const last = data.rankStart[rank + 1]!;
  const index = firstEndingAfter(data, rank, time);
  if (index < last && data.start[index]! <= time) return index;
  let best: number | undefined;
  let bestGap = tolerance;
  if (index < last && data.start[index]! - time <= bestGap) {
    best = index;
    bestGap = data.start[index]! - time;
  }
  if (index - 1 >= first && time - data.end[index - 1]! <= bestGap) best = index - 1;
  return best;
}
