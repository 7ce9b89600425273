// Completion's bookkeeping: drafts stacked by priority (flags, file, directives, workspace, settings), a lookup
// that takes the first concrete value and remembers symbolic ones it had to skip, and the origins it records.
import { isSymbolic, type DesignDraft, type FieldPath, type Symbolic } from '../../model/design';
import type { Problem, SourceRange } from '../../model/problems';
import type { Origin, OriginKind, SourceMap } from '../types';

export interface Layer {
  kind: OriginKind;
  draft: DesignDraft;
  /** Ranges in the file being completed (file and directive layers only). */
  ranges?: SourceMap;
  detail?: string;
}

interface Skipped {
  symbolic: Symbolic;
  range?: SourceRange;
}

export function draftValue(draft: DesignDraft, path: FieldPath): unknown {
  if (path === 'modelId') return draft.modelId;
  const dot = path.indexOf('.');
  const section = draft[path.slice(0, dot) as 'model' | 'plan' | 'cluster' | 'calibration'] as Record<string, unknown> | undefined;
  return section?.[path.slice(dot + 1)];
}

export class Resolver {
  readonly origins: Record<string, Origin> = {};
  readonly problems: Problem[] = [];
  readonly unresolved: FieldPath[] = [];
  private readonly skipped = new Map<FieldPath, Skipped>();

  constructor(private readonly layers: readonly Layer[]) {}

  /** The first concrete value of a field across the layers (its origin recorded), or undefined. */
  pick<T>(path: FieldPath, accept: (value: unknown) => value is T): T | undefined {
    for (const layer of this.layers) {
      const value = draftValue(layer.draft, path);
      if (value === undefined) continue;
      if (isSymbolic(value)) {
        if (!this.skipped.has(path)) {
          const skipped: Skipped = { symbolic: value };
          const range = layer.ranges?.get(path)?.value;
          if (range) skipped.range = range;
          this.skipped.set(path, skipped);
        }
        continue;
      }
      if (!accept(value)) continue;
      this.record(path, layerOrigin(layer, path));
      return value;
    }
    return undefined;
  }

  record(path: FieldPath, origin: Origin): void {
    this.origins[path] = origin;
  }

  /** Sets a value that no layer gave: a catalog entry, a default or a derivation, with the reason. */
  fill<T>(path: FieldPath, value: T, from: OriginKind, detail: string): T {
    this.record(path, { from, detail });
    return value;
  }

  /**
   * After completion: every symbolic value that nothing above it resolved becomes a `value/unresolved` problem
   * saying what was used instead (CONTRACT.md: such fields are null in the design JSON).
   */
  reportUnresolved(finalValue: (path: FieldPath) => unknown): void {
    this.skipUnasked();
    for (const [path, skipped] of this.skipped) {
      const origin = this.origins[path];
      if (origin && (origin.from === 'file' || origin.from === 'flag' || origin.from === 'directive' || origin.from === 'workspace' || origin.from === 'setting')) continue;
      this.unresolved.push(path);
      const value = finalValue(path);
      const instead = value === undefined ? 'the estimate cannot use it' : `assumed ${JSON.stringify(value)} (${origin?.from ?? 'default'}${origin?.detail ? `: ${origin.detail}` : ''})`;
      const problem: Problem = {
        severity: 'warning', code: 'value/unresolved', field: path,
        message: `${path} is set to \`${skipped.symbolic.symbolic}\`, which plens cannot resolve from this file; ${instead}`,
      };
      if (skipped.range) problem.range = skipped.range;
      this.problems.push(problem);
    }
  }

  /**
   * Symbolic values completion never looked up (an incomplete model stops it before the later model fields): the
   * readers leave reporting them to this class, so they are added as skipped, unless a layer above gave the field.
   */
  private skipUnasked(): void {
    this.layers.forEach((layer, index) => {
      for (const [path, value] of symbolicFields(layer.draft)) {
        if (this.skipped.has(path) || this.origins[path] || this.layers.slice(0, index).some((above) => draftValue(above.draft, path) !== undefined)) continue;
        const skipped: Skipped = { symbolic: value };
        const range = layer.ranges?.get(path)?.value;
        if (range) skipped.range = range;
        this.skipped.set(path, skipped);
      }
    });
  }
}

function symbolicFields(draft: DesignDraft): [FieldPath, Symbolic][] {
  const found: [FieldPath, Symbolic][] = [];
  if (isSymbolic(draft.modelId)) found.push(['modelId', draft.modelId]);
  for (const section of ['model', 'plan', 'cluster'] as const) {
    for (const [key, value] of Object.entries(draft[section] ?? {})) {
      if (isSymbolic(value)) found.push([`${section}.${key}` as FieldPath, value]);
    }
  }
  return found;
}

function layerOrigin(layer: Layer, path: FieldPath): Origin {
  const origin: Origin = { from: layer.kind };
  const range = layer.ranges?.get(path)?.value;
  if (range) origin.range = range;
  if (layer.detail) origin.detail = layer.detail;
  return origin;
}

export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
export const isNumberOrNull = (value: unknown): value is number | null => value === null || isNumber(value);
export function isOneOf<T extends string>(choices: readonly T[]): (value: unknown) => value is T {
  return (value: unknown): value is T => typeof value === 'string' && (choices as readonly string[]).includes(value);
}
