// A worker thread that simulates one schedule query and posts the panel message back. Queries reach it already
// sanitised by the host (scheduleQuery.ts).
import { parentPort } from 'node:worker_threads';
import type { ScheduleQuery } from '../../protocol';
import { runScheduleQuery } from './scheduleRunner';

parentPort?.on('message', (query: ScheduleQuery) => {
  parentPort?.postMessage(runScheduleQuery(query));
});
