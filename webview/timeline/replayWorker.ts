// The timeline's replay off the page's main thread: a TimelineSpec in, the replayed step's typed arrays out
// (transferred, not copied). PP 64 × 16 k micro-batches is some 0.4 s of generating and simulating, during which
// the page would otherwise not scroll, hover or switch tabs.
import type { TimelineSpec } from '../../src/protocol';
import { replayTimeline, transferables, type ReplayResult } from './replay';

export interface ReplayRequest {
  id: number;
  spec: TimelineSpec;
}

export type ReplayAnswer = { id: number } & ReplayResult;

// A dedicated worker's global scope, typed by what is used here (the page's lib is DOM, not WebWorker).
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ReplayRequest>) => void) | null;
  postMessage(message: ReplayAnswer, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (event) => {
  const { id, spec } = event.data;
  let result: ReplayResult;
  try {
    result = replayTimeline(spec);
  } catch (error) {
    result = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  scope.postMessage({ id, ...result }, transferables(result));
};
