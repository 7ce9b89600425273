// Reads the reference op orders in test/golden/*.json (copied from the shared reference; layout described in
// SCHEDULES.md §2) and turns both them and our Schedule into the same one-line-per-op text, so a mismatch shows
// the first differing op by rank and position.
import { readFileSync } from 'node:fs';
import type { ScheduleId } from '../../../src/model/design';
import { OP_FB, OP_NAMES, type Schedule } from '../../../src/model/schedule/ops';

interface GoldenOpFields {
  op: 'F' | 'B' | 'W' | 'FB';
  mb: number;
  chunk: number;
  stage: number;
  pipe?: number;
  /** On B only: true for a full backward, false for an input-gradient backward whose W follows later. */
  full?: boolean;
}

export interface GoldenOp extends GoldenOpFields {
  /** On FB only: the forward half, then the full backward half. */
  sub?: [GoldenOpFields, GoldenOpFields];
}

export interface GoldenRankResult {
  busy: number;
  idle_vs_makespan: number;
  idle_in_own_span: number;
  first_start: number;
  last_end: number;
}

export interface GoldenCosts {
  name: string;
  F: number;
  /** The full backward. */
  B_full: number;
  B_input: number;
  W: number;
  FB: number;
}

export interface GoldenFile {
  schedule: string;
  p: number;
  m: number;
  v: number;
  ranks: GoldenOp[][];
  simulation: {
    results: { costs: GoldenCosts; makespan: number; per_rank: GoldenRankResult[] }[];
    /** [start, end] of every op at the unit costs, aligned with `ranks`. */
    timeline_unit: [number, number][][];
  };
  peak_inflight_activations: { until_W: number[]; until_B: number[] };
}

export const GOLDEN_NAMES = [
  'gpipe_p4_m8',
  '1f1b_p4_m8',
  'interleaved_1f1b_v2_p4_m8',
  'zbh1_p4_m8',
  'zbv_p4_m8',
  'dualpipe_p4_m8',
  'dualpipev_p4_m8',
] as const;

/** The generator each golden file was written by. */
export const GOLDEN_SCHEDULE: Record<(typeof GOLDEN_NAMES)[number], ScheduleId> = {
  gpipe_p4_m8: 'gpipe',
  '1f1b_p4_m8': '1f1b',
  interleaved_1f1b_v2_p4_m8: 'interleaved-1f1b',
  zbh1_p4_m8: 'zb-h1',
  zbv_p4_m8: 'zbv',
  dualpipe_p4_m8: 'dualpipe',
  dualpipev_p4_m8: 'dualpipev',
};

export function readGolden(name: string): GoldenFile {
  const url = new URL(`../../golden/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as GoldenFile;
}

function halfText(kind: string, op: GoldenOpFields | { mb: number; chunk: number; stage: number; pipe: number }): string {
  return `${kind} pipe ${op.pipe ?? 0} stage ${op.stage} chunk ${op.chunk} mb ${op.mb}`;
}

/** A golden op in our vocabulary: B with full:false is our I, FB names its backward half from sub[1]. */
export function goldenOpText(op: GoldenOp): string {
  if (op.op === 'FB') {
    const back = op.sub?.[1];
    if (!back) throw new Error('golden FB without its backward half');
    return `${halfText('F', op)} + ${halfText('B', back)}`;
  }
  if (op.op === 'B') return halfText(op.full === false ? 'I' : 'B', op);
  return halfText(op.op, op);
}

/** Op i of a schedule in the same text; every non-FB op must name itself in its back* fields too. */
export function scheduleOpText(schedule: Schedule, i: number): string {
  const own = { mb: schedule.mb[i]!, chunk: schedule.chunk[i]!, stage: schedule.stage[i]!, pipe: schedule.pipe[i]! };
  const back = { mb: schedule.backMb[i]!, chunk: schedule.backChunk[i]!, stage: schedule.backStage[i]!, pipe: schedule.backPipe[i]! };
  const kind = schedule.kind[i]!;
  if (kind === OP_FB) return `${halfText('F', own)} + ${halfText('B', back)}`;
  const kindName = OP_NAMES[kind] ?? `kind ${kind}`;
  const text = halfText(kindName, own);
  const backText = halfText(kindName, back);
  return backText === text ? text : `${text} (back fields name ${backText})`;
}

export function scheduleRankTexts(schedule: Schedule): string[][] {
  const ranks: string[][] = [];
  for (let r = 0; r < schedule.ranks; r++) {
    const row: string[] = [];
    for (let i = schedule.rankStart[r]!; i < schedule.rankStart[r + 1]!; i++) row.push(scheduleOpText(schedule, i));
    ranks.push(row);
  }
  return ranks;
}
