import { describe, expect, it } from 'vitest';
import { csv } from '../../src/cli/csv';

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks, and ends every row with CRLF', () => {
    expect(csv(['a', 'b'], [[1, 'x, y'], [true, 'say "hi"\nthen']])).toBe('a,b\r\n1,"x, y"\r\ntrue,"say ""hi""\nthen"\r\n');
  });
});

describe('csv and spreadsheets', () => {
  it('keeps text that starts like a formula as text, and leaves numbers alone', () => {
    expect(csv(['a', 'b', 'c'], [['=HYPERLINK("x")', '@SUM(A1)', -1.5]])).toBe('a,b,c\r\n"\'=HYPERLINK(""x"")",\'@SUM(A1),-1.5\r\n');
  });
});
