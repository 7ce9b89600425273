// Checking what a user typed or a webview sent before it reaches the schedule engine. Pure (no `vscode`), so it
// is tested with plain vitest. Rule texts come from the engine itself wherever it can state them, so the prompt
// and `plens schedule` say the same thing.
import type { ScheduleId } from '../../model/design';
import { checkScheduleConstraints, parseScheduleId } from '../../model/schedule/index';
import type { ScheduleQuery } from '../../protocol';

/** A bound that keeps a typo (an extra zero or five) from reaching the generator as a huge allocation. */
export const MAX_PIPELINE_RANKS = 4096;
export const MAX_MICROBATCHES = 1_048_576;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseWholeNumber(text: string, what: string, min: number, max: number): Checked<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `${what} must be a whole number from ${min} to ${max}` };
  const value = Number(trimmed);
  if (value < min || value > max) return { ok: false, message: `${what} must be a whole number from ${min} to ${max}, got ${value}` };
  return { ok: true, value };
}

/**
 * A pipeline size on its own: a whole number the schedule accepts. The schedule's rules are checked with 2p
 * micro-batches, a count that meets every micro-batch rule of the catalogue (even, ≥ 2p, a multiple of p), so any
 * error left is about p. Rules only, no ops built: this runs on every keystroke of the prompt.
 */
export function checkPipelineRanks(id: ScheduleId, text: string, chunks = 2): Checked<number> {
  const parsed = parseWholeNumber(text, 'The number of pipeline ranks', 1, MAX_PIPELINE_RANKS);
  if (!parsed.ok) return parsed;
  const broken = checkScheduleConstraints(id, { ranks: parsed.value, microbatches: 2 * parsed.value, chunks });
  return broken ? { ok: false, message: broken.message } : parsed;
}

/** Micro-batches for a given schedule and pipeline size, with the schedule's rule when it is broken. */
export function checkMicrobatches(id: ScheduleId, ranks: number, text: string, chunks = 2): Checked<number> {
  const parsed = parseWholeNumber(text, 'The number of micro-batches', 1, MAX_MICROBATCHES);
  if (!parsed.ok) return parsed;
  const broken = checkScheduleConstraints(id, { ranks, microbatches: parsed.value, chunks });
  return broken ? { ok: false, message: broken.message } : parsed;
}

export function checkChunks(text: string): Checked<number> {
  return parseWholeNumber(text, 'Chunks per rank', 1, 255);
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * A query from the webview, which is untrusted data: only known fields of the right type survive. The engine
 * then applies the schedule's rules; this only guarantees the shape.
 */
export function sanitizeQuery(raw: unknown): Checked<ScheduleQuery> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, message: 'The request is empty' };
  const record = raw as Record<string, unknown>;
  const schedule = typeof record.schedule === 'string' ? parseScheduleId(record.schedule) : undefined;
  if (!schedule) return { ok: false, message: `Unknown schedule ${JSON.stringify(record.schedule)}` };
  const whole = (value: unknown, what: string, max: number): Checked<number> =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max
      ? { ok: true, value }
      : { ok: false, message: `${what} must be a whole number from 1 to ${max}` };
  const pp = whole(record.pp, 'The number of pipeline ranks', MAX_PIPELINE_RANKS);
  if (!pp.ok) return pp;
  const microbatches = whole(record.microbatches, 'The number of micro-batches', MAX_MICROBATCHES);
  if (!microbatches.ok) return microbatches;
  const query: ScheduleQuery = { schedule, pp: pp.value, microbatches: microbatches.value };
  if (record.chunks !== undefined) {
    const chunks = whole(record.chunks, 'Chunks per rank', 255);
    if (!chunks.ok) return chunks;
    query.chunks = chunks.value;
  }
  if (typeof record.costs === 'object' && record.costs !== null) {
    const costs: NonNullable<ScheduleQuery['costs']> = {};
    for (const name of ['F', 'B', 'W', 'FB', 'p2p'] as const) {
      const value = (record.costs as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (!isNonNegativeNumber(value)) return { ok: false, message: `Cost ${name} must be a number ≥ 0` };
      costs[name] = value;
    }
    query.costs = costs;
  }
  return { ok: true, value: query };
}
