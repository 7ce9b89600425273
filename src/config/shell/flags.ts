// Finds `--flag value` and `--flag=value` pairs in a stretch of shell source, expanding each value against the
// variables set so far. Only literal flags count: a flag hidden in a variable is found where the variable is set.
import type { ShellEnv } from './env';
import { expandWord, type Expanded } from './expand';
import { splitFields, type Field, type Quote } from './words';

export interface FlagValue {
  raw: string;
  start: number;
  end: number;
  expanded: Expanded;
}

export interface FlagOccurrence {
  /** The flag as written, e.g. `--tensor-model-parallel-size`. */
  flag: string;
  start: number;
  end: number;
  /** The word after the flag (or after `=`); a switch flag ignores it. */
  value?: FlagValue;
  /** Further words before the next flag, for list flags (`--recompute-modules core_attn moe_act`). */
  more?: FlagValue[];
}

/** Words a list flag may take; more than Megatron's longest list, few enough to stop at a runaway line. */
const MAX_LIST_WORDS = 16;

const FLAG = /^(["']*)(--?[A-Za-z][\w.-]*)(=?)/;

function quoteAfter(raw: string, upTo: number, initial: Quote): Quote {
  let quote = initial;
  for (let i = 0; i < upTo; i++) {
    const c = raw[i];
    if (quote === 'single') { if (c === "'") quote = 'none'; }
    else if (c === '\\') i++;
    else if (c === '"') quote = quote === 'double' ? 'none' : 'double';
    else if (c === "'") quote = 'single';
  }
  return quote;
}

/** The value's range without the quotes around it, so a hover or squiggle lands on the value itself. */
function trimQuotes(raw: string, start: number): { start: number; end: number } {
  const lead = /^["']*/.exec(raw)?.[0].length ?? 0;
  const trail = /["']*$/.exec(raw.slice(lead))?.[0].length ?? 0;
  return { start: start + lead, end: start + raw.length - trail };
}

function valueFrom(field: Field, offset: number, env: ShellEnv): FlagValue {
  const raw = field.raw.slice(offset);
  const quote = quoteAfter(field.raw, offset, field.quoteAtStart);
  const range = trimQuotes(raw, field.start + offset);
  return { raw, start: range.start, end: range.end, expanded: expandWord(raw, quote, env) };
}

export function scanFlags(text: string, start: number, end: number, env: ShellEnv): FlagOccurrence[] {
  const fields = splitFields(text, start, end);
  const found: FlagOccurrence[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (!field) continue;
    const match = FLAG.exec(field.raw);
    if (!match?.[2]?.startsWith('--')) continue;
    const [, quotes = '', flag, equals] = match;
    const flagStart = field.start + quotes.length;
    const occurrence: FlagOccurrence = { flag, start: flagStart, end: flagStart + flag.length };
    if (equals) {
      occurrence.value = valueFrom(field, quotes.length + flag.length + 1, env);
    } else {
      const next = fields[i + 1];
      if (next && !FLAG.exec(next.raw)?.[2]?.startsWith('--')) {
        occurrence.value = valueFrom(next, 0, env);
        const more: FlagValue[] = [];
        for (let j = i + 2; j < fields.length && more.length < MAX_LIST_WORDS; j++) {
          const word = fields[j];
          if (!word || FLAG.exec(word.raw)?.[2]?.startsWith('-')) break;
          more.push(valueFrom(word, 0, env));
        }
        if (more.length > 0) occurrence.more = more;
      }
    }
    found.push(occurrence);
  }
  return found;
}
