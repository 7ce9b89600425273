// Turns an expanded flag value into a design number, or says why it cannot.
import type { FieldPath } from '../../model/design';
import type { DraftBuilder, Located } from './draftBuilder';
import type { FlagValue } from './flags';

export type IntRead = { ok: true; value: number } | { ok: false };

export function locate(keyStart: number, keyEnd: number, value: FlagValue | undefined): Located {
  return { keyStart, keyEnd, valueStart: value?.start ?? keyStart, valueEnd: value?.end ?? keyEnd };
}

/** Reads a whole number into `field`; unresolved and malformed values are kept symbolic with a problem. */
export function readInt(builder: DraftBuilder, field: FieldPath | undefined, keyStart: number, keyEnd: number, value: FlagValue | undefined, label: string): IntRead {
  const at = locate(keyStart, keyEnd, value);
  if (!value) {
    builder.problem('warning', 'value/missing', `${label} needs a value.`, keyStart, keyEnd, field);
    return { ok: false };
  }
  const shown = value.raw.replace(/^["']+|["']+$/g, '').slice(0, 80);
  if (value.expanded.unresolved.length > 0) {
    const names = value.expanded.unresolved.slice(0, 3).join(', ');
    if (field) builder.unresolved(field, shown, `depends on ${names}, which this file does not set`, at);
    return { ok: false };
  }
  const text = value.expanded.text.trim();
  if (!/^-?\d+$/.test(text)) {
    if (field) builder.set(field, { symbolic: shown }, at);
    builder.problem('warning', 'value/invalid', `${label} expects a whole number, got \`${text.slice(0, 40)}\`.`, at.valueStart, at.valueEnd, field);
    return { ok: false };
  }
  const number = Number(text);
  if (field) builder.set(field, number, at);
  return { ok: true, value: number };
}
