// A worker thread that runs parts of layout searches (the shapes dealt to it, src/model/search), one per message,
// and posts each part's progress and result. Both `plens search` and the editor's Search Layouts start several of these
// through searchDriver.ts; the parts share the k-th best score through a SharedArrayBuffer, so each prunes with the
// best any of them has found. Bundled on its own (dist/searchWorker.js): model code only.
import { parentPort } from 'node:worker_threads';
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

// One part per message: a pool (searchDriver.ts) sends a warm worker the next search's part. A throw here reaches
// the driver as the Worker's 'error' event, which it turns into an Error for its caller.
parentPort?.on('message', (request: SearchPartRequest) => runPart(request));
