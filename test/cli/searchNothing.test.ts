// plens search when it has nothing to rank: a file whose GPU or precision no layout can be priced on is refused
// with the reason, and a cluster too small for every layout says what each needs at least, in text and --json.
import { describe, expect, it } from 'vitest';
import { runSearch } from '../../src/cli/commands/search';
import { memoryIo, UsageError } from '../../src/cli/io';

const design = (gpu: string, nodes: number, precision = 'bf16') => `model: llama3-8b
cluster:
  gpu: ${gpu}
  nodes: ${nodes}
  gpusPerNode: 8
  hbmGB: 6
parallel:
  tp: 1
  pp: 1
  dp: ${nodes * 8}
  zero: 1
schedule: 1f1b
training:
  seqLength: 2048
  microBatchSize: 1
  globalBatchSize: 16
  precision: ${precision}
  recompute: selective
`;

describe('plens search with nothing to rank', () => {
  it('refuses a GPU it does not know, and a precision the GPU does not run', async () => {
    await expect(runSearch(['run.plens.yaml'], memoryIo({ 'run.plens.yaml': design('Z9000', 1) })))
      .rejects.toThrow(new UsageError('run.plens.yaml: no layout can be priced: unknown GPU "Z9000" (plens catalog gpus lists the known ones)'));
    await expect(runSearch(['run.plens.yaml'], memoryIo({ 'run.plens.yaml': design('A100-80GB', 1, 'fp8') })))
      .rejects.toThrow(new UsageError('run.plens.yaml: no layout can be priced: A100-80GB has no FP8 tensor cores'));
  });

  it('says what every layout needs at least when none fits', async () => {
    const text = memoryIo({ 'run.plens.yaml': design('H100-SXM', 1) });
    await runSearch(['run.plens.yaml'], text);
    expect(text.out).toMatch(/\nNo layout to rank: none of the \d+ layouts fits in 6\.0 GiB per GPU: each needs at least \d+\.\d GiB \(the least of the memory bounds and estimates that ruled them out\)\.\n$/);
    const json = memoryIo({ 'run.plens.yaml': design('H100-SXM', 1) });
    await runSearch(['run.plens.yaml', '--json'], json);
    const result = JSON.parse(json.out);
    expect(result.results).toEqual([]);
    expect(result.leastPeakBytes).toBeGreaterThan(6 * 2 ** 30);
    expect(text.out).toContain(`needs at least ${(result.leastPeakBytes / 2 ** 30).toFixed(1)} GiB`);
  });
});
