// Reading a large YAML file only as far as the readers look. A Megatron-Bridge dump is 800 lines of which the
// reader needs about forty, and parsing is most of a read's time. So the text's block maps are cut at their key
// lines (indentation, a plain key, `:`), the lines the yaml package's own lexer ends every entry at, and each
// entry is parsed by the package (yamlCst.ts's `readCstEntry`) only when its value is first asked for. Keys come
// from the cut: listing a map's keys or finding one parses nothing.
//
// Syntax problems are still all found: an entry is left unparsed only when yamlLineCheck.ts finds every line of
// it certainly well formed; any other entry is parsed at once, and a text with an entry the walk cannot read
// (syntax errors, anchors, tags) is read whole. Should an entry parsed later still fail the walk, reading it
// throws NEEDS_DOCUMENT and yamlTree.readYaml runs the reader again on parseDocument's reading.
import { plainKeyValue, readCst, readCstEntry } from './yamlCst';
import { isDashAt, isPlainEntry, keyEndAt } from './yamlLineCheck';
import type { YamlMap, YamlNode, YamlPair, YamlRange, YamlScalarValue } from './nodes';

/** Thrown by a node of the cut reading when the text must be read by parseDocument; readYaml catches it. */
export const NEEDS_DOCUMENT = Symbol('needs-document');

/** A block map is cut into its entries only when it is this long; a short one is parsed as one entry. */
const MIN_CUT_LINES = 12;

/**
 * Only the top-level map and the maps under its keys are cut (a config's sections and their fields): each level
 * costs a pass over its lines, and a deeper cut would spare little.
 */
const MAX_CUT_DEPTH = 2;

interface Cut {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** The entry's text: from its key line's first column to the next key of its map (or the map's end). */
  readonly start: number;
  readonly end: number;
  /** The entries of the entry's value when that value is a block map long enough to cut. */
  readonly body: readonly Cut[] | undefined;
  /** `key:` with no value, and a comment on its line or the lines after. */
  readonly emptyWithComment: boolean;
}

const enum Line {
  Blank,
  Key,
  Dash,
  Other,
}

interface LineShape {
  kind: Line;
  indent: number;
  next: number;
}

/** One line from `at`: its indentation and whether it is blank (or a comment), a key line, a `-` line. */
function lineShape(text: string, at: number, to: number, shape: LineShape): void {
  const newline = text.indexOf('\n', at);
  const next = newline < 0 || newline >= to ? to : newline + 1;
  let i = at;
  while (i < next && text.charCodeAt(i) === 0x20) i++;
  shape.indent = i - at;
  shape.next = next;
  const c = text.charCodeAt(i);
  if (i >= next || c === 0x0a || c === 0x23 /* # */) shape.kind = Line.Blank;
  else if (isDashAt(text, i, next)) shape.kind = Line.Dash;
  else {
    shape.kind = keyEndAt(text, i, next) > 0 ? Line.Key : Line.Other;
  }
}

/**
 * The entries of the block map at column `indent` that fills text[from, to), or undefined when a line does not
 * keep to it: every line that is not blank or a comment is a key line at `indent`, a `-` line at `indent` (a
 * list as the value of the entry above) or more indented than `indent`.
 */
function cutMap(text: string, from: number, to: number, indent: number, depth: number): Cut[] | undefined {
  const shape: LineShape = { kind: Line.Blank, indent: 0, next: 0 };
  const starts: number[] = [];
  for (let at = from; at < to; at = shape.next) {
    lineShape(text, at, to, shape);
    if (shape.kind === Line.Blank || (shape.indent > indent && starts.length > 0)) continue;
    if (shape.indent !== indent) return undefined;
    if (shape.kind === Line.Key) starts.push(at);
    else if (shape.kind !== Line.Dash || starts.length === 0) return undefined;
  }
  if (starts.length === 0) return undefined;
  const cuts: Cut[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    // An entry runs to the next key itself: the indentation before it ends the entry's last line as in place.
    const end = starts[i + 1] === undefined ? to : starts[i + 1]! + indent;
    const keyStart = start + indent;
    const keyEnd = text.indexOf(':', keyStart);
    const body = depth + 1 < MAX_CUT_DEPTH ? cutBody(text, keyEnd + 1, end, indent, depth + 1) : undefined;
    cuts.push({ key: text.slice(keyStart, keyEnd), keyStart, keyEnd, start, end, body, emptyWithComment: !body && onlyComments(text, keyEnd + 1, end) });
  }
  return cuts;
}

/** Whether text[from, to) holds a comment and nothing else but spaces and line breaks. */
function onlyComments(text: string, from: number, to: number): boolean {
  let comment = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23) {
      comment = true;
      const lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0 || lineEnd >= to) return true;
      i = lineEnd;
    } else if (c !== 0x20 && c !== 0x0a) return false;
  }
  return comment;
}

/** The entries of a value that is a long block map on the lines after its key (`model:` and its fields). */
function cutBody(text: string, afterColon: number, end: number, indent: number, depth: number): Cut[] | undefined {
  const lineEnd = text.indexOf('\n', afterColon);
  if (lineEnd < 0 || lineEnd >= end) return undefined;
  // Nothing but spaces and a comment may follow the key on its line.
  for (let i = afterColon; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23) break;
    if (c !== 0x20) return undefined;
  }
  let lines = 0;
  for (let at = lineEnd + 1; at < end && lines < MIN_CUT_LINES; at = text.indexOf('\n', at) + 1 || end) lines++;
  if (lines < MIN_CUT_LINES) return undefined;
  const shape: LineShape = { kind: Line.Blank, indent: 0, next: 0 };
  let first = lineEnd + 1;
  for (; first < end; first = shape.next) {
    lineShape(text, first, end, shape);
    if (shape.kind !== Line.Blank) break;
  }
  if (first >= end || shape.kind !== Line.Key || shape.indent <= indent) return undefined;
  return cutMap(text, first, end, shape.indent, depth);
}

/** Parses each entry once, when first needed; shared by every node of one reading. */
class Entries {
  private readonly read = new Map<Cut, YamlPair>();
  private wholeRoot: YamlMap | undefined;
  constructor(readonly text: string, readonly parseOptions: object) {}

  /** The entry parsed alone: its key line starts the slice, so the yaml package reads it as it does in place. */
  pair(cut: Cut, indent: number): YamlPair {
    let pair = this.read.get(cut);
    if (!pair) {
      pair = readCstEntry(this.text, cut.start, cut.end, indent, this.parseOptions);
      if (!pair) throw NEEDS_DOCUMENT;
      this.read.set(cut, pair);
    }
    return pair;
  }

  /** The whole text's map, for the few ranges an entry alone cannot give. */
  root(): YamlMap {
    this.wholeRoot ??= readCst(this.text, this.parseOptions);
    if (!this.wholeRoot) throw NEEDS_DOCUMENT;
    return this.wholeRoot;
  }

  /** The pair at `path` (cuts from the root down) in the whole text's map, found by where its key starts. */
  pairInWhole(path: readonly Cut[]): YamlPair {
    let map: YamlNode | null = this.root();
    let pair: YamlPair | undefined;
    for (const cut of path) {
      pair = map?.kind === 'map' ? this.byKeyStart(map).get(cut.keyStart) : undefined;
      if (!pair) throw NEEDS_DOCUMENT;
      map = pair.value;
    }
    return pair!;
  }

  /** A map's pairs by key offset, made once: a file of many such entries must not cost a scan per entry. */
  private readonly indexed = new Map<YamlMap, Map<number, YamlPair>>();
  private byKeyStart(map: YamlMap): Map<number, YamlPair> {
    let index = this.indexed.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.pairs) if (pair.keyRange) index.set(pair.keyRange[0], pair);
      this.indexed.set(map, index);
    }
    return index;
  }
}

class CutPair implements YamlPair {
  private made: YamlNode | undefined;
  constructor(private readonly cut: Cut, private readonly indent: number, private readonly path: readonly Cut[], private readonly entries: Entries) {}

  get key(): YamlScalarValue | undefined {
    return plainKeyValue(this.cut.key, this.entries.parseOptions);
  }

  get keyRange(): YamlRange {
    return [this.cut.keyStart, this.cut.keyEnd, this.cut.keyEnd];
  }

  get value(): YamlNode {
    if (!this.made) {
      const { cut, entries } = this;
      const path = [...this.path, cut];
      if (cut.body) this.made = new CutMap(cut.body, cut.body[0]!.keyStart - cut.body[0]!.start, path, entries);
      // An empty value's range runs over the comments after it as far as what follows in place decides.
      else if (cut.emptyWithComment) this.made = entries.pairInWhole(path).value!;
      else this.made = entries.pair(cut, this.indent).value!;
    }
    return this.made;
  }
}

class CutMap implements YamlMap {
  readonly kind = 'map';
  private madePairs: YamlPair[] | undefined;
  private madeRange: YamlRange | undefined;
  constructor(private readonly cuts: readonly Cut[], private readonly indent: number, private readonly path: readonly Cut[], private readonly entries: Entries) {}

  /**
   * A map's range ends after its last entry's trailing comments, which only the whole text settles; readers ask
   * for the range of a whole section rarely, so the whole text is parsed then.
   */
  get range(): YamlRange {
    const { entries, path } = this;
    return (this.madeRange ??= (path.length === 0 ? entries.root() : entries.pairInWhole(path).value!).range!);
  }

  get pairs(): readonly YamlPair[] {
    return (this.madePairs ??= this.cuts.map((cut) => new CutPair(cut, this.indent, this.path, this.entries)));
  }
}

/** Parses now every entry the line check cannot vouch for; false when one of them needs parseDocument. */
function parseUnplain(cuts: readonly Cut[], indent: number, entries: Entries): boolean {
  for (const cut of cuts) {
    if (cut.body) {
      if (!parseUnplain(cut.body, cut.body[0]!.keyStart - cut.body[0]!.start, entries)) return false;
    } else if (!isPlainEntry(entries.text, cut.start, cut.end, indent)) {
      try {
        entries.pair(cut, indent);
      } catch {
        return false;
      }
    }
  }
  return true;
}

/**
 * The root map of a text read entry by entry, or undefined when the text's top level is not a block map of plain
 * keys at column 0 (then the whole text is parsed at once). Nodes throw NEEDS_DOCUMENT as described above.
 */
export function readCut(text: string, parseOptions: object): YamlMap | undefined {
  if (text.includes('\r')) return undefined;
  const cuts = cutMap(text, 0, text.length, 0, 0);
  if (!cuts) return undefined;
  const entries = new Entries(text, parseOptions);
  if (!parseUnplain(cuts, 0, entries)) return undefined;
  return new CutMap(cuts, 0, [], entries);
}
