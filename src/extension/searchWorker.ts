// A worker thread that runs one layout search and posts its result back, so the extension host stays
// responsive for the seconds a search takes (DESIGN.md §7). Cancel = terminate the worker.
import { parentPort } from 'node:worker_threads';
import type { Design } from '../model/design';
import { searchLayouts, type SearchObjective } from '../model/search';

export interface SearchRequest {
  design: Design;
  objective: SearchObjective;
  top: number;
  budgetMs: number;
}

parentPort?.on('message', (request: SearchRequest) => {
  parentPort?.postMessage(searchLayouts(request.design, { objective: request.objective, top: request.top, budgetMs: request.budgetMs }));
});
