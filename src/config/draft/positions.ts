// Offsets → 1-based line/column (CONTRACT.md). Every reader turns its parser's offsets into SourceRanges here,
// so a file's line starts are computed once and each lookup is a binary search.
import type { SourceRange } from '../../model/problems';

export interface LineIndex {
  /** Offset of the first character of each line; lineStarts[0] = 0. */
  readonly lineStarts: readonly number[];
  readonly length: number;
}

export function lineIndex(text: string): LineIndex {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \r\n counts as one break; a lone \r is a break too (old Mac files), as the yaml package treats it.
    if (c === 10) lineStarts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) lineStarts.push(i + 1);
  }
  return { lineStarts, length: text.length };
}

function clampOffset(index: LineIndex, offset: number): number {
  if (!Number.isFinite(offset) || offset < 0) return 0;
  return Math.min(Math.floor(offset), index.length);
}

/** 1-based line and column of a 0-based offset (clamped into the text). */
export function positionAt(index: LineIndex, offset: number): { line: number; column: number } {
  const at = clampOffset(index, offset);
  const starts = index.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: at - starts[lo]! + 1 };
}

/** The range [startOffset, endOffset) with its lines and columns; a reversed span is made empty at its start. */
export function rangeAt(index: LineIndex, startOffset: number, endOffset: number): SourceRange {
  const start = clampOffset(index, startOffset);
  const end = Math.max(start, clampOffset(index, endOffset));
  const from = positionAt(index, start);
  const to = positionAt(index, end);
  return { startOffset: start, endOffset: end, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}
