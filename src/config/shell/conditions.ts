// Decides `if`/`elif` conditions the way the file runs with nothing set from outside: `[ … ]`, `[[ … ]]`,
// `test`, `!`, `&&`, `||`. File tests and other commands cannot be decided here and come back undefined.
import type { Node } from 'web-tree-sitter';
import type { ShellEnv } from './env';
import { expandWord } from './expand';
import { splitFields } from './words';

export interface Decision {
  value: boolean | undefined;
  /** Names read from outside the file that the decision took as unset. */
  assumedUnset: string[];
}

const UNARY_STRING: Record<string, (a: string) => boolean> = { '-n': (a) => a !== '', '-z': (a) => a === '' };
const BINARY: Record<string, (a: string, b: string) => boolean | undefined> = {
  '=': (a, b) => a === b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '-eq': (a, b) => numeric(a, b, (x, y) => x === y),
  '-ne': (a, b) => numeric(a, b, (x, y) => x !== y),
  '-lt': (a, b) => numeric(a, b, (x, y) => x < y),
  '-le': (a, b) => numeric(a, b, (x, y) => x <= y),
  '-gt': (a, b) => numeric(a, b, (x, y) => x > y),
  '-ge': (a, b) => numeric(a, b, (x, y) => x >= y),
};

function numeric(a: string, b: string, compare: (x: number, y: number) => boolean): boolean | undefined {
  const x = Number(a.trim() || '0');
  const y = Number(b.trim() || '0');
  return Number.isFinite(x) && Number.isFinite(y) ? compare(x, y) : undefined;
}

function and(a: boolean | undefined, b: () => boolean | undefined): boolean | undefined {
  if (a === false) return false;
  const right = b();
  if (right === false) return false;
  return a === true && right === true ? true : undefined;
}

function or(a: boolean | undefined, b: () => boolean | undefined): boolean | undefined {
  if (a === true) return true;
  const right = b();
  if (right === true) return true;
  return a === false && right === false ? false : undefined;
}

function evaluateWords(words: string[], depth: number): boolean | undefined {
  if (depth > 50 || words.length === 0) return words.length === 0 ? false : undefined;
  for (const [operator, combine] of [['||', or], ['-o', or], ['&&', and], ['-a', and]] as const) {
    const at = words.lastIndexOf(operator);
    if (at > 0 && !(operator === '-a' && words.length === 2)) {
      return combine(evaluateWords(words.slice(0, at), depth + 1), () => evaluateWords(words.slice(at + 1), depth + 1));
    }
  }
  const [first = '', second = '', third = ''] = words;
  if (first === '!') {
    const inner = evaluateWords(words.slice(1), depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  if (words.length === 1) return first !== '';
  if (words.length === 2) {
    const unary = UNARY_STRING[first];
    return unary ? unary(second) : undefined; // -f, -d, -e …: the file system is not ours to look at
  }
  if (words.length === 3) return BINARY[second]?.(first, third);
  return undefined;
}

function evaluateTestText(inner: string, env: ShellEnv, assumedUnset: string[]): boolean | undefined {
  const words = splitFields(inner, 0, inner.length, { splitQuoted: false, maxFields: 200 }).map((field) => {
    const expanded = expandWord(field.raw, field.quoteAtStart, env);
    for (const name of expanded.unresolved) if (!assumedUnset.includes(name)) assumedUnset.push(name);
    return expanded.text;
  });
  return evaluateWords(words, 0);
}

function evaluate(node: Node, env: ShellEnv, assumedUnset: string[], depth: number): boolean | undefined {
  if (depth > 50) return undefined;
  switch (node.type) {
    case 'test_command': {
      const inner = node.text.replace(/^\[\[?/, '').replace(/\]\]?\s*$/, '');
      return evaluateTestText(inner, env, assumedUnset);
    }
    case 'negated_command': {
      const child = node.namedChildren[0];
      const value = child ? evaluate(child, env, assumedUnset, depth + 1) : undefined;
      return value === undefined ? undefined : !value;
    }
    case 'list': {
      const [left, operator, right] = node.children;
      if (!left || !right) return undefined;
      const leftValue = evaluate(left, env, assumedUnset, depth + 1);
      const rightValue = (): boolean | undefined => evaluate(right, env, assumedUnset, depth + 1);
      return operator?.type === '||' ? or(leftValue, rightValue) : and(leftValue, rightValue);
    }
    case 'command': {
      const name = node.childForFieldName('name')?.text;
      if (name === 'true' || name === ':') return true;
      if (name === 'false') return false;
      if (name === 'test') return evaluateTestText(node.text.replace(/^\s*test/, ''), env, assumedUnset);
      return undefined;
    }
    case 'subshell':
    case 'compound_statement': {
      const last = node.namedChildren.filter((child) => child.type !== 'comment').at(-1);
      return last ? evaluate(last, env, assumedUnset, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/** The exit status of a condition list is its last command's. */
export function decideCondition(conditions: Node[], env: ShellEnv): Decision {
  const assumedUnset: string[] = [];
  const last = conditions.at(-1);
  return { value: last ? evaluate(last, env, assumedUnset, 0) : undefined, assumedUnset };
}
