import { describe, expect, it } from 'vitest';
import { csv } from '../../src/cli/csv';

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks, and ends every row with CRLF', () => {
    expect(csv(['a', 'b'], [[1, 'x, y'], [true, 'say "hi"\nthen']])).toBe('a,b\r\n1,"x, y"\r\ntrue,"say ""hi""\nthen"\r\n');
  });
});
