// Runs inside headless Chromium (scripts/bench-timeline.mjs): the panel's timeline renderer on PP 64 × 16,384
// micro-batches of 1F1B (2.1 M ops), at the width of a wide editor panel. The draw is what a zoom, pan or resize
// costs: bin every op into pixel columns, paint the rows, put them on the canvas.
import { binTimeline } from '../webview/timeline/bins';
import { paintBins, plotGeometry } from '../webview/timeline/paint';
import { replayTimeline } from '../webview/timeline/replay';
import { CATEGORY_COUNT } from '../webview/timeline/replay';

const RANKS = 64;
const MICROBATCHES = 16_384;
const WIDTH = 1600;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function run(): Record<string, number> {
  const fill = (value: number) => new Array<number>(RANKS).fill(value);
  const replayStart = performance.now();
  const replayed = replayTimeline({ schedule: '1f1b', ranks: RANKS, microbatches: MICROBATCHES, costs: { forward: fill(1), backward: fill(2), weight: fill(1), p2p: 0.05 }, comm: { forward: fill(0.1), backward: fill(0.2), overlapped: fill(0) }, unit: 'units' });
  const replayMs = performance.now() - replayStart;
  if (!replayed.ok) throw new Error(replayed.message);
  const data = replayed.data;
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  const geometry = plotGeometry(RANKS, true, 58, 4, WIDTH - 68, 1);
  canvas.width = WIDTH;
  canvas.height = geometry.top + geometry.height + 24;
  const context = canvas.getContext('2d')!;
  const palette = { categories: new Uint32Array(CATEGORY_COUNT).fill(0xff0000ff), comm: { r: 255, g: 0, b: 0 } };
  const draw = (start: number, end: number) => {
    const bins = binTimeline(data, { start, end }, geometry.width);
    const image = context.createImageData(geometry.width, geometry.height);
    paintBins(bins, geometry, palette, new Uint32Array(image.data.buffer));
    context.putImageData(image, geometry.left, geometry.top);
  };
  const time = (start: number, end: number) => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) draw(start, end);
    for (let i = 0; i < 15; i++) {
      const began = performance.now();
      draw(start, end);
      samples.push(performance.now() - began);
    }
    return median(samples);
  };
  return {
    ops: data.schedule.opCount,
    replayMs,
    wholeStepMs: time(0, data.makespan),
    zoomedTenthMs: time(data.makespan * 0.45, data.makespan * 0.55),
  };
}

(globalThis as { benchResult?: unknown }).benchResult = run();
