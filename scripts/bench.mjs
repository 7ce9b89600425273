// Bundles bench/index.ts (so it measures the same code the product ships) and runs it.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';

await esbuild.build({ entryPoints: ['bench/index.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: 'dist/bench.js', logLevel: 'warning' });
const result = spawnSync(process.execPath, ['dist/bench.js'], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
