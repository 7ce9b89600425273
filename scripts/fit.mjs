// npm run fit: fit the catalog plateaus on the fit rows (scripts/fitCalibration.ts) and print them.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const out = 'dist/fit.mjs';
mkdirSync('dist', { recursive: true });
await esbuild.build({ entryPoints: ['scripts/fitCalibration.ts'], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
const { fitCases, fit } = await import(pathToFileURL(out).href);
rmSync(out);
const cases = fitCases(JSON.parse(readFileSync('test/fixtures/published_runs.json', 'utf8')), JSON.parse(readFileSync('test/fixtures/published_runs_modern.json', 'utf8')));
// Start from the previous fit (recorded in efficiency.ts / calibration.ts).
const start = { layerFixed: 500e-6, moeLayerFixed: 500e-6, ampereGemm: 0.74, ampereAttention: 0.29, tealBf16Gemm: 0.46, tealFp8Gemm: 0.4, tealAttention: 0.2, hopperFp8Gemm: 0.72, blackwellFp8Gemm: 0.75, blackwellAttention: 0.24 };
console.log(JSON.stringify(fit(cases, start), null, 1));
