// Words for the timeline: the op under the pointer and the time axis' ticks. Pure: no DOM.
import { formatSeconds } from '../../src/format';
import { OP_FB, OP_NAMES } from '../../src/model/schedule/ops';
import type { TimelineData } from './replay';
import { formatNumber } from '../format';

const KIND_WORDS: Record<string, string> = {
  F: 'forward',
  B: 'backward',
  I: 'input-gradient backward',
  W: 'weight-gradient backward',
  FB: 'forward & backward, overlapped',
};

export function formatTime(data: Pick<TimelineData, 'unit'>, value: number): string {
  return data.unit === 'seconds' ? formatSeconds(value) : formatNumber(value);
}

/** The tooltip's lines for op `index`: what it is, then when it runs and for how long. */
export function describeOp(data: TimelineData, index: number): string[] {
  const { schedule } = data;
  const name = OP_NAMES[schedule.kind[index]!] ?? '?';
  const head = `${name} (${KIND_WORDS[name] ?? name}) · micro-batch ${schedule.mb[index]} · chunk ${schedule.chunk[index]} · stage ${schedule.stage[index]}`;
  const lines = [head];
  if (schedule.kind[index] === OP_FB) lines.push(`with the backward of micro-batch ${schedule.backMb[index]} · chunk ${schedule.backChunk[index]} · stage ${schedule.backStage[index]}`);
  const start = data.start[index]!;
  const duration = data.end[index]! - start;
  lines.push(`start ${formatTime(data, start)} · duration ${formatTime(data, duration)}`);
  const comm = data.comm?.[index] ?? 0;
  if (comm > 0) lines.push(`exposed communication ${formatTime(data, comm)}`);
  return lines;
}

/** Tick positions at 1, 2 or 5 × 10^k, about `count` of them across [start, end]. */
export function niceTicks(start: number, end: number, count: number): number[] {
  const span = end - start;
  if (!(span > 0) || count < 1) return [];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(start / step) * step; tick <= end + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}
