// Bundles bench/index.ts with the product's own build options (so it measures the code that ships) and runs it.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { commonOptions, nodeCjs } from './esbuildOptions.mjs';

await esbuild.build({ ...commonOptions(true), ...nodeCjs, sourcemap: false, entryPoints: ['bench/index.ts'], outfile: '.bench/bench.js' });
const result = spawnSync(process.execPath, ['.bench/bench.js'], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
