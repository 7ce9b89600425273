// What every reader does while walking a file: put a value at a design field, remember the key and value ranges
// for that field, and collect problems. Kept in one place so the readers only know their own format.
import { emptyDraft, type DesignDraft, type FieldPath, type Symbolic } from '../../model/design';
import type { Problem, Severity, SourceRange } from '../../model/problems';
import type { FormatId, ReadResult, SourceMap } from '../types';

export class DraftBuilder {
  readonly draft: DesignDraft = emptyDraft();
  readonly sourceMap: SourceMap = new Map();
  readonly problems: Problem[] = [];

  /** Sets a field; a later key overrides an earlier one, as in the frameworks' own argument parsing. */
  set(path: FieldPath, value: unknown, keyRange: SourceRange, valueRange: SourceRange): void {
    if (path === 'modelId') {
      this.draft.modelId = value as string | Symbolic;
    } else {
      const dot = path.indexOf('.');
      const section = path.slice(0, dot) as 'model' | 'plan' | 'cluster' | 'calibration';
      if (section === 'calibration') this.draft.calibration ??= {};
      (this.draft[section] as Record<string, unknown>)[path.slice(dot + 1)] = value;
    }
    this.sourceMap.set(path, { key: keyRange, value: valueRange });
  }

  has(path: FieldPath): boolean {
    return this.sourceMap.has(path);
  }

  report(severity: Severity, code: string, message: string, range?: SourceRange, field?: string): void {
    const problem: Problem = { severity, code, message };
    if (range) problem.range = range;
    if (field) problem.field = field;
    this.problems.push(problem);
  }

  result(format: FormatId, extraProblems: Problem[] = []): ReadResult {
    return { format, design: this.draft, sourceMap: this.sourceMap, problems: [...extraProblems, ...this.problems] };
  }
}

/** Text that stands for a value computed elsewhere: an interpolation, a shell variable, DeepSpeed's "auto". */
export function looksSymbolic(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.includes('${') || /^\$[A-Za-z_{(]/.test(trimmed) || trimmed.toLowerCase() === 'auto';
}

export type Parsed<T> = { ok: true; value: T | Symbolic } | { ok: false; message: string };

/** A whole number ≥ min, a numeric string, or symbolic text; anything else is invalid with a reason. */
export function parseCount(raw: unknown, min = 1): Parsed<number> {
  let value: number | undefined;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string') {
    if (/^\s*[+-]?\d+(\.0*)?\s*$/.test(raw)) value = Number(raw);
    else if (looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  }
  if (value === undefined) return { ok: false, message: `expected a whole number ≥ ${min}, got ${describe(raw)}` };
  if (!Number.isFinite(value) || !Number.isInteger(value)) return { ok: false, message: `expected a whole number, got ${describe(raw)}` };
  if (value < min) return { ok: false, message: `expected a whole number ≥ ${min}, got ${value}` };
  if (value > Number.MAX_SAFE_INTEGER) return { ok: false, message: `${value} is too large` };
  return { ok: true, value };
}

/** true/false (also "true"/"false", 1/0 as some frameworks write), or symbolic text. */
export function parseFlag(raw: unknown): Parsed<boolean> {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === 1 || raw === 0) return { ok: true, value: raw === 1 };
  if (typeof raw === 'string') {
    const lower = raw.trim().toLowerCase();
    if (lower === 'true') return { ok: true, value: true };
    if (lower === 'false') return { ok: true, value: false };
    if (looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  }
  return { ok: false, message: `expected true or false, got ${describe(raw)}` };
}

/** A probability from 0 to 1 (a dropout rate), a numeric string, or symbolic text. */
export function parseProbability(raw: unknown): Parsed<number> {
  let value: number | undefined;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string') {
    if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)) value = Number(raw);
    else if (looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  }
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > 1) return { ok: false, message: `expected a probability from 0 to 1, got ${describe(raw)}` };
  return { ok: true, value };
}

/** One of a fixed set of words (case-insensitive), or symbolic text. */
export function parseChoice<T extends string>(raw: unknown, choices: readonly T[]): Parsed<T> {
  if (typeof raw === 'string') {
    const lower = raw.trim().toLowerCase();
    const match = choices.find((choice) => choice === lower);
    if (match) return { ok: true, value: match };
    if (looksSymbolic(raw)) return { ok: true, value: { symbolic: raw.trim() } };
  }
  return { ok: false, message: `expected one of ${choices.join(', ')}, got ${describe(raw)}` };
}

export function describe(raw: unknown): string {
  if (raw === null || raw === undefined) return 'nothing';
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  if (typeof raw === 'object') return Array.isArray(raw) ? 'a list' : 'a map';
  return String(raw);
}

/** The closest known key within two edits, for "did you mean" in unknown-key warnings. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = key.toLowerCase();
  if (lower.length > 64) return undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
