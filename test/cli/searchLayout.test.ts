// plens search over pipeline layouts, end to end in-process: on a model whose output head and embedding are heavy
// the best row states an uneven layout, --json says it, and --apply --write puts it in the file so that
// `plens estimate` of the written file gives the row's figures.
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { runSearch } from '../../src/cli/commands/search';
import { memoryIo } from '../../src/cli/io';

const FILE = 'heavy-ends.plens.yaml';
// Llama 3 70B with a 512k vocabulary on 16 × 8 H100: the head weighs about three decoder layers.
const TEXT = `model:
  name: llama3-70b
  vocab: 512000
cluster:
  gpu: H100-SXM
  nodes: 16
  gpusPerNode: 8
parallel:
  tp: 8
  pp: 2
  dp: 8
  zero: 1
schedule: 1f1b
training:
  seqLength: 8192
  microBatchSize: 1
  globalBatchSize: 256
  precision: bf16
  recompute: selective
`;

describe('plens search over pipeline layouts', () => {
  it('ranks an uneven layout first, says it in --json, and --apply --write gives plens estimate the same figures', async () => {
    const out = memoryIo({ [FILE]: TEXT });
    await runSearch([FILE, '--json', '--top', '3', '--apply', '1', '--write'], out);
    const json = JSON.parse(out.out);
    const best = json.results[0];
    expect(best.pipelineLayout.source).not.toBe('even');
    expect(best.pipelineLayout.stageLayers).toEqual(best.estimate.stages.map((s: { layers: number }) => s.layers));
    expect(best.pipelineLayout.layout).toMatch(/^E.*L$/);
    // A *.plens.yaml states the layout as parallel.layout, in Megatron's letters.
    expect(json.apply.diff).toContain(`+  layout: "${best.pipelineLayout.layout}"`);
    expect(json.apply.remaining).toEqual([]);
    const again = memoryIo({ [FILE]: out.files[FILE]! });
    await runEstimate([FILE, '--json'], again);
    const estimated = JSON.parse(again.out);
    expect(estimated.design.plan.layout).toBe(best.pipelineLayout.layout);
    expect(estimated.estimate.stepTimeSeconds).toBe(best.estimate.stepTimeSeconds);
    expect(estimated.estimate.memory.peakBytes).toBe(best.estimate.memory.peakBytes);
  });
});
