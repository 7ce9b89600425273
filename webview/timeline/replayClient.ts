// Where a timeline is replayed: small steps on the page at once (no round trip, the first paint is immediate), large
// ones in a web worker (replayWorker.ts). The worker's script is fetched and started from a blob URL, since a
// webview cannot start a worker from its resource origin; if that fails (an older host, a policy), the replay runs
// on the page as before.
import type { TimelineSpec } from '../../src/protocol';
import { scheduleOpBound } from '../../src/model/schedule/index';
import { replayTimeline, type ReplayResult } from './replay';
import type { ReplayAnswer } from './replayWorker';

/** Below this many ops a replay takes a few milliseconds: not worth a worker's round trip. */
export const WORKER_MIN_OPS = 100_000;

export function opsOf(spec: TimelineSpec): number {
  return scheduleOpBound(spec.schedule, { ranks: spec.ranks, microbatches: spec.microbatches, ...(spec.chunks !== undefined ? { chunks: spec.chunks } : {}) });
}

export class ReplayClient {
  private worker: Promise<Worker | undefined> | undefined;
  private next = 0;
  private readonly waiting = new Map<number, { spec: TimelineSpec; resolve: (result: ReplayResult) => void }>();

  constructor(private readonly scriptUrl: string | undefined) {}

  /** The replayed step: synchronously for a small spec, else through the worker (or on the page without one). */
  replay(spec: TimelineSpec): ReplayResult | Promise<ReplayResult> {
    if (!this.scriptUrl || opsOf(spec) < WORKER_MIN_OPS) return replayTimeline(spec);
    return this.start().then((worker) => {
      if (!worker) return replayTimeline(spec);
      const id = ++this.next;
      return new Promise<ReplayResult>((resolve) => {
        this.waiting.set(id, { spec, resolve });
        worker.postMessage({ id, spec });
      });
    });
  }

  private start(): Promise<Worker | undefined> {
    this.worker ??= (async () => {
      try {
        const response = await fetch(this.scriptUrl!);
        if (!response.ok) return undefined;
        const url = URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
        const worker = new Worker(url);
        worker.onmessage = (event: MessageEvent<ReplayAnswer>) => {
          const { id, ...result } = event.data;
          this.waiting.get(id)?.resolve(result as ReplayResult);
          this.waiting.delete(id);
        };
        // A worker that fails is not used again; what it was replaying is replayed on the page.
        worker.onerror = () => {
          this.worker = Promise.resolve(undefined);
          for (const [id, { spec, resolve }] of this.waiting) {
            this.waiting.delete(id);
            resolve(replayTimeline(spec));
          }
        };
        return worker;
      } catch {
        return undefined;
      }
    })();
    return this.worker;
  }
}
