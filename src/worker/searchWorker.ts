// A worker thread that runs one part of a layout search (the shapes dealt to it, src/model/search) and posts its
// progress and its part's result. Both `plens search` and the editor's Search Layouts start several of these
// through searchDriver.ts; the parts share the k-th best score through a SharedArrayBuffer, so each prunes with the
// best any of them has found. Bundled on its own (dist/searchWorker.js): model code only.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedBound, searchLayoutsPart } from '../model/search/index';
import type { SearchPartRequest, SearchWorkerMessage } from './searchMessages';

const post = (message: SearchWorkerMessage) => parentPort?.postMessage(message);

function runPart(request: SearchPartRequest): void {
  const { design, objective, top, budgetMs, part } = request;
  const result = searchLayoutsPart(design, {
    objective,
    top,
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    part: { index: part.index, count: part.count, bound: new SharedBound(part.buffer) },
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'result', result });
}

// A throw here reaches the driver as the Worker's 'error' event, which it turns into an Error for its caller.
if (parentPort && workerData) runPart(workerData as SearchPartRequest);
