import { describe, expect, it } from 'vitest';
import { containsOffset, zeroBased } from '../../src/extension/editor/ranges';
import { analyseData } from './helpers';

describe('zeroBased', () => {
  it('turns the 1-based `pp: 16` range of deepseek-v3.plens.yaml (line 9, columns 7–9) into line 8, characters 6–8', () => {
    const range = analyseData('deepseek-v3.plens.yaml').read.sourceMap.get('plan.pp')!.value;
    expect(zeroBased(range)).toEqual({ startLine: 8, startCharacter: 6, endLine: 8, endCharacter: 8 });
  });
  it('shows a reversed range at its start', () => {
    const reversed = { startOffset: 5, endOffset: 3, line: 2, column: 4, endLine: 2, endColumn: 1 };
    expect(zeroBased(reversed)).toEqual({ startLine: 1, startCharacter: 3, endLine: 1, endCharacter: 3 });
  });
  it('agrees with the offsets: line 9 column 7 is the offset of "16" in the file', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('test/extension/data/deepseek-v3.plens.yaml', 'utf8');
    const range = analyseData('deepseek-v3.plens.yaml').read.sourceMap.get('plan.pp')!.value;
    const lines = text.split('\n');
    const { startLine, startCharacter, endCharacter } = zeroBased(range);
    expect(lines[startLine]!.slice(startCharacter, endCharacter)).toBe('16');
    expect(text.slice(range.startOffset, range.endOffset)).toBe('16');
    expect(containsOffset(range, range.endOffset)).toBe(true);
    expect(containsOffset(range, range.endOffset + 1)).toBe(false);
  });
});
