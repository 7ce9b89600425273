// `plens estimate FILE...`: read, complete, estimate; a table for people or CONTRACT.md's JSON.
import { estimate, type Estimate } from '../../model/estimate';
import { waterfallRows } from '../../model/stepBreakdown';
import { DEFAULT_BUBBLE_WARNING_FRACTION } from '../../model/warnings';
import { formatBytes, formatGiB, formatQuantity, formatSeconds, significant } from '../../format';
import { parseArgs } from '../args';
import { estimateTables, problemsTable, tablesCsv } from '../../estimateTables';
import { table, tablePercent } from '../format';
import { UsageError, type CliIo } from '../io';
import { estimateJson, type EstimateJson } from './estimateJson';
import { DESIGN_FLAGS, DESIGN_SWITCHES, flagDraft, loadDesign, type LoadedDesign } from './loadDesign';

export const ESTIMATE_USAGE = 'plens estimate FILE... [--model ID|FILE] [--gpu ID] [--nodes N] [--gpus-per-node N] [--schedule ID] [--calibration FILE] [--allow-outside] [--explain] [--json | --csv]';

export async function runEstimate(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: DESIGN_FLAGS, switches: ['json', 'csv', 'explain', ...DESIGN_SWITCHES] });
  if (args.positionals.length === 0) throw new UsageError('name at least one FILE to estimate');
  const asCsv = args.switches.has('csv');
  if (asCsv && args.switches.has('json')) throw new UsageError('--json and --csv are two outputs; pick one');
  if (asCsv && args.positionals.length > 1) throw new UsageError('--csv writes the tables of one estimate; name one FILE');
  const flags = flagDraft(args, io);
  const outputs: EstimateJson[] = [];
  const texts: string[] = [];
  let failed = false;
  for (const file of args.positionals) {
    const loaded = loadDesign(io, file, flags, { allowOutside: args.switches.has('allow-outside') });
    const design = loaded.completion.design;
    // The editor's default thresholds, so that plens and the editor report the same problems (model/warnings.ts).
    const result = design ? estimate(design, { maxBubbleFraction: DEFAULT_BUBBLE_WARNING_FRACTION }) : undefined;
    const json = estimateJson(loaded, result);
    if (json.estimate === null) failed = true;
    outputs.push(json);
    if (asCsv) texts.push(tablesCsv([...(json.estimate ? estimateTables(json.estimate) : []), problemsTable(json.problems)]));
    else if (!args.switches.has('json')) texts.push(describe(loaded, json, args.switches.has('explain')));
  }
  if (args.switches.has('json')) io.stdout(JSON.stringify(outputs.length === 1 ? outputs[0] : outputs, null, 2) + '\n');
  else io.stdout(texts.join('\n'));
  return failed ? 1 : 0;
}

export function describeEstimate(e: Estimate): string {
  const ratio = e.traffic.computeToCommRatio;
  const headline = table(['figure', 'value'], [
    ['step time', formatSeconds(e.stepTimeSeconds)],
    ['tokens/s', formatQuantity(e.tokensPerSecond)],
    ['TFLOP/s per GPU', significant(e.tflopsPerGpu)],
    ['MFU', tablePercent(e.mfu)],
    ['GPU-hours per 1T tokens', formatQuantity(e.gpuHoursPerTrillionTokens)],
    ['bubble', `${formatSeconds(e.bubble.seconds)}, ${tablePercent(e.bubble.fraction)} of the step (closed form ${formatSeconds(e.bubble.closedFormSeconds)})`],
    ['peak memory', `${formatGiB(e.memory.peakBytes)} of ${formatGiB(e.memory.capacityBytes)} (${tablePercent(e.memory.peakBytes / e.memory.capacityBytes)})`],
    ...hostRows(e),
    ['IB per token', formatBytes(e.traffic.ibBytesPerToken)],
    ['exposed communication', formatSeconds(e.traffic.exposedCommSeconds)],
    ['compute : communication (per layer)', ratio === null ? 'no communication' : `${significant(ratio)} : 1`],
  ]);
  // An overlapped pair is not one stage's: it couples this stage's forward with its mirror stage's backward on
  // the same rank (model/cost/compute/stageTime.ts), and the column says which.
  const last = e.stages.length - 1;
  const stages = table(['stage', 'layers', 'F', 'B', 'W', `F&B pair (F of s, B of ${last}−s)`], e.stages.map((s) => [
    String(s.stage), String(s.layers), formatSeconds(s.F), formatSeconds(s.B), formatSeconds(s.W), formatSeconds(s.FB),
  ]));
  // The host column appears only when something is offloaded.
  const offloads = e.memory.host.peakBytes > 0;
  const memory = table(['rank', 'weights', 'grads', 'optimizer', 'activations', 'recompute', 'other', 'total', ...(offloads ? ['host per GPU'] : [])], e.memory.stages.map((m) => [
    String(m.stage), ...[m.parametersBytes, m.gradientsBytes, m.optimizerBytes, m.activationsBytes, m.transientBytes, m.otherBytes, m.totalBytes, ...(offloads ? [m.host.totalBytes] : [])].map(formatGiB),
  ]));
  const traffic = table(['dimension', 'NVLink per GPU per step', 'IB per GPU per step'], (['tp', 'cp', 'ep', 'pp', 'dp'] as const).map((d) => [
    d.toUpperCase(), formatBytes(e.traffic.perGpuPerStep[d].nvlinkBytes), formatBytes(e.traffic.perGpuPerStep[d].ibBytes),
  ]));
  return `${headline}\n${stages}\n${memory}\n${traffic}`;
}

/** Host memory of the fullest host, when anything is offloaded (estimate.memory.host). */
function hostRows(e: Estimate): string[][] {
  const host = e.memory.host;
  if (host.peakBytes <= 0) return [];
  return [['host memory', `${formatGiB(host.peakBytes)} of ${formatGiB(host.capacityBytes)} per host of ${host.gpusPerHost} GPUs (${tablePercent(host.peakBytes / host.capacityBytes)}), over ${host.link}`]];
}

/**
 * `--explain`: the step as a waterfall (estimate.breakdown), each part with its share, then the calibration in force
 * with where each value came from. The parts sum to the step time.
 */
export function explainEstimate(e: Estimate, origins: EstimateJson['origins'] = {}): string {
  const b = e.breakdown;
  let running = 0;
  const waterfall = table(['part of the step', 'seconds', 'share', 'running total'], [
    ...waterfallRows(b).map(({ label, seconds }) => {
      running += seconds;
      return [label, formatSeconds(seconds), tablePercent(seconds / b.totalSeconds), formatSeconds(running)];
    }),
    ['step time', formatSeconds(b.totalSeconds), tablePercent(1), formatSeconds(b.totalSeconds)],
  ]);
  const calibration = table(['calibration', 'value', 'from'], Object.entries(e.calibration).map(([key, { value, from }]) => {
    const origin = origins[`calibration.${key}`];
    const where = from === 'design' && origin ? `${origin.from}${origin.line !== undefined ? ` line ${origin.line}` : ''}${origin.detail ? ` (${origin.detail})` : ''}` : from;
    return [key, significant(value), where];
  }));
  return `${waterfall}\n${calibration}`;
}

function describe(loaded: LoadedDesign, json: EstimateJson, explain = false): string {
  const design = loaded.completion.design;
  let text = `${json.file} (${json.format})\n`;
  if (design) {
    const { plan, cluster, model } = design;
    text += `${model.name} on ${cluster.worldSize} × ${cluster.gpu}: TP ${plan.tp} CP ${plan.cp} PP ${plan.pp} EP ${plan.ep} DP ${plan.dp} ZeRO-${plan.zero}, ` +
      `${plan.schedule}, ${plan.microbatches} micro-batches of ${plan.microBatchSize} × ${plan.seqLength}, ${plan.precision}, recompute ${plan.recompute}\n\n`;
  }
  if (json.estimate) text += describeEstimate(json.estimate);
  if (json.estimate && explain) text += `\n${explainEstimate(json.estimate, json.origins)}`;
  if (json.problems.length > 0) {
    text += '\n';
    for (const p of json.problems) {
      const where = p.line !== undefined ? `${json.file}:${p.line}:${p.column}` : json.file;
      text += `${where}: ${p.severity} ${p.code}: ${p.message}\n`;
    }
  }
  return text;
}
