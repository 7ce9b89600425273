// `plens search FILE`: enumerate layouts for the file's model and cluster, keep those that fit, rank them.
import { searchLayouts, type SearchObjective } from '../../model/search';
import { numberFlag, parseArgs } from '../args';
import { formatGiB, formatSeconds } from '../../format';
import { table, tablePercent } from '../format';
import { UsageError, type CliIo } from '../io';
import { DESIGN_FLAGS, DESIGN_SWITCHES, flagDraft, loadDesign } from './loadDesign';

export const SEARCH_USAGE = 'plens search FILE [--top K] [--objective step-time|memory] [--budget SECONDS] [--json]';

export async function runSearch(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: [...DESIGN_FLAGS, 'top', 'objective', 'budget'], switches: ['json', ...DESIGN_SWITCHES] });
  if (args.positionals.length !== 1) throw new UsageError('name exactly one FILE to search layouts for');
  const objective = args.values.get('objective') ?? 'step-time';
  if (objective !== 'step-time' && objective !== 'memory') throw new UsageError(`--objective must be step-time or memory, got "${objective}"`);
  const top = numberFlag(args, 'top', 10, { integer: true, min: 1 });
  const budgetSeconds = numberFlag(args, 'budget', 5, { min: 0 });
  const file = args.positionals[0]!;
  const loaded = loadDesign(io, file, flagDraft(args, io), { allowOutside: args.switches.has('allow-outside') });
  const design = loaded.completion.design;
  if (!design) {
    const first = loaded.completion.problems.find((p) => p.severity === 'error');
    throw new UsageError(`${file}: the file does not give a complete design${first ? `: ${first.code}: ${first.message}` : ''}`);
  }
  const result = searchLayouts(design, { objective: objective as SearchObjective, top, budgetMs: budgetSeconds * 1000 });
  if (args.switches.has('json')) {
    const { evaluated, feasible, seconds, cutShort, results } = result;
    io.stdout(JSON.stringify({ evaluated, feasible, seconds, cutShort, results }, null, 2) + '\n');
    return 0;
  }
  let text = `${design.model.name} on ${design.cluster.worldSize} × ${design.cluster.gpu}: ${result.evaluated} layouts estimated, ${result.feasible} fit, in ${formatSeconds(result.seconds)}` +
    (result.cutShort ? ' (budget reached: search cut short, raise --budget for more)' : '') + '\n\n';
  text += table(['#', 'TP', 'CP', 'PP', 'VPP', 'EP', 'DP', 'ZeRO', 'schedule', 'mbs', 'recompute', 'step', 'MFU', 'bubble', 'peak memory'],
    result.results.map(({ plan, estimate }, i) => [
      String(i + 1), String(plan.tp), String(plan.cp), String(plan.pp), String(plan.vpp), String(plan.ep), String(plan.dp), String(plan.zero),
      plan.schedule, String(plan.microBatchSize), plan.recomputeModules?.join('+') ?? plan.recompute, formatSeconds(estimate.stepTimeSeconds), tablePercent(estimate.mfu),
      tablePercent(estimate.bubble.fraction), formatGiB(estimate.memory.peakBytes),
    ]));
  io.stdout(text);
  return 0;
}
