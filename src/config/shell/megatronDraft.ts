// From the flags a script passes to Megatron (and its launcher) to a design draft. Plain flags map one to one;
// the rest are combined afterwards the way megatron/training/arguments.py combines them (FORMATS.md A.2).
import type { DraftBuilder } from './draftBuilder';
import { RECOMPUTE_MODULES, type RecomputeModule } from '../../model/design';
import type { FlagOccurrence } from './flags';
import type { JsonEntry } from './heredocJson';
import { LAUNCHER_FLAGS, LEGACY_FLAGS, MEGATRON_FLAGS, SBATCH_FLAGS } from './megatronFlags';
import { countLayoutStages, leadingDense, parseMoeLayerFreq } from './moeLayout';
import { locate, readInt } from './values';
import type { ShellRun } from './walk';

type Last = Map<string, FlagOccurrence>;

function expandedText(occurrence: FlagOccurrence | undefined): string | undefined {
  const value = occurrence?.value;
  return value && value.expanded.unresolved.length === 0 ? value.expanded.text.trim() : undefined;
}

function number(builder: DraftBuilder, field: Parameters<DraftBuilder['get']>[0]): number | undefined {
  const value = builder.get(field);
  return typeof value === 'number' ? value : undefined;
}

function readPlainFlags(run: ShellRun, builder: DraftBuilder, last: Last): void {
  for (const occurrence of run.flags) {
    const legacy = LEGACY_FLAGS[occurrence.flag];
    if (legacy) {
      builder.problem('warning', 'key/legacy', `\`${occurrence.flag}\` is no longer a Megatron-LM flag; use ${legacy.replacement}.`, occurrence.start, occurrence.end);
      if (legacy.apply) builder.set(legacy.apply.field, legacy.apply.value, locate(occurrence.start, occurrence.end, legacy.takesValue ? occurrence.value : undefined));
      if (legacy.alias) last.set(legacy.alias, occurrence);
      continue;
    }
    const rule = MEGATRON_FLAGS[occurrence.flag];
    const launcherField = LAUNCHER_FLAGS[occurrence.flag];
    if (launcherField) readInt(builder, launcherField, occurrence.start, occurrence.end, occurrence.value, occurrence.flag);
    if (!rule) continue;
    last.set(occurrence.flag, occurrence);
    if (rule.kind === 'int') readInt(builder, rule.field, occurrence.start, occurrence.end, occurrence.value, occurrence.flag);
    else if (rule.kind === 'switch') builder.set(rule.field, rule.value, locate(occurrence.start, occurrence.end, undefined));
  }
  const aliasTp = last.get('--tensor-model-parallel-size');
  if (aliasTp && !builder.has('plan.tp')) readInt(builder, 'plan.tp', aliasTp.start, aliasTp.end, aliasTp.value, aliasTp.flag);
  for (const occurrence of run.sbatch) {
    const field = SBATCH_FLAGS[occurrence.flag];
    if (!field || builder.has(field) || !occurrence.value) continue;
    // `--gres=gpu:8` / `gpu:h100:8`: the count is the last part.
    const value = occurrence.flag === '--gres' ? { ...occurrence.value, expanded: { ...occurrence.value.expanded, text: occurrence.value.expanded.text.replace(/^gpu:(?:[^:]*:)?/, '') } } : occurrence.value;
    if (occurrence.flag === '--gres' && !occurrence.value.expanded.text.startsWith('gpu')) continue;
    readInt(builder, field, occurrence.start, occurrence.end, value, `#SBATCH ${occurrence.flag}`);
  }
}

function readVirtualPipeline(builder: DraftBuilder, last: Last): void {
  const perStage = last.get('--num-layers-per-virtual-pipeline-stage');
  const stagesPerRank = last.get('--num-virtual-stages-per-pipeline-rank');
  const layout = last.get('--pipeline-model-parallel-layout');
  const pp = number(builder, 'plan.pp');
  const layers = number(builder, 'model.layers');
  let vpp: number | undefined;
  if (perStage) {
    const x = readInt(builder, undefined, perStage.start, perStage.end, perStage.value, perStage.flag);
    const at = locate(perStage.start, perStage.end, perStage.value);
    if (!x.ok) return;
    if (pp === undefined || layers === undefined) {
      builder.set('plan.vpp', { symbolic: `(num_layers / pp) / ${x.value}` }, at);
    } else if (x.value < 1 || layers % pp !== 0 || (layers / pp) % x.value !== 0) {
      builder.problem('error', 'layout/vpp-divisibility', `number of layers per pipeline stage (${layers}/${pp}) must be divisible by the number of layers per virtual pipeline stage (${x.value}), as Megatron-LM asserts.`, at.valueStart, at.valueEnd, 'plan.vpp');
    } else {
      vpp = layers / pp / x.value;
      builder.set('plan.vpp', vpp, at);
    }
  } else if (stagesPerRank) {
    const read = readInt(builder, 'plan.vpp', stagesPerRank.start, stagesPerRank.end, stagesPerRank.value, stagesPerRank.flag);
    if (read.ok) vpp = read.value;
  } else if (layout) {
    const text = expandedText(layout);
    const stages = text === undefined ? undefined : countLayoutStages(text);
    const at = locate(layout.start, layout.end, layout.value);
    if (stages !== undefined && pp !== undefined && pp > 0 && stages % pp === 0) {
      vpp = stages / pp;
      builder.set('plan.vpp', vpp, at);
    } else if (stages !== undefined && pp !== undefined) {
      builder.problem('error', 'layout/pipeline-layout', `the pipeline layout has ${stages} stages, not a multiple of the pipeline size ${pp}.`, at.valueStart, at.valueEnd, 'plan.vpp');
    }
  }
  const ppFlag = last.get('--pipeline-model-parallel-size');
  const scheduleFlag = perStage ?? stagesPerRank ?? layout ?? ppFlag;
  if (scheduleFlag) {
    // Megatron runs interleaved 1F1B when there is more than one virtual stage per rank, else 1F1B.
    builder.set('plan.schedule', vpp !== undefined && vpp > 1 ? 'interleaved-1f1b' : '1f1b', locate(scheduleFlag.start, scheduleFlag.end, scheduleFlag.value));
  }
}

function readAttention(builder: DraftBuilder, last: Last): void {
  const gqa = last.get('--group-query-attention');
  const groups = last.get('--num-query-groups');
  if (gqa && groups) {
    if (readInt(builder, 'model.kvHeads', groups.start, groups.end, groups.value, groups.flag).ok) builder.set('model.attention', 'gqa', locate(gqa.start, gqa.end, undefined));
  } else if (groups) {
    builder.problem('info', 'key/ignored', '`--num-query-groups` only takes effect with `--group-query-attention`.', groups.start, groups.end, 'model.kvHeads');
  }
  const mla = last.get('--multi-latent-attention');
  if (!mla) return;
  builder.set('model.attention', 'mla', locate(mla.start, mla.end, undefined));
  const dim = (flag: string): number | undefined => {
    const occurrence = last.get(flag);
    return occurrence ? (readInt(builder, undefined, occurrence.start, occurrence.end, occurrence.value, flag) as { value?: number }).value : undefined;
  };
  const kvLoraRank = dim('--kv-lora-rank');
  const qkNopeHeadDim = dim('--qk-head-dim');
  const qkRopeHeadDim = dim('--qk-pos-emb-head-dim');
  const vHeadDim = dim('--v-head-dim');
  // Without --q-lora-rank Megatron projects queries directly (q_lora_rank None): no query compression.
  const qLoraRank = last.has('--q-lora-rank') ? dim('--q-lora-rank') : 0;
  if ([kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim, qLoraRank].some((x) => x === undefined)) return;
  const anchor = last.get('--kv-lora-rank') ?? mla;
  builder.set('model.mla', { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim }, locate(anchor.start, anchor.end, anchor.value));
}

function readMoe(builder: DraftBuilder, last: Last): void {
  const shared = last.get('--moe-shared-expert-intermediate-size');
  if (shared) {
    const size = readInt(builder, undefined, shared.start, shared.end, shared.value, shared.flag);
    const expertFfn = number(builder, 'model.expertFfnHidden');
    // Megatron fuses the shared experts into one MLP of this width; in expert units that is size / expert width.
    if (size.ok && expertFfn && size.value % expertFfn === 0) builder.set('model.sharedExperts', size.value / expertFfn, locate(shared.start, shared.end, shared.value));
  }
  const freq = last.get('--moe-layer-freq');
  if (freq) {
    const text = expandedText(freq);
    const pattern = text === undefined ? undefined : parseMoeLayerFreq(text, number(builder, 'model.layers'));
    if (pattern) builder.set('model.denseLayers', leadingDense(pattern), locate(freq.start, freq.end, freq.value));
    else builder.problem('info', 'value/unsupported', `\`--moe-layer-freq ${freq.value?.raw ?? ''}\` is not a pattern this reader understands; dense layers are not read from it.`, freq.start, freq.end, 'model.denseLayers');
  }
}

/** `--recompute-modules a b c`: the known names up to the first word that is not one (a pipe, a redirect…). */
function readRecomputeModules(builder: DraftBuilder, flag: FlagOccurrence | undefined): void {
  if (!flag?.value) return;
  const modules: RecomputeModule[] = [];
  let lastWord = flag.value;
  for (const word of [flag.value, ...(flag.more ?? [])]) {
    const name = word.expanded.unresolved.length === 0 ? word.expanded.text.trim() : '';
    const module = RECOMPUTE_MODULES.find((known) => known === name);
    if (!module) break;
    if (!modules.includes(module)) modules.push(module);
    lastWord = word;
  }
  if (modules.length === 0) {
    builder.problem('info', 'value/unsupported', `\`--recompute-modules ${flag.value.raw}\`: not a module this reader knows (${RECOMPUTE_MODULES.join(', ')}); Megatron's default core_attn is assumed.`, flag.start, flag.end, 'plan.recomputeModules');
    return;
  }
  builder.set('plan.recomputeModules', modules, locate(flag.start, flag.end, { ...flag.value, end: lastWord.end }));
}

function readPrecisionAndSharding(builder: DraftBuilder, last: Last, json: readonly JsonEntry[]): void {
  const fp8 = last.get('--fp8-format');
  const bf16 = last.get('--bf16');
  const fp16 = last.get('--fp16');
  const precision = fp8 ? { flag: fp8, value: 'fp8' } : bf16 ? { flag: bf16, value: 'bf16' } : fp16 ? { flag: fp16, value: 'fp16' } : undefined;
  if (precision) builder.set('plan.precision', precision.value, locate(precision.flag.start, precision.flag.end, precision.value === 'fp8' ? precision.flag.value : undefined));
  const granularity = last.get('--recompute-granularity');
  const recompute = expandedText(granularity);
  if (granularity && (recompute === 'full' || recompute === 'selective')) builder.set('plan.recompute', recompute, locate(granularity.start, granularity.end, granularity.value));
  readRecomputeModules(builder, last.get('--recompute-modules'));

  const fsdp = last.get('--use-megatron-fsdp') ?? last.get('--use-torch-fsdp2');
  const strategy = last.get('--data-parallel-sharding-strategy');
  const distributed = last.get('--use-distributed-optimizer');
  const zeroFlag = last.get('--zero-stage');
  if (fsdp) {
    // Megatron-FSDP's strategies shard optimizer state, then gradients, then parameters (ZeRO 1/2/3); the
    // default is optim_grads_params.
    const stages: Record<string, 0 | 1 | 2 | 3> = { no_shard: 0, optim: 1, optim_grads: 2, optim_grads_params: 3 };
    const name = strategy ? expandedText(strategy) : 'optim_grads_params';
    const zero = name === undefined ? undefined : stages[name];
    const anchor = strategy ?? fsdp;
    if (zero !== undefined) builder.set('plan.zero', zero, locate(anchor.start, anchor.end, anchor.value));
    else if (strategy) readInt(builder, 'plan.zero', strategy.start, strategy.end, strategy.value, strategy.flag);
  } else if (zeroFlag) {
    readInt(builder, 'plan.zero', zeroFlag.start, zeroFlag.end, zeroFlag.value, zeroFlag.flag);
  } else if (distributed) {
    builder.set('plan.zero', 1, locate(distributed.start, distributed.end, undefined));
  }

  // A DeepSpeed config the script writes itself fills what the flags left open.
  const jsonFields: Record<string, Parameters<DraftBuilder['set']>[0]> = {
    train_batch_size: 'plan.globalBatchSize',
    train_micro_batch_size_per_gpu: 'plan.microBatchSize',
    'zero_optimization.stage': 'plan.zero',
  };
  for (const entry of json) {
    const at = { keyStart: entry.keyStart, keyEnd: entry.keyEnd, valueStart: entry.valueStart, valueEnd: entry.valueEnd };
    const field = jsonFields[entry.path];
    if (field && !builder.has(field)) {
      if (entry.unresolved.length > 0) builder.unresolved(field, String(entry.value), `depends on ${entry.unresolved.slice(0, 3).join(', ')}, which this file does not set`, at);
      else if (typeof entry.value === 'number') builder.set(field, entry.value, at);
    }
    const precision = { 'bf16.enabled': 'bf16', 'bfloat16.enabled': 'bf16', 'fp16.enabled': 'fp16' }[entry.path];
    if (precision && entry.value === true && !builder.has('plan.precision')) builder.set('plan.precision', precision, at);
  }
}

export function mapMegatronRun(run: ShellRun, builder: DraftBuilder): void {
  const last: Last = new Map();
  readPlainFlags(run, builder, last);
  readVirtualPipeline(builder, last);
  readAttention(builder, last);
  readMoe(builder, last);
  readPrecisionAndSharding(builder, last, run.jsonEntries);
}
