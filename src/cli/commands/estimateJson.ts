// The CONTRACT.md `plens estimate --json` object for one file: design with unresolved values as null, origins,
// problems with 1-based positions (each once, on the key of the field it is about: config/completion/designProblems.ts), estimate.
import { designProblems } from '../../config/completion/designProblems';
import type { PartialDesign } from '../../config/completion/complete';
import type { Origin } from '../../config/types';
import type { Design, FieldPath } from '../../model/design';
import type { Estimate, EstimateResult } from '../../model/estimate';
import type { Problem } from '../../model/problems';
import { DEFAULT_MEMORY_WARNING_FRACTION, nearCapacity } from '../../model/warnings';
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

/** A located problem (designProblems) with its range as 1-based positions. */
export function problemJson(problem: Problem): ProblemJson {
  const { range } = problem;
  const json: ProblemJson = { severity: problem.severity, code: problem.code, message: problem.message };
  if (range) Object.assign(json, { line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn });
  return json;
}

function designJson(design: Design | PartialDesign | undefined, unresolved: readonly FieldPath[]): unknown {
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
  const extra = result?.estimate ? nearCapacity(result.estimate, DEFAULT_MEMORY_WARNING_FRACTION) : [];
  const problems = designProblems({ read: loaded.read, completion: loaded.completion, result, extra });
  return {
    file: loaded.file,
    format: loaded.format,
    // Without an estimate the design still shows what was read: the model as far as stated (CONTRACT.md).
    design: designJson(loaded.completion.design ?? loaded.completion.partial, loaded.completion.unresolved),
    origins,
    problems: problems.map(problemJson),
    estimate: result?.estimate ?? null,
  };
}
