// The rounding the panel, hover and CodeLens use, taken from the product itself (src/format.ts,
// bundled here on the fly), so the end-to-end test turns `plens estimate --json` numbers into exactly the text
// the panel must show.
import * as esbuild from 'esbuild';

const bundled = await esbuild.build({ entryPoints: ['src/format.ts'], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'warning' });
const format = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

/** The three figures the panel's headline must agree on with the CLI. */
export function expectedEstimateTexts(estimate) {
  return {
    'step-time': format.formatSeconds(estimate.stepTimeSeconds),
    mfu: format.formatPercent(estimate.mfu),
    'peak-memory': format.formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes),
  };
}
