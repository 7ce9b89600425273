// Latency of one estimate() of the DeepSeek-V3 example, read and completed as `plens estimate` does, median after
// warm-up. The budget is 2 ms.
import { readFileSync } from 'node:fs';
import { completeDesign } from '../src/config/completion/complete';
import { readConfig } from '../src/config/index';
import { estimate } from '../src/model/estimate';
import { medianMilliseconds, type BenchRow } from './measure';

const EXAMPLE = 'examples/deepseek-v3.plens.yaml';

export function benchEstimate(): BenchRow[] {
  const text = readFileSync(EXAMPLE, 'utf8');
  const read = readConfig(text, EXAMPLE);
  const design = read && completeDesign(read, { text }).design;
  if (!design) throw new Error(`${EXAMPLE} does not complete to a design`);
  const ms = medianMilliseconds(() => { estimate(design); }, 200);
  return [{ name: 'estimate() DeepSeek-V3 example (median)', value: ms, unit: 'ms' }];
}
