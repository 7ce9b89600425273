// Whether an entry of a block map is certainly read by the yaml package without an error or a warning, judged
// line by line, so that the cut reading (yamlSplit.ts) may leave it unparsed and still report every syntax
// problem: a text with one is read by parseDocument. The check only ever answers "certainly" or "ask the parser":
// it accepts the lines configs are made of (`key: value`, `key:` opening a block, `- value`, comments) with
// values that cannot be anything but one scalar (a plain one starting with no indicator and holding no `: ` or
// ` #`, a one-line quoted string, `[]`, `{}`), at indentations that nest the one way YAML allows. Anything else
// (flow collections, block scalars, anchors, tags, multi-line scalars, `- key: value`) goes to the parser.
// test/config/readers/yamlSplit.test.ts holds it to parseDocument on every YAML file we ship and mutations of them.

/** A plain key as the cut takes it, then `:` and a space, line break or the end. */
const KEY_LINE = /(?:--?)?[A-Za-z_][A-Za-z0-9_.\-/]{0,255}:(?= |\n|$)/y;

/** Where the `key:` at `at` ends (after the colon), or -1 when the line there does not start with one. */
export function keyEndAt(text: string, at: number, lineEnd: number): number {
  KEY_LINE.lastIndex = at;
  return KEY_LINE.test(text) && KEY_LINE.lastIndex <= lineEnd ? KEY_LINE.lastIndex : -1;
}

/** A list item's `-` at `at`: followed by a space, or alone on its line. */
export function isDashAt(text: string, at: number, lineEnd: number): boolean {
  const next = text.charCodeAt(at + 1);
  return text.charCodeAt(at) === 0x2d && (at + 1 >= lineEnd || next === 0x20 || next === 0x0a);
}

const enum Value {
  Empty,
  Scalar,
  Other,
}

/** What follows a key's `:` or a list's `-` up to `lineEnd`: nothing (or a comment), one certain scalar, or else. */
function valueAt(text: string, from: number, lineEnd: number): Value {
  let i = from;
  while (i < lineEnd && text.charCodeAt(i) === 0x20) i++;
  if (i >= lineEnd) return Value.Empty;
  const c = text.charCodeAt(i);
  if (c === 0x23 /* # */) return i > from ? Value.Empty : Value.Other;
  if (i === from) return Value.Other;
  let end: number;
  if (c === 0x27 /* ' */ || c === 0x22 /* " */) {
    end = quotedEnd(text, i, lineEnd);
    if (end < 0) return Value.Other;
  } else if ((c === 0x5b /* [ */ && text.charCodeAt(i + 1) === 0x5d) || (c === 0x7b /* { */ && text.charCodeAt(i + 1) === 0x7d)) {
    end = i + 2;
  } else {
    return plainScalarAt(text, i, lineEnd) ? Value.Scalar : Value.Other;
  }
  return restIsComment(text, end, lineEnd) ? Value.Scalar : Value.Other;
}

/** After a quoted value or `[]`: only spaces, then nothing or a comment after a space. */
function restIsComment(text: string, from: number, lineEnd: number): boolean {
  let i = from;
  while (i < lineEnd && text.charCodeAt(i) === 0x20) i++;
  return i >= lineEnd || (i > from && text.charCodeAt(i) === 0x23);
}

/** Controls, the byte-order mark and the characters some readers take as line breaks: left to the parser. */
function isUnusual(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

/**
 * The end of a one-line quoted string at `at` (after its closing quote), or -1: unclosed on its line, holding a
 * control character, or (double-quoted) an escape, whose meaning the parser should decide.
 */
function quotedEnd(text: string, at: number, lineEnd: number): number {
  const quote = text.charCodeAt(at);
  for (let i = at + 1; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (isUnusual(c) || (quote === 0x22 && c === 0x5c /* \\ */)) return -1;
    if (c !== quote) continue;
    // In single quotes, '' is an escaped quote.
    if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27 && i + 1 < lineEnd) i++;
    else return i + 1;
  }
  return -1;
}

/** The indicators a plain scalar may not start with (YAML 1.2 ns-plain-first, and `%`, `@`, backquote). */
const NOT_FIRST = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((char) => char.charCodeAt(0)));

/** A one-line plain scalar with nothing that could make it a key, a comment's neighbour or a control. */
function plainScalarAt(text: string, from: number, lineEnd: number): boolean {
  const first = text.charCodeAt(from);
  if (NOT_FIRST.has(first)) {
    // `-1`, `-.5`, `-inf`: a minus sign before a digit, a dot or a letter is a plain scalar.
    const next = text.charCodeAt(from + 1);
    const digitOrLetter = (next >= 0x30 && next <= 0x39) || next === 0x2e || ((next | 0x20) >= 0x61 && (next | 0x20) <= 0x7a);
    if (first !== 0x2d || !digitOrLetter) return false;
  }
  for (let i = from; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (isUnusual(c)) return false;
    if (c === 0x3a /* : */ && (i + 1 >= lineEnd || text.charCodeAt(i + 1) === 0x20)) return false;
    if (c === 0x23 /* # */ && text.charCodeAt(i - 1) === 0x20) return true;
  }
  return true;
}

interface Frame {
  indent: number;
  list: boolean;
  /** A list at its key's own column (`key:` then `- a`), which a key at that column ends. */
  atKeyColumn: boolean;
}

/**
 * Whether text[start, end), an entry whose key line starts at `start` with `indent` spaces, is certainly read
 * without problems. Lines less indented than the entry are not expected (the cut ends it before them).
 */
export function isPlainEntry(text: string, start: number, end: number, indent: number): boolean {
  const frames: Frame[] = [{ indent, list: false, atKeyColumn: false }];
  /** The column of a `key:` with nothing after it, whose block may follow; -1 when none. */
  let openKey = -1;
  let at = start;
  while (at < end) {
    const newline = text.indexOf('\n', at);
    const lineEnd = newline < 0 || newline >= end ? end : newline;
    let i = at;
    while (i < lineEnd && text.charCodeAt(i) === 0x20) i++;
    const depth = i - at;
    at = lineEnd + 1;
    if (i >= lineEnd || text.charCodeAt(i) === 0x23) continue;
    const dash = isDashAt(text, i, lineEnd);
    const valueFrom = dash ? i + 1 : keyEndAt(text, i, lineEnd);
    if (valueFrom < 0) return false;
    if (openKey >= 0) {
      if (depth > openKey || (depth === openKey && dash)) frames.push({ indent: depth, list: dash, atKeyColumn: depth === openKey });
      openKey = -1;
    }
    let top = frames[frames.length - 1]!;
    while (top.indent > depth || (top.atKeyColumn && top.indent === depth && !dash)) {
      frames.pop();
      if (frames.length === 0) return false;
      top = frames[frames.length - 1]!;
    }
    if (top.indent !== depth || top.list !== dash) return false;
    const value = valueAt(text, valueFrom, lineEnd);
    if (value === Value.Other || (dash && value === Value.Empty)) return false;
    if (value === Value.Empty) openKey = depth;
  }
  return true;
}
