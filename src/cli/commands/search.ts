// `plens search FILE`: enumerate layouts for the file's model and cluster, keep those that fit, rank them.
// With more than one worker the search's parts run in worker threads (src/worker/searchDriver.ts) started from
// searchWorker.js beside the bundle (dist/); from sources (tests) there is none, and the search runs here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lineDiff, planLayoutApply } from '../../config/layoutEdits';
import type { Design } from '../../model/design';
import { pricingProblem } from '../../model/estimate';
import { noLayoutReason, pipelineLayoutLabel, searchLayouts, type SearchCandidate, type SearchObjective, type SearchResult } from '../../model/search';
import { defaultSearchWorkers, MAX_SEARCH_WORKERS, searchOnWorkers } from '../../worker/searchDriver';
import { numberFlag, parseArgs } from '../args';
import { formatGiB, formatSeconds } from '../../format';
import { csv } from '../csv';
import { table, tablePercent } from '../format';
import { UsageError, type CliIo } from '../io';
import { DESIGN_FLAGS, DESIGN_SWITCHES, flagDraft, loadDesign, type LoadedDesign } from './loadDesign';

export const SEARCH_USAGE = 'plens search FILE [--top K] [--objective step-time|memory] [--budget SECONDS (default: none, complete)] [--workers N (default: one per core up to 8 from 4 cores, else 1)] [--apply N [--write]] [--json | --csv]';

export async function runSearch(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: [...DESIGN_FLAGS, 'top', 'objective', 'budget', 'workers', 'apply'], switches: ['json', 'csv', 'write', ...DESIGN_SWITCHES] });
  if (args.positionals.length !== 1) throw new UsageError('name exactly one FILE to search layouts for');
  const objective = args.values.get('objective') ?? 'step-time';
  if (objective !== 'step-time' && objective !== 'memory') throw new UsageError(`--objective must be step-time or memory, got "${objective}"`);
  const top = numberFlag(args, 'top', 10, { integer: true, min: 1 });
  const budgetSeconds = args.values.has('budget') ? numberFlag(args, 'budget', 0, { min: 0 }) : undefined;
  const workers = numberFlag(args, 'workers', defaultSearchWorkers(), { integer: true, min: 1, max: MAX_SEARCH_WORKERS });
  const file = args.positionals[0]!;
  const flags = flagDraft(args, io);
  const options = { allowOutside: args.switches.has('allow-outside') };
  const loaded = loadDesign(io, file, flags, options);
  const design = loaded.completion.design;
  if (!design) {
    const first = loaded.completion.problems.find((p) => p.severity === 'error');
    throw new UsageError(`${file}: the file does not give a complete design${first ? `: ${first.code}: ${first.message}` : ''}`);
  }
  const unpriced = pricingProblem(design);
  if (unpriced) throw new UsageError(`${file}: no layout can be priced: ${unpriced.message}`);
  const applyRow = args.values.has('apply') ? numberFlag(args, 'apply', 1, { integer: true, min: 1 }) : undefined;
  if (args.switches.has('write') && applyRow === undefined) throw new UsageError('--write goes with --apply N (the result row to write into the file)');
  const request = { objective: objective as SearchObjective, top: Math.max(top, applyRow ?? 0), ...(budgetSeconds !== undefined ? { budgetMs: budgetSeconds * 1000 } : {}) };
  const { result, threads } = await search(design, request, workers);
  const applied = applyRow === undefined ? undefined : applyLayout(io, loaded, (edited) => loadDesign(edited, file, flags, options), result.results, applyRow, args.switches.has('write'));
  if (args.switches.has('json') && args.switches.has('csv')) throw new UsageError('--json and --csv are two outputs; pick one');
  if (args.switches.has('csv')) {
    io.stdout(csv(
      ['rank', 'tp', 'cp', 'pp', 'vpp', 'ep', 'dp', 'zero', 'schedule', 'micro_batch_size', 'recompute', 'step_seconds', 'mfu', 'bubble_fraction', 'peak_bytes', 'hbm_bytes', 'ib_bytes_per_token', 'pipeline_layout'],
      result.results.slice(0, top).map(({ plan, estimate, recomputeLabel, pipelineLayout }, i) => [
        i + 1, plan.tp, plan.cp, plan.pp, plan.vpp, plan.ep, plan.dp, plan.zero, plan.schedule, plan.microBatchSize, recomputeLabel,
        estimate.stepTimeSeconds, estimate.mfu, estimate.bubble.fraction, estimate.memory.peakBytes, estimate.memory.capacityBytes, estimate.traffic.ibBytesPerToken, pipelineLayout.layout,
      ]),
    ));
    if (applied) io.stderr(applied.text);
    return 0;
  }
  if (args.switches.has('json')) {
    const { space, evaluated, pruned, feasible, seconds, status, cutShort, results, leastPeakBytes } = result;
    io.stdout(JSON.stringify({
      space, evaluated, pruned, feasible, seconds, status, cutShort, workers: threads, results: results.slice(0, top),
      ...(leastPeakBytes !== undefined ? { leastPeakBytes } : {}), ...(applied ? { apply: applied.json } : {}),
    }, null, 2) + '\n');
    return 0;
  }
  const coverage = result.status === 'complete'
    ? `all ${result.space} layouts covered: ${result.evaluated} estimated (${result.feasible} fit), ${result.pruned} ruled out by a bound`
    : `search cut short by the budget: ${result.evaluated} of ${result.space} layouts estimated (${result.feasible} fit); the ranking may miss better ones, raise --budget or drop it`;
  let text = `${design.model.name} on ${design.cluster.worldSize} × ${design.cluster.gpu}: ${coverage}, in ${formatSeconds(result.seconds)}\n\n`;
  text += table(['#', 'TP', 'CP', 'PP', 'VPP', 'EP', 'DP', 'ZeRO', 'schedule', 'layout', 'mbs', 'recompute', 'step', 'MFU', 'bubble', 'peak memory'],
    result.results.slice(0, top).map(({ plan, estimate }, i) => [
      String(i + 1), String(plan.tp), String(plan.cp), String(plan.pp), String(plan.vpp), String(plan.ep), String(plan.dp), String(plan.zero),
      plan.schedule, pipelineLayoutLabel(plan), String(plan.microBatchSize), plan.recomputeModules?.join('+') ?? plan.recompute, formatSeconds(estimate.stepTimeSeconds), tablePercent(estimate.mfu),
      tablePercent(estimate.bubble.fraction), formatGiB(estimate.memory.peakBytes),
    ]));
  const none = noLayoutReason(result, design);
  if (none) text += `\nNo layout to rank: ${none}.\n`;
  if (applied) text += `\n${applied.text}`;
  io.stdout(text);
  return 0;
}

/** The bundled worker entry beside dist/cli.js; absent when running from sources. */
const WORKER_FILE = join(__dirname, 'searchWorker.js');

/** The search on `workers` worker threads, or in this thread for one worker (or without the worker file). */
async function search(design: Design, request: { objective: SearchObjective; top: number; budgetMs?: number }, workers: number): Promise<{ result: SearchResult; threads: number }> {
  if (workers <= 1 || !existsSync(WORKER_FILE)) {
    return { result: searchLayouts(design, request), threads: 1 };
  }
  return { result: await searchOnWorkers(design, { ...request, workers, workerPath: WORKER_FILE }).result, threads: workers };
}

/** `--apply N`: the edits that write row N's layout into FILE, as a diff; the file changes only with `--write`. */
function applyLayout(io: CliIo, loaded: LoadedDesign, load: (io: CliIo) => LoadedDesign, results: SearchCandidate[], row: number, write: boolean): { text: string; json: object } {
  const chosen = results[row - 1];
  if (!chosen) throw new UsageError(`--apply ${row}: the search found ${results.length} layout${results.length === 1 ? '' : 's'} that fit`);
  const text = io.readFile(loaded.file);
  const current = loaded.completion.design!.plan;
  const reread = (edited: string) => load({ ...io, readFile: (path) => (path === loaded.file ? edited : io.readFile(path)) }).completion.design?.plan;
  const apply = planLayoutApply({ text, format: loaded.format, sourceMap: loaded.read.sourceMap, origins: loaded.completion.origins, current, target: chosen.plan, targetLayout: chosen.pipelineLayout.layout }, reread);
  const diff = lineDiff(loaded.file, text, apply.after);
  const wrote = write && apply.edits.length > 0;
  if (wrote) io.writeFile(loaded.file, apply.after);
  const lines = [`Layout #${row} in ${loaded.file}:`, diff.trimEnd() || '(no change to write)'];
  for (const left of apply.remaining) lines.push(`not written: ${left.field} ${left.to} (the file gives ${left.from}): ${left.reason}`);
  lines.push(wrote ? `wrote ${loaded.file}` : apply.edits.length > 0 ? 'dry run: add --write to change the file' : 'nothing written');
  return { text: lines.join('\n') + '\n', json: { row, diff, written: apply.written, remaining: apply.remaining, wrote } };
}
