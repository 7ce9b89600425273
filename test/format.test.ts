import { describe, expect, it } from 'vitest';
import type { Estimate } from '../src/model/estimate';
import { describeOrigin, escapeMarkdown, formatBytes, formatGiB, formatPeakMemory, formatPercent, formatQuantity, formatSeconds, headline, significant } from '../src/format';

describe('significant', () => {
  it('keeps three significant figures and drops trailing zeros', () => {
    expect(significant(12.345)).toBe('12.3');
    expect(significant(0.042137)).toBe('0.0421');
    expect(significant(15.692183)).toBe('15.7');
    expect(significant(2.5)).toBe('2.5');
    expect(significant(80)).toBe('80');
  });
  it('rounds large numbers to whole values instead of exponent notation', () => {
    expect(significant(1234)).toBe('1230');
    expect(significant(141892.57)).toBe('142000');
  });
});

describe('units', () => {
  it('formats durations with a unit that keeps them readable', () => {
    expect(formatSeconds(15.692183)).toBe('15.7 s');
    expect(formatSeconds(0.7175536)).toBe('718 ms');
    expect(formatSeconds(0.00001)).toBe('10 µs');
    expect(formatSeconds(900)).toBe('15 min');
    expect(formatSeconds(40_000)).toBe('11.1 h');
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(1500)).toBe('25 min');
  });
  it('formats fractions as whole percents, small ones with one digit', () => {
    expect(formatPercent(0.0697)).toBe('7%');
    expect(formatPercent(0.2578)).toBe('26%');
    expect(formatPercent(0.004)).toBe('0.4%');
    expect(formatPercent(0)).toBe('0%');
  });
  it('gives a percentage more places on request, keeping the small-share rule one place further down', () => {
    expect(formatPercent(0.41234, 1)).toBe('41.2%');
    expect(formatPercent(0.2, 1)).toBe('20%');
    expect(formatPercent(0.20449, 1)).toBe('20.4%');
    expect(formatPercent(0.0012, 1)).toBe('0.1%');
    expect(formatPercent(0.0004, 1)).toBe('0.04%');
    expect(formatPercent(Number.NaN, 1)).toBe('—');
  });
  it('formats memory in GiB against capacity, traffic with decimal prefixes', () => {
    // 164.4 GiB of an 80 GiB H800 (2^30-byte units, as the GPU catalog states capacities).
    expect(formatPeakMemory(176_521_549_606.4, 80 * 2 ** 30)).toBe('164/80 GiB');
    expect(formatBytes(13_212_057_600)).toBe('13.2 GB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(999_600)).toBe('1 MB');
    expect(formatBytes(3.2e18)).toBe('3200 PB');
    expect(formatGiB(1.5 * 2 ** 30)).toBe('1.5 GiB');
  });
  it('formats counts with the same decimal prefixes as bytes, without a unit', () => {
    expect(formatQuantity(4_012_345)).toBe('4.01 M');
    expect(formatQuantity(141_892.57)).toBe('142 k');
    expect(formatQuantity(950)).toBe('950');
    expect(formatQuantity(999_600)).toBe('1 M');
    expect(formatQuantity(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('headline', () => {
  it('reads step, MFU, bubble and peak memory', () => {
    const estimate = {
      stepTimeSeconds: 12.34, mfu: 0.412, bubble: { seconds: 0.74, fraction: 0.06, closedFormSeconds: 0.7 },
      memory: { capacityBytes: 80 * 2 ** 30, peakBytes: 61.2 * 2 ** 30, stages: [] },
    } as unknown as Estimate;
    expect(headline(estimate)).toBe('step 12.3 s · MFU 41% · bubble 6% · peak 61.2/80 GiB');
  });
});

describe('escapeMarkdown', () => {
  it('turns HTML into inert text', () => {
    const escaped = escapeMarkdown('<img src=x onerror=alert(1)>');
    expect(escaped).toBe('&lt;img src=x onerror=alert\\(1\\)\\>');
    expect(escaped).not.toContain('<');
  });
  it('breaks Markdown links and emphasis', () => {
    expect(escapeMarkdown('[run](command:workbench.action.terminal.new)')).toBe('\\[run\\]\\(command:workbench\\.action\\.terminal\\.new\\)');
    expect(escapeMarkdown('*a* _b_ `c` | d')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\| d');
  });
  it('keeps a value on one line', () => {
    expect(escapeMarkdown('a\n# b')).toBe('a \\# b');
  });
});

describe('describeOrigin', () => {
  it('says where a value came from', () => {
    const range = { startOffset: 176, endOffset: 178, line: 9, column: 7, endLine: 9, endColumn: 9 };
    expect(describeOrigin({ from: 'file', range })).toBe('this file (line 9)');
    expect(describeOrigin({ from: 'derived', detail: 'world size / (tp·pp·cp)' })).toBe('derived: world size / (tp·pp·cp)');
    expect(describeOrigin({ from: 'directive', range, detail: 'plens directive' })).toBe('a plens: directive (line 9)');
    expect(describeOrigin(undefined)).toBe('not set');
  });
});
