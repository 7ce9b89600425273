// Where a schedule query runs. Small ones inline (a few milliseconds); large ones (PP 64 × 65,536 micro-batches
// takes seconds) in a worker thread, so hovers and typing never wait for them (DESIGN.md §7). Only the newest
// query matters: starting one stops the worker of the previous one.
import { Worker } from 'node:worker_threads';
import type { ScheduleErrorMessage, ScheduleMessage, ScheduleQuery } from '../../protocol';
import { opBound, runScheduleQuery } from './scheduleRunner';

export type ScheduleView = ScheduleMessage | ScheduleErrorMessage;

/** Below this many ops a simulation takes well under 50 ms: not worth a thread. */
export const INLINE_OP_LIMIT = 200_000;
/** A simulation within the engine's op budget ends in seconds; past this something is wrong, so stop it. */
export const WORKER_TIMEOUT_MS = 60_000;

export class ScheduleJobs {
  private running: { worker: Worker; settle: (view: ScheduleView | undefined) => void } | undefined;

  constructor(private readonly workerPath: string, private readonly timeoutMs = WORKER_TIMEOUT_MS) {}

  needsWorker(query: ScheduleQuery): boolean {
    return opBound(query) > INLINE_OP_LIMIT;
  }

  /** The view for the query, or undefined when a newer query superseded it. */
  run(query: ScheduleQuery): Promise<ScheduleView | undefined> {
    this.cancel();
    if (!this.needsWorker(query)) return Promise.resolve(runScheduleQuery(query));
    return new Promise((resolve) => {
      const worker = new Worker(this.workerPath);
      let settled = false;
      const settle = (view: ScheduleView | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.running?.worker === worker) this.running = undefined;
        void worker.terminate();
        resolve(view);
      };
      const fail = (message: string): ScheduleErrorMessage => ({ type: 'scheduleError', query, code: 'schedule/worker', message });
      const timer = setTimeout(() => settle(fail(`simulating ${query.pp} ranks × ${query.microbatches} micro-batches took longer than ${this.timeoutMs / 1000} s and was stopped`)), this.timeoutMs);
      worker.once('message', (view: ScheduleView) => settle(view));
      worker.once('error', (error) => settle(fail(`the simulation failed: ${error.message}`)));
      worker.once('exit', () => settle(undefined));
      this.running = { worker, settle };
      worker.postMessage(query);
    });
  }

  cancel(): void {
    this.running?.settle(undefined);
  }

  dispose(): void {
    this.cancel();
  }
}
