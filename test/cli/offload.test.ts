// Offloading through `plens estimate`: a layout that does not fit in HBM fits once the optimizer lives on the host,
// and the host memory it needs is shown in the text and in the JSON (CONTRACT.md `estimate.memory.host`).
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo } from '../../src/cli/io';

/** Llama 3 8B data-parallel on one DGX H100 without a distributed optimizer: 18 B per parameter on every GPU. */
function llama8b(offload: string): string {
  return [
    'model: llama3-8b',
    'cluster: {gpu: H100-SXM, nodes: 1, gpusPerNode: 8}',
    'parallel: {tp: 1, pp: 1, dp: 8, zero: 0}',
    'schedule: 1f1b',
    'training: {seqLength: 4096, microBatchSize: 1, globalBatchSize: 64, precision: bf16, recompute: full}',
    offload,
    '',
  ].join('\n');
}

async function estimateOf(text: string, json: boolean) {
  const io = memoryIo({ 'llama.plens.yaml': text });
  const code = await runEstimate(['llama.plens.yaml', ...(json ? ['--json'] : [])], io);
  return { code, out: io.out };
}

interface Json {
  estimate: null | { memory: { peakBytes: number; capacityBytes: number; host: { peakBytes: number; capacityBytes: number; gpusPerHost: number; link: string }; stages: { host: { totalBytes: number; optimizerBytes: number } }[] } };
  problems: { code: string; severity: string }[];
}

describe('plens estimate with the optimizer offloaded', () => {
  it('does not fit without offloading', async () => {
    const { out } = await estimateOf(llama8b(''), true);
    const result = JSON.parse(out) as Json;
    expect(result.problems.map((p) => p.code)).toContain('memory/over-capacity');
  });

  it('fits with it, and gives the host memory per host in --json', async () => {
    const { code, out } = await estimateOf(llama8b('offload: {optimizer: 1}'), true);
    const result = JSON.parse(out) as Json;
    expect(code).toBe(0);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const memory = result.estimate!.memory;
    expect(memory.peakBytes).toBeLessThan(memory.capacityBytes);
    // 8 GPUs × 8.03 B parameters × (12 B of master and moments + 4 B of FP32 gradient copy) ≈ 0.93 TiB of 2 TiB.
    expect(memory.host.peakBytes / 2 ** 40).toBeCloseTo(0.935, 2);
    expect(memory.host).toMatchObject({ capacityBytes: 2 * 2 ** 40, gpusPerHost: 8, link: 'PCIe 5.0' });
    expect(memory.stages[0]!.host.totalBytes * 8).toBeCloseTo(memory.host.peakBytes, -3);
  });

  it('shows the host-memory line in the text', async () => {
    const { out } = await estimateOf(llama8b('offload: {optimizer: 1}'), false);
    expect(out).toMatch(/host memory +957 GiB of 2050 GiB per host of 8 GPUs \(46\.7%\), over PCIe 5\.0/);
    expect(out).toContain('host per GPU');
    const { out: plain } = await estimateOf(llama8b(''), false);
    expect(plain).not.toContain('host memory');
  });

  it('says when the host does not have the memory', async () => {
    const text = llama8b('offload: {optimizer: 1}').replace('gpusPerNode: 8}', 'gpusPerNode: 8, hostMemoryGB: 512}');
    const { out } = await estimateOf(text, true);
    expect((JSON.parse(out) as Json).problems.map((p) => p.code)).toContain('memory/host-over-capacity');
  });
});
