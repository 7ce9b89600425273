// A worker thread that runs one layout search and posts its result back, so the extension host stays
// responsive while it runs (DESIGN.md §7). The search is complete (no budget); Cancel = terminate the worker.
import { parentPort } from 'node:worker_threads';
import type { Design } from '../../model/design';
import { searchLayouts, type SearchObjective, type SearchProgress, type SearchResult } from '../../model/search/index';

export interface SearchRequest {
  design: Design;
  objective: SearchObjective;
  top: number;
}

/** Progress while the search runs, then its result. */
export type SearchWorkerMessage = { type: 'progress'; progress: SearchProgress } | { type: 'result'; result: SearchResult };

parentPort?.on('message', (request: SearchRequest) => {
  const post = (message: SearchWorkerMessage) => parentPort?.postMessage(message);
  const result = searchLayouts(request.design, { objective: request.objective, top: request.top, onProgress: (progress) => post({ type: 'progress', progress }) });
  post({ type: 'result', result });
});
