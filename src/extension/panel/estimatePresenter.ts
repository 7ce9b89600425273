// The panel's estimate for one analysed config: the file's own estimate as the editor computed it, or a what-if
// (other schedule, PP or micro-batch size) estimated here without touching the file (DESIGN.md §6). Pure, no
// `vscode`; the what-if is bounded by the same op budget as the editor's own estimate.
import { designProblems } from '../../config/completion/designProblems';
import { estimate } from '../../model/estimate';
import type { Problem } from '../../model/problems';
import type { EstimateView, WhatIfChanges } from '../../protocol';
import { buildEstimateView } from './estimateView';
import { MAX_EDITOR_OPS, mergeRepeats, nearCapacity, type PipelineResult } from '../analysis/pipeline';
import { applyWhatIf, scheduleOps } from '../analysis/whatIf';

export interface PresentOptions {
  whatIf?: WhatIfChanges;
  memoryWarningFraction?: number;
  bubbleWarningFraction?: number;
}

export function presentEstimate(fileName: string, analysed: PipelineResult, options: PresentOptions = {}): EstimateView {
  const base = { fileName, format: analysed.read.format, completion: analysed.completion, ...(options.memoryWarningFraction === undefined ? {} : { memoryWarningFraction: options.memoryWarningFraction }) };
  const completion = analysed.completion;
  const design = completion?.design;
  const changes = options.whatIf;
  if (!changes || !completion || !design || Object.keys(changes).length === 0) return buildEstimateView({ ...base, result: analysed.estimate, problems: analysed.problems });

  const applied = applyWhatIf(design, changes);
  if (typeof applied === 'string') {
    const problem: Problem = { severity: 'error', code: 'whatif/invalid', message: `What-if not applied: ${applied}` };
    return buildEstimateView({ ...base, result: analysed.estimate, problems: [problem, ...analysed.problems] });
  }
  if (Object.keys(applied.changes).length === 0) return buildEstimateView({ ...base, result: analysed.estimate, problems: analysed.problems });
  const whatIf = { design: applied.design, changes: applied.changes };
  if (scheduleOps(applied.design.plan) > MAX_EDITOR_OPS) {
    const problem: Problem = { severity: 'info', code: 'estimate/budget', message: `${applied.design.plan.microbatches} micro-batches × ${applied.design.plan.pp} ranks is more schedule than the editor simulates; run \`plens estimate\` for it` };
    return buildEstimateView({ ...base, result: undefined, problems: [problem], whatIf });
  }
  const result = estimate(applied.design, options.bubbleWarningFraction === undefined ? {} : { maxBubbleFraction: options.bubbleWarningFraction });
  const extra = result.estimate && options.memoryWarningFraction !== undefined ? nearCapacity(result.estimate, options.memoryWarningFraction) : [];
  // The file's own problems still stand; the layout ones are the what-if design's.
  const problems = designProblems({ read: analysed.read, completion, design: applied.design, result, extra });
  return buildEstimateView({ ...base, result, problems: mergeRepeats(problems), whatIf });
}
