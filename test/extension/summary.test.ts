import { describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/model/estimate';
import type { Problem } from '../../src/model/problems';
import { lensTitle, statusText } from '../../src/extension/editor/summary';

const GIB = 2 ** 30;
function estimateWith(peakGiB: number): Estimate {
  return {
    stepTimeSeconds: 15.69, mfu: 0.258, bubble: { seconds: 1.09, fraction: 0.0697, closedFormSeconds: 0.718 },
    memory: { capacityBytes: 80 * GIB, peakBytes: peakGiB * GIB, stages: [] },
  } as unknown as Estimate;
}
const error: Problem = { severity: 'error', code: 'model/incomplete', message: 'the model lacks layers' };

describe('summaries', () => {
  it('lens: the headline, flagged when a stage does not fit', () => {
    expect(lensTitle(estimateWith(61.2), [])).toBe('step 15.7 s · MFU 26% · bubble 7% · peak 61.2/80 GiB');
    expect(lensTitle(estimateWith(164.4), [])).toBe('⚠ does not fit · step 15.7 s · MFU 26% · bubble 7% · peak 164/80 GiB');
  });
  it('lens: counts the errors that stop the estimate', () => {
    expect(lensTitle(null, [error, error])).toBe('Parallelism Lens: no estimate (2 errors; see Problems)');
    expect(lensTitle(null, [])).toBe('Parallelism Lens: no estimate for this file');
  });
  it('status bar: short, with an icon that says whether it fits', () => {
    expect(statusText(estimateWith(61.2), [])).toBe('$(pulse) 15.7 s · MFU 26% · bubble 7% · peak 61.2/80 GiB');
    expect(statusText(estimateWith(90), [])).toMatch(/^\$\(warning\) /);
    expect(statusText(null, [error])).toBe('$(error) plens: 1 error');
  });
});
