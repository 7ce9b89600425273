// Values Megatron works out from other keys when a file does not state them, read the way Megatron reads them:
// the vocabulary from the tokenizer (padded), the expert width from the dense FFN width, the batch size a ramp
// ends at. Each is set on the key it comes from, so a hover lands on the line that decided it.
import { isSymbolic } from '../../model/design';
import type { DraftBuilder } from '../draft/draftBuilder';
import { DEFAULT_VOCAB_DIVISOR, findTokenizer, paddedVocab } from './tokenizers';
import { isSet, type KeyLookup, type KeyValue } from './keyValue';

function known(builder: DraftBuilder, part: 'model' | 'plan', key: string): number | undefined {
  const value = (builder.draft[part] as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

/**
 * No vocabulary size, but a tokenizer: its size from the catalog (tokenizers.ts), padded to a multiple of
 * make-vocab-size-divisible-by × TP. The 32,000 default stays the last resort (completeModel says it).
 */
export function applyTokenizerVocab(get: KeyLookup, builder: DraftBuilder): void {
  if (builder.draft.model.vocab !== undefined) return;
  // A path with a variable in it (`${DATA_PATH}/nemotron_2_256k.model`) still names its file literally.
  const text = (entry: KeyValue): string | undefined => typeof entry.raw === 'string' ? entry.raw : isSymbolic(entry.raw) ? entry.raw.symbolic : undefined;
  for (const entry of [get('tokenizer_model'), get('tokenizer_type')].filter(isSet)) {
    const written = text(entry);
    const tokenizer = written === undefined ? undefined : findTokenizer(written);
    if (!tokenizer) continue;
    const divisorEntry = get('make_vocab_size_divisible_by');
    const divisor = isSet(divisorEntry) && typeof divisorEntry.raw === 'number' && divisorEntry.raw >= 1 ? divisorEntry.raw : DEFAULT_VOCAB_DIVISOR;
    const tp = known(builder, 'plan', 'tp');
    if (tp === undefined && builder.draft.plan.tp !== undefined) return;
    const vocab = paddedVocab(tokenizer.vocab, divisor, tp ?? 1);
    builder.set('model.vocab', vocab, entry.keyRange, entry.valueRange);
    if (vocab !== tokenizer.vocab) {
      builder.report('info', 'value/derived', `${entry.name}: the ${tokenizer.name} tokenizer has ${tokenizer.vocab.toLocaleString('en-US')} tokens; Megatron pads the vocabulary to ${vocab.toLocaleString('en-US')} (a multiple of ${divisor} × TP ${tp ?? 1})`, entry.valueRange, 'model.vocab');
    }
    return;
  }
}

/** TransformerConfig: without moe_ffn_hidden_size, each expert is as wide as the dense FFN (ffn_hidden_size). */
export function applyExpertWidth(get: KeyLookup, builder: DraftBuilder): void {
  const { model } = builder.draft;
  if (model.expertFfnHidden !== undefined || typeof model.experts !== 'number' || model.experts <= 0) return;
  const ffn = get('ffn_hidden_size');
  if (!isSet(ffn) || model.ffnHidden === undefined) return;
  builder.set('model.expertFfnHidden', model.ffnHidden, ffn.keyRange, ffn.valueRange);
}

/**
 * Batch ramps (--rampup-batch-size, the functional tests' --step-batch-size-schedule, NeMo rampup_batch_size):
 * the run spends nearly all its steps at the final batch size, so that is the one estimated, and said.
 */
export function applyBatchRamp(get: KeyLookup, builder: DraftBuilder): void {
  const schedule = get('step_batch_size_schedule');
  if (isSet(schedule) && typeof schedule.raw === 'string' && !isSymbolic(schedule.raw)) {
    const sizes = [...schedule.raw.matchAll(/:\s*(\d+)/g)].map((match) => Number(match[1]));
    const final = sizes[sizes.length - 1];
    if (final !== undefined && final >= 1) {
      if (builder.draft.plan.globalBatchSize === undefined) builder.set('plan.globalBatchSize', final, schedule.keyRange, schedule.valueRange);
      builder.report('info', 'value/ramp', `${schedule.name}: the batch size steps up to ${final}; the estimate uses the final batch size`, schedule.valueRange, 'plan.globalBatchSize');
    }
  }
  const ramp = get('rampup_batch_size');
  if (isSet(ramp) && !(Array.isArray(ramp.raw) && ramp.raw.length === 0) && ramp.raw !== 'null' && ramp.raw !== 'None') {
    builder.report('info', 'value/ramp', `${ramp.name}: the batch size ramps up to the global batch size; the estimate uses the final (global) batch size`, ramp.valueRange, 'plan.globalBatchSize');
  }
}
