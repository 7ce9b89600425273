// `plens estimate FILE...`: read, complete, estimate; a table for people or CONTRACT.md's JSON.
import { estimate, type Estimate } from '../../model/estimate';
import { parseArgs } from '../args';
import { formatNumber, table } from '../format';
import { UsageError, type CliIo } from '../io';
import { estimateJson, type EstimateJson } from './estimateJson';
import { DESIGN_FLAGS, flagDraft, loadDesign, type LoadedDesign } from './loadDesign';

export const ESTIMATE_USAGE = 'plens estimate FILE... [--model ID|FILE] [--gpu ID] [--nodes N] [--gpus-per-node N] [--schedule ID] [--json]';

export async function runEstimate(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: DESIGN_FLAGS, switches: ['json'] });
  if (args.positionals.length === 0) throw new UsageError('name at least one FILE to estimate');
  const flags = flagDraft(args, io);
  const outputs: EstimateJson[] = [];
  const texts: string[] = [];
  let failed = false;
  for (const file of args.positionals) {
    const loaded = loadDesign(io, file, flags);
    const design = loaded.completion.design;
    const result = design ? estimate(design) : undefined;
    const json = estimateJson(loaded, result);
    if (json.estimate === null) failed = true;
    outputs.push(json);
    if (!args.switches.has('json')) texts.push(describe(loaded, json));
  }
  if (args.switches.has('json')) io.stdout(JSON.stringify(outputs.length === 1 ? outputs[0] : outputs, null, 2) + '\n');
  else io.stdout(texts.join('\n'));
  return failed ? 1 : 0;
}

const GIB = 2 ** 30;

function seconds(value: number): string {
  return value >= 1 ? `${formatNumber(value, 2)} s` : `${formatNumber(value * 1000, 2)} ms`;
}

function bytes(value: number): string {
  if (value >= 1e12) return `${formatNumber(value / 1e12, 2)} TB`;
  if (value >= 1e9) return `${formatNumber(value / 1e9, 2)} GB`;
  if (value >= 1e6) return `${formatNumber(value / 1e6, 2)} MB`;
  return `${formatNumber(value / 1e3, 2)} kB`;
}

export function describeEstimate(e: Estimate): string {
  const headline = table(['figure', 'value'], [
    ['step time', seconds(e.stepTimeSeconds)],
    ['tokens/s', formatNumber(e.tokensPerSecond, 0)],
    ['TFLOP/s per GPU', formatNumber(e.tflopsPerGpu, 1)],
    ['MFU', `${formatNumber(e.mfu * 100, 1)} %`],
    ['GPU-hours per 1T tokens', formatNumber(e.gpuHoursPerTrillionTokens, 0)],
    ['bubble', `${seconds(e.bubble.seconds)} (${formatNumber(e.bubble.fraction * 100, 1)} %; closed form ${seconds(e.bubble.closedFormSeconds)})`],
    ['peak memory', `${formatNumber(e.memory.peakBytes / GIB, 1)} GiB of ${formatNumber(e.memory.capacityBytes / GIB, 1)} GiB`],
    ['IB per token', bytes(e.traffic.ibBytesPerToken)],
    ['exposed communication', seconds(e.traffic.exposedCommSeconds)],
    ['compute : communication (per layer)', e.traffic.computeToCommRatio === null ? 'no communication' : formatNumber(e.traffic.computeToCommRatio, 2)],
  ]);
  const stages = table(['stage', 'layers', 'F', 'B', 'W', 'F&B'], e.stages.map((s) => [
    String(s.stage), String(s.layers), seconds(s.F), seconds(s.B), seconds(s.W), seconds(s.FB),
  ]));
  const memory = table(['rank', 'weights GiB', 'grads GiB', 'optimizer GiB', 'activations GiB', 'other GiB', 'total GiB'], e.memory.stages.map((m) => [
    String(m.stage), ...[m.parametersBytes, m.gradientsBytes, m.optimizerBytes, m.activationsBytes, m.otherBytes, m.totalBytes].map((b) => formatNumber(b / GIB, 2)),
  ]));
  const traffic = table(['dimension', 'NVLink per GPU per step', 'IB per GPU per step'], (['tp', 'cp', 'ep', 'pp', 'dp'] as const).map((d) => [
    d.toUpperCase(), bytes(e.traffic.perGpuPerStep[d].nvlinkBytes), bytes(e.traffic.perGpuPerStep[d].ibBytes),
  ]));
  return `${headline}\n${stages}\n${memory}\n${traffic}`;
}

function describe(loaded: LoadedDesign, json: EstimateJson): string {
  const design = loaded.completion.design;
  let text = `${json.file} (${json.format})\n`;
  if (design) {
    const { plan, cluster, model } = design;
    text += `${model.name} on ${cluster.worldSize} × ${cluster.gpu}: TP ${plan.tp} CP ${plan.cp} PP ${plan.pp} EP ${plan.ep} DP ${plan.dp} ZeRO-${plan.zero}, ` +
      `${plan.schedule}, ${plan.microbatches} micro-batches of ${plan.microBatchSize} × ${plan.seqLength}, ${plan.precision}, recompute ${plan.recompute}\n\n`;
  }
  if (json.estimate) text += describeEstimate(json.estimate);
  if (json.problems.length > 0) {
    text += '\n';
    for (const p of json.problems) {
      const where = p.line !== undefined ? `${json.file}:${p.line}:${p.column}` : json.file;
      text += `${where}: ${p.severity} ${p.code}: ${p.message}\n`;
    }
  }
  return text;
}
