// The panel's estimate for one analysed config: the file's own estimate as the editor computed it, or a what-if
// (other schedule, PP or micro-batch size) estimated here without touching the file (DESIGN.md §6). Pure, no
// `vscode`; the what-if is bounded by the same op budget as the editor's own estimate.
import { estimate } from '../model/estimate';
import type { Problem } from '../model/problems';
import type { EstimateView, WhatIfChanges } from '../protocol';
import { buildEstimateView } from './estimateView';
import { located, MAX_EDITOR_OPS, mergeRepeats, nearCapacity, type PipelineResult } from './pipeline';
import { applyWhatIf, scheduleOps } from './whatIf';

export interface PresentOptions {
  whatIf?: WhatIfChanges;
  memoryWarningFraction?: number;
  bubbleWarningFraction?: number;
}

export function presentEstimate(fileName: string, analysed: PipelineResult, options: PresentOptions = {}): EstimateView {
  const base = { fileName, format: analysed.read.format, completion: analysed.completion, ...(options.memoryWarningFraction === undefined ? {} : { memoryWarningFraction: options.memoryWarningFraction }) };
  const design = analysed.completion?.design;
  const changes = options.whatIf;
  if (!changes || !design || Object.keys(changes).length === 0) return buildEstimateView({ ...base, result: analysed.estimate, problems: analysed.problems });

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
  const problems = [...result.problems];
  if (result.estimate && options.memoryWarningFraction !== undefined) problems.push(...nearCapacity(result.estimate, options.memoryWarningFraction));
  const origins = analysed.completion?.origins ?? {};
  return buildEstimateView({ ...base, result, problems: mergeRepeats(problems.map((p) => located(p, origins, analysed.read.sourceMap))), whatIf });
}
