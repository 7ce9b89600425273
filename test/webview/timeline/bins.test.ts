// The timeline's aggregation: per rank and pixel column, the dominant op category or idle, and the share of
// exposed communication; painted pixels must track busy time, so the picture's bubble is the simulator's.
import { describe, expect, it } from 'vitest';
import { binTimeline, opNear } from '../../../webview/timeline/bins';
import { paintBins, paintOverview, plotGeometry, packRgba } from '../../../webview/timeline/paint';
import { CATEGORY_B, CATEGORY_COUNT, CATEGORY_F, CATEGORY_FB, IDLE, replayTimeline, type TimelineData } from '../../../webview/timeline/replay';
import type { TimelineSpec } from '../../../src/protocol';

function uniformSpec(schedule: TimelineSpec['schedule'], ranks: number, microbatches: number, extra: Partial<TimelineSpec> = {}): TimelineSpec {
  const stages = schedule === 'zbv' || schedule === 'dualpipev' ? 2 * ranks : schedule === 'interleaved-1f1b' ? 2 * ranks : ranks;
  const fill = (value: number) => new Array<number>(stages).fill(value);
  return { schedule, ranks, microbatches, costs: { forward: fill(1), backward: fill(2), weight: fill(1), p2p: 0 }, unit: 'units', ...extra };
}

function replay(spec: TimelineSpec): TimelineData {
  const result = replayTimeline(spec);
  if (!result.ok) throw new Error(result.message);
  return result.data;
}

/** Idle fraction of each rank in the bins (columns left IDLE over all columns). */
function idleShares(data: TimelineData, columns: number): number[] {
  const bins = binTimeline(data, { start: 0, end: data.makespan }, columns);
  return Array.from({ length: data.ranks }, (_, rank) => {
    let idle = 0;
    for (let c = 0; c < columns; c++) if (bins.category[rank * columns + c] === IDLE) idle += 1;
    return idle / columns;
  });
}

describe('binTimeline', () => {
  it('1F1B p = 4, m = 8 at one column per time unit: each column is exactly one op or idle', () => {
    const data = replay(uniformSpec('1f1b', 4, 8));
    // m(F+B) + (p−1)(F+B) = 24 + 9.
    expect(data.makespan).toBe(33);
    const bins = binTimeline(data, { start: 0, end: 33 }, 33);
    // Rank 0 starts with a forward and waits (p−1)(F+B) in total.
    expect(bins.category[0]).toBe(CATEGORY_F);
    const rank0 = Array.from(bins.category.subarray(0, 33));
    expect(rank0.filter((c) => c === IDLE)).toHaveLength(9);
    expect(rank0.filter((c) => c === CATEGORY_F)).toHaveLength(8);
    expect(rank0.filter((c) => c === CATEGORY_B)).toHaveLength(16);
    // The last rank idles first: it cannot start before three forwards have passed.
    expect(Array.from(bins.category.subarray(3 * 33, 3 * 33 + 3))).toEqual([IDLE, IDLE, IDLE]);
  });

  it('keeps each rank\'s idle share within a point of the simulator at any size, DualPipe 16 × 120 on 900 columns', () => {
    const data = replay(uniformSpec('dualpipe', 16, 120, { costs: { forward: new Array(16).fill(1), backward: new Array(16).fill(2), weight: new Array(16).fill(1), overlapped: new Array(16).fill(2.5), p2p: 0 } }));
    const shares = idleShares(data, 900);
    for (let rank = 0; rank < data.ranks; rank++) {
      let busy = 0;
      for (let i = data.rankStart[rank]!; i < data.rankStart[rank + 1]!; i++) busy += data.end[i]! - data.start[i]!;
      expect(Math.abs(shares[rank]! - (1 - busy / data.makespan)), `rank ${rank}`).toBeLessThan(0.01);
    }
    // Overlapped pairs fill the middle of the step.
    const bins = binTimeline(data, { start: 0, end: data.makespan }, 900);
    expect(bins.category.subarray(0, 900).includes(CATEGORY_FB)).toBe(true);
  });

  it('zooms: a window of one op\'s length shows only that op', () => {
    const data = replay(uniformSpec('gpipe', 2, 4));
    const op = data.rankStart[1]!; // rank 1's first forward
    const bins = binTimeline(data, { start: data.start[op]!, end: data.end[op]! }, 50);
    expect(Array.from(bins.category.subarray(50, 100)).every((c) => c === CATEGORY_F)).toBe(true);
  });

  it('puts the comm share of each op into its columns', () => {
    const spec = uniformSpec('1f1b', 2, 2, { comm: { forward: [0.5, 0.5], backward: [0, 0], overlapped: [0, 0] } });
    const data = replay(spec);
    const bins = binTimeline(data, { start: 0, end: data.makespan }, data.makespan);
    // Rank 0's first column is its first forward, half of it communication.
    expect(bins.comm[0]).toBeCloseTo(0.5);
    const firstBackward = Array.from(bins.category.subarray(0, data.makespan)).indexOf(CATEGORY_B);
    expect(bins.comm[firstBackward]).toBe(0);
  });

  it('returns all idle for an empty window and never reads past the ops', () => {
    const data = replay(uniformSpec('1f1b', 2, 2));
    expect(binTimeline(data, { start: 5, end: 5 }, 10).category.every((c) => c === IDLE)).toBe(true);
    expect(binTimeline(data, { start: data.makespan + 1, end: data.makespan + 9 }, 10).category.every((c) => c === IDLE)).toBe(true);
  });
});

describe('opNear', () => {
  it('names the op running at a time, the nearest within the tolerance over idle, else nothing', () => {
    const data = replay(uniformSpec('1f1b', 4, 8));
    const first = data.rankStart[3]!;
    expect(opNear(data, 3, data.start[first]! + 0.5)).toBe(first);
    expect(opNear(data, 3, data.start[first]! - 0.2)).toBeUndefined();
    expect(opNear(data, 3, data.start[first]! - 0.2, 0.3)).toBe(first);
    expect(opNear(data, 9, 1)).toBeUndefined();
  });
});

describe('paintBins', () => {
  it('paints busy columns in their colour and leaves idle ones transparent; the lane carries the comm share', () => {
    const data = replay(uniformSpec('1f1b', 2, 2, { comm: { forward: [0.5, 0.5], backward: [0, 0], overlapped: [0, 0] } }));
    const columns = data.makespan;
    const bins = binTimeline(data, { start: 0, end: data.makespan }, columns);
    const geometry = plotGeometry(2, true, 0, 0, columns, 1);
    const categories = new Uint32Array(CATEGORY_COUNT).map((_, k) => packRgba(10 * (k + 1), 0, 0));
    const pixels = new Uint32Array(geometry.width * geometry.height);
    paintBins(bins, geometry, { categories, comm: { r: 0, g: 0, b: 255 } }, pixels);
    for (let c = 0; c < columns; c++) {
      const category = bins.category[columns + c]!;
      const pixel = pixels[(geometry.pitch + 1) * geometry.width + c]!;
      expect(pixel).toBe(category === IDLE ? 0 : categories[category]);
    }
    const lanePixel = pixels[geometry.rowHeight * geometry.width]!;
    expect(lanePixel >>> 24).toBeGreaterThan(0);
    expect(lanePixel & 0xff0000).toBe(0xff0000);
  });
});

describe('paintOverview', () => {
  it('squeezes more ranks than pixel rows into the strip without writing past it', () => {
    const data = replay(uniformSpec('1f1b', 64, 64));
    const bins = binTimeline(data, { start: 0, end: data.makespan }, 100);
    const categories = new Uint32Array(CATEGORY_COUNT).fill(packRgba(1, 2, 3));
    const pixels = new Uint32Array(100 * 30);
    paintOverview(bins, 100, 30, { categories, comm: { r: 0, g: 0, b: 0 } }, pixels);
    // The first row is rank 0, which starts at once; the last row is rank 62 or 63, which waits for the first forwards.
    expect(pixels[0]).toBe(categories[0]);
    expect(pixels[29 * 100]).toBe(0);
  });
});
