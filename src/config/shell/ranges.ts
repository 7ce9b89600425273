// Offsets → SourceRange for one text: the line table is built once so that every key a reader maps costs a
// binary search, not a scan (readers map hundreds of keys in files of thousands of lines).
import type { SourceRange } from '../../model/problems';

export type RangeOf = (startOffset: number, endOffset: number) => SourceRange;

export function rangeFactory(text: string): RangeOf {
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
  };
  return (startOffset, endOffset) => {
    const start = Math.max(0, Math.min(startOffset, text.length));
    const end = Math.max(start, Math.min(endOffset, text.length));
    const a = position(start);
    const b = position(end);
    return { startOffset: start, endOffset: end, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
}
