// A simulated timeline in the Chrome trace event format (opens in Perfetto and chrome://tracing): one process
// per pipeline rank, each op a complete event named like "F mb3 c0".
import { OP_FB, OP_NAMES, type Schedule } from './schedule/ops';
import type { Timeline } from './schedule/simulate';

export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
}

/** `microsecondsPerUnit` converts the timeline's unit: 1e6 for seconds, 1000 to show abstract units as ms. */
export function chromeTrace(schedule: Schedule, timeline: Timeline, microsecondsPerUnit: number): ChromeTrace {
  const events: ChromeTraceEvent[] = [];
  for (let rank = 0; rank < schedule.ranks; rank++) {
    events.push({ name: 'process_name', ph: 'M', pid: rank, tid: 0, args: { name: `rank ${rank}` } });
    events.push({ name: 'process_sort_index', ph: 'M', pid: rank, tid: 0, args: { sort_index: rank } });
    for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
      const kind = schedule.kind[i]!;
      const name = kind === OP_FB
        ? `FB mb${schedule.mb[i]} c${schedule.chunk[i]} + B mb${schedule.backMb[i]} c${schedule.backChunk[i]}`
        : `${OP_NAMES[kind]} mb${schedule.mb[i]} c${schedule.chunk[i]}`;
      events.push({
        name,
        cat: OP_NAMES[kind]!,
        ph: 'X',
        pid: rank,
        tid: 0,
        ts: timeline.start[i]! * microsecondsPerUnit,
        dur: (timeline.end[i]! - timeline.start[i]!) * microsecondsPerUnit,
        args: { stage: schedule.stage[i]!, microbatch: schedule.mb[i]!, chunk: schedule.chunk[i]! },
      });
    }
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
