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
/**
 * The most a caller may ask for: each worker is a thread with its own heap (60–100 MB at the end of half a DeepSeek-V3
 * search), and each warms the search up itself, so past a few cores a part's warm-up, not its share, sets the time.
 */
export const MAX_SEARCH_WORKERS = 16;

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
  /** How many workers (and parts); at least 1. */
  workers: number;
  objective: SearchObjective;
  top: number;
  /** Each part's wall-clock budget in milliseconds; absent, the search is complete. */
  budgetMs?: number;
  /** Progress summed over the workers: layouts estimated added, the least best score. */
  onProgress?: (progress: SearchProgress) => void;
}

export interface WorkerSearch {
  /** The merged result; status `cancelled` after cancel(). Rejects with an Error when a worker fails or stops early. */
  readonly result: Promise<SearchResult>;
  /** Stops every worker still on this search (the result resolves `cancelled` unless already settled); resolves when they have exited. */
  cancel(): Promise<void>;
  /** Workers still on this search: neither back in the pool nor exited. */
  readonly running: number;
  /** Resolves once every worker of this search is back in the pool or has exited. */
  readonly released: Promise<void>;
  /** The threads that searched (Worker.threadId), in part order. */
  readonly threadIds: readonly number[];
}

export interface SearchWorkerPoolOptions {
  /** How long a worker stays, warm, after a search for the next one; 0 ends it with its search. */
  idleMs: number;
  resourceLimits?: ResourceLimits;
}

/** The search on `options.workers` new worker threads, which end with it (plens search). */
export function searchOnWorkers(design: Design, options: WorkerSearchOptions & { workerPath: string; resourceLimits?: ResourceLimits }): WorkerSearch {
  return new SearchWorkerPool(options.workerPath, { idleMs: 0, ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) }).search(design, options);
}

interface IdleWorker {
  worker: Worker;
  timer: ReturnType<typeof setTimeout>;
  onExit: () => void;
}

/**
 * Search workers kept warm between searches: a worker compiles and warms up the search itself (a cold search takes
 * about twice a warm one), so the editor's next search reuses the last one's workers while they wait, unref'd,
 * up to `idleMs`. A cancelled or failed search's workers are terminated, never reused.
 */
export class SearchWorkerPool {
  private idle: IdleWorker[] = [];
  private disposed = false;

  constructor(private readonly workerPath: string, private readonly options: SearchWorkerPoolOptions) {}

  /** Workers waiting for the next search. */
  get idleCount(): number {
    return this.idle.length;
  }

  search(design: Design, options: WorkerSearchOptions): WorkerSearch {
    return runParts(design, options, () => this.take(), (worker) => this.give(worker));
  }

  /** Ends the waiting workers (a running search is its owner's to cancel); resolves when they have exited. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const idle = this.idle;
    this.idle = [];
    await Promise.all(idle.map(({ worker, timer, onExit }) => {
      clearTimeout(timer);
      worker.off('exit', onExit);
      return worker.terminate();
    }));
  }

  private take(): Worker {
    const waiting = this.idle.pop();
    if (!waiting) return new Worker(this.workerPath, this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {});
    clearTimeout(waiting.timer);
    waiting.worker.off('exit', waiting.onExit);
    waiting.worker.ref();
    return waiting.worker;
  }

  private give(worker: Worker): void {
    if (this.disposed || this.options.idleMs <= 0) {
      void worker.terminate();
      return;
    }
    // A waiting worker neither keeps the process alive nor outlives idleMs; one that dies while waiting leaves the pool.
    worker.unref();
    const entry: IdleWorker = {
      worker,
      timer: setTimeout(() => {
        this.idle = this.idle.filter((other) => other !== entry);
        worker.off('exit', entry.onExit);
        void worker.terminate();
      }, this.options.idleMs),
      onExit: () => {
        clearTimeout(entry.timer);
        this.idle = this.idle.filter((other) => other !== entry);
      },
    };
    entry.timer.unref();
    worker.once('exit', entry.onExit);
    this.idle.push(entry);
  }
}

/** One search over `count` workers from `take`; each goes to `give` once it has given its part. */
function runParts(design: Design, options: WorkerSearchOptions, take: () => Worker, give: (worker: Worker) => void): WorkerSearch {
  const started = performance.now();
  // Whole milliseconds, as the one-thread search gives them.
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const count = Math.max(1, Math.floor(options.workers));
  const top = Math.max(1, options.top);
  const bound = new SharedBound();
  const parts: (SearchPartResult | undefined)[] = Array.from({ length: count }, () => undefined);
  const progress: SearchProgress[] = Array.from({ length: count }, () => ({ evaluated: 0, space: 0, best: Number.POSITIVE_INFINITY }));
  const members: { worker: Worker; done: boolean; gone: Promise<void>; release: () => void }[] = [];
  let settled = false;
  let resolveResult!: (result: SearchResult) => void;
  let rejectResult!: (error: Error) => void;
  const result = new Promise<SearchResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });

  // Workers still on the search are terminated: their state is half a part, never fit for the next search.
  const stopRunning = async (): Promise<void> => {
    await Promise.all(members.filter((member) => !member.done).map((member) => member.worker.terminate()));
  };
  const settle = (outcome: SearchResult | Error) => {
    if (settled) return;
    settled = true;
    void stopRunning();
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
    seconds: 0, status: 'cancelled', cutShort: true, results: [], scores: [], orders: [], partSpace: 0, leastOverBytes: Number.NaN,
  });

  for (let index = 0; index < count; index++) {
    const name = `search worker ${index + 1} of ${count}`;
    let worker: Worker;
    try {
      worker = take();
    } catch (error) {
      settle(new Error(`${name} could not start: ${error instanceof Error ? error.message : String(error)}`));
      break;
    }
    let release!: () => void;
    const member = { worker, done: false, gone: new Promise<void>((resolve) => (release = resolve)), release: () => release() };
    members.push(member);
    const detach = () => {
      member.done = true;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('messageerror', onMessageError);
      worker.off('exit', onExit);
      member.release();
    };
    const onMessage = (message: SearchWorkerMessage) => {
      if (settled || member.done) return;
      if (message.type === 'progress') {
        progress[index] = message.progress;
        options.onProgress?.(summed());
        return;
      }
      parts[index] = message.result;
      detach();
      give(worker);
      if (parts.every((part) => part !== undefined)) settle(mergeSearchParts(parts as SearchPartResult[], top, seconds()));
    };
    const onError = (error: unknown) => settle(new Error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`));
    const onMessageError = (error: Error) => settle(new Error(`${name} sent a message that could not be read: ${error.message}`));
    const onExit = (code: number) => {
      detach();
      settle(new Error(`${name} stopped (exit code ${code}) before it gave its result`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('messageerror', onMessageError);
    worker.on('exit', onExit);
    const request: SearchPartRequest = {
      design, objective: options.objective, top,
      ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
      part: { index, count, buffer: bound.buffer },
    };
    try {
      worker.postMessage(request);
    } catch (error) {
      // A design that cannot be copied to a thread (never one a reader gives) must not leave the others searching.
      settle(new Error(`${name} could not be given its part: ${error instanceof Error ? error.message : String(error)}`));
      break;
    }
  }

  return {
    result,
    async cancel() {
      settle(mergeSearchParts(parts.map((part, index) => part ?? cancelledPart(index)), top, seconds()));
      await stopRunning();
    },
    get running() {
      return members.filter((member) => !member.done).length;
    },
    released: result.then(() => undefined, () => undefined).then(() => Promise.all(members.map((member) => member.gone))).then(() => undefined),
    threadIds: members.map((member) => member.worker.threadId),
  };
}
