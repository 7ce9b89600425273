// A flag's word as a value: a number when it is one, its text otherwise, symbolic when it depends on what the
// file does not set.
import type { FieldPath, Symbolic } from '../../model/design';
import type { DraftBuilder } from '../draft/draftBuilder';
import type { FlagOccurrence, FlagValue } from './flags';
import type { RangeOf } from './ranges';

/** The word as written, without the quotes around it: what a symbolic value shows. */
export function shownText(value: FlagValue): string {
  return value.raw.replace(/^["']+|["']+$/g, '').slice(0, 80);
}

export function wordValue(value: FlagValue): number | string | Symbolic {
  if (value.expanded.unresolved.length > 0) return { symbolic: shownText(value) };
  const text = value.expanded.text.trim();
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/**
 * A launcher's count (`--nnodes 4`, `#SBATCH --gres=gpu:8`). A word that is not a number is kept as symbolic
 * text with a warning, since templates put placeholders there (`--nnodes your_own_num_nodes`).
 */
export function readCount(builder: DraftBuilder, field: FieldPath, occurrence: FlagOccurrence, value: FlagValue | undefined, label: string, rangeOf: RangeOf): void {
  const keyRange = rangeOf(occurrence.start, occurrence.end);
  if (!value) {
    builder.report('warning', 'value/missing', `${label} needs a value.`, keyRange, field);
    return;
  }
  const valueRange = rangeOf(value.start, value.end);
  const word = wordValue(value);
  if (typeof word === 'number' && Number.isInteger(word)) {
    builder.set(field, word, keyRange, valueRange);
    return;
  }
  builder.set(field, typeof word === 'object' ? word : { symbolic: shownText(value) }, keyRange, valueRange);
  if (typeof word !== 'object') builder.report('warning', 'value/invalid', `${label} expects a whole number, got \`${value.expanded.text.trim().slice(0, 40)}\`.`, valueRange, field);
}
