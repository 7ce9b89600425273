// torchtitan's published memory (Liang et al. 2024, docs/performance.md Tables 1–3: Llama 3.1 8B on 8 and 128
// H100, FSDP2, selective op-level or full checkpointing) against the estimate's peak per GPU. torchtitan logs the
// caching allocator's peak reserved bytes, which leaves out what lives outside it (CUDA context, NCCL buffers):
// the estimate's fixed reserve, so the comparison drops it (docs/MEMORY.md "Against torchtitan's tables").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/model/catalog/models';
import type { Design } from '../../../src/model/design';
import { DEFAULT_MEMORY_RESERVE } from '../../../src/model/cost/memory/memory';
import { estimate } from '../../../src/model/estimate';

interface PublishedRun {
  id: string;
  model: { seq_len: number };
  hardware: { num_gpus: number };
  parallel: { dp: number; cp: number };
  batch: { micro_batch: number; global_batch_seqs: number };
  recompute: string;
  precision: string;
  reported: { peak_memory_gib?: number | null };
}

const GIB = 2 ** 30;
const runs: PublishedRun[] = JSON.parse(readFileSync('test/fixtures/published_runs_modern.json', 'utf8')).runs;
const memoryRows = runs.filter((run) => run.id.startsWith('torchtitan') && typeof run.reported.peak_memory_gib === 'number');

/** The design a row describes: torchtitan defaults for what its table leaves out (selective = op-level). */
function torchtitanDesign(run: PublishedRun): Design {
  const arch = findModel('llama3-8b')!.arch;
  return {
    model: arch,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: run.parallel.cp, ep: 1, etp: 1, dp: run.parallel.dp, zero: 3, sequenceParallel: false,
      seqLength: run.model.seq_len, microBatchSize: run.batch.micro_batch, globalBatchSize: run.batch.global_batch_seqs,
      microbatches: 1, schedule: '1f1b', recompute: run.recompute.startsWith('full') ? 'full' : 'selective',
      precision: run.precision.startsWith('FP8') ? 'fp8' : 'bf16', nodeLimit: null, framework: 'torchtitan',
    },
    // Grand Teton's H100 carries 96 GB of HBM2e (the row's hardware note).
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes: run.hardware.num_gpus / 8, worldSize: run.hardware.num_gpus, hbmGB: 96 },
  };
}

/** The estimate's peak per GPU as torchtitan measures it (the caching allocator's share), GiB. */
function allocatorPeakGib(design: Design): number {
  const result = estimate(design).estimate;
  if (!result) throw new Error(`no estimate for ${design.model.name}`);
  return (result.memory.peakBytes - DEFAULT_MEMORY_RESERVE.fixedBytes) / GIB;
}

describe('torchtitan measured memory (published_runs_modern.json)', () => {
  it('has the ten rows of Tables 1–3', () => expect(memoryRows).toHaveLength(10));

  for (const run of memoryRows) {
    const reported = run.reported.peak_memory_gib ?? Number.NaN;
    it(`${run.id}: within ±10 % of ${reported} GiB`, () => {
      expect(Math.abs(allocatorPeakGib(torchtitanDesign(run)) / reported - 1)).toBeLessThanOrEqual(0.1);
    });
  }
});
