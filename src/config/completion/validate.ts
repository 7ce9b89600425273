// What only the config layer knows about a design's problems. The rules themselves live in the model
// (src/model/layoutChecks.ts); here a problem is put in the file's terms (DeepSpeed states the batch identity with
// its own three keys when the file gave all three) and located: placed on the key of the first of its fields
// that the file or one of its directives wrote (DESIGN.md §6: diagnostics on the exact key).
import type { Design, FieldPath } from '../../model/design';
import type { Problem, SourceRange } from '../../model/problems';
import type { FormatId, Origin, SourceMap } from '../types';

/** A value someone wrote (file, directive, flag, workspace, setting), not one completion assumed or derived. */
function isGiven(origins: Record<string, Origin>, path: FieldPath): boolean {
  const from = origins[path]?.from;
  return from !== undefined && from !== 'derived' && from !== 'default' && from !== 'catalog';
}

/**
 * A model problem as the file's format would state it. DeepSpeed's `_batch_assertion` checks train_batch_size =
 * train_micro_batch_size_per_gpu · gradient_accumulation_steps · dp, which is `layout/batch` when the file gave all
 * three (FORMATS.md A.5); it keeps DeepSpeed's code and names its keys.
 */
export function inFileTerms(problem: Problem, design: Design, origins: Record<string, Origin>, format: FormatId | undefined): Problem {
  if (problem.code !== 'layout/batch' || format !== 'deepspeed-json') return problem;
  const given = (['plan.globalBatchSize', 'plan.microBatchSize', 'plan.microbatches'] as const).every((path) => isGiven(origins, path));
  if (!given) return problem;
  const { globalBatchSize, microBatchSize, microbatches, dp } = design.plan;
  return {
    severity: problem.severity,
    code: 'deepspeed/batch-identity',
    message: `train_batch_size ${globalBatchSize} ≠ train_micro_batch_size_per_gpu ${microBatchSize} × gradient_accumulation_steps ${microbatches} × data-parallel size ${dp} = ${microBatchSize * microbatches * dp}`,
    field: 'plan.globalBatchSize',
    related: ['plan.microbatches', 'plan.microBatchSize', 'plan.dp'],
  };
}

/**
 * Where a field's value is in the file: the value that set it (file or directive), else the file's own text for
 * it when completion could not use that text (a `$PP` nothing resolves). A flag overrides the file, so the file's
 * text is then not what the estimate used and is not pointed at.
 */
export function fieldRange(path: string, origins: Record<string, Origin>, sourceMap: SourceMap | undefined): SourceRange | undefined {
  const origin = origins[path];
  if (origin?.range) return origin.range;
  if (origin?.from === 'flag') return undefined;
  return sourceMap?.get(path as FieldPath)?.value;
}

/**
 * A problem that names fields but no range lands on the first of its fields (`field`, then `related` in order)
 * that the file wrote; a problem with a range, or about nothing the file wrote, is returned as it is.
 */
export function locate(problem: Problem, origins: Record<string, Origin>, sourceMap?: SourceMap): Problem {
  if (problem.range || !problem.field) return problem;
  for (const path of [problem.field, ...(problem.related ?? [])]) {
    const range = fieldRange(path, origins, sourceMap);
    if (range) return { ...problem, range };
  }
  return problem;
}
