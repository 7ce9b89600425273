import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INLINE_OP_LIMIT, ScheduleJobs } from '../../src/extension/schedule/scheduleJobs';
import { runScheduleReport } from '../../src/model/schedule/report';

// The real worker, bundled the way scripts/build.mjs bundles it, into a scratch folder.
const folder = mkdtempSync(join(tmpdir(), 'plens-jobs-'));
const workerPath = join(folder, 'scheduleWorker.js');
const silentWorkerPath = join(folder, 'silentWorker.js');

beforeAll(() => {
  buildSync({ entryPoints: ['src/extension/schedule/scheduleWorker.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: workerPath, logLevel: 'silent' });
  // A worker that never answers, to see a query superseded and a timeout fire.
  writeFileSync(silentWorkerPath, "require('node:worker_threads').parentPort.on('message', () => {});\n");
});

const jobs: ScheduleJobs[] = [];
afterAll(() => jobs.forEach((job) => job.dispose()));

describe('ScheduleJobs', () => {
  it('runs a small query inline', async () => {
    const job = new ScheduleJobs(silentWorkerPath);
    jobs.push(job);
    expect(job.needsWorker({ schedule: 'dualpipe', pp: 8, microbatches: 20 })).toBe(false);
    const view = await job.run({ schedule: 'dualpipe', pp: 8, microbatches: 20 });
    expect(view?.type === 'schedule' && view.report.makespan).toBe(66);
  });

  it('runs a large query in the worker with the same figures as the engine', async () => {
    const query = { schedule: '1f1b' as const, pp: 32, microbatches: 4096 };
    const job = new ScheduleJobs(workerPath);
    jobs.push(job);
    expect(job.needsWorker(query)).toBe(true);
    expect(32 * 4096 * 6).toBeGreaterThan(INLINE_OP_LIMIT);
    const view = await job.run(query);
    const direct = runScheduleReport({ ...query, includeOps: false });
    expect(view?.type).toBe('schedule');
    if (view?.type !== 'schedule' || !direct.ok) return;
    // 1F1B: m(F+B) + (p−1)(F+B) = (4096 + 31) · 3.
    expect(view.report.makespan).toBe(4127 * 3);
    expect(view.report).toEqual(direct.report);
    expect(view.timeline).toMatchObject({ schedule: '1f1b', ranks: 32, microbatches: 4096 });
  });

  it('resolves a superseded query as undefined and stops a worker past its time budget', async () => {
    const job = new ScheduleJobs(silentWorkerPath, 300);
    jobs.push(job);
    const large = { schedule: '1f1b' as const, pp: 64, microbatches: 8192 };
    const first = job.run(large);
    const second = job.run(large);
    expect(await first).toBeUndefined();
    const timedOut = await second;
    expect(timedOut?.type).toBe('scheduleError');
    if (timedOut?.type === 'scheduleError') expect(timedOut.message).toMatch(/longer than 0.3 s/);
  });
});
