// The timeline renderer's speed in a real browser: bundles bench/timelinePage.ts with the panel's build options,
// runs it in headless Chromium (Debian's /usr/bin/chromium through playwright-core) and prints the medians.
// `npm run bench:timeline`; the target is ≤ 50 ms for a whole-step draw of PP 64 × 16,384 micro-batches.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { commonOptions } from './esbuildOptions.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TARGET_MS = 50;

if (!existsSync(CHROMIUM)) {
  console.log(`bench:timeline skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(0);
}
const bundle = await esbuild.build({ ...commonOptions(true), sourcemap: false, entryPoints: ['bench/timelinePage.ts'], platform: 'browser', format: 'iife', target: 'es2022', write: false });
const script = bundle.outputFiles[0].text;
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1700, height: 1000 } });
  await page.setContent('<!DOCTYPE html><html><body></body></html>');
  await page.addScriptTag({ content: script });
  const result = await page.evaluate(() => globalThis.benchResult);
  const rows = [
    ['timeline ops (PP 64 × 16,384 mb, 1F1B)', result.ops, 'ops'],
    ['timeline replay (generate + simulate)', result.replayMs, 'ms'],
    ['timeline draw, whole step, 1590 px', result.wholeStepMs, 'ms'],
    ['timeline draw, zoomed to a tenth', result.zoomedTenthMs, 'ms'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.toFixed(unit === 'ops' ? 0 : 1).padStart(10)} ${unit}`);
  const ok = result.wholeStepMs <= TARGET_MS;
  console.log(`\nwhole-step draw ${ok ? 'within' : 'OVER'} the ${TARGET_MS} ms target`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
}
