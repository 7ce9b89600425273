// Where a timeline is replayed: small steps on the page at once, large ones in the worker, whose answer crosses
// postMessage by transferring the step's buffers (each once) and arrives whole.
import { describe, expect, it } from 'vitest';
import type { TimelineSpec } from '../../../src/protocol';
import { replayTimeline, transferables } from '../../../webview/timeline/replay';
import { opsOf, ReplayClient, WORKER_MIN_OPS } from '../../../webview/timeline/replayClient';

function spec(ranks: number, microbatches: number): TimelineSpec {
  const costs = Array.from({ length: ranks }, () => 1);
  return { schedule: '1f1b', ranks, microbatches, costs: { forward: costs, backward: costs.map(() => 2), weight: costs, p2p: 0 }, unit: 'units' };
}

describe('ReplayClient', () => {
  it('replays a small step on the page, synchronously', () => {
    const small = spec(4, 8);
    expect(opsOf(small)).toBeLessThan(WORKER_MIN_OPS);
    const result = new ReplayClient('https://unused/worker.js').replay(small);
    expect(result instanceof Promise).toBe(false);
    expect(result).toMatchObject({ ok: true, data: { ranks: 4 } });
  });

  it('replays on the page when it has no worker script', () => {
    const large = spec(64, 1024);
    expect(opsOf(large)).toBeGreaterThanOrEqual(WORKER_MIN_OPS);
    expect(new ReplayClient(undefined).replay(large) instanceof Promise).toBe(false);
  });
});

describe('transferables', () => {
  it('lists each buffer of the step once, and a transferred answer equals the replay', () => {
    const result = replayTimeline(spec(8, 32));
    if (!result.ok) throw new Error(result.message);
    const buffers = transferables(result);
    expect(new Set(buffers).size).toBe(buffers.length);
    expect(buffers).toContain(result.data.schedule.rankStart.buffer);
    const expected = { start: Array.from(result.data.start), kinds: Array.from(result.data.schedule.kind), makespan: result.data.makespan };
    const moved = structuredClone(result, { transfer: buffers });
    if (!moved.ok) throw new Error('lost');
    expect(result.data.start.length).toBe(0);
    expect({ start: Array.from(moved.data.start), kinds: Array.from(moved.data.schedule.kind), makespan: moved.data.makespan }).toEqual(expected);
    expect(moved.data.rankStart).toBe(moved.data.schedule.rankStart);
  });

  it('has nothing to move for a failed replay', () => {
    expect(transferables({ ok: false, message: 'no' })).toEqual([]);
  });
});
