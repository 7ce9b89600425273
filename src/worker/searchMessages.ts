// What the search driver (searchDriver.ts) and its worker threads (searchWorker.ts) say to each other. Kept apart
// from the worker entry so that importing these types never starts a search.
import type { Design } from '../model/design';
import type { SearchObjective, SearchPartResult, SearchProgress } from '../model/search/index';

/** One part of a search, as a worker receives it by message. */
export interface SearchPartRequest {
  design: Design;
  objective: SearchObjective;
  top: number;
  /** Wall-clock budget of this part, in milliseconds; absent, it runs to completion. */
  budgetMs?: number;
  /** Shapes i with i % count === index; `buffer` holds the parts' shared k-th best score (SharedBound). */
  part: { index: number; count: number; buffer: SharedArrayBuffer };
}

/** Progress while the part runs, then its result. */
export type SearchWorkerMessage = { type: 'progress'; progress: SearchProgress } | { type: 'result'; result: SearchPartResult };
