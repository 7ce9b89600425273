// OmegaConf interpolations in NeMo / NeMo-Launcher YAML (FORMATS.md A.4): `${.hidden_size}` (a sibling),
// `${..x}` (the parent's), `${model.x}` (from the root; the Launcher mounts its file under `training.`, so
// `${training.model.x}` resolves against this file's root too), and NeMo's resolvers `multiply`, `divide_ceil`,
// `divide_floor`. Anything else (`${oc.env:X}`, `${base_results_dir}`) stays symbolic with its text.
import type { Symbolic } from '../../model/design';
import { mapGet, mapHas, resolveAlias, type YamlFile, type YamlMap, type YamlNode } from '../yaml/yamlTree';

export type Resolved = string | number | boolean | null | Symbolic;

/** The maps from the root down to the one holding a value: relative paths walk up this chain. */
export type Scope = readonly YamlMap[];

const MAX_DEPTH = 12;
const MAX_TEXT = 10_000;

export class Interpolator {
  private depth = 0;
  private readonly visiting = new Set<YamlNode>();
  /** Each interpolated node is evaluated once, so references that fan out cannot grow exponentially. */
  private readonly cache = new Map<YamlNode, Resolved>();

  constructor(private readonly file: YamlFile, private readonly root: YamlMap) {}

  /** A scalar node's value with interpolations resolved where possible. */
  resolveNode(node: YamlNode | null, scope: Scope): Resolved | undefined {
    const target = resolveAlias(this.file, node);
    if (target?.kind !== 'scalar') return undefined;
    const value = target.value;
    if (typeof value === 'string') {
      if (!value.includes('${')) return value;
      const cached = this.cache.get(target);
      if (cached !== undefined) return cached;
      if (this.visiting.has(target) || this.depth >= MAX_DEPTH) return { symbolic: value };
      this.visiting.add(target);
      this.depth++;
      try {
        const resolved = this.resolveText(value, scope);
        this.cache.set(target, resolved);
        return resolved;
      } finally {
        this.depth--;
        this.visiting.delete(target);
      }
    }
    return value;
  }

  /** A text that is one `${…}` keeps the result's type; text around interpolations makes a string. */
  resolveText(text: string, scope: Scope): Resolved {
    if (text.length > MAX_TEXT) return { symbolic: text.slice(0, 200) };
    const parts = splitInterpolations(text);
    if (!parts) return { symbolic: text };
    if (parts.length === 1 && parts[0]!.kind === 'expr') return this.evaluate(parts[0]!.text, scope) ?? { symbolic: text };
    let out = '';
    for (const part of parts) {
      if (part.kind === 'text') out += part.text;
      else {
        const value = this.evaluate(part.text, scope);
        if (value === undefined || (typeof value === 'object' && value !== null)) return { symbolic: text };
        out += String(value);
      }
    }
    return out;
  }

  private evaluate(expression: string, scope: Scope): Resolved | undefined {
    const colon = expression.indexOf(':');
    const firstBrace = expression.indexOf('${');
    if (colon > 0 && (firstBrace < 0 || colon < firstBrace)) return this.callResolver(expression.slice(0, colon).trim(), expression.slice(colon + 1), scope);
    return this.lookup(expression.trim(), scope);
  }

  private callResolver(name: string, argText: string, scope: Scope): Resolved | undefined {
    const args = splitArguments(argText);
    if (!args) return undefined;
    const numbers: number[] = [];
    for (const arg of args) {
      const value = arg.includes('${') ? this.resolveText(arg.trim(), scope) : Number(arg.trim());
      const number = typeof value === 'string' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || arg.trim() === '') return undefined;
      numbers.push(number);
    }
    const [a, b] = numbers;
    switch (name) {
      case 'multiply':
        return numbers.length > 0 ? numbers.reduce((x, y) => x * y, 1) : undefined;
      case 'divide_ceil':
        return a !== undefined && b !== undefined && b !== 0 && numbers.length === 2 ? Math.ceil(a / b) : undefined;
      case 'divide_floor':
        return a !== undefined && b !== undefined && b !== 0 && numbers.length === 2 ? Math.floor(a / b) : undefined;
      default:
        return undefined;
    }
  }

  private lookup(path: string, scope: Scope): Resolved | undefined {
    if (!/^[.A-Za-z0-9_-]+$/.test(path)) return undefined;
    let base: Scope;
    let rest: string;
    if (path.startsWith('.')) {
      const ups = /^\.+/.exec(path)![0].length;
      if (ups > scope.length) return undefined;
      base = scope.slice(0, scope.length - (ups - 1));
      rest = path.slice(ups);
    } else {
      base = [this.root];
      rest = path;
    }
    const segments = rest.split('.').filter((segment) => segment !== '');
    const found = this.walk(base, segments) ??
      (!path.startsWith('.') && segments[0] === 'training' && !mapHas(this.root, 'training') ? this.walk(base, segments.slice(1)) : undefined);
    if (!found) return undefined;
    return this.resolveNode(found.node, found.scope);
  }

  private walk(base: Scope, segments: string[]): { node: YamlNode; scope: Scope } | undefined {
    let scope = base;
    let current: YamlNode | null = scope[scope.length - 1] ?? null;
    for (const [i, segment] of segments.entries()) {
      const map = resolveAlias(this.file, current);
      if (!map) return undefined;
      if (map.kind === 'seq') {
        current = /^\d+$/.test(segment) ? (map.items[Number(segment)] ?? null) : null;
        continue;
      }
      if (map.kind !== 'map') return undefined;
      if (i > 0) scope = [...scope, map];
      current = mapGet(map, segment);
    }
    return current ? { node: current, scope } : undefined;
  }
}

type Part = { kind: 'text' | 'expr'; text: string };

/** Splits text into literal parts and the bodies of top-level `${…}`, honouring nesting; undefined if unbalanced. */
function splitInterpolations(text: string): Part[] | undefined {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < text.length && depth > 0; j++) {
        if (text[j] === '$' && text[j + 1] === '{') { depth++; j++; }
        else if (text[j] === '}') depth--;
      }
      if (depth > 0) return undefined;
      if (literal) parts.push({ kind: 'text', text: literal });
      literal = '';
      parts.push({ kind: 'expr', text: text.slice(i + 2, j - 1) });
      i = j - 1;
    } else literal += text[i];
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return parts;
}

/** Resolver arguments split on top-level commas. */
function splitArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '{') { depth++; current += '${'; i++; continue; }
    if (c === '}') depth--;
    if (c === ',' && depth === 0) { args.push(current); current = ''; continue; }
    current += c;
  }
  args.push(current);
  return depth === 0 ? args : undefined;
}
