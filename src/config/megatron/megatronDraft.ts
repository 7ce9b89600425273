// From the flags a script passes to Megatron (and its launcher) to a design draft. Each Megatron flag becomes the
// field name megatronKeys.ts reads, as the functional-test YAML's `--flag: value` does, and is read with the
// command line's rules there; what is left here is the shell's own: words as values, switches, launcher and
// `#SBATCH` flags, and a DeepSpeed config the script writes itself.
import { ACTIVATION_OFFLOAD_MODULES, RECOMPUTE_MODULES, type FieldPath } from '../../model/design';
import type { SourceRange } from '../../model/problems';
import type { DraftBuilder } from '../draft/draftBuilder';
import { flagKey, reportLegacyFlag } from './megatronFlagNames';
import { applyMegatronKeys, isMegatronKey, type KeyValue, type KeyValues, type MegatronKey } from './megatronKeys';
import type { FlagOccurrence, FlagValue } from '../shell/flags';
import type { JsonEntry } from '../shell/heredocJson';
import { applyDeepSpeedDialect, DEEPSPEED_OWN_FLAGS, isCurrentInDeepSpeed, isMegatronDeepSpeed, readWorldVariable } from './megatronDeepSpeed';
import { LAUNCHER_FLAGS, SBATCH_FLAGS, SWITCHES } from './megatronFlags';
import type { RangeOf } from '../shell/ranges';
import { readCount, shownText, wordValue } from '../shell/values';
import type { ShellRun } from '../shell/walk';
import type { CompanionFile } from '../types';

/** Problems said per flag occurrence; a script repeating a bad flag thousands of times gets this many. */
const MAX_OCCURRENCE_PROBLEMS = 500;

/** Returns the DeepSpeed config file the script names but does not write itself, for completion to read. */
export function mapMegatronRun(run: ShellRun, builder: DraftBuilder, rangeOf: RangeOf): CompanionFile[] {
  const deepSpeed = isMegatronDeepSpeed(run.flags);
  applyMegatronKeys(collectKeys(run.flags, builder, rangeOf, deepSpeed), builder, 'flags');
  if (deepSpeed) applyDeepSpeedDialect(run.flags, builder, rangeOf);
  readLaunchers(run, builder, rangeOf);
  if (deepSpeed) readWorldVariable(run.env, builder, rangeOf);
  readDeepSpeedJson(run.jsonEntries, builder, rangeOf);
  const companions = run.jsonEntries.length > 0 ? [] : namedDeepSpeedConfig(run.flags, rangeOf);
  // The hostfile is the world size only when nothing in the script states it (launcher flags, #SBATCH, NUM_GPUS).
  if (!builder.has('cluster.nodes') && !builder.has('cluster.worldSize')) companions.push(...namedFile(run.flags, ['--hostfile'], 'hostfile', rangeOf));
  return companions;
}

/** `--deepspeed_config ds.json` (the last one, as argparse keeps it) when its path is plain text after expansion. */
function namedDeepSpeedConfig(flags: readonly FlagOccurrence[], rangeOf: RangeOf): CompanionFile[] {
  return namedFile(flags, ['--deepspeed_config', '--deepspeed-config'], 'deepspeed-config', rangeOf);
}

function namedFile(flags: readonly FlagOccurrence[], names: readonly string[], kind: CompanionFile['kind'], rangeOf: RangeOf): CompanionFile[] {
  let named: FlagOccurrence | undefined;
  for (const occurrence of flags) if (names.includes(occurrence.flag)) named = occurrence;
  const value = named?.value;
  if (!value || value.expanded.unresolved.length > 0) return [];
  const path = value.expanded.text.trim();
  return path === '' ? [] : [{ kind, path, range: rangeOf(value.start, value.end) }];
}

/** The Megatron flags as field name → the last value given (argparse keeps the last), legacy flags warned at. */
function collectKeys(flags: readonly FlagOccurrence[], builder: DraftBuilder, rangeOf: RangeOf, deepSpeed: boolean): KeyValues {
  const values: KeyValues = new Map();
  let reported = 0;
  for (const occurrence of flags) {
    if (LAUNCHER_FLAGS[occurrence.flag] || (deepSpeed && DEEPSPEED_OWN_FLAGS.has(occurrence.flag))) continue;
    const name = flagKey(occurrence.flag);
    const keyRange = rangeOf(occurrence.start, occurrence.end);
    const current = deepSpeed && isCurrentInDeepSpeed(name);
    if (!current && reported < MAX_OCCURRENCE_PROBLEMS && reportLegacyFlag(builder, name, occurrence.flag, keyRange)) reported++;
    if (!isMegatronKey(name)) continue;
    const entry = keyValue(occurrence, name, keyRange, rangeOf);
    if (entry) values.set(name, entry);
    else if (reported++ < MAX_OCCURRENCE_PROBLEMS) builder.report('warning', 'value/missing', `${occurrence.flag} needs a value.`, keyRange);
  }
  return values;
}

function keyValue(occurrence: FlagOccurrence, name: MegatronKey, keyRange: SourceRange, rangeOf: RangeOf): KeyValue | undefined {
  if (SWITCHES.has(name)) return { name: occurrence.flag, raw: true, keyRange, valueRange: keyRange };
  const value = occurrence.value;
  if (!value) return undefined;
  if (name === 'recompute_modules') return moduleWords(occurrence, value, keyRange, rangeOf, RECOMPUTE_MODULES);
  if (name === 'offload_modules') return moduleWords(occurrence, value, keyRange, rangeOf, [...ACTIVATION_OFFLOAD_MODULES, 'gdp_qkv']);
  return { name: occurrence.flag, raw: wordValue(value), keyRange, valueRange: rangeOf(value.start, value.end) };
}

/**
 * `--recompute-modules a b c` (nargs='*'), `--offload-modules a b` (nargs='+'): the names up to the first word that is not one (a pipe, a redirect, the
 * next command's argument). When the first word is not a name it alone is passed on, to be reported as unknown.
 */
function moduleWords(occurrence: FlagOccurrence, first: FlagValue, keyRange: SourceRange, rangeOf: RangeOf, known: readonly string[]): KeyValue {
  const entry = (raw: unknown, last: FlagValue): KeyValue => ({ name: occurrence.flag, raw, keyRange, valueRange: rangeOf(first.start, last.end) });
  if (first.expanded.unresolved.length > 0) return entry({ symbolic: shownText(first) }, first);
  const names: string[] = [];
  let last = first;
  for (const word of [first, ...(occurrence.more ?? [])]) {
    const name = word.expanded.unresolved.length === 0 ? word.expanded.text.trim() : '';
    if (!known.includes(name)) break;
    names.push(name);
    last = word;
  }
  return entry(names.length > 0 ? names : [first.expanded.text.trim()], last);
}

/** torchrun / deepspeed launcher flags (the last one given wins), then `#SBATCH` for what they left open. */
function readLaunchers(run: ShellRun, builder: DraftBuilder, rangeOf: RangeOf): void {
  const lastLauncher = new Map<FieldPath, FlagOccurrence>();
  for (const occurrence of run.flags) {
    const field = LAUNCHER_FLAGS[occurrence.flag];
    if (field) lastLauncher.set(field, occurrence);
  }
  for (const [field, occurrence] of lastLauncher) readCount(builder, field, occurrence, occurrence.value, occurrence.flag, rangeOf);
  for (const occurrence of run.sbatch) {
    const field = SBATCH_FLAGS[occurrence.flag];
    if (!field || builder.has(field) || !occurrence.value) continue;
    if (occurrence.flag === '--gres' && !occurrence.value.expanded.text.startsWith('gpu')) continue;
    // `--gres=gpu:8` / `gpu:h100:8`: the count is the last part.
    const value = occurrence.flag === '--gres' ? { ...occurrence.value, expanded: { ...occurrence.value.expanded, text: occurrence.value.expanded.text.replace(/^gpu:(?:[^:]*:)?/, '') } } : occurrence.value;
    readCount(builder, field, occurrence, value, `#SBATCH ${occurrence.flag}`, rangeOf);
  }
}

/** A DeepSpeed config the script writes itself fills what the flags left open. */
function readDeepSpeedJson(json: readonly JsonEntry[], builder: DraftBuilder, rangeOf: RangeOf): void {
  const jsonFields: Record<string, FieldPath> = {
    train_batch_size: 'plan.globalBatchSize',
    train_micro_batch_size_per_gpu: 'plan.microBatchSize',
    'zero_optimization.stage': 'plan.zero',
  };
  for (const entry of json) {
    const keyRange = rangeOf(entry.keyStart, entry.keyEnd);
    const valueRange = rangeOf(entry.valueStart, entry.valueEnd);
    const field = jsonFields[entry.path];
    if (field && !builder.has(field)) {
      // An unresolved value stays symbolic; completion says what it used instead.
      if (entry.unresolved.length > 0) builder.set(field, { symbolic: String(entry.value) }, keyRange, valueRange);
      else if (typeof entry.value === 'number') builder.set(field, entry.value, keyRange, valueRange);
    }
    const precision = { 'bf16.enabled': 'bf16', 'bfloat16.enabled': 'bf16', 'fp16.enabled': 'fp16' }[entry.path];
    if (precision && entry.value === true && !builder.has('plan.precision')) builder.set('plan.precision', precision, keyRange, valueRange);
  }
}
