// The debug lines the "Parallelism Lens" output channel shows for each analysis and hover (src/extension/analysis/latency.ts).
import { describe, expect, it } from 'vitest';
import { analysisLine, elapsedMs, hoverLine } from '../../src/extension/analysis/latency';

describe('editor latency lines', () => {
  it('rounds elapsed time to a hundredth of a millisecond', () => {
    expect(elapsedMs(100, 103.4567)).toBe(3.46);
    expect(elapsedMs(5, 5)).toBe(0);
  });

  it('gives the analysis time apart from the time spent reading its inputs', () => {
    expect(analysisLine({ file: '/w/train.sh', version: 7, inputMs: 0.5, analysisMs: 3.456, recognised: true }))
      .toBe('analysis 3.46 ms (+ 0.50 ms reading inputs) /w/train.sh v7');
    expect(analysisLine({ file: '/w/notes.yaml', version: 1, inputMs: 0, analysisMs: 0.2, recognised: false }))
      .toBe('analysis 0.20 ms (+ 0.00 ms reading inputs) /w/notes.yaml v1: not a config a reader recognises');
  });

  it('names the field a hover was built for, or says there was none', () => {
    expect(hoverLine({ file: '/w/a.yaml', field: 'plan.pp', hoverMs: 1.234, waitMs: 0 }))
      .toBe('hover 1.23 ms (+ 0.00 ms waiting for the analysis) /w/a.yaml at plan.pp');
    expect(hoverLine({ file: '/w/a.yaml', field: undefined, hoverMs: 0.01, waitMs: 2 }))
      .toBe('hover 0.01 ms (+ 2.00 ms waiting for the analysis) /w/a.yaml: no field here');
  });
});
