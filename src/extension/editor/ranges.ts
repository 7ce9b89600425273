// From the readers' 1-based SourceRange (CONTRACT.md) to the editor's 0-based line/character positions. Pure, no
// `vscode`, so the off-by-one that would put every squiggle one character late is unit-tested.
import type { SourceRange } from '../../model/problems';

export interface ZeroBasedRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export function zeroBased(range: SourceRange): ZeroBasedRange {
  const startLine = Math.max(0, range.line - 1);
  const startCharacter = Math.max(0, range.column - 1);
  let endLine = Math.max(0, range.endLine - 1);
  let endCharacter = Math.max(0, range.endColumn - 1);
  // A range that ends before it starts (a reader bug) is shown as the start rather than dropped.
  if (endLine < startLine || (endLine === startLine && endCharacter < startCharacter)) {
    endLine = startLine;
    endCharacter = startCharacter;
  }
  return { startLine, startCharacter, endLine, endCharacter };
}

/** True when a 0-based offset lies in the range (end inclusive, so a cursor just after a key still hovers it). */
export function containsOffset(range: SourceRange, offset: number): boolean {
  return offset >= range.startOffset && offset <= range.endOffset;
}
