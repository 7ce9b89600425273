// `plens catalog [models|gpus] [--json]`: the built-in model architectures and GPU presets, with sources.
import { GPUS } from '../../model/catalog/gpus';
import { MODELS } from '../../model/catalog/models';
import { parameterCounts } from '../../model/cost/memory/params';
import { parseArgs } from '../args';
import { formatNumber, table } from '../format';
import { UsageError, type CliIo } from '../io';

export const CATALOG_USAGE = 'plens catalog [models|gpus] [--json]';

export async function runCatalog(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: [], switches: ['json'] });
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
  const which = args.positionals[0];
  if (which !== undefined && which !== 'models' && which !== 'gpus') throw new UsageError(`unknown catalog "${which}": use models or gpus`);
  const showModels = which !== 'gpus';
  const showGpus = which !== 'models';
  if (args.switches.has('json')) {
    const json: Record<string, unknown> = {};
    if (showModels) json.models = MODELS.map((m) => ({ id: m.id, aliases: m.aliases, arch: m.arch, source: m.source }));
    if (showGpus) json.gpus = GPUS;
    io.stdout(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  let text = '';
  if (showModels) {
    text += table(['model', 'layers', 'hidden', 'heads', 'kv heads', 'experts', 'top-k', 'total params', 'active params'], MODELS.map((m) => {
      const counts = parameterCounts(m.arch);
      return [m.id, String(m.arch.layers), String(m.arch.hidden), String(m.arch.heads), String(m.arch.kvHeads), String(m.arch.experts),
        String(m.arch.topK), `${formatNumber(counts.totalWithMtp / 1e9, 1)} B`, `${formatNumber(counts.activeWithMtp / 1e9, 1)} B`];
    }));
    text += '\n' + MODELS.map((m) => `${m.id}: ${m.source}`).join('\n') + '\n';
  }
  if (showGpus) {
    if (text) text += '\n';
    text += table(['GPU', 'BF16 TFLOP/s', 'FP8 TFLOP/s', 'HBM GiB', 'HBM GB/s', 'NVLink GB/s', 'IB GB/s', 'GPUs/node'], GPUS.map((g) => [
      g.id, formatNumber(g.peakFlopsPerSecond.bf16 / 1e12, 1), formatNumber(g.peakFlopsPerSecond.fp8 / 1e12, 1), formatNumber(g.hbmBytes / 2 ** 30, 0),
      formatNumber(g.hbmBytesPerSecond / 1e9, 0), formatNumber(g.nvlinkBytesPerSecond / 1e9, 0), formatNumber(g.ibBytesPerSecond / 1e9, 0), String(g.gpusPerNode),
    ]));
    text += '(NVLink and IB per GPU per direction, achievable)\n\n' + GPUS.map((g) => `${g.id}: ${g.source}`).join('\n') + '\n';
  }
  io.stdout(text);
  return 0;
}
