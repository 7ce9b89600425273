// The `plens` executable (dist/cli.js): sets the V8 flags its command runs with, then runs the bundle beside it
// (dist/plens.js, built from plens.ts) from V8's code cache when the build left one for that very bundle.
//
// A cold `plens` compiles every function it calls before running it; a code cache made by a run of the same bundle
// holds their bytecode (Node 22 does the same with module.enableCompileCache; this runs on Node 20). The build makes
// two (scripts/build.mjs): one for `search`, whose flags differ, one for every other command. V8 refuses a cache made
// by another V8 version or other flags, and the file starts with the bundle's SHA-256, so an edited bundle never
// runs a stale one: either way the bundle is compiled as usual.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const search = process.argv[2] === 'search';

// A layout search is a short process that runs many moderately hot functions a few thousand times each. In a perf
// profile of `plens search` on the DeepSeek-V3 example, V8's optimizing compiler took about as much CPU, on its
// background threads, as the search itself, most of it inlining and escape analysis; on two cores it competes
// with the search for the second core. Without those two passes the process uses about a quarter less CPU and wall
// time (DESIGN.md §7), and the answer is the same. Three times V8's default interrupt budget (67,584) leaves the
// functions that run only briefly to the baseline compiler, and loop peeling, store-store elimination and node
// splitting cost more to compile than they save in a run this short: together about 7 % less CPU for the same wall
// time on two idle cores, and about 10 % less wall time where the search has one core to itself (taskset -c 0,
// DESIGN.md §8), as on a busy machine, where the compiler's threads take their CPU from the search.
// The largest function a search runs, the layout estimate (5.4 kB of bytecode), runs a few hundred times; V8
// asked for its optimized code near the end of the search, compiled it for about 67 ms, and the process waited for
// that compile before it could exit (Node drains the compiler's queue on the way out). A cap of 4 kB of bytecode
// leaves it to the baseline compiler and every smaller function as it was: about 5 % less wall time in paired runs
// (DESIGN.md §7).
// They stay on for every other command: the schedule simulator's long loops gain from them. The flags are
// process-wide, so the search's worker threads compile the same way; they are set before the bundle is compiled,
// as the code cache was made with them.
if (search) {
  setFlagsFromString('--no-turbo-inlining');
  setFlagsFromString('--no-turbo-escape');
  setFlagsFromString('--interrupt-budget=202752');
  setFlagsFromString('--max-optimized-bytecode-size=4096');
  setFlagsFromString('--no-turbo-loop-peeling');
  setFlagsFromString('--no-turbo-store-elimination');
  setFlagsFromString('--no-turbo-splitting');
}

const bundle = join(__dirname, 'plens.js');
const cacheFile = join(__dirname, search ? 'plens.search.cache' : 'plens.cache');
const DIGEST_BYTES = 32;

const source = readFileSync(bundle, 'utf8');
const digest = createHash('sha256').update(source).digest();
let cachedData: Buffer | undefined;
try {
  const file = readFileSync(cacheFile);
  if (file.length > DIGEST_BYTES && file.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = file.subarray(DIGEST_BYTES);
} catch {
  // No cache beside the bundle (a build in watch mode, a copy without it): compile as usual.
}

// The bundle has no dynamic import (scripts/esbuildOptions.mjs): a function compiled from the cache would have no
// callback for one.
const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
// The build sets this to write the cache at the end of a run, with the bytecode of every function the run compiled.
if (process.env.PLENS_WRITE_CODE_CACHE === '1') {
  process.on('exit', () => writeFileSync(cacheFile, Buffer.concat([digest, script.createCachedData()])));
}
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
const bundleModule = { exports: {} };
run.call(bundleModule.exports, bundleModule.exports, createRequire(bundle), bundleModule, bundle, dirname(bundle));
