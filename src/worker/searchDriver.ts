// One layout search spread over worker threads: N workers each run one part of the space (searchWorker.ts), share
// the k-th best score through one SharedArrayBuffer, report progress (summed here) and their part's best, which
// mergeSearchParts joins into the answer the whole search in one thread gives. The top k does not depend on
// timing; how many layouts were estimated or pruned does (which part lowered the shared bound when).
// Used by `plens search` and the editor's Search Layouts; Node only (worker_threads), so it lives outside model/.
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Design } from '../model/design';
import { mergeSearchParts, SharedBound, type SearchObjective, type SearchPartResult, type SearchProgress, type SearchResult } from '../model/search/index';
import type { SearchPartRequest, SearchWorkerMessage } from './searchMessages';

/** By default no more workers than this: more gain little on the spaces we search and cost a V8 heap each. */
export const DEFAULT_MAX_SEARCH_WORKERS = 8;
/** The most a caller may ask for: each worker is a thread with its own heap. */
export const MAX_SEARCH_WORKERS = 64;

/**
 * Below this many cores the search runs on one thread by default. Each worker is a V8 isolate that compiles and
 * warms up the search on its own (about a second of CPU on the 2-core machine, a part's cold cost against its warm
 * one) and V8's compiler and collector threads want the spare core a single thread already uses: on 2 cores, two
 * workers took 1.2–2.2× the wall time of one thread (docs/DESIGN.md §8, issue 12's search rows).
 */
export const MIN_CORES_FOR_SEARCH_WORKERS = 4;

/** The cores the process may use (1 under `taskset -c 0`). */
export function searchCores(): number {
  return Math.max(1, availableParallelism());
}

/** One worker per core, at most DEFAULT_MAX_SEARCH_WORKERS, from MIN_CORES_FOR_SEARCH_WORKERS cores; else one. */
export function defaultSearchWorkers(cores = searchCores()): number {
  return cores < MIN_CORES_FOR_SEARCH_WORKERS ? 1 : Math.min(cores, DEFAULT_MAX_SEARCH_WORKERS);
}

export interface WorkerSearchOptions {
  /** The bundled searchWorker.js. */
  workerPath: string;
  /** How many workers (and parts); at least 1. */
  workers: number;
  objective: SearchObjective;
  top: number;
  /** Each part's wall-clock budget in milliseconds; absent, the search is complete. */
  budgetMs?: number;
  /** Progress summed over the workers: layouts estimated added, the least best score. */
  onProgress?: (progress: SearchProgress) => void;
  resourceLimits?: ResourceLimits;
}

export interface WorkerSearch {
  /** The merged result; status `cancelled` after cancel(). Rejects with an Error when a worker fails or stops early. */
  readonly result: Promise<SearchResult>;
  /** Stops every worker (the result resolves `cancelled` unless it was already settled); resolves when all have exited. */
  cancel(): Promise<void>;
  /** Workers that have not exited yet. */
  readonly running: number;
  /** Resolves once every worker has exited (each does after its result, or when stopped). */
  readonly exited: Promise<void>;
}

export function searchOnWorkers(design: Design, options: WorkerSearchOptions): WorkerSearch {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const count = Math.max(1, Math.floor(options.workers));
  const top = Math.max(1, options.top);
  const bound = new SharedBound();
  const parts: (SearchPartResult | undefined)[] = Array.from({ length: count }, () => undefined);
  const progress: SearchProgress[] = Array.from({ length: count }, () => ({ evaluated: 0, space: 0, best: Number.POSITIVE_INFINITY }));
  const workers: Worker[] = [];
  const exits: Promise<void>[] = [];
  let running = 0;
  let settled = false;
  let resolveResult!: (result: SearchResult) => void;
  let rejectResult!: (error: Error) => void;
  const result = new Promise<SearchResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });

  const stopAll = async (): Promise<void> => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  const settle = (outcome: SearchResult | Error) => {
    if (settled) return;
    settled = true;
    void stopAll();
    if (outcome instanceof Error) rejectResult(outcome);
    else resolveResult(outcome);
  };
  const summed = (): SearchProgress => ({
    evaluated: progress.reduce((sum, p) => sum + p.evaluated, 0),
    space: Math.max(...progress.map((p) => p.space)),
    best: Math.min(...progress.map((p) => p.best)),
  });
  // A cancelled part's counts are what its worker last reported; its best layouts are lost with the thread.
  const cancelledPart = (index: number): SearchPartResult => ({
    space: Math.max(summed().space, ...parts.map((p) => p?.space ?? 0)), evaluated: progress[index]!.evaluated, pruned: 0, feasible: 0,
    seconds: 0, status: 'cancelled', cutShort: true, results: [], scores: [], orders: [], partSpace: 0,
  });

  for (let index = 0; index < count; index++) {
    const request: SearchPartRequest = {
      design, objective: options.objective, top,
      ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
      part: { index, count, buffer: bound.buffer },
    };
    let worker: Worker;
    try {
      worker = new Worker(options.workerPath, { workerData: request, ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) });
    } catch (error) {
      settle(new Error(`search worker ${index + 1} of ${count} could not start: ${error instanceof Error ? error.message : String(error)}`));
      break;
    }
    workers.push(worker);
    exits.push(new Promise((resolve) => worker.once('exit', () => resolve())));
    running++;
    const name = `search worker ${index + 1} of ${count}`;
    worker.on('message', (message: SearchWorkerMessage) => {
      if (settled) return;
      if (message.type === 'progress') {
        progress[index] = message.progress;
        options.onProgress?.(summed());
        return;
      }
      parts[index] = message.result;
      if (parts.every((part) => part !== undefined)) settle(mergeSearchParts(parts as SearchPartResult[], top, seconds()));
    });
    worker.once('error', (error: unknown) => settle(new Error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`)));
    worker.once('messageerror', (error: Error) => settle(new Error(`${name} sent a message that could not be read: ${error.message}`)));
    worker.once('exit', (code: number) => {
      running--;
      if (parts[index] === undefined) settle(new Error(`${name} stopped (exit code ${code}) before it gave its result`));
    });
  }

  return {
    result,
    async cancel() {
      settle(mergeSearchParts(parts.map((part, index) => part ?? cancelledPart(index)), top, seconds()));
      await stopAll();
    },
    get running() {
      return running;
    },
    exited: result.then(() => undefined, () => undefined).then(() => Promise.all(exits)).then(() => undefined),
  };
}
