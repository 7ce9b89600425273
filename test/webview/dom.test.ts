// wholeNumber reads both panels' count fields (pipeline ranks, micro-batches, chunks, micro-batch size); anything
// it lets through is sent to the host as a query.
import { describe, expect, it } from 'vitest';
import { wholeNumber } from '../../webview/dom';

describe('wholeNumber', () => {
  it('reads digits, ignoring the spaces around them', () => {
    expect(wholeNumber('8')).toBe(8);
    expect(wholeNumber('  16 ')).toBe(16);
    expect(wholeNumber('007')).toBe(7);
  });

  it('refuses zero, signs, fractions, exponents and empty fields', () => {
    for (const text of ['0', '00', '-1', '+2', '1.5', '2.0', '1e3', '0x10', '', '   ', '4 8', 'eight']) {
      expect(wholeNumber(text), text).toBeUndefined();
    }
  });
});
