// The search on worker threads (src/worker/searchDriver.ts) with the real worker entry, bundled as
// scripts/esbuildOptions.mjs's cliTargets bundles it for dist/: the merged answer is the one-thread search's,
// Cancel stops every worker, and a worker that throws or exits early is an Error, not a hang.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { findModel } from '../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../src/model/design';
import { searchLayouts, type SearchProgress } from '../../src/model/search';
import { defaultSearchWorkers, SearchWorkerPool, searchOnWorkers } from '../../src/worker/searchDriver';
// @ts-expect-error: a plain .mjs shared with scripts/build.mjs, without type declarations.
import { cliTargets } from '../../scripts/esbuildOptions.mjs';

const folder = mkdtempSync(join(tmpdir(), 'plens-search-workers-'));
const workerPath = join(folder, 'searchWorker.js');
const throwingWorker = join(folder, 'throwingWorker.js');
const exitingWorker = join(folder, 'exitingWorker.js');

beforeAll(() => {
  const worker = (cliTargets(false, folder, 'test') as { outfile: string }[]).find((target) => target.outfile === workerPath);
  if (!worker) throw new Error('cliTargets no longer builds searchWorker.js beside cli.js');
  buildSync({ ...worker, sourcemap: false, logLevel: 'silent' });
  writeFileSync(throwingWorker, "throw new Error('no search here');\n");
  writeFileSync(exitingWorker, "process.exit(3);\n");
});

function design(modelId: string, nodes: number, plan: Partial<ParallelPlan>): Design {
  return {
    model: findModel(modelId)!.arch,
    plan: {
      tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: nodes * 8, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1,
      globalBatchSize: 64, microbatches: 64 / (nodes * 8), schedule: '1f1b', recompute: 'selective', precision: 'bf16', nodeLimit: null, ...plan,
    },
    cluster: { gpu: 'H100-SXM', gpusPerNode: 8, nodes, worldSize: nodes * 8 },
  };
}

const SMALL = design('llama3-8b', 2, { globalBatchSize: 64, seqLength: 2048 });
// Large enough to still be running when it is cancelled.
const LARGE = design('deepseek-v2', 32, { globalBatchSize: 1024, seqLength: 4096 });

const ranking = (results: { plan: ParallelPlan; estimate: { stepTimeSeconds: number } }[]) => results.map((r) => [r.plan, r.estimate.stepTimeSeconds]);

describe('a search on worker threads', () => {
  it.each([1, 2, 3])('on %i worker(s) gives the one-thread search\'s top 10 and covers its space', async (workers) => {
    const whole = searchLayouts(SMALL, { top: 10 });
    const running = searchOnWorkers(SMALL, { workerPath, workers, objective: 'step-time', top: 10 });
    const merged = await running.result;
    expect(merged.status).toBe('complete');
    expect(ranking(merged.results)).toEqual(ranking(whole.results));
    expect(merged.space).toBe(whole.space);
    expect(merged.evaluated + merged.pruned).toBe(whole.space);
    expect(merged.seconds).toBeGreaterThan(0);
    await running.released;
    expect(running.running).toBe(0);
  });

  it('ranks by memory as the one-thread search does, its progress summed over the workers', async () => {
    // The memory objective prunes little here (8,223 of 8,307 layouts estimated), so every worker reports progress.
    const d = design('llama3-8b', 1, { globalBatchSize: 32, seqLength: 2048 });
    const whole = searchLayouts(d, { top: 5, objective: 'memory' });
    const seen: SearchProgress[] = [];
    const merged = await searchOnWorkers(d, { workerPath, workers: 2, objective: 'memory', top: 5, onProgress: (p) => seen.push(p) }).result;
    expect(ranking(merged.results)).toEqual(ranking(whole.results));
    expect(seen.length).toBeGreaterThan(2);
    for (const [i, p] of seen.entries()) {
      expect(p.space).toBe(whole.space);
      expect(p.evaluated).toBeLessThanOrEqual(merged.evaluated);
      if (i > 0) expect(p.evaluated).toBeGreaterThan(seen[i - 1]!.evaluated);
      if (i > 0) expect(p.best).toBeLessThanOrEqual(seen[i - 1]!.best);
    }
    // Two workers each past 256 layouts: the sum exceeds what either reports alone.
    expect(seen.at(-1)!.evaluated).toBeGreaterThan(whole.evaluated / 2);
  });

  it('Cancel stops every worker and the result says cancelled', async () => {
    const running = searchOnWorkers(LARGE, { workerPath, workers: 2, objective: 'step-time', top: 10 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running.running).toBe(2);
    await running.cancel();
    const result = await running.result;
    expect(result.status).toBe('cancelled');
    expect(result.cutShort).toBe(true);
    expect(result.pruned).toBe(0);
    await running.released;
    expect(running.running).toBe(0);
  });

  it('a worker that throws is an Error naming it, and the others are stopped', async () => {
    const running = searchOnWorkers(SMALL, { workerPath: throwingWorker, workers: 2, objective: 'step-time', top: 10 });
    await expect(running.result).rejects.toThrow(/search worker \d of 2 failed: no search here/);
    await running.cancel();
    await running.released;
    expect(running.running).toBe(0);
  });

  it('a design that cannot be sent to a thread is an Error, and no worker is left searching', async () => {
    const uncopyable = { ...SMALL, model: { ...SMALL.model, name: (() => 'x') as unknown as string } };
    const running = searchOnWorkers(uncopyable, { workerPath, workers: 2, objective: 'step-time', top: 10 });
    await expect(running.result).rejects.toThrow(/search worker 1 of 2 could not be given its part/);
    await running.released;
    expect(running.running).toBe(0);
  });

  it('a worker that exits without a result is an Error, and so is a missing worker file', async () => {
    await expect(searchOnWorkers(SMALL, { workerPath: exitingWorker, workers: 2, objective: 'step-time', top: 10 }).result).rejects.toThrow(/exit code 3/);
    await expect(searchOnWorkers(SMALL, { workerPath: join(folder, 'missing.js'), workers: 1, objective: 'step-time', top: 10 }).result).rejects.toThrow(/search worker 1 of 1/);
  });

  it('by default one thread below 4 cores (a worker\'s warm-up costs more than a second core saves), one per core up to 8 from 4', () => {
    expect([1, 2, 3, 4, 6, 8, 16, 64].map((cores) => defaultSearchWorkers(cores))).toEqual([1, 1, 1, 4, 6, 8, 8, 8]);
  });

  it('a pool keeps its workers warm for the next search, which gets the same answer, and ends them when disposed', async () => {
    const pool = new SearchWorkerPool(workerPath, { idleMs: 60_000 });
    const whole = searchLayouts(SMALL, { top: 10 });
    const first = pool.search(SMALL, { workers: 2, objective: 'step-time', top: 10 });
    expect(ranking((await first.result).results)).toEqual(ranking(whole.results));
    await first.released;
    expect(pool.idleCount).toBe(2);
    const second = pool.search(SMALL, { workers: 2, objective: 'step-time', top: 10 });
    expect(pool.idleCount).toBe(0);
    expect([...second.threadIds].sort()).toEqual([...first.threadIds].sort());
    expect(ranking((await second.result).results)).toEqual(ranking(whole.results));
    await second.released;
    await pool.dispose();
    expect(pool.idleCount).toBe(0);
    // A pool that is disposed starts new workers for a search and ends them with it.
    const third = pool.search(SMALL, { workers: 1, objective: 'step-time', top: 10 });
    expect(third.threadIds).not.toContain(first.threadIds[0]);
    await third.result;
    await third.released;
    expect(pool.idleCount).toBe(0);
  });

  it('a pool ends a worker that waited idleMs, and never reuses a cancelled search\'s workers', async () => {
    const pool = new SearchWorkerPool(workerPath, { idleMs: 100 });
    const done = pool.search(SMALL, { workers: 1, objective: 'step-time', top: 10 });
    await done.result;
    await done.released;
    await vi.waitFor(() => expect(pool.idleCount).toBe(0), { timeout: 10_000, interval: 50 });
    const cancelled = pool.search(LARGE, { workers: 2, objective: 'step-time', top: 10 });
    await cancelled.cancel();
    expect((await cancelled.result).status).toBe('cancelled');
    await cancelled.released;
    expect(pool.idleCount).toBe(0);
    await pool.dispose();
  });
});
