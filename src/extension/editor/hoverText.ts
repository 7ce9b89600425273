// The Markdown of a hover on a config key (DESIGN.md §6): the value and where it came from, what it does to the
// estimate, and neighbouring values side by side. Pure, no `vscode`; every piece of file text goes through
// escapeMarkdown, and the caller renders the result untrusted with HTML off.
import type { Origin } from '../../config/types';
import { fieldValue, type Design, type FieldPath } from '../../model/design';
import type { Estimate } from '../../model/estimate';
import { balancedLayoutString } from '../../model/balancedLayout';
import { formatLayout } from '../../model/pipelineLayout';
import { describeOrigin, escapeMarkdown, formatBytes, formatGiB, formatHostMemory, formatPeakMemory, formatPercent, formatSeconds, headline, significant } from '../../format';
import type { Variant } from '../analysis/whatIf';

export interface HoverInput {
  field: FieldPath;
  /** The value as written in the file (may be symbolic: `$PP`, `${TP:-1}`). */
  writtenText: string | undefined;
  /** The completed design, when completion succeeded. */
  design: Design | undefined;
  origin: Origin | undefined;
  estimate: Estimate | null;
  /** Why there is no estimate, when there is none. */
  noEstimateReason?: string;
  variants: Variant[];
}

export const FIELD_LABELS: Partial<Record<FieldPath, string>> = {
  'plan.pp': 'pipeline-parallel size (PP)',
  'plan.tp': 'tensor-parallel size (TP)',
  'plan.cp': 'context-parallel size (CP)',
  'plan.ep': 'expert-parallel size (EP)',
  'plan.etp': 'expert tensor-parallel size (ETP)',
  'plan.dp': 'data-parallel size (DP)',
  'plan.vpp': 'virtual pipeline chunks per rank',
  'plan.layout': 'pipeline layout (what each stage holds)',
  'plan.firstStageLayers': 'decoder layers on the first pipeline rank',
  'plan.lastStageLayers': 'decoder layers on the last pipeline rank',
  'plan.accountForEmbedding': 'embedding counted as a layer of the pipeline split',
  'plan.accountForLoss': 'loss counted as a layer of the pipeline split',
  'plan.embeddingWeight': 'layers the embedding weighs in the pipeline split',
  'plan.lossWeight': 'layers the output head weighs in the pipeline split',
  'plan.zero': 'ZeRO / optimizer sharding stage',
  'plan.schedule': 'pipeline schedule',
  'plan.microBatchSize': 'micro-batch size (sequences)',
  'plan.globalBatchSize': 'global batch size (sequences)',
  'plan.microbatches': 'micro-batches per step',
  'plan.seqLength': 'sequence length (tokens)',
  'plan.recompute': 'activation recomputation',
  'plan.precision': 'training precision',
  'plan.nodeLimit': 'MoE node limit (nodes per token)',
  'plan.sequenceParallel': 'sequence parallelism',
  'cluster.gpu': 'GPU',
  'cluster.nodes': 'nodes',
  'cluster.gpusPerNode': 'GPUs per NVLink domain',
  'cluster.worldSize': 'GPUs in the job',
  'modelId': 'model',
  'plan.fp8Recipe': 'FP8 scaling recipe',
  'plan.compile': 'torch.compile',
  'plan.gradReduceInFp32': 'gradients accumulated and reduced in FP32',
  'plan.tpCommOverlap': 'TP communication overlap',
  'plan.epCommOverlap': 'EP all-to-all overlap',
  'plan.cpCommOverlap': 'CP ring overlap with attention',
  'plan.overlapGradReduce': 'DP gradient-reduce overlap',
  'plan.overlapParamGather': 'DP parameter-gather overlap',
  'plan.activationOffloadLayers': 'decoder layers per stage whose activations wait in host memory',
  'plan.optimizerOffloadFraction': 'share of the optimizer stepped in host memory',
  'plan.activationOffloadModules': 'modules whose saved activations wait in host memory (fine-grained offload)',
  'plan.optimizerOffloadOverlap': 'offloaded optimizer copies and host Adam pipelined',
  'plan.parameterOffload': 'ZeRO-3 weight shards kept in host memory',
  'plan.hpzPartitionSize': 'ZeRO++ hpZ partition size (ranks of the secondary weight shard)',
  'cluster.hostMemoryGB': 'host memory per node (GB)',
  'calibration.gemmFraction': 'calibration: dense GEMM fraction of peak',
  'calibration.expertGemmFraction': 'calibration: expert GEMM fraction of peak',
  'calibration.attentionFraction': 'calibration: attention fraction of the BF16 peak',
  'calibration.hbmFraction': 'calibration: HBM bandwidth fraction',
  'calibration.layerFixedSeconds': 'calibration: fixed seconds per layer per micro-batch',
  'calibration.moeLayerFixedSeconds': 'calibration: extra fixed seconds per MoE layer per micro-batch',
  'calibration.tpOverlap': 'calibration: share of TP communication hidden',
  'calibration.epOverlap': 'calibration: share of the EP all-to-all hidden',
  'calibration.cpOverlap': 'calibration: share of the CP ring hidden',
  'calibration.dpOverlap': 'calibration: share of DP synchronisation hidden',
  'calibration.expertImbalance': 'calibration: expert load imbalance (max/mean)',
  'calibration.fabricSlowdownPerDoubling': 'calibration: fabric slowdown per doubling past 1,024 GPUs',
};

const SHORT: Partial<Record<FieldPath, string>> = {
  'plan.pp': 'PP', 'plan.tp': 'TP', 'plan.cp': 'CP', 'plan.ep': 'EP', 'plan.vpp': 'chunks', 'plan.zero': 'ZeRO',
  'plan.schedule': 'schedule', 'plan.microBatchSize': 'micro-batch', 'plan.globalBatchSize': 'global batch',
  'plan.microbatches': 'micro-batches', 'plan.recompute': 'recompute',
};

export function hoverMarkdown(input: HoverInput): string {
  const { field, design } = input;
  const lines: string[] = [];
  lines.push(`**${FIELD_LABELS[field] ?? escapeMarkdown(field)}** · Parallelism Lens`, '');
  lines.push(valueLine(input), '');
  if (input.estimate && design) {
    lines.push(...effectLines(field, design, input.estimate));
  } else {
    lines.push(`No estimate${input.noEstimateReason ? `: ${escapeMarkdown(input.noEstimateReason)}` : ''}.`);
  }
  const table = variantTable(field, input.variants);
  if (table.length > 0) lines.push('', ...table);
  return lines.join('\n');
}

function valueLine(input: HoverInput): string {
  const resolved = input.design ? fieldValue(input.design, input.field) : undefined;
  const written = input.writtenText?.trim();
  const from = escapeMarkdown(describeOrigin(input.origin));
  const shown = resolved === undefined ? undefined : displayValue(resolved);
  if (written !== undefined && shown !== undefined && stripQuotes(written) !== shown) {
    return `Written as ${escapeMarkdown(written)}; used as **${escapeMarkdown(shown)}**, from ${from}.`;
  }
  if (shown !== undefined) return `Value **${escapeMarkdown(shown)}**, from ${from}.`;
  if (written !== undefined) return `Written as ${escapeMarkdown(written)}; not resolved, from ${from}.`;
  return `From ${from}.`;
}

function stripQuotes(text: string): string {
  return text.replace(/^["']|["']$/g, '');
}

/** What each stage holds, in Megatron's layout letters, and the most balanced layout for the same PP × VPP. */
function layoutLines(design: Design, estimate: Estimate): string[] {
  if (design.plan.pp <= 1) return [];
  const held = formatLayout(estimate.stages.map((s) => ({ embedding: s.embedding, decoderLayers: s.layers, mtpLayers: s.mtpLayers, loss: s.loss })));
  const chunks = estimate.stages.length / design.plan.pp;
  const balanced = balancedLayoutString(design, design.plan.pp, chunks);
  const lines = [`- stages hold \`${held}\` (E embedding, t layer, m MTP, L output head and loss)`];
  if (balanced !== held) lines.push(`- most balanced for PP ${design.plan.pp} × ${chunks}: \`${balanced}\``);
  return lines;
}

function displayValue(value: unknown): string {
  if (value === null) return 'unlimited';
  return String(value);
}


/** What the field does to the estimate, in the terms that field moves. */
function effectLines(field: FieldPath, design: Design, estimate: Estimate): string[] {
  const { plan, model, cluster } = design;
  const bubble = `bubble ${formatPercent(estimate.bubble.fraction)} of the step (${formatSeconds(estimate.bubble.seconds)} simulated, ${formatSeconds(estimate.bubble.closedFormSeconds)} closed form)`;
  const worst = peakStage(estimate);
  const memory = worst
    ? `peak memory ${formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes)} on pipeline rank ${worst.stage} (weights ${formatGiB(worst.parametersBytes)}, gradients ${formatGiB(worst.gradientsBytes)}, optimizer ${formatGiB(worst.optimizerBytes)}, activations ${formatGiB(worst.activationsBytes)}${worst.transientBytes > 0 ? `, recompute working set ${formatGiB(worst.transientBytes)}` : ''}, other ${formatGiB(worst.otherBytes)})`
    : `peak memory ${formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes)}`;
  const traffic = (dimension: 'tp' | 'ep' | 'pp' | 'dp' | 'cp') => {
    const t = estimate.traffic.perGpuPerStep[dimension];
    return `${dimension.toUpperCase()} traffic per GPU per step: ${formatBytes(t.nvlinkBytes)} over NVLink, ${formatBytes(t.ibBytes)} over InfiniBand`;
  };
  const out: string[] = [];
  switch (field) {
    case 'plan.pp': case 'plan.vpp': case 'plan.layout': case 'plan.firstStageLayers': case 'plan.lastStageLayers':
    case 'plan.accountForEmbedding': case 'plan.accountForLoss': case 'plan.embeddingWeight': case 'plan.lossWeight': {
      const layers = estimate.stages.map((s) => s.layers);
      const low = Math.min(...layers);
      const high = Math.max(...layers);
      out.push(`- ${plan.pp} pipeline ranks, ${estimate.stages.length} model stages; ${low === high ? low : `${low}–${high}`} layers per stage (${model.layers} layers)`);
      out.push(...layoutLines(design, estimate));
      out.push(`- ${bubble}`, `- ${memory}`, `- ${traffic('pp')}`);
      break;
    }
    case 'plan.schedule': case 'plan.microbatches': case 'plan.globalBatchSize': case 'plan.microBatchSize':
      out.push(`- ${plan.schedule}, ${plan.microbatches} micro-batches of ${plan.microBatchSize} × ${plan.seqLength} tokens per pipeline`);
      out.push(`- ${bubble}`, `- ${memory}`);
      break;
    case 'plan.tp': case 'plan.cp':
      out.push(`- ${field === 'plan.tp' ? plan.tp : plan.cp} GPUs per group, ${cluster.gpusPerNode} per NVLink domain`);
      out.push(`- ${traffic(field === 'plan.tp' ? 'tp' : 'cp')}`, `- ${memory}`);
      break;
    case 'plan.ep': case 'plan.etp': case 'plan.nodeLimit':
      out.push(`- ${model.experts} experts, ${plan.ep > 0 ? significant(model.experts / plan.ep) : '—'} per GPU`);
      out.push(`- ${traffic('ep')}`, `- InfiniBand bytes per token ${formatBytes(estimate.traffic.ibBytesPerToken)}`, `- ${memory}`);
      break;
    case 'plan.dp': case 'plan.zero':
      out.push(`- ${traffic('dp')}`, `- ${memory}`);
      break;
    case 'plan.recompute': case 'plan.seqLength': case 'plan.sequenceParallel':
      out.push(`- ${memory}`);
      break;
    case 'plan.precision': case 'plan.fp8Recipe': case 'plan.compile': case 'cluster.gpu':
      out.push(`- ${memory}`, `- ${computeLine(estimate)}`, `- ${calibrationLine(estimate)}`);
      break;
    case 'plan.activationOffloadLayers': case 'plan.activationOffloadModules': case 'plan.optimizerOffloadFraction': case 'plan.parameterOffload': case 'cluster.hostMemoryGB':
      out.push(`- ${memory}`, `- ${worst ? hostPerGpuLine(worst.host) : 'nothing held in host memory'}`);
      out.push(`- exposed host copies per step ${formatSeconds(estimate.breakdown.hostTransferSeconds)}`);
      break;
    case 'plan.tpCommOverlap': case 'plan.epCommOverlap': case 'plan.cpCommOverlap': case 'plan.overlapGradReduce': case 'plan.overlapParamGather':
      out.push(`- ${exposedLine(estimate)}`);
      break;
    default:
      if (field.startsWith('calibration.')) {
        const key = field.slice('calibration.'.length) as keyof Estimate['calibration'];
        const used = estimate.calibration[key];
        if (used) out.push(`- in force: **${significant(used.value)}** (${used.from === 'design' ? 'this setting' : used.from})`);
        out.push(`- ${computeLine(estimate)}`, `- ${exposedLine(estimate)}`);
      }
      break;
  }
  // Wherever the hover speaks of memory, an offloading design also gets the host's side of it.
  const host = formatHostMemory(estimate.memory.host);
  if (host && out.includes(`- ${memory}`)) out.push(`- ${host}`);
  out.push(`- ${headline(estimate)}; ${formatExposed(estimate)}`);
  return out;
}

/** One GPU's host-memory bytes by what they are (the peak rank's), or that it holds none. */
function hostPerGpuLine(host: Estimate['memory']['stages'][number]['host']): string {
  if (!(host.totalBytes > 0)) return 'nothing held in host memory';
  const parts = ([['weights', host.parametersBytes], ['gradients', host.gradientsBytes], ['optimizer', host.optimizerBytes], ['activations', host.activationsBytes]] as const)
    .filter(([, bytes]) => bytes > 0).map(([name, bytes]) => `${name} ${formatGiB(bytes)}`);
  return `in host memory per GPU on that rank ${formatGiB(host.totalBytes)} (${parts.join(', ')})`;
}

/** The compute parts of the step's waterfall (estimate.breakdown). */
function computeLine(estimate: Estimate): string {
  const c = estimate.breakdown.compute;
  return `per step: dense GEMMs ${formatSeconds(c.denseGemm)}, expert GEMMs ${formatSeconds(c.expertGemm)}, attention ${formatSeconds(c.attention)}, memory-bound ${formatSeconds(c.memoryBound)}, fixed ${formatSeconds(estimate.breakdown.fixedSeconds)}`;
}

function exposedLine(estimate: Estimate): string {
  const e = estimate.breakdown.exposedComm;
  return `exposed per step: TP ${formatSeconds(e.tp)}, CP ${formatSeconds(e.cp)}, EP ${formatSeconds(e.ep)}, DP ${formatSeconds(e.dp)}`;
}

/** The GEMM and attention plateaus in force and where each came from (catalog, or the user's calibration). */
function calibrationLine(estimate: Estimate): string {
  const c = estimate.calibration;
  const one = (name: string, v: { value: number; from: string }) => `${name} ${significant(v.value)} (${v.from === 'design' ? 'your calibration' : v.from})`;
  return `calibration: ${one('GEMM', c.gemmFraction)}, ${one('expert GEMM', c.expertGemmFraction)}, ${one('attention', c.attentionFraction)}, ${one('HBM', c.hbmFraction)}`;
}

function formatExposed(estimate: Estimate): string {
  return `exposed communication ${formatSeconds(estimate.traffic.exposedCommSeconds)}`;
}

function peakStage(estimate: Estimate): Estimate['memory']['stages'][number] | undefined {
  let worst: Estimate['memory']['stages'][number] | undefined;
  for (const stage of estimate.memory.stages) if (!worst || stage.totalBytes > worst.totalBytes) worst = stage;
  return worst;
}

/** Neighbouring values side by side: bubble, peak memory, step time, MFU. */
function variantTable(field: FieldPath, variants: Variant[]): string[] {
  if (variants.length < 2) return [];
  const name = SHORT[field] ?? escapeMarkdown(field);
  const rows = [`| ${name} | bubble | peak memory | step | MFU |`, '|:--|--:|--:|--:|--:|'];
  let notes = 0;
  for (const variant of variants) {
    const value = escapeMarkdown(String(variant.value));
    const label = variant.current ? `**${value}** (now)` : value;
    const e = variant.estimate;
    if (e) {
      const memory = formatPeakMemory(e.memory.peakBytes, e.memory.capacityBytes) + (e.memory.peakBytes > e.memory.capacityBytes ? ' ⚠' : '');
      rows.push(`| ${label} | ${formatPercent(e.bubble.fraction)} | ${memory} | ${formatSeconds(e.stepTimeSeconds)} | ${formatPercent(e.mfu)} |`);
    } else {
      notes++;
      rows.push(`| ${label} | — | — | — | ${escapeMarkdown(shorten(variant.reason ?? 'no estimate'))} |`);
    }
  }
  rows.push('', notes > 0 ? 'Other sizes re-derived as completion does (dp from the world size, micro-batches from the global batch); — marks a layout the rules reject.' : 'Other sizes re-derived as completion does (dp from the world size, micro-batches from the global batch).');
  return rows;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
