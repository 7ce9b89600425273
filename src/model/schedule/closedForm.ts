// Each schedule's textbook bubble, shown beside the simulation as a check (DESIGN.md §3, SCHEDULES.md §1).
// `holds` says whether the formula is known to be exact for the given costs; where it is not, `bubble` is still
// the formula's value, for comparison. Costs are per op of one chunk.
import type { ScheduleId } from '../design';
import type { UniformCosts } from './simulate';

export interface ClosedForm {
  formula: string;
  bubble: number;
  holds: boolean;
  /** Which simulated idle the formula predicts (its maximum over ranks). */
  metric: 'idleVsMakespan' | 'idleInOwnSpan';
}

export interface ClosedFormParams {
  ranks: number;
  microbatches: number;
  chunks: number;
}

export function closedForm(id: ScheduleId, { ranks: p, microbatches: m }: ClosedFormParams, costs: UniformCosts): ClosedForm {
  const { F, B, W } = costs;
  const FB = costs.FB ?? F + B;
  const noComm = (costs.p2p ?? 0) === 0;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  // The Zero Bubble paper's analysis assumes equal forward, input-gradient and weight-gradient times.
  const zbBalanced = close(F, B - W) && close(B - W, W);
  switch (id) {
    case 'gpipe':
    case '1f1b':
      return { formula: '(p-1)(F+B)', bubble: (p - 1) * (F + B), holds: noComm, metric: 'idleVsMakespan' };
    case 'interleaved-1f1b':
      // With per-chunk F and B this is the familiar (p−1)(F+B)/v in per-stage times.
      return { formula: '(p-1)(F+B) per chunk', bubble: (p - 1) * (F + B), holds: noComm, metric: 'idleVsMakespan' };
    case 'zb-h1':
      return { formula: '(p-1)(F+B-2W)', bubble: (p - 1) * (F + B - 2 * W), holds: noComm && W <= F && W <= B - W, metric: 'idleVsMakespan' };
    case 'zb-h2':
      return { formula: '(p-1)(F+B-3W)', bubble: (p - 1) * (F + B - 3 * W), holds: noComm && zbBalanced && m >= 2 * p - 1, metric: 'idleInOwnSpan' };
    case 'zbv':
      return { formula: '0 when F = B-W = W', bubble: 0, holds: noComm && zbBalanced && m >= 2 * p - 1, metric: 'idleInOwnSpan' };
    case 'dualpipe':
    case 'dualpipev': {
      // Exact only when F = B−W, W ≤ F and max(F, B) ≤ F&B ≤ F+B (SCHEDULES.md §1, found by simulation).
      const exact = noComm && close(F, B - W) && W <= F && Math.max(F, B) <= FB && FB <= F + B;
      const devices = id === 'dualpipe' ? p / 2 : p;
      return {
        formula: id === 'dualpipe' ? '(p/2-1)(F&B+B-3W)' : '(d-1)(F&B+B-3W)',
        bubble: (devices - 1) * (FB + B - 3 * W),
        holds: exact,
        metric: 'idleVsMakespan',
      };
    }
  }
}
