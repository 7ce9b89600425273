// The fast way to read YAML: the yaml package's own parser gives its concrete syntax tree (CST) with offsets, and
// this turns the plain part of YAML that configs use (block maps and lists, flow lists and maps, plain and
// quoted scalars, block scalars, comments) into yamlTree's nodes, with the ranges and values the package's
// composer would give them. It skips what makes `parseDocument` slow (a Document of class instances, every
// scalar resolved): a collection's nodes are made when a reader first asks for them, a scalar is resolved when
// first read. Scalars are still resolved by the package: `CST.resolveAsScalar` for the text and the Document
// schema's own tags for the type.
//
// yamlCstCheck.ts first decides whether the composer would read the text exactly so; when it would not
// (anchors, aliases, tags, `<<` keys, `?` keys, directives, `---`/`...`, several documents, tabs in
// indentation, any parse error or anything the composer reports), `readCst` answers undefined and the caller
// uses parseDocument. test/config/readers/yamlCst.test.ts holds both ways to the same result on every YAML file we ship
// and mutations of them.
import { CST, Document, isScalar, Parser } from 'yaml';
import { CstCheck, emptyScalarOffset, endOf, endTokens, scanned, scanProps, type FlowScalarToken } from './yamlCstCheck';
import type { YamlMap, YamlNode, YamlPair, YamlRange, YamlScalar, YamlScalarValue, YamlSeq } from './nodes';

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
}

/** The core schema's tags a plain value (and a plain key) is tested against, in the schema's order. */
interface PlainTags {
  value: readonly ScalarTag[];
  key: readonly ScalarTag[];
  options: unknown;
}

/** From the schema and options a parsed Document gets (yaml's core schema), made once. */
let plainTags: PlainTags | undefined;

function documentTags(options: object): PlainTags {
  if (!plainTags) {
    const doc = new Document(undefined, options);
    const tags = (doc.schema as unknown as { tags: ScalarTag[] }).tags.filter((tag) => tag.test);
    plainTags = { value: tags.filter((tag) => tag.default === true), key: tags.filter((tag) => tag.default === true || tag.default === 'key'), options: doc.options };
  }
  return plainTags;
}

function ignoreError(): void {}

/** compose-scalar's findScalarTagByTest, then the tag's own resolve (null, bool, int, float, or the string). */
function resolvePlain(text: string, tags: readonly ScalarTag[], options: unknown): YamlScalarValue | undefined {
  for (const tag of tags) {
    if (!tag.test!.test(text)) continue;
    const resolved = tag.resolve(text, ignoreError, options);
    const value = isScalar(resolved) ? resolved.value : resolved;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return undefined;
  }
  return text;
}

/**
 * Plain scalars already resolved, by text: a config repeats its keys' and values' spellings, and an editor reads
 * the same file again after every change. Resolution depends on the text alone (one schema), so this is exact.
 */
const resolvedValues = new Map<string, YamlScalarValue | undefined>();
const resolvedKeys = new Map<string, YamlScalarValue | undefined>();
const MAX_REMEMBERED = 4096;
const MAX_REMEMBERED_LENGTH = 100;

function resolvePlainOnce(text: string, atKey: boolean, tags: PlainTags): YamlScalarValue | undefined {
  if (text.length > MAX_REMEMBERED_LENGTH) return resolvePlain(text, atKey ? tags.key : tags.value, tags.options);
  const resolved = atKey ? resolvedKeys : resolvedValues;
  const known = resolved.get(text);
  if (known !== undefined || resolved.has(text)) return known;
  const value = resolvePlain(text, atKey ? tags.key : tags.value, tags.options);
  if (resolved.size >= MAX_REMEMBERED) resolved.clear();
  resolved.set(text, value);
  return value;
}

const UNRESOLVED = Symbol('unresolved');

class CstScalar implements YamlScalar {
  readonly kind = 'scalar';
  private cached: YamlScalarValue | undefined | typeof UNRESOLVED = UNRESOLVED;

  /**
   * A quoted or block scalar comes with its `text` (it is a string whatever it reads); a plain one (or the empty
   * one of `key:`, token null) is resolved against the schema's `tags` when first read.
   */
  constructor(
    readonly range: YamlRange,
    private readonly token: FlowScalarToken | null,
    private readonly text: string | undefined,
    private readonly tags: PlainTags,
    private readonly atKey: boolean,
  ) {}

  get value(): YamlScalarValue | undefined {
    if (this.cached === UNRESOLVED) {
      if (this.text !== undefined) this.cached = this.text;
      else {
        // resolve-flow-scalar's plainValue only folds line breaks: a one-line plain scalar's value is its source.
        const source = this.token?.source ?? '';
        const text = source.includes('\n') ? CST.resolveAsScalar(this.token, false, ignoreError)!.value : source;
        this.cached = resolvePlainOnce(text, this.atKey, this.tags);
      }
    }
    return this.cached;
  }
}

class CstPair implements YamlPair {
  constructor(private readonly keyNode: CstScalar, readonly value: YamlNode) {}
  get key(): YamlScalarValue | undefined {
    return this.keyNode.value;
  }
  get keyRange(): YamlRange {
    return this.keyNode.range;
  }
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

class CstMap implements YamlMap {
  readonly kind = 'map';
  private made: YamlPair[] | undefined;
  constructor(readonly range: YamlRange, private readonly token: Collection, private readonly nodes: CstNodes) {}
  get pairs(): readonly YamlPair[] {
    return (this.made ??= this.nodes.pairs(this.token));
  }
}

class CstSeq implements YamlSeq {
  readonly kind = 'seq';
  private made: YamlNode[] | undefined;
  constructor(readonly range: YamlRange, private readonly token: Collection, private readonly nodes: CstNodes) {}
  get items(): readonly YamlNode[] {
    return (this.made ??= this.nodes.items(this.token));
  }
}

/** Makes the nodes of a checked CST; the check's ranges spare walking a collection again for its end. */
class CstNodes {
  constructor(private readonly ranges: ReadonlyMap<CST.Token, YamlRange>, private readonly tags: PlainTags) {}

  node(token: CST.Token): YamlNode {
    switch (token.type) {
      case 'block-map':
        return new CstMap(this.ranges.get(token)!, token, this);
      case 'block-seq':
        return new CstSeq(this.ranges.get(token)!, token, this);
      case 'flow-collection':
        return token.start.source === '{' ? new CstMap(this.ranges.get(token)!, token, this) : new CstSeq(this.ranges.get(token)!, token, this);
      default:
        return this.scalar(token as FlowScalarToken | CST.BlockScalar, false);
    }
  }

  /** The pairs of a checked map: every item with a `:` (the others are comment lines or a trailing comma). */
  pairs(map: Collection): YamlPair[] {
    const flow = map.type === 'flow-collection';
    const pairs: YamlPair[] = [];
    for (const { key, sep, value } of map.items) {
      if (!sep) continue;
      const keyNode = this.scalar(key as FlowScalarToken, true);
      let valueNode: YamlNode;
      if (value) valueNode = this.node(value);
      else {
        scanProps(sep, 'map-value-ind', flow, false, keyNode.range[2]);
        valueNode = this.empty(scanned.end, sep, scanned.comment);
      }
      pairs.push(new CstPair(keyNode, valueNode));
    }
    return pairs;
  }

  /** The items of a checked list: in a block list those after a `-`, in a flow list those with a value. */
  items(seq: Collection): YamlNode[] {
    const items: YamlNode[] = [];
    if (seq.type === 'flow-collection') {
      for (const { value } of seq.items) if (value) items.push(this.node(value));
      return items;
    }
    for (const { start, value } of seq.items) {
      if (value) items.push(this.node(value));
      else {
        scanProps(start, 'seq-item-ind', false, true, 0);
        if (scanned.found) items.push(this.empty(scanned.end, start, scanned.comment));
      }
    }
    return items;
  }

  private scalar(token: FlowScalarToken | CST.BlockScalar, atKey: boolean): CstScalar {
    if (token.type === 'scalar') {
      const valueEnd = endOf(token);
      return new CstScalar([token.offset, valueEnd, endTokens(token.end, valueEnd)], token, undefined, this.tags, atKey);
    }
    const resolved = CST.resolveAsScalar(token, false, ignoreError);
    return new CstScalar(resolved.range, null, resolved.value, this.tags, atKey);
  }

  /** compose-node's empty node: `key:` or `-` with nothing after it is a null at the composer's position. */
  private empty(end: number, before: readonly CST.SourceToken[], comment: boolean): CstScalar {
    const offset = emptyScalarOffset(end, before);
    return new CstScalar([offset, offset, comment ? end : offset], null, undefined, this.tags, false);
  }
}

interface CheckedMap {
  map: CST.BlockMap;
  check: CstCheck;
}

/**
 * The one document of `text.slice(start, end)` when its root is a block map the walk can read, with offsets
 * counted from the start of `text`; undefined when parseDocument must read it.
 */
function checkedBlockMap(text: string, start: number, end: number): CheckedMap | undefined {
  const parser = new Parser();
  parser.offset = start;
  let document: CST.Document | undefined;
  for (const token of parser.parse(start === 0 && end === text.length ? text : text.slice(start, end))) {
    if (token.type === 'document' && !document) document = token;
    else if (document || (token.type !== 'comment' && token.type !== 'newline' && token.type !== 'space')) return undefined;
  }
  const map = document?.value;
  if (!document || map?.type !== 'block-map') return undefined;
  const check = new CstCheck();
  try {
    scanProps(document.start, null, false, true, document.offset);
    endTokens(document.end, check.blockMap(map, 0));
  } catch {
    // FALLBACK, or a RangeError from nesting deeper than the stack: parseDocument reads it and says what it finds.
    return undefined;
  }
  return { map, check };
}

/** One document whose root is a block map, read from the CST; undefined when parseDocument must read it. */
export function readCst(text: string, parseOptions: object): YamlMap | undefined {
  const checked = checkedBlockMap(text, 0, text.length);
  if (!checked) return undefined;
  const { map, check } = checked;
  return new CstMap(check.ranges.get(map)!, map, new CstNodes(check.ranges, documentTags(parseOptions)));
}

/**
 * One entry of a block map, `key: value` at column `indent` with the lines that belong to it, parsed alone from
 * `text.slice(start, end)`: the yaml package reads an entry cut at its key line as it reads it in place, so the
 * pair, its ranges and its value are those of the whole text. Undefined when the slice is not exactly one such
 * entry the walk can read (then parseDocument must read the whole text).
 */
export function readCstEntry(text: string, start: number, end: number, indent: number, parseOptions: object): YamlPair | undefined {
  const checked = checkedBlockMap(text, start, end);
  if (!checked || checked.map.indent !== indent) return undefined;
  const pairs = new CstNodes(checked.check.ranges, documentTags(parseOptions)).pairs(checked.map);
  return pairs.length === 1 ? pairs[0] : undefined;
}

/** A plain key's value as the core schema reads it (`true:` is the boolean, `3:` the number). */
export function plainKeyValue(text: string, parseOptions: object): YamlScalarValue | undefined {
  return resolvePlainOnce(text, true, documentTags(parseOptions));
}
