// `npm run demo`: the main job on the bundled examples. Estimates the DeepSeek-V3 training layout, compares
// DualPipe with 1F1B and ZB-H1 for PP=8 and 20 micro-batches, and writes DualPipe's timeline as a Chrome trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const plens = (...args) => {
  console.log(`\n$ plens ${args.join(' ')}`);
  const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

mkdirSync('demo-output', { recursive: true });
if (existsSync('examples/deepseek-v3.plens.yaml')) plens('estimate', 'examples/deepseek-v3.plens.yaml');
plens('compare', '--pp', '8', '--microbatches', '20', '--schedules', '1f1b,zb-h1,dualpipe');
plens('schedule', '--schedule', 'dualpipe', '--pp', '8', '--microbatches', '20', '--trace', 'demo-output/dualpipe-pp8-m20.trace.json');
