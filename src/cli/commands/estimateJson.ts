// The CONTRACT.md `plens estimate --json` object for one file: design with unresolved values as null, origins,
// problems with 1-based positions (model problems are placed on the key of the field they are about), estimate.
import type { Origin } from '../../config/types';
import type { Design, FieldPath } from '../../model/design';
import type { Estimate, EstimateResult } from '../../model/estimate';
import type { Problem, SourceRange } from '../../model/problems';
import type { LoadedDesign } from './loadDesign';

export interface ProblemJson {
  severity: Problem['severity'];
  code: string;
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface EstimateJson {
  file: string;
  format: string;
  design: unknown;
  origins: Record<string, { from: Origin['from']; line?: number; column?: number; detail?: string }>;
  problems: ProblemJson[];
  estimate: Estimate | null;
}

/** Where a problem belongs in the file: its own range, else the key of its field, else nowhere. */
export function problemRange(problem: Problem, loaded: LoadedDesign): SourceRange | undefined {
  if (problem.range) return problem.range;
  if (!problem.field) return undefined;
  const mapped = loaded.read.sourceMap.get(problem.field as FieldPath);
  if (mapped) return mapped.key;
  const origin = loaded.completion.origins[problem.field];
  return origin?.range;
}

export function problemJson(problem: Problem, loaded: LoadedDesign): ProblemJson {
  const range = problemRange(problem, loaded);
  const json: ProblemJson = { severity: problem.severity, code: problem.code, message: problem.message };
  if (range) Object.assign(json, { line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn });
  return json;
}

function designJson(design: Design | undefined, unresolved: readonly FieldPath[]): unknown {
  if (!design) return null;
  const copy = JSON.parse(JSON.stringify(design)) as Record<string, Record<string, unknown>>;
  for (const path of unresolved) {
    const [part, key] = path.split('.');
    if (part && key && copy[part]) copy[part][key] = null;
  }
  return copy;
}

export function estimateJson(loaded: LoadedDesign, result: EstimateResult | undefined): EstimateJson {
  const origins: EstimateJson['origins'] = {};
  for (const [path, origin] of Object.entries(loaded.completion.origins)) {
    origins[path] = { from: origin.from, ...(origin.range ? { line: origin.range.line, column: origin.range.column } : {}), ...(origin.detail ? { detail: origin.detail } : {}) };
  }
  const problems = [...loaded.completion.problems, ...(result?.problems ?? [])];
  return {
    file: loaded.file,
    format: loaded.format,
    design: designJson(loaded.completion.design, loaded.completion.unresolved),
    origins,
    problems: problems.map((p) => problemJson(p, loaded)),
    estimate: result?.estimate ?? null,
  };
}
