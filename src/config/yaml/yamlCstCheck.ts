// Whether the yaml package's composer would read a CST exactly as yamlCst.ts does, and where each collection
// ends. One pass over the whole document, allocating nothing but a range per collection: it decides whether
// the text may be read from the CST at all, so it must see everything the composer would report. The
// conditions follow yaml 2.9's compose/*.js (resolve-block-map, resolve-block-seq, resolve-flow-collection,
// resolve-props, resolve-end, resolve-flow-scalar); where the composer would report an error or warning, or
// where the walk does not copy its reading (anchors, aliases, tags, `?` keys, `<<` keys), the answer is
// FALLBACK and the text goes to parseDocument.
import { CST } from 'yaml';
import type { YamlRange } from './nodes';

/** Thrown inside the check when the composer's reading must be used instead. */
export const FALLBACK = Symbol('fallback');

/** Deeper nesting goes to the composer, which then reports its own limit the way it always did. */
const MAX_DEPTH = 200;

export type FlowScalarToken = CST.FlowScalar & { type: 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar' };

export function fallback(): never {
  throw FALLBACK;
}

export const endOf = (token: { offset: number; source: string }): number => token.offset + token.source.length;

export function isFlowScalar(token: CST.Token | null | undefined): token is FlowScalarToken {
  return token?.type === 'scalar' || token?.type === 'single-quoted-scalar' || token?.type === 'double-quoted-scalar';
}

/** resolve-end: what may follow a node on its line (space, comment, line break); the offset after it. */
export function endTokens(end: readonly CST.SourceToken[] | undefined, offset: number): number {
  if (!end) return offset;
  for (const token of end) {
    if (token.type !== 'space' && token.type !== 'comment' && token.type !== 'newline') fallback();
    offset += token.source.length;
  }
  return offset;
}

/** util-empty-scalar-position: where the composer places the null of `key:` or a bare `-`. */
export function emptyScalarOffset(offset: number, before: readonly CST.SourceToken[]): number {
  for (let i = before.length - 1; i >= 0; --i) {
    let token = before[i];
    if (token && (token.type === 'space' || token.type === 'comment' || token.type === 'newline')) {
      offset -= token.source.length;
      continue;
    }
    token = before[++i];
    while (token?.type === 'space') {
      offset += token.source.length;
      token = before[++i];
    }
    break;
  }
  return offset;
}

/** What resolve-props found in a run of tokens; one object, overwritten by every `scanProps`. */
export const scanned = { found: false, comma: false, comment: false, newline: false, end: 0 };

/**
 * resolve-props over the tokens before a node or after a key, for the tokens the walk accepts: spaces (no
 * tabs outside flow collections), line breaks, comments after white space, one indicator and, in flow
 * collections, one comma. The result is in `scanned`; anything else falls back.
 */
export function scanProps(tokens: readonly CST.SourceToken[], indicator: 'seq-item-ind' | 'map-value-ind' | null, flow: boolean, startOnNewline: boolean, offset: number): void {
  if (tokens.length === 0) {
    scanned.found = scanned.comma = scanned.comment = scanned.newline = false;
    scanned.end = offset;
    return;
  }
  let hasSpace = startOnNewline;
  let found = false;
  let comma = false;
  let comment = false;
  let newline = false;
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        if (!flow && token.source.includes('\t')) fallback();
        hasSpace = true;
        break;
      case 'comment':
        if (!hasSpace) fallback();
        comment = true;
        break;
      case 'newline':
        newline = true;
        hasSpace = true;
        break;
      case 'comma':
        if (!flow || comma) fallback();
        comma = true;
        hasSpace = false;
        break;
      default:
        if (token.type !== indicator || found) fallback();
        found = true;
        hasSpace = false;
    }
  }
  const last = tokens[tokens.length - 1];
  scanned.found = found;
  scanned.comma = comma;
  scanned.comment = comment;
  scanned.newline = newline;
  scanned.end = last ? endOf(last) : offset;
}

/** Where the composer's empty scalar after `tokens` ends: after them when they hold a comment. */
function emptyEnd(end: number, before: readonly CST.SourceToken[], comment: boolean): number {
  return comment ? end : emptyScalarOffset(end, before);
}

/** The checks, and each collection's range ([start, end of content, end after trailing comments]). */
export class CstCheck {
  readonly ranges = new Map<CST.Token, YamlRange>();

  /** The end (after trailing comment and line break) of a node the walk can read. */
  node(token: CST.Token, depth: number): number {
    if (depth > MAX_DEPTH) fallback();
    switch (token.type) {
      case 'scalar': {
        const source = token.source;
        if (badPlainStart(source.charCodeAt(0))) fallback();
        return endTokens(token.end, token.offset + source.length);
      }
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'block-scalar': {
        let failed = false;
        const end = CST.resolveAsScalar(token, false, () => { failed = true; }).range[2];
        if (failed) fallback();
        return end;
      }
      case 'block-map':
        return this.blockMap(token, depth + 1);
      case 'block-seq':
        return this.blockSeq(token, depth + 1);
      case 'flow-collection':
        return this.flowCollection(token, depth + 1);
      default:
        return fallback();
    }
  }

  /** A key: a flow scalar that is not `<<` (a merge key under YAML 1.1 rules). */
  private key(token: CST.Token | null | undefined, depth: number): number {
    if (!isFlowScalar(token) || (token.type === 'scalar' && token.source === '<<')) fallback();
    return this.node(token, depth);
  }

  /** A block map's key: also at the map's column and on one line (util-contains-newline). */
  private blockKey(token: CST.Token | null | undefined, indent: number, depth: number): number {
    if (!isFlowScalar(token) || token.indent !== indent || token.source.includes('\n')) fallback();
    const end = token.end;
    if (end) for (const part of end) if (part.type === 'newline') fallback();
    return this.key(token, depth);
  }

  blockMap(map: CST.BlockMap, depth: number): number {
    let offset = map.offset;
    let commentEnd: number | null = null;
    for (const item of map.items) {
      scanProps(item.start, null, false, true, offset);
      const sep = item.sep;
      const key = item.key;
      if (!sep) {
        // A line of comments only; the composer reports one that has items after it.
        if (key) fallback();
        commentEnd = scanned.end;
        continue;
      }
      scanProps(sep, 'map-value-ind', false, false, this.blockKey(key, map.indent, depth));
      const value = item.value;
      if (!scanned.found || (value?.type === 'block-map' && !scanned.newline)) fallback();
      offset = value ? this.node(value, depth) : emptyEnd(scanned.end, sep, scanned.comment);
    }
    if (commentEnd && commentEnd < offset) fallback();
    return this.setRange(map, map.offset, offset, commentEnd ?? offset);
  }

  blockSeq(seq: CST.BlockSequence, depth: number): number {
    let offset = seq.offset;
    let commentEnd: number | null = null;
    for (const { start, value } of seq.items) {
      scanProps(start, 'seq-item-ind', false, true, offset);
      if (!scanned.found) {
        if (value) fallback();
        commentEnd = scanned.end;
        continue;
      }
      offset = value ? this.node(value, depth) : emptyEnd(scanned.end, start, scanned.comment);
    }
    return this.setRange(seq, seq.offset, offset, commentEnd ?? offset);
  }

  /** `[a, b]` and `{k: v}`; pairs inside a flow list, `?` keys and keys without `:` go to the composer. */
  flowCollection(flow: CST.FlowCollection, depth: number): number {
    const isMap = flow.start.source === '{';
    const count = flow.items.length;
    let offset = flow.offset + flow.start.source.length;
    for (let i = 0; i < count; i++) {
      const { start, key, sep, value } = flow.items[i]!;
      scanProps(start, null, true, false, offset);
      if (!sep && !value) {
        // An empty item is allowed only as the trailing comma's.
        if (key || (i === 0 && scanned.comma) || (i > 0 && i < count - 1)) fallback();
        offset = scanned.end;
        continue;
      }
      if (i === 0 ? scanned.comma : !scanned.comma) fallback();
      if (value?.type === 'block-map' || value?.type === 'block-seq') fallback();
      if (!isMap && !sep && value) offset = this.node(value, depth);
      else if (isMap && key && sep) {
        scanProps(sep, 'map-value-ind', true, false, this.key(key, depth));
        if (!scanned.found || scanned.comma) fallback();
        offset = value ? this.node(value, depth) : emptyEnd(scanned.end, sep, scanned.comment);
      } else fallback();
    }
    const [close, ...rest] = flow.end;
    if (close?.source !== (isMap ? '}' : ']')) fallback();
    const closeEnd = endOf(close);
    return this.setRange(flow, flow.offset, closeEnd, rest.length > 0 ? endTokens(rest, closeEnd) : closeEnd);
  }

  private setRange(token: CST.Token, start: number, valueEnd: number, nodeEnd: number): number {
    this.ranges.set(token, [start, valueEnd, nodeEnd]);
    return nodeEnd;
  }
}

/** resolve-flow-scalar's plainValue: the only errors a plain scalar can raise are its first character's. */
function badPlainStart(code: number): boolean {
  switch (code) {
    case 0x09: // tab
    case 0x2c: // ,
    case 0x25: // %
    case 0x7c: // |
    case 0x3e: // >
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

