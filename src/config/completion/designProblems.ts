// Every problem of one config, once, each on the key it is about: what reading and completing the file found,
// then the model's (the layout rules of src/model/layoutChecks.ts, which the estimate runs first, and the
// estimate's own: memory, bubble, unknown GPU) in the file's terms. The one merge behind `plens estimate`,
// `plens check`, `plens trace` and the editor's diagnostics and panel (DESIGN.md §2: presenters hold no logic).
import type { Design } from '../../model/design';
import type { EstimateResult } from '../../model/estimate';
import { checkLayout } from '../../model/layoutChecks';
import type { Problem } from '../../model/problems';
import type { Completion } from './complete';
import { howToComplete } from './howToComplete';
import type { FormatId, Origin, ReadResult } from '../types';
import { inFileTerms, locate } from './validate';

export interface ProblemSources {
  read: ReadResult;
  completion: Completion;
  /** The design the model saw; the completed one unless a presenter changed it (the panel's what-if). */
  design?: Design | undefined;
  /** The estimate of that design, when one was run: its problems begin with checkLayout's. */
  result?: EstimateResult | undefined;
  /** What a presenter adds about the estimate (the editor's op budget, memory near capacity). */
  extra?: readonly Problem[];
}

export function designProblems(sources: ProblemSources): Problem[] {
  const { read, completion } = sources;
  const design = sources.design ?? completion.design;
  const { origins } = completion;
  const found = completion.problems;
  // Without an estimate (none asked for, or over the editor's budget) the layout rules still hold.
  const modelProblems = sources.result?.problems ?? (design ? checkLayout(design) : []);
  const fromModel = design ? modelProblems.map((problem) => inFileTerms(problem, design, origins, read.format)) : modelProblems;
  const assumption = design ? assumedCluster(origins, design) : undefined;
  const fitted = assumption ? fromModel.map((problem) => onAssumedCluster(problem, assumption, read.format)) : fromModel;
  const problems = [...found, ...fitted.filter((problem) => !found.some((earlier) => sameFact(earlier, problem))), ...(sources.extra ?? [])];
  return problems.map((problem) => locate(problem, origins, read.sourceMap));
}

/**
 * A reader or completion may state a fact before the model states it again on the completed design: an unknown
 * GPU, or DeepSpeed's batch identity when train_batch_size is not even a multiple of micro-batch × accumulation.
 * One code on one field is one fact; the earlier report, worded in the file's terms and placed on its key, stays.
 */
function sameFact(earlier: Problem, later: Problem): boolean {
  return earlier.code === later.code && earlier.field !== undefined && earlier.field === later.field;
}

/**
 * What of the cluster nobody named: the GPU (so its memory) and the world size (so how far ZeRO and DP spread the
 * states), as "GPU H100-SXM" / "world size 8", or undefined when both were given.
 */
function assumedCluster(origins: Record<string, Origin>, design: Design): string | undefined {
  const assumed: string[] = [];
  if (origins['cluster.gpu']?.from === 'default') assumed.push(`GPU ${design.cluster.gpu}`);
  if (origins['cluster.worldSize']?.from === 'default') assumed.push(`world size ${design.cluster.worldSize}`);
  return assumed.length > 0 ? assumed.join(', ') : undefined;
}

/**
 * Over capacity on a cluster plens assumed is a consequence of the assumption, not a finding about the file: a
 * warning that names what was assumed and how to name it (`plens check` on an HF config.json alone passes).
 */
function onAssumedCluster(problem: Problem, assumption: string, format: FormatId): Problem {
  if (problem.code !== 'memory/over-capacity' || problem.severity !== 'error') return problem;
  return {
    ...problem,
    severity: 'warning',
    message: `${problem.message}, on an assumed cluster (${assumption}); to check the fit, ${howToComplete(format, ['gpu', 'nodes'])}`,
  };
}
