// The YAML readers' common ground: parse with positions, walk maps as (key, value, ranges) entries, and turn
// parser errors into problems. No reader touches yaml's API elsewhere. There are three ways to read a text, all
// giving the same tree, ranges and values: entry by entry, parsing only the entries a reader asks for
// (yamlSplit.ts); from the yaml package's CST of the whole text when it keeps to plain YAML (yamlCst.ts: no
// Document is composed); and with its parseDocument (yamlDocument.ts), which alone reports syntax problems.
import type { Problem, SourceRange } from '../../model/problems';
import { lineIndex, rangeAt, type LineIndex } from '../draft/positions';
import type { YamlMap, YamlNode, YamlPair, YamlScalarValue } from './nodes';
import { readCst } from './yamlCst';
import { readDocument, YAML_PARSE_OPTIONS } from './yamlDocument';
import { NEEDS_DOCUMENT, readCut } from './yamlSplit';

export { YAML_PARSE_OPTIONS };
export type { YamlAlias, YamlMap, YamlNode, YamlOther, YamlPair, YamlRange, YamlScalar, YamlScalarValue, YamlSeq } from './nodes';

export interface YamlFile {
  root: YamlNode | null;
  index: LineIndex;
  /** Syntax errors and warnings of the parser, as problems. */
  problems: Problem[];
  /** Which way the text was read: entry by entry, the whole text's CST, or parseDocument. */
  readBy: 'cut' | 'cst' | 'document';
}

export interface YamlEntry {
  key: string;
  /** The value node; null where the text has none at all. */
  value: YamlNode | null;
  keyRange: SourceRange;
  /** The value's range, or an empty range just after the key when there is no value. */
  valueRange: SourceRange;
}

/**
 * `auto` reads entry by entry, else by the whole CST, else by parseDocument; `cst` and `document` force the
 * later ways (the tests that compare them, and the bench).
 */
export type YamlReadingPath = 'auto' | 'cst' | 'document';
let readingPath: YamlReadingPath = 'auto';

export function setYamlReadingPath(path: YamlReadingPath): void {
  readingPath = path;
}

/**
 * readConfig tries the native reader, then the NeMo one, on the same text: the last parse is kept so YAML is
 * parsed once. Readers only read the tree, never change it.
 */
let lastParsed: { text: string; path: YamlReadingPath; file: YamlFile } | undefined;

export function parseYaml(text: string): YamlFile {
  if (lastParsed && lastParsed.text === text && lastParsed.path === readingPath) return lastParsed.file;
  let file: YamlFile | undefined;
  if (readingPath === 'auto') file = parseYamlCut(text);
  if (readingPath !== 'document') file ??= parseYamlCst(text);
  file ??= parseYamlDocument(text);
  lastParsed = { text, path: readingPath, file };
  return file;
}

/**
 * Runs a reader on the text's tree. When the tree was read entry by entry and an entry the reader asked for
 * needs parseDocument (NEEDS_DOCUMENT), the reader runs again on parseDocument's tree: readers only read, so
 * the second run is the whole answer.
 */
export function readYaml<T>(text: string, read: (file: YamlFile) => T): T {
  const file = parseYaml(text);
  try {
    return read(file);
  } catch (error) {
    if (error !== NEEDS_DOCUMENT || file.readBy !== 'cut') throw error;
    const document = parseYamlDocument(text);
    lastParsed = { text, path: readingPath, file: document };
    return read(document);
  }
}

/** The entry-by-entry reading, or undefined when the text's top level cannot be cut (yamlSplit.ts). */
export function parseYamlCut(text: string): YamlFile | undefined {
  const root = readCut(text, YAML_PARSE_OPTIONS);
  return root ? { root, index: lineIndex(text), problems: [], readBy: 'cut' } : undefined;
}

/** The CST walk's reading, or undefined when the text needs parseDocument. */
export function parseYamlCst(text: string): YamlFile | undefined {
  const root = readCst(text, YAML_PARSE_OPTIONS);
  return root ? { root, index: lineIndex(text), problems: [], readBy: 'cst' } : undefined;
}

export function parseYamlDocument(text: string): YamlFile {
  const index = lineIndex(text);
  const { root, problems } = readDocument(text, index);
  return { root, index, problems, readBy: 'document' };
}

export function nodeRange(file: YamlFile, node: YamlNode): SourceRange {
  const range = node.range;
  if (!range) return rangeAt(file.index, 0, 0);
  return rangeAt(file.index, range[0], range[1]);
}

/** An alias stands for its anchor's node; followed once, so `*a` pointing at another alias stays unresolved. */
export function resolveAlias(_file: YamlFile, node: YamlNode | null): YamlNode | null {
  return node?.kind === 'alias' ? node.target : node;
}

export function asMap(file: YamlFile, node: YamlNode | null): YamlMap | undefined {
  const resolved = resolveAlias(file, node);
  return resolved?.kind === 'map' ? resolved : undefined;
}

/** The value of the first pair whose key is `key` (as yaml's `YAMLMap.get`); null when there is none. */
export function mapGet(map: YamlMap, key: string): YamlNode | null {
  for (const pair of map.pairs) if (pair.key === key) return pair.value;
  return null;
}

export function mapHas(map: YamlMap, key: string): boolean {
  return map.pairs.some((pair) => pair.key === key);
}

/**
 * The entries of a map with string-like keys, in file order; `wanted` keeps only the keys it accepts (ranges,
 * two binary searches each, are then worked out only for those: a Bridge dump's sections have hundreds of keys).
 */
export function entries(file: YamlFile, map: YamlMap, wanted?: (key: string) => boolean): YamlEntry[] {
  const out: YamlEntry[] = [];
  for (const pair of map.pairs) {
    const key = stringKey(pair);
    if (key === undefined || (wanted && !wanted(key))) continue;
    const keyRange = pair.keyRange ? rangeAt(file.index, pair.keyRange[0], pair.keyRange[1]) : rangeAt(file.index, 0, 0);
    const valueNode = pair.value;
    const valueRange = valueNode?.range ? nodeRange(file, valueNode) : rangeAt(file.index, keyRange.endOffset, keyRange.endOffset);
    out.push({ key, value: valueNode, keyRange, valueRange });
  }
  return out;
}

/** The string-like keys of a map, in file order (what `entries` would list, without ranges). */
export function mapKeys(map: YamlMap): string[] {
  const keys: string[] = [];
  for (const pair of map.pairs) {
    const key = stringKey(pair);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** A pair's key as text when it is a scalar with a value (maps, lists and `null` keys are not fields). */
function stringKey(pair: YamlPair): string | undefined {
  const key = pair.key;
  return key === undefined || key === null ? undefined : String(key);
}

/** The top-level map of the document, if the document is one. */
export function rootMap(file: YamlFile): YamlMap | undefined {
  return file.root?.kind === 'map' ? file.root : undefined;
}

/** A scalar's JS value (number, string, boolean, null), or undefined for a map, a list or nothing. */
export function scalarValue(file: YamlFile, node: YamlNode | null): YamlScalarValue | undefined {
  const resolved = resolveAlias(file, node);
  return resolved?.kind === 'scalar' ? resolved.value : undefined;
}

/** The source text of a node, for symbolic values and messages. */
export function nodeText(_file: YamlFile, node: YamlNode, text: string): string {
  const range = node.range;
  return range ? text.slice(range[0], range[1]) : '';
}

export function isSequenceNode(node: YamlNode | null): boolean {
  return node?.kind === 'seq';
}
