// Megatron-DeepSpeed's command line (microsoft/Megatron-DeepSpeed, megatron/arguments.py), which many public MoE
// scripts use: its own spellings (`--num-key-value-heads`, `--moe-expert-parallel-size`, `--topk`), `--num-experts`
// as a per-layer list where 1 means a dense layer, its defaults (top-1 routing, experts every second layer), and
// `--checkpoint-activations`, which is current there rather than a removed flag.
import type { FieldPath } from '../../model/design';
import type { DraftBuilder } from '../draft/draftBuilder';
import type { ShellEnv } from '../shell/env';
import type { FlagOccurrence, FlagValue } from '../shell/flags';
import type { RangeOf } from '../shell/ranges';
import { readCount, shownText, wordValue } from '../shell/values';

/** Flags only Megatron-DeepSpeed (or the DeepSpeed launcher integration it adds) defines. */
const MARKERS = new Set([
  '--deepspeed', '--deepspeed_config', '--deepspeed-config', '--zero-stage', '--moe-expert-parallel-size', '--num-key-value-heads',
  '--topk', '--expert-interval', '--deepspeed-activation-checkpointing', '--mlp-type', '--moe-loss-coeff', '--no-pipeline-parallel',
]);

/** The flags this file reads in place of the Megatron-LM reading (collectKeys skips them in this dialect). */
export const DEEPSPEED_OWN_FLAGS: ReadonlySet<string> = new Set(['--num-experts']);

/** Megatron-DeepSpeed's `--expert-interval` default in microsoft/Megatron-DeepSpeed (some later forks use 1). */
const DEFAULT_EXPERT_INTERVAL = 2;

export function isMegatronDeepSpeed(flags: readonly FlagOccurrence[]): boolean {
  return flags.some((occurrence) => MARKERS.has(occurrence.flag));
}

/** `--checkpoint-activations` is Megatron-DeepSpeed's current flag for full recomputation: no legacy warning. */
export function isCurrentInDeepSpeed(name: string): boolean {
  return name === 'checkpoint_activations';
}

/** argparse keeps the last occurrence of a flag. */
function last(flags: readonly FlagOccurrence[], ...names: string[]): FlagOccurrence | undefined {
  let found: FlagOccurrence | undefined;
  for (const occurrence of flags) if (names.includes(occurrence.flag)) found = occurrence;
  return found;
}

/**
 * Megatron-DeepSpeed's MoE examples launch through a hostfile and state the GPU count as `NUM_GPUS=64` (batch and
 * EP sizes are computed from it): the world size when no launcher flag or `#SBATCH` line gives the nodes.
 */
export function readWorldVariable(env: ShellEnv, builder: DraftBuilder, rangeOf: RangeOf): void {
  if (builder.has('cluster.nodes') || builder.has('cluster.worldSize')) return;
  for (const name of ['NUM_GPUS', 'WORLD_SIZE']) {
    const value = env.get(name);
    if (!value?.at || value.unresolved.length > 0 || !/^\s*\d+\s*$/.test(value.text)) continue;
    const range = rangeOf(value.at.start, value.at.end);
    const gpus = Number(value.text);
    if (gpus >= 1) builder.set('cluster.worldSize', gpus, range, range);
    return;
  }
}

export function applyDeepSpeedDialect(flags: readonly FlagOccurrence[], builder: DraftBuilder, rangeOf: RangeOf): void {
  const count = (field: FieldPath, ...names: string[]): void => {
    const occurrence = last(flags, ...names);
    if (occurrence) readCount(builder, field, occurrence, occurrence.value, occurrence.flag, rangeOf);
  };
  count('model.kvHeads', '--num-key-value-heads');
  count('plan.ep', '--moe-expert-parallel-size');
  const experts = readExperts(last(flags, '--num-experts'), builder, rangeOf);
  if (experts === undefined || experts === 0) return;
  const topK = last(flags, '--topk');
  if (topK) count('model.topK', '--topk');
  else defaulted(builder, 'model.topK', 1, last(flags, '--num-experts')!, rangeOf, 'No --topk is given: Megatron-DeepSpeed routes each token to one expert (--topk 1), its default.');
  const interval = last(flags, '--expert-interval');
  if (interval) count('model.moeLayerInterval', '--expert-interval');
  else defaulted(builder, 'model.moeLayerInterval', DEFAULT_EXPERT_INTERVAL, last(flags, '--num-experts')!, rangeOf, `No --expert-interval is given: Megatron-DeepSpeed puts experts in every ${DEFAULT_EXPERT_INTERVAL}nd layer, its default (some forks default to 1).`);
}

function defaulted(builder: DraftBuilder, field: FieldPath, value: number, at: FlagOccurrence, rangeOf: RangeOf, message: string): void {
  const range = rangeOf(at.start, at.end);
  builder.set(field, value, range, range);
  builder.report('info', 'value/defaulted', message, range, field);
}

/**
 * `--num-experts 64` or one count per MoE layer (`--num-experts 64 64 128 128`, pyramid MoE); 1 is a dense
 * layer. A list of different counts is priced with its largest in every MoE layer, and said so.
 */
function readExperts(occurrence: FlagOccurrence | undefined, builder: DraftBuilder, rangeOf: RangeOf): number | undefined {
  if (!occurrence?.value) return undefined;
  const words: FlagValue[] = [occurrence.value, ...(occurrence.more ?? [])];
  const keyRange = rangeOf(occurrence.start, occurrence.end);
  const counts: number[] = [];
  let lastCounted = occurrence.value;
  for (const word of words) {
    const value = wordValue(word);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) break;
    counts.push(value);
    lastCounted = word;
  }
  const valueRange = rangeOf(occurrence.value.start, lastCounted.end);
  if (counts.length === 0) {
    // `--num-experts ${EP_SIZE}` unresolved: kept symbolic for completion to report; anything else is not a count.
    const value = wordValue(occurrence.value);
    if (typeof value === 'object' && value !== null) builder.set('model.experts', value, keyRange, valueRange);
    else builder.report('warning', 'value/invalid', `${occurrence.flag} expects whole numbers, got \`${shownText(occurrence.value).slice(0, 40)}\``, valueRange, 'model.experts');
    return undefined;
  }
  const largest = Math.max(...counts);
  const experts = largest === 1 ? 0 : largest;
  builder.set('model.experts', experts, keyRange, valueRange);
  if (new Set(counts).size > 1) {
    builder.report('info', 'value/unsupported', `${occurrence.flag}: ${counts.join(' ')} gives each MoE layer its own expert count; the estimate prices every MoE layer with ${largest}`, valueRange, 'model.experts');
  }
  return experts;
}
