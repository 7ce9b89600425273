// The YAML readers' common ground: parse with positions (yaml's parseDocument + ranges), walk maps as
// (key, value, ranges) entries, and turn parser errors into problems. No reader touches yaml's API elsewhere.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import type { Problem, SourceRange } from '../model/problems';
import { lineIndex, rangeAt, type LineIndex } from './positions';

export interface YamlFile {
  doc: Document.Parsed;
  index: LineIndex;
  /** Syntax errors and warnings of the parser, as problems. */
  problems: Problem[];
}

export interface YamlEntry {
  key: string;
  /** The value node; null for `key:` with nothing after it. */
  value: Node | null;
  keyRange: SourceRange;
  /** The value's range, or an empty range just after the key when there is no value. */
  valueRange: SourceRange;
}

/**
 * readConfig tries the native reader, then the NeMo one, on the same text: the last parse is kept so YAML is
 * parsed once. Readers only read the document, never change it.
 */
let lastParsed: { text: string; file: YamlFile } | undefined;

export function parseYaml(text: string): YamlFile {
  if (lastParsed && lastParsed.text === text) return lastParsed.file;
  const file = parseYamlUncached(text);
  lastParsed = { text, file };
  return file;
}

/**
 * The cheapest options that still give every node its range and value: no CST kept on the nodes, no error
 * context lines, no duplicate-key scan (uniqueKeys: false, so a duplicated key is reported by the readers with
 * both ranges instead of failing the parse).
 */
export const YAML_PARSE_OPTIONS = { keepSourceTokens: false, prettyErrors: false, uniqueKeys: false, strict: false } as const;

function parseYamlUncached(text: string): YamlFile {
  const index = lineIndex(text);
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  const problems: Problem[] = [];
  for (const error of doc.errors) {
    problems.push({ severity: 'error', code: 'syntax/yaml', message: firstLine(error.message), range: rangeAt(index, error.pos[0], error.pos[1]) });
  }
  for (const warning of doc.warnings) {
    problems.push({ severity: 'warning', code: 'syntax/yaml', message: firstLine(warning.message), range: rangeAt(index, warning.pos[0], warning.pos[1]) });
  }
  return { doc, index, problems };
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export function nodeRange(file: YamlFile, node: Node): SourceRange {
  const range = node.range;
  if (!range) return rangeAt(file.index, 0, 0);
  return rangeAt(file.index, range[0], range[1]);
}

/** An alias stands for its anchor's node; followed once, so `*a` pointing at another alias stays unresolved. */
export function resolveAlias(file: YamlFile, node: Node | null): Node | null {
  if (node && isAlias(node)) {
    const target = node.resolve(file.doc);
    return target && !isAlias(target) ? target : null;
  }
  return node;
}

export function asMap(file: YamlFile, node: Node | null): YAMLMap | undefined {
  const resolved = resolveAlias(file, node);
  return resolved && isMap(resolved) ? resolved : undefined;
}

/**
 * The entries of a map with string-like keys, in file order; `wanted` keeps only the keys it accepts (ranges,
 * two binary searches each, are then worked out only for those: a Bridge dump's sections have hundreds of keys).
 */
export function entries(file: YamlFile, map: YAMLMap, wanted?: (key: string) => boolean): YamlEntry[] {
  const out: YamlEntry[] = [];
  for (const pair of map.items) {
    const key = stringKey(pair);
    if (key === undefined || (wanted && !wanted(key))) continue;
    const keyRange = nodeRange(file, pair.key as Node);
    const valueNode = (pair.value as Node | null) ?? null;
    const valueRange = valueNode?.range ? nodeRange(file, valueNode) : rangeAt(file.index, keyRange.endOffset, keyRange.endOffset);
    out.push({ key, value: valueNode, keyRange, valueRange });
  }
  return out;
}

/** The string-like keys of a map, in file order (what `entries` would list, without ranges). */
export function mapKeys(map: YAMLMap): string[] {
  const keys: string[] = [];
  for (const pair of map.items) {
    const key = stringKey(pair);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** A pair's key as text when it is a scalar with a value (maps, lists and `null` keys are not fields). */
function stringKey(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined;
  const keyNode = pair.key as Node | null;
  if (!keyNode || !isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') return undefined;
  return String(keyNode.value);
}

/** The top-level map of the document, if the document is one. */
export function rootMap(file: YamlFile): YAMLMap | undefined {
  const contents = file.doc.contents as Node | null;
  return contents && isMap(contents) ? contents : undefined;
}

/** A scalar's JS value (number, string, boolean, null), or undefined for a map, a list or nothing. */
export function scalarValue(file: YamlFile, node: Node | null): string | number | boolean | null | undefined {
  const resolved = resolveAlias(file, node);
  if (!resolved || !isScalar(resolved)) return undefined;
  const value = resolved.value;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** The source text of a node, for symbolic values and messages. */
export function nodeText(file: YamlFile, node: Node, text: string): string {
  const range = node.range;
  return range ? text.slice(range[0], range[1]) : '';
}

export function isSequenceNode(node: Node | null): boolean {
  return node !== null && isSeq(node);
}
