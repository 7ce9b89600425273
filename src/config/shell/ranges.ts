// A closure over the shared line index (config/draft/positions.ts), so shell code can turn offsets into ranges
// without carrying the index around.
import type { SourceRange } from '../../model/problems';
import { lineIndex, rangeAt } from '../draft/positions';

export type RangeOf = (startOffset: number, endOffset: number) => SourceRange;

export function rangeFactory(text: string): RangeOf {
  const index = lineIndex(text);
  return (startOffset, endOffset) => rangeAt(index, startOffset, endOffset);
}
