// Parameter expansion, quote removal and arithmetic for one field, against the variables the script has set
// so far. Only what launch scripts use is evaluated ($X, ${X}, ${X:-d}, ${X[@]}, ${#X}, $(( … ))); command
// substitution and anything else is left unresolved, never run.
import { evaluateArithmetic } from './arithmetic';
import { mergeUnresolved, type ShellEnv, type ShellValue } from './env';
import type { Quote } from './words';

export interface Expanded {
  text: string;
  /** Names the result depended on that the file does not set; empty when the value is fully known. */
  unresolved: string[];
}

/** Nesting of defaults inside defaults (`${A:-${B:-…}}`) beyond which we stop: no input can recurse forever. */
const MAX_DEPTH = 8;
const MAX_LENGTH = 200_000;

function findClose(raw: string, from: number, open: string, close: string): number {
  let depth = 1;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') { i++; continue; }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

function lookup(env: ShellEnv, name: string, index: string | undefined): ShellValue | undefined {
  const value = env.get(name);
  if (!value) return undefined;
  if (index === undefined || index === '0') return index === '0' && value.items ? { text: value.items[0] ?? '', unresolved: value.unresolved } : value;
  if (index === '@' || index === '*') return value;
  const position = Number(index);
  if (value.items && Number.isInteger(position)) return { text: value.items[position] ?? '', unresolved: value.unresolved };
  return undefined;
}

function expandBraced(inner: string, env: ShellEnv, depth: number): Expanded {
  const length = /^#([A-Za-z_]\w*)$/.exec(inner);
  if (length?.[1]) {
    const value = env.get(length[1]);
    return value ? { text: String(value.text.length), unresolved: value.unresolved } : { text: '0', unresolved: [length[1]] };
  }
  const match = /^([A-Za-z_]\w*|\d+|[@*#?$!])(?:\[([^\]]*)\])?(.*)$/s.exec(inner);
  if (!match?.[1]) return { text: '', unresolved: [`\${${inner}}`] };
  const [, name, index, rest = ''] = match;
  const value = /^\d+$/.test(name) || /^[@*#?$!]$/.test(name) ? undefined : lookup(env, name, index);
  const isSet = value !== undefined;
  const isNull = !value || value.text === '';
  const operator = /^(:?[-=+?])/.exec(rest)?.[1];
  if (rest === '') return value ? { text: value.text, unresolved: value.unresolved.slice() } : { text: '', unresolved: [name] };
  if (!operator) return { text: value?.text ?? '', unresolved: mergeUnresolved(value?.unresolved ?? [], [`\${${inner}}`]) };
  const word = rest.slice(operator.length);
  const colon = operator.startsWith(':');
  const missing = colon ? isNull : !isSet;
  switch (operator.replace(':', '')) {
    case '-':
    case '=': {
      if (!missing && value) return { text: value.text, unresolved: value.unresolved.slice() };
      const fallback = expandWord(word, 'none', env, depth + 1);
      // `${X:=d}` also assigns; the walker sees the same default again wherever X is used.
      if (operator.endsWith('=') && fallback.unresolved.length === 0) env.set(name, { text: fallback.text, unresolved: [] });
      return fallback;
    }
    case '+':
      return missing ? { text: '', unresolved: [] } : expandWord(word, 'none', env, depth + 1);
    default:
      return value ? { text: value.text, unresolved: value.unresolved.slice() } : { text: '', unresolved: [name] };
  }
}

export function expandWord(raw: string, quoteAtStart: Quote, env: ShellEnv, depth = 0): Expanded {
  if (depth > MAX_DEPTH) return { text: '', unresolved: [raw] };
  let text = '';
  let unresolved: string[] = [];
  let quote = quoteAtStart;
  const add = (part: Expanded): void => {
    if (text.length < MAX_LENGTH) text += part.text;
    unresolved = mergeUnresolved(unresolved, part.unresolved);
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (quote === 'single') {
      if (c === "'") quote = 'none';
      else text += c;
      continue;
    }
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) continue;
      if (next === '\n') { i++; continue; }
      if (quote === 'none' || '$`"\\'.includes(next)) { text += next; i++; continue; }
      text += c;
      continue;
    }
    if (c === '"') { quote = quote === 'double' ? 'none' : 'double'; continue; }
    if (c === "'" && quote === 'none') { quote = 'single'; continue; }
    if (c === '`') {
      const close = raw.indexOf('`', i + 1);
      add({ text: '', unresolved: ['`…`'] });
      i = close < 0 ? raw.length : close;
      continue;
    }
    if (c !== '$') { text += c; continue; }
    const next = raw[i + 1];
    if (raw.startsWith('$((', i)) {
      const close = findClose(raw, i + 3, '(', ')');
      const end = close >= 0 && raw[close + 1] === ')' ? close + 1 : -1;
      if (end < 0) { text += c; continue; }
      const inner = expandWord(raw.slice(i + 3, close), 'double', env, depth + 1);
      const result = evaluateArithmetic(inner.text, (name) => {
        const value = env.get(name);
        if (value && value.unresolved.length > 0) inner.unresolved = mergeUnresolved(inner.unresolved, value.unresolved);
        return value?.text;
      });
      if (result.value === undefined) add({ text: '', unresolved: mergeUnresolved(inner.unresolved, [`$((${raw.slice(i + 3, close)}))`]) });
      else add({ text: String(result.value), unresolved: mergeUnresolved(inner.unresolved, result.names) });
      i = end;
    } else if (next === '(') {
      const close = findClose(raw, i + 2, '(', ')');
      add({ text: '', unresolved: [`$(${raw.slice(i + 2, close < 0 ? raw.length : close)})`.slice(0, 60)] });
      i = close < 0 ? raw.length : close;
    } else if (next === '{') {
      const close = findClose(raw, i + 2, '{', '}');
      if (close < 0) { text += raw.slice(i); break; }
      add(expandBraced(raw.slice(i + 2, close), env, depth));
      i = close;
    } else {
      const name = /^([A-Za-z_]\w*|\d|[@*#?$!])/.exec(raw.slice(i + 1, i + 65))?.[1];
      if (!name) { text += c; continue; }
      add(/^\d|^[@*#?$!]$/.test(name) ? { text: '', unresolved: [`$${name}`] } : expandBraced(name, env, depth));
      i += name.length;
    }
  }
  return { text, unresolved };
}
