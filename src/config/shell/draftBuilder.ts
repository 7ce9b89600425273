// Collects design values with where they were set: later settings win (as argparse keeps the last flag), and
// every value keeps its key and value ranges for the SourceMap. Unresolvable values become Symbolic.
import type { DesignDraft, FieldPath, Symbolic } from '../../model/design';
import { emptyDraft } from '../../model/design';
import type { Problem } from '../../model/problems';
import type { SourceMap } from '../types';
import type { RangeOf } from './ranges';

export interface Located {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export class DraftBuilder {
  readonly draft: DesignDraft = emptyDraft();
  readonly sourceMap: SourceMap = new Map();
  readonly problems: Problem[] = [];

  constructor(private readonly rangeOf: RangeOf) {}

  set(field: FieldPath, value: unknown, at: Located): void {
    const [section, key] = field.split('.') as [string, string | undefined];
    if (field === 'modelId') this.draft.modelId = value as string | Symbolic;
    else if (key && (section === 'model' || section === 'plan' || section === 'cluster')) {
      (this.draft[section] as Record<string, unknown>)[key] = value;
    }
    this.sourceMap.set(field, { key: this.rangeOf(at.keyStart, at.keyEnd), value: this.rangeOf(at.valueStart, at.valueEnd) });
  }

  has(field: FieldPath): boolean {
    return this.sourceMap.has(field);
  }

  get(field: FieldPath): unknown {
    const [section, key] = field.split('.') as [string, string | undefined];
    if (!key || !(section === 'model' || section === 'plan' || section === 'cluster')) return this.draft.modelId;
    return (this.draft[section] as Record<string, unknown>)[key];
  }

  problem(severity: Problem['severity'], code: string, message: string, start: number, end: number, field?: FieldPath): void {
    if (this.problems.length >= 500) return;
    const problem: Problem = { severity, code, message, range: this.rangeOf(start, end) };
    if (field) problem.field = field;
    this.problems.push(problem);
  }

  /** A value from outside the file: kept as its text, reported once at the value. */
  unresolved(field: FieldPath, text: string, why: string, at: Located): void {
    this.set(field, { symbolic: text }, at);
    this.problem('warning', 'value/unresolved', `${field} is set to \`${text}\`, which ${why}; it is not known until run time.`, at.valueStart, at.valueEnd, field);
  }
}
